import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useSocketState } from '../../lib/live';
import { usePageQueryPolicy } from '../../lib/pageData';
import { useLatest } from '../../lib/useLatest';
import { Link, navigate, useSearch } from '../../lib/router';
import { CapabilityScoreCard } from './CapabilityScoreCard';
import { LiveIndicator } from './LiveIndicator';
import { CompetencyCard, type AttestInput, type PurchaseTarget } from './CompetencyCard';
import { ForecastSection } from './ForecastSection';
import { StatusBadge } from './StatusBadge';
import type { CapabilityScoreView, CompetencyProgressView } from './types';
import { WhatIfPanel } from './WhatIfPanel';
import { CapabilityScoreQuery, CompetencyProgressQuery } from './queries';
import { catalogSkills, compareSimulation, describeWhatIfError, indexSimulation, peopleWhoCount, type WhatIfRequest } from './whatIf';

/** B4: the same progress, pushed at once and after every change that moves who counts. */
export const CompetencyProgressLive = graphql(`
  subscription CompetencyProgressLive {
    competencyProgressChanged {
      ...CompetencyProgressFields
    }
  }
`);

export const CapabilityScoreLive = graphql(`
  subscription CapabilityScoreLive {
    capabilityScoreChanged {
      ...CapabilityScoreFields
    }
  }
`);

/** B1: progress and capability score if people left or passed planned exams; nothing is written. */
export const WhatIfQuery = graphql(`
  query WhatIf($input: WhatIfInput!) {
    simulateProgress(input: $input) {
      ...CompetencyProgressFields
    }
    simulateCapabilityScore(input: $input) {
      ...CapabilityScoreFields
    }
  }
`);

const PurchaseOffer = graphql(`
  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {
    purchaseCompetencyOffer(input: $input) {
      ...CompetencyProgressFields
    }
  }
`);

const SetAttestation = graphql(`
  mutation SetAttestation($input: SetAttestationInput!) {
    setAttestation(input: $input) {
      ...CompetencyProgressFields
    }
  }
`);

const NO_SCORES: readonly CapabilityScoreView[] = [];

const STATUS_ORDER = ['REQUIREMENTS_UNMET', 'AT_RISK', 'ACTIVE', 'QUALIFIED', 'IN_PROGRESS', 'NOT_STARTED'];

type Tab = 'progress' | 'forecast';

/** Competencies (C4–C7, B1, B2, B4): progress with what-if and capability score, and the forecast. */
export function CompetenciesPage() {
  const client = useClient();
  const progressPolicy = usePageQueryPolicy(CompetencyProgressQuery, 'cache-and-network');
  const scorePolicy = usePageQueryPolicy(CapabilityScoreQuery, 'cache-and-network');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CompetencyProgressQuery, requestPolicy: progressPolicy });
  const [{ data: scoreData }, reexecuteScore] = useQuery({ query: CapabilityScoreQuery, requestPolicy: scorePolicy });
  const [{ data: liveData }] = useSubscription({ query: CompetencyProgressLive });
  const [{ data: liveScore }] = useSubscription({ query: CapabilityScoreLive });
  const socket = useSocketState();
  const [, purchase] = useMutation(PurchaseOffer);
  const [, attest] = useMutation(SetAttestation);
  // The tab is the address's (?tab=forecast), as the skills report keeps its filters there: a reload
  // or a shared link opens it, and Back and Forward go between the tabs (review).
  const search = useSearch();
  const tab: Tab = search.get('tab') === 'forecast' ? 'forecast' : 'progress';
  const setTab = (next: Tab) => {
    if (next === tab) return;
    const q = new URLSearchParams(window.location.search);
    if (next === 'forecast') q.set('tab', 'forecast');
    else q.delete('tab');
    const query = q.toString();
    navigate(window.location.pathname + (query ? `?${query}` : ''), { keepScroll: true });
  };
  const [sim, setSim] = useState<{ progress: readonly CompetencyProgressView[]; score: readonly CapabilityScoreView[] } | null>(null);
  const lastWhatIf = useRef<WhatIfRequest | null>(null);
  const refresh = () => {
    reexecute({ requestPolicy: 'network-only' });
    reexecuteScore({ requestPolicy: 'network-only' });
  };

  // Deferred: a new answer renders in the background, in slices that leave the page
  // responsive, rather than in one long task.
  const list = useDeferredValue(useLatest(data?.competencyProgress, liveData?.competencyProgressChanged));
  // A notification's link opens the competencies it names (?open=key,key) and scrolls to the first.
  const openKeys = useMemo(() => (new URLSearchParams(window.location.search).get('open') ?? '').split(',').filter(Boolean), []);
  const loaded = list !== undefined;
  useEffect(() => {
    if (loaded && openKeys.length > 0) document.getElementById(`competency-${openKeys[0]}`)?.scrollIntoView({ block: 'start' });
  }, [loaded, openKeys]);
  const scores = useDeferredValue(useLatest(scoreData?.capabilityScore, liveScore?.capabilityScoreChanged)) ?? NO_SCORES;

  // A live change after the first message: the forecast and a shown what-if follow it.
  const [revision, setRevision] = useState(0);
  const seenLive = useRef(0);
  useEffect(() => {
    if (!liveData) return;
    seenLive.current++;
    if (seenLive.current > 1) setRevision((r) => r + 1);
  }, [liveData]);

  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const p of list ?? []) c.set(p.status, (c.get(p.status) ?? 0) + 1);
    return STATUS_ORDER.filter((s) => c.has(s)).map((s) => [s, c.get(s)!] as const);
  }, [list]);
  const people = useMemo(() => peopleWhoCount(list ?? [], scores), [list, scores]);
  const skills = useMemo(() => catalogSkills(list ?? [], scores), [list, scores]);
  const simIndex = useMemo(() => (sim ? indexSimulation(sim.progress) : null), [sim]);

  const runWhatIf = useCallback(
    async (request: WhatIfRequest): Promise<string | null> => {
      const result = await client.query(WhatIfQuery, { input: request }, { requestPolicy: 'network-only' }).toPromise();
      if (result.error || !result.data) {
        // A failed run shows no result: not the previous plan's, under this one's summary (review).
        lastWhatIf.current = null;
        setSim(null);
        return describeWhatIfError(result.error, request, people);
      }
      lastWhatIf.current = request;
      setSim({ progress: result.data.simulateProgress, score: result.data.simulateCapabilityScore });
      return null;
    },
    [client, people],
  );

  useEffect(() => {
    if (revision > 0 && lastWhatIf.current) void runWhatIf(lastWhatIf.current);
    // Only a live change re-runs the what-if.
  }, [revision]);

  function clearWhatIf() {
    lastWhatIf.current = null;
    setSim(null);
  }

  async function purchaseOffer(target: PurchaseTarget) {
    const result = await purchase({ input: { competency: target.competency, level: target.level as 'SILVER' | 'GOLD', option: target.option } });
    if (result.error) return describeError(result.error);
    refresh();
    return null;
  }

  async function attestRequirement(input: AttestInput) {
    const result = await attest({ input: { requirement: input.requirement, met: input.met, note: input.note || null } });
    if (result.error) return describeError(result.error);
    refresh();
    return null;
  }

  // Stable handlers for the memoized cards, always calling this render's functions.
  const handlers = useRef({ purchaseOffer, attestRequirement });
  handlers.current = { purchaseOffer, attestRequirement };
  const onPurchase = useCallback((target: PurchaseTarget) => handlers.current.purchaseOffer(target), []);
  const onAttest = useCallback((input: AttestInput) => handlers.current.attestRequirement(input), []);

  const header = (
    <PageHeader
      title="Competencies"
      description="Which requirements your organization meets, who counts towards them, and what is at risk."
      actions={
        <>
          {list && <LiveIndicator live={liveData !== undefined} socket={socket} />}
          <Link to="/skills-report" className="btn btn-secondary">
            Skills report
          </Link>
          <a href="/reports/skills.csv" className="btn btn-primary" download>
            Download skills report
          </a>
        </>
      }
    />
  );

  if (!list) {
    return (
      <div className="page">
        {header}
        {fetching || !error ? <Spinner label="Loading competency progress…" /> : <ErrorState message={describeError(error)} onRetry={refresh} />}
      </div>
    );
  }

  let summary = null;
  if (sim && simIndex) {
    const c = compareSimulation(list, simIndex, scores, sim.score);
    const parts = [
      c.lost || c.gained ? `${c.lost ? `${plural(c.lost, 'requirement')} ${c.lost === 1 ? 'loses its' : 'lose their'} tick` : ''}${c.lost && c.gained ? ', ' : ''}${c.gained ? `${plural(c.gained, 'requirement')} ${c.gained === 1 ? 'gains a' : 'gain their'} tick` : ''}` : 'No requirement changes its tick',
      c.statuses ? `${plural(c.statuses, 'competency', 'competencies')} ${c.statuses === 1 ? 'changes' : 'change'} status` : '',
      c.points ? `the capability score ${c.points > 0 ? 'gains' : 'loses'} ${plural(Math.abs(c.points), 'point')}` : '',
    ].filter(Boolean);
    summary = <>{parts.join('; ')}. The what-if shows beside each requirement; nothing is saved.</>;
  }

  function onTabKey(e: KeyboardEvent) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const next: Tab = tab === 'progress' ? 'forecast' : 'progress';
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  }

  return (
    <div className="page">
      {header}
      {list.length === 0 ? (
        <EmptyState title="No competencies in the catalog yet">
          <p>An operator loads the competency catalog; progress shows here once it has entries.</p>
        </EmptyState>
      ) : (
        <>
          <div className="status-strip" aria-label="Competencies by status">
            {counts.map(([status, n]) => (
              <div key={status} className="status-count">
                <strong>{n}</strong>
                <StatusBadge status={status} />
              </div>
            ))}
          </div>
          <div className="tabs" role="tablist" aria-label="Competency views" onKeyDown={onTabKey}>
            <button type="button" role="tab" id="tab-progress" aria-selected={tab === 'progress'} aria-controls="panel-progress" tabIndex={tab === 'progress' ? 0 : -1} onClick={() => setTab('progress')}>
              Progress
            </button>
            <button type="button" role="tab" id="tab-forecast" aria-selected={tab === 'forecast'} aria-controls="panel-forecast" tabIndex={tab === 'forecast' ? 0 : -1} onClick={() => setTab('forecast')}>
              Forecast
            </button>
          </div>
          <div role="tabpanel" id="panel-progress" aria-labelledby="tab-progress" hidden={tab !== 'progress'} className="page">
            <WhatIfPanel people={people} skills={skills} onRun={runWhatIf} onClear={clearWhatIf} summary={summary} />
            {list.map((p) => (
              <CompetencyCard key={p.competency.id} progress={p} onPurchase={onPurchase} onAttest={onAttest} defaultExpanded={openKeys.includes(p.competency.key)} whatIf={simIndex?.byCompetency.get(p.competency.id) ?? null} />
            ))}
            {scores.length > 0 && <CapabilityScoreCard areas={scores} whatIf={sim?.score ?? null} />}
          </div>
          <div role="tabpanel" id="panel-forecast" aria-labelledby="tab-forecast" hidden={tab !== 'forecast'}>
            {tab === 'forecast' && <ForecastSection revision={revision} />}
          </div>
        </>
      )}
    </div>
  );
}
