import { memo, useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useClient, useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import type { SolutionAreaFieldsFragment } from '../../gql/graphql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { IconCheck } from '../../components/Icons';
import { describeError } from '../../lib/errors';
import { formatDate, plural } from '../../lib/format';
import { useSocketState } from '../../lib/live';
import { usePageQueryPolicy } from '../../lib/pageData';
import { useLatest } from '../../lib/useLatest';
import { LiveIndicator } from '../competencies/LiveIndicator';
import type { PersonView } from '../competencies/types';
import { WhatIfPanel } from '../competencies/WhatIfPanel';
import { describeWhatIfError, type WhatIfRequest } from '../competencies/whatIf';
import { SolutionAreasQuery } from './queries';
import { windowStrip } from './windowStrip';

export const SolutionAreasLive = graphql(`
  subscription SolutionAreasLive {
    solutionAreasChanged {
      ...SolutionAreaFields
    }
  }
`);

export const SolutionAreasWhatIf = graphql(`
  query SolutionAreasWhatIf($input: SolutionAreasWhatIfInput!) {
    simulateSolutionAreas(input: $input) {
      ...SolutionAreaFields
    }
  }
`);

type Area = SolutionAreaFieldsFragment;
type Track = Area['tracks'][number];

const CATEGORY: Record<string, string> = { PERFORMANCE: 'Performance', SKILLING: 'Skilling', CUSTOMER_SUCCESS: 'Customer success' };

// One formatter each, made on first use: toLocaleString with options builds a new
// one per call, which a page of metrics pays hundreds of times.
let numberFormats: { whole: Intl.NumberFormat; fraction: Intl.NumberFormat } | null = null;

function fmt(n: number): string {
  // Whole numbers below 1,000 (every day's score, most points) read the same without
  // a formatter, which the window strips would otherwise call about 1,100 times.
  if (Number.isInteger(n) && n > -1000 && n < 1000 && !Object.is(n, -0)) return String(n);
  numberFormats ??= { whole: new Intl.NumberFormat('en'), fraction: new Intl.NumberFormat('en', { maximumFractionDigits: 2 }) };
  return (Number.isInteger(n) ? numberFormats.whole : numberFormats.fraction).format(n);
}

/** "1 person", "4 customers", "31,500 USD per month". */
export function withUnit(value: number, unit: string): string {
  if (!unit) return fmt(value);
  if (value === 1 && unit === 'people') return '1 person';
  if (value === 1 && /^[a-z]+s$/.test(unit)) return `1 ${unit.slice(0, -1)}`;
  return `${fmt(value)} ${unit}`;
}

function ScoreRing({ score, whatIf }: { score: number; whatIf?: number }) {
  const pct = (n: number) => `${Math.max(0, Math.min(100, n))}%`;
  return (
    <div className="gauge" style={{ ['--pct' as string]: pct(score), ['--whatif' as string]: pct(whatIf ?? score) }} data-whatif={whatIf !== undefined ? '' : undefined}>
      <div className="gauge-inner">
        <strong>{fmt(Math.floor(score))}</strong>
        <span>of 100</span>
      </div>
    </div>
  );
}

function QualifiedBadge({ area }: { area: { qualified: boolean } }) {
  return area.qualified ? (
    <span className="badge badge-qualified designation-badge">
      <IconCheck width={12} height={12} /> Qualified
    </span>
  ) : (
    <span className="badge badge-not-started designation-badge">Not qualified</span>
  );
}

const DAY_TEXT: Record<string, string> = {
  qualified: 'qualified',
  unqualified: 'not qualified',
  unrecorded: 'not recorded',
  ahead: 'ahead',
  'today-qualified': 'today, qualified now',
  'today-unqualified': 'today, not qualified now',
};

/** The window as six months of days; the summary is the accessible text, the squares are decoration. */
function WindowStrip({ area, today }: { area: Area; today: string }) {
  const w = area.window;
  const months = useMemo(() => windowStrip(w.opensOn, w.closesOn, w.days, today), [w, today]);
  const summary = w.holds
    ? `Qualified on ${plural(w.qualifiedDays, 'day')} between ${formatDate(w.opensOn)} and ${formatDate(w.closesOn)}: the window holds${w.holdsUntil ? ` until ${formatDate(w.holdsUntil)} if no other day qualifies` : ''}.`
    : `No qualified day between ${formatDate(w.opensOn)} and ${formatDate(w.closesOn)}: the window does not hold.`;
  return (
    <div className="window-strip">
      <p className={w.holds ? 'window-summary window-holds' : 'window-summary'} data-testid="window-summary">
        {summary}
      </p>
      <div className="window-months" role="img" aria-label={`Qualification window, ${months.map((m) => `${m.label}: ${plural(m.qualifiedDays, 'qualified day')}`).join('; ')}`}>
        {months.map((m) => (
          <div key={m.key} className="window-month">
            <span className="window-month-label" aria-hidden="true">
              {m.label}
            </span>
            <div className="window-days" aria-hidden="true">
              {m.days.map((d) => (
                <span key={d.date} className={`window-day day-${d.state}`} title={`${d.date}: ${DAY_TEXT[d.state]}${d.score !== undefined ? ` (${fmt(d.score)} points)` : ''}`} />
              ))}
            </div>
          </div>
        ))}
      </div>
      <ul className="window-legend" aria-hidden="true">
        <li><span className="window-day day-qualified" /> qualified</li>
        <li><span className="window-day day-unqualified" /> not qualified</li>
        <li><span className="window-day day-unrecorded" /> not recorded</li>
        <li><span className="window-day day-ahead" /> ahead</li>
      </ul>
    </div>
  );
}

function MetricsTable({ track, whatIf }: { track: Track; whatIf?: Track }) {
  const sim = new Map(whatIf?.categories.flatMap((c) => c.metrics.map((m) => [m.key, m] as const)));
  return (
    <table className="table designation-metrics">
      <caption className="sr-only">Metrics of the {track.name} track</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Value</th>
          <th scope="col">Threshold</th>
          <th scope="col">Points</th>
          <th scope="col">Missing</th>
        </tr>
      </thead>
      {track.categories.map((c) => (
        <tbody key={c.category}>
          <tr className="designation-category">
            <th scope="rowgroup" colSpan={5}>
              {CATEGORY[c.category] ?? c.category} · {fmt(c.points)} of {c.maxPoints}
            </th>
          </tr>
          {c.metrics.map((m) => {
            const s = sim.get(m.key);
            return (
              <tr key={m.key} className={m.points === 0 ? 'metric-zero' : undefined}>
                <th scope="row">
                  {m.name}
                  {m.people.length > 0 && <div className="muted small">{m.people.map((p) => p.name).join(', ')}</div>}
                  {m.source === 'INGESTED' && <div className="muted small">{m.month ? `as of ${m.month}` : 'nothing sent yet'}</div>}
                </th>
                <td>{withUnit(m.value, m.unit)}</td>
                <td>{fmt(m.threshold)}</td>
                <td>
                  {fmt(m.points)} of {m.weight}
                  {m.points === 0 && <span className="metric-zero-note"> · at zero</span>}
                  {s && s.points !== m.points && <div className="whatif-inline whatif-changed">what-if: {fmt(s.points)}</div>}
                </td>
                <td>{m.missing > 0 ? fmt(m.missing) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      ))}
    </table>
  );
}

// Memoized: the page renders again for the socket's state, a live message or a
// what-if; an area whose data is unchanged (six months of days) is skipped.
const AreaCard = memo(function AreaCard({ area, whatIf, today, defaultOpen }: { area: Area; whatIf?: Area; today: string; defaultOpen: boolean }) {
  const id = useId();
  const [open, setOpen] = useState(defaultOpen);
  const [trackKey, setTrackKey] = useState(area.bestTrack.key);
  const track = area.tracks.find((t) => t.key === trackKey) ?? area.tracks[0];
  const simTrack = whatIf?.tracks.find((t) => t.key === track.key);
  const label = `${area.name}: ${fmt(area.score)} of 100 points${whatIf ? `; what-if ${fmt(whatIf.score)}` : ''}`;
  return (
    <section className="card designation-area" id={`area-${area.key}`} aria-labelledby={`${id}-t`} data-testid={`area-${area.key}`}>
      <div className="capability-head">
        <div role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={area.score} aria-label={label}>
          <ScoreRing score={area.score} whatIf={whatIf?.score} />
        </div>
        <div>
          <h2 id={`${id}-t`} className="designation-title">
            {area.name} <QualifiedBadge area={area} />
          </h2>
          <p className="muted capability-desc">{area.explanation}{area.tracks.length > 1 ? ` (${area.bestTrack.name} track counts)` : ''}.</p>
          {area.dropsOn && (
            <p className="designation-drop" data-testid="drops-on">
              Projected to stop qualifying on <strong>{formatDate(area.dropsOn)}</strong>: {area.dropReason}.
            </p>
          )}
          {whatIf && (
            <p className={whatIf.qualified !== area.qualified || whatIf.score !== area.score ? 'whatif-line whatif-changed' : 'whatif-line'} data-testid="whatif-line">
              <span className="whatif-label">What-if</span>
              <span>
                <strong>{fmt(whatIf.score)}</strong> points, {whatIf.qualified ? 'qualified' : 'not qualified'}
                {whatIf.dropsOn ? `, until ${formatDate(whatIf.dropsOn)}` : ''}
                {whatIf.window.holds !== area.window.holds ? `; window ${whatIf.window.holds ? 'holds' : 'does not hold'}` : ''}
              </span>
            </p>
          )}
        </div>
      </div>
      <WindowStrip area={area} today={today} />
      <button type="button" className="btn btn-secondary btn-small" aria-expanded={open} aria-controls={`${id}-m`} onClick={() => setOpen((o) => !o)}>
        {open ? 'Hide metrics' : 'Show metrics'}
      </button>
      <div id={`${id}-m`} hidden={!open}>
        {area.tracks.length > 1 && (
          <div className="track-switch" role="group" aria-label="Track">
            {area.tracks.map((t) => (
              <button key={t.key} type="button" className={t.key === track.key ? 'chip chip-active' : 'chip'} aria-pressed={t.key === track.key} onClick={() => setTrackKey(t.key)}>
                {t.name}: {fmt(t.score)}
                {t.qualified ? ', qualified' : ''}
              </button>
            ))}
          </div>
        )}
        {open && (
          <div className="table-scroll">
            <MetricsTable track={track} whatIf={simTrack} />
          </div>
        )}
      </div>
    </section>
  );
});

/** People the skilling metrics count, once each: the ones a what-if can mark as leaving. */
export function countedPeople(areas: readonly Area[]): PersonView[] {
  const seen = new Map<string, PersonView>();
  for (const a of areas) for (const t of a.tracks) for (const c of t.categories) for (const m of c.metrics) for (const p of m.people) seen.set(p.id, p);
  return [...seen.values()].sort((x, y) => x.name.localeCompare(y.name));
}

/** Solutions Partner designations: the partner capability score per solution area, its window and What if…. */
export function DesignationsPage() {
  const client = useClient();
  const policy = usePageQueryPolicy(SolutionAreasQuery, 'cache-and-network');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SolutionAreasQuery, requestPolicy: policy });
  const [{ data: live }] = useSubscription({ query: SolutionAreasLive });
  const socket = useSocketState();
  // Deferred: a new answer renders in the background, in slices, not in one long task.
  const areas = useDeferredValue(useLatest(data?.solutionAreas, live?.solutionAreasChanged));
  const [sim, setSim] = useState<readonly Area[] | null>(null);
  const lastWhatIf = useRef<WhatIfRequest | null>(null);
  const openKey = useMemo(() => new URLSearchParams(window.location.search).get('area'), []);
  const loaded = areas !== undefined;
  useEffect(() => {
    if (loaded && openKey) document.getElementById(`area-${openKey}`)?.scrollIntoView({ block: 'start' });
  }, [loaded, openKey]);

  const people = useMemo(() => countedPeople(areas ?? []), [areas]);
  const skills = useMemo(() => {
    const out = new Map<string, string>();
    for (const a of areas ?? []) {
      for (const n of a.intermediateSkills) out.set(n, `Intermediate (${a.name})`);
      for (const n of a.advancedSkills) out.set(n, `Advanced (${a.name})`);
    }
    return [...out].map(([number, title]) => ({ number, title }));
  }, [areas]);

  const runWhatIf = useCallback(
    async (request: WhatIfRequest): Promise<string | null> => {
      const result = await client.query(SolutionAreasWhatIf, { input: request }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error || !result.data) return describeWhatIfError(result.error, request, people);
      lastWhatIf.current = request;
      setSim(result.data.simulateSolutionAreas);
      return null;
    },
    [client, people],
  );
  // A live change re-runs a shown what-if.
  useEffect(() => {
    if (live && lastWhatIf.current) void runWhatIf(lastWhatIf.current);
  }, [live]);

  const header = (
    <PageHeader
      title="Solutions Partner designations"
      description="Your partner capability score per solution area: 70 points and every metric above zero qualify, on at least one day of the current month and the five before it."
      actions={areas && <LiveIndicator live={live !== undefined} socket={socket} />}
    />
  );
  if (!areas) {
    return (
      <div className="page">
        {header}
        {fetching || !error ? <Spinner label="Loading solution areas…" /> : <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />}
      </div>
    );
  }
  const today = (areas[0]?.window.days.find((d) => d.live)?.day ?? new Date().toISOString()).slice(0, 10);
  const qualified = areas.filter((a) => a.qualified).length;
  let summary = null;
  if (sim) {
    const changed = areas.filter((a) => {
      const s = sim.find((x) => x.key === a.key);
      return s && (s.qualified !== a.qualified || s.score !== a.score);
    });
    summary = changed.length
      ? `${plural(changed.length, 'area')} ${changed.length === 1 ? 'changes' : 'change'}: ${changed.map((a) => a.name).join(', ')}. The what-if shows on each card; nothing is saved.`
      : 'No area changes its score. Nothing is saved.';
  }
  return (
    <div className="page">
      {header}
      {areas.length === 0 ? (
        <EmptyState title="No solution areas in the catalog yet">
          <p>An operator loads the scoring framework with the catalog; the areas show here once it has them.</p>
        </EmptyState>
      ) : (
        <>
          <p className="designation-overview" data-testid="designation-overview">
            {qualified === 0 ? 'No area qualifies today.' : `${plural(qualified, 'area')} ${qualified === 1 ? 'qualifies' : 'qualify'} today.`}{' '}
            {plural(areas.filter((a) => a.window.holds).length, 'window')} of {areas.length} {areas.filter((a) => a.window.holds).length === 1 ? 'holds' : 'hold'}.
          </p>
          <WhatIfPanel
            people={people}
            skills={skills}
            onRun={runWhatIf}
            onClear={() => {
              lastWhatIf.current = null;
              setSim(null);
            }}
            summary={summary}
          />
          <div className="designation-grid">
            {areas.map((a) => (
              <AreaCard key={a.key} area={a} whatIf={sim?.find((s) => s.key === a.key)} today={today} defaultOpen={openKey === a.key} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
