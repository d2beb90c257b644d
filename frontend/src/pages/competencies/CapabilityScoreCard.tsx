import { useId } from 'react';
import { IconCheck } from '../../components/Icons';
import type { CapabilityScoreView, PersonView } from './types';

/** A ring showing points of maxPoints; a what-if value draws as a second, outer ring. */
function Gauge({ points, max, whatIf }: { points: number; max: number; whatIf?: number }) {
  const pct = (n: number) => (max > 0 ? Math.min(100, (n / max) * 100) : 0);
  return (
    <div className="gauge" style={{ ['--pct' as string]: `${pct(points)}%`, ['--whatif' as string]: `${pct(whatIf ?? points)}%` }} data-whatif={whatIf !== undefined ? '' : undefined}>
      <div className="gauge-inner">
        <strong>{points}</strong>
        <span>of {max}</span>
      </div>
    </div>
  );
}

function names(people: readonly PersonView[]): string {
  return people.length ? people.map((p) => p.name).join(', ') : 'nobody yet';
}

/** Points the rules give before the prerequisites gate them (the area's points are 0 until met). */
function earned(area: CapabilityScoreView): number {
  return area.rules.reduce((n, r) => n + r.points, 0);
}

/** One capability area (the Skilling metric): points/maxPoints, prerequisites first, then the rules. */
function Area({ area, whatIf }: { area: CapabilityScoreView; whatIf?: CapabilityScoreView }) {
  const id = useId();
  const simPre = new Map(whatIf?.prerequisites.map((p) => [p.key, p]));
  const simRule = new Map(whatIf?.rules.map((r) => [r.key, r]));
  const label = `${area.name}: ${area.points} of ${area.maxPoints} points${whatIf ? `; what-if ${whatIf.points} of ${whatIf.maxPoints}` : ''}`;
  return (
    <section className="card capability-area" aria-labelledby={`${id}-t`}>
      <div className="capability-head">
        <div role="meter" aria-valuemin={0} aria-valuemax={area.maxPoints} aria-valuenow={area.points} aria-label={label}>
          <Gauge points={area.points} max={area.maxPoints} whatIf={whatIf?.points} />
        </div>
        <div>
          <h3 id={`${id}-t`}>{area.name}</h3>
          <p className="muted capability-desc">{area.description}</p>
          {!area.prerequisitesMet && earned(area) > 0 && (
            <p className="capability-gated" data-testid="capability-gated">
              {earned(area)} {earned(area) === 1 ? 'point waits' : 'points wait'} for the prerequisites: the area scores 0 until they are met.
            </p>
          )}
          {whatIf && (
            <p className={whatIf.points !== area.points ? 'whatif-line whatif-changed' : 'whatif-line'}>
              <span className="whatif-label">What-if</span>
              <span>
                <strong>{whatIf.points}</strong> of {whatIf.maxPoints} points
              </span>
            </p>
          )}
        </div>
      </div>
      {area.prerequisites.length > 0 && (
        <>
          <h4 className="capability-sub">Prerequisites {area.prerequisitesMet ? '(met)' : '(points count once met)'}</h4>
          <ul className="capability-list">
            {area.prerequisites.map((p) => {
              const s = simPre.get(p.key);
              return (
                <li key={p.key}>
                  {p.met ? (
                    <span className="tick" role="img" aria-label="Met">
                      <IconCheck width={12} height={12} />
                    </span>
                  ) : (
                    <span className="tick tick-open" role="img" aria-label="Not met" />
                  )}
                  <div>
                    <span>{p.description}</span>{' '}
                    <span className="muted">
                      · {p.current} of {p.required} ({names(p.people)})
                    </span>
                    {s && (
                      <span className={s.met !== p.met ? 'whatif-inline whatif-changed' : 'whatif-inline'}>
                        {' '}
                        · what-if: {s.current} of {s.required}, {s.met ? 'met' : 'not met'}
                      </span>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <h4 className="capability-sub">Rules</h4>
      <ul className="capability-list">
        {area.rules.map((r) => {
          const s = simRule.get(r.key);
          return (
            <li key={r.key}>
              <span className={`chip tier-${r.tier.toLowerCase()}`}>{r.tier === 'ADVANCED' ? 'Advanced' : 'Intermediate'}</span>
              <div>
                <span>{r.description}</span>{' '}
                <span className="muted">
                  · {r.current} × {r.pointsPerPerson} = {r.points} {r.points === 1 ? 'point' : 'points'}
                  {r.maxPoints != null ? ` (cap ${r.maxPoints})` : ''}
                  {!area.prerequisitesMet && r.points > 0 ? ', once the prerequisites are met' : ''} ({names(r.people)})
                </span>
                {s && (
                  <span className={s.points !== r.points ? 'whatif-inline whatif-changed' : 'whatif-inline'}>
                    {' '}
                    · what-if: {s.current} × {s.pointsPerPerson} = {s.points}
                  </span>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The capability score per area, next to the competencies, with the what-if beside it. */
export function CapabilityScoreCard({ areas, whatIf }: { areas: readonly CapabilityScoreView[]; whatIf?: readonly CapabilityScoreView[] | null }) {
  const total = areas.reduce((n, a) => n + a.points, 0);
  const max = areas.reduce((n, a) => n + a.maxPoints, 0);
  const simTotal = whatIf?.reduce((n, a) => n + a.points, 0);
  return (
    <section className="capability" aria-labelledby="capability-title">
      <div className="section-head">
        <h2 id="capability-title">Capability score</h2>
        <p className="muted">
          The Skilling metric: points per certified person, counted once an area's prerequisites are met. {total} of {max} points in all
          {simTotal !== undefined ? `; ${simTotal} in the what-if` : ''}.
        </p>
      </div>
      <div className="capability-grid">
        {areas.map((a) => (
          <Area key={a.key} area={a} whatIf={whatIf?.find((x) => x.key === a.key)} />
        ))}
      </div>
    </section>
  );
}
