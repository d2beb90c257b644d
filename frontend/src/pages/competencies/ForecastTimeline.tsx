import { formatDate, plural } from '../../lib/format';
import { levelLabel } from './StatusBadge';
import type { ForecastCarrierView, ForecastView, RequirementForecastView } from './types';

const endLabels: Record<string, string> = {
  EXPIRES: 'certification expires',
  VALIDITY_ENDS: 'retired exam stops counting',
  NEVER: 'nothing ends',
};

/** Why a person stops counting, as words. */
export function whyStops(c: ForecastCarrierView): string {
  if (c.ends === 'EXPIRES') return `${c.skillNumber} expires`;
  if (c.ends === 'VALIDITY_ENDS') return `${c.skillNumber} was retired and its validity ends`;
  return `${c.skillNumber} does not end`;
}

function titleOf(r: RequirementForecastView): string {
  return `${r.competency.name} ${levelLabel(r.level)}, ${r.option}`;
}

/** B2: per SKILL requirement, who carries it until when and the days its count falls. */
export function ForecastTimeline({ forecast, now = Date.now() }: { forecast: ForecastView; now?: number }) {
  const start = Math.min(new Date(forecast.at).getTime(), now);
  const end = new Date(forecast.until).getTime();
  const span = Math.max(1, end - start);
  const pos = (at: string) => `${Math.max(0, Math.min(100, ((new Date(at).getTime() - start) / span) * 100)).toFixed(2)}%`;

  const changing = forecast.requirements.filter((r) => r.changes.length > 0);
  changing.sort((a, b) => (a.unmetOn ?? a.changes[0].at).localeCompare(b.unmetOn ?? b.changes[0].at));
  const steady = forecast.requirements.filter((r) => r.changes.length === 0 && r.carriers.length > 0);
  const nobody = forecast.requirements.filter((r) => r.changes.length === 0 && r.carriers.length === 0).length;
  const becomingUnmet = changing.filter((r) => r.unmetOn);

  return (
    <div className="forecast">
      <p className="forecast-summary" role="status">
        {becomingUnmet.length === 0
          ? `No requirement that is met now becomes unmet before ${formatDate(forecast.until)}.`
          : `${plural(becomingUnmet.length, 'requirement')} met now ${becomingUnmet.length === 1 ? 'becomes' : 'become'} unmet before ${formatDate(forecast.until)}, the first on ${formatDate(becomingUnmet[0].unmetOn)}.`}{' '}
        Assumes nobody joins, leaves or passes anything.
      </p>
      {changing.length > 0 && (
        <ol className="forecast-list" aria-label="Requirements whose count falls">
          {changing.map((r) => (
            <li key={r.requirement.id} className={r.unmetOn ? 'card forecast-item forecast-unmet' : 'card forecast-item'}>
              <h3 className="forecast-title">
                <span className="muted">{titleOf(r)}</span>
                <span>{r.requirement.description}</span>
              </h3>
              <p className="forecast-state">
                {r.requirement.met ? 'Met now' : 'Not met now'} ({r.requirement.current} of {r.requirement.required})
                {r.unmetOn ? (
                  <>
                    {' · '}
                    <strong className="forecast-date">becomes unmet on {formatDate(r.unmetOn)}</strong>
                  </>
                ) : null}
              </p>
              <div className="forecast-track" aria-hidden="true">
                <span className="forecast-now" style={{ left: '0%' }} />
                {r.changes.map((c) => (
                  <span
                    key={c.at}
                    className={c.met ? 'forecast-dot' : 'forecast-dot forecast-dot-unmet'}
                    style={{ left: pos(c.at) }}
                    title={`${formatDate(c.at)}: ${c.count} of ${r.requirement.required}`}
                  />
                ))}
              </div>
              <div className="forecast-scale" aria-hidden="true">
                <span>Today</span>
                <span>{formatDate(forecast.until)}</span>
              </div>
              <ol className="timeline" aria-label={`Timeline of ${r.requirement.description}`}>
                <li className="timeline-step">
                  <span className="timeline-date">Today</span>
                  <div>
                    <p>
                      {r.requirement.current} of {r.requirement.required} counting: {r.carriers.map((c) => c.user.name).join(', ')}
                    </p>
                  </div>
                </li>
                {r.changes.map((c) => (
                  <li key={c.at} className={c.met ? 'timeline-step' : 'timeline-step timeline-unmet'}>
                    <span className="timeline-date">{formatDate(c.at)}</span>
                    <div>
                      <p>
                        Falls to {c.count} of {r.requirement.required}
                        {c.met ? ' (still met)' : ' (unmet)'}
                      </p>
                      <ul className="timeline-people">
                        {c.stopCounting.map((s) => (
                          <li key={`${s.user.id}/${s.skillNumber}`}>
                            {s.user.name} stops counting: {whyStops(s)}
                          </li>
                        ))}
                      </ul>
                    </div>
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ol>
      )}
      {steady.length > 0 && (
        <div className="card forecast-steady">
          <h3>No change foreseen until {formatDate(forecast.until)}</h3>
          <div className="table-wrap">
            {/* Stacked at narrow widths, by its cells' labels, as the other pages' tables. */}
            <table className="table table-stack">
              <caption className="sr-only">Requirements whose count does not fall</caption>
              <thead>
                <tr>
                  <th scope="col">Requirement</th>
                  <th scope="col">Now</th>
                  <th scope="col">Who carries it, until when</th>
                </tr>
              </thead>
              <tbody>
                {steady.map((r) => (
                  <tr key={r.requirement.id}>
                    <td data-label="Requirement">
                      <span className="muted">{titleOf(r)}</span>
                      <br />
                      {r.requirement.description}
                    </td>
                    <td data-label="Now">
                      {r.requirement.current} of {r.requirement.required}
                      {r.requirement.met ? ' · met' : ''}
                    </td>
                    <td className="wrap-anywhere" data-label="Who carries it">
                      <ul className="people">
                        {r.carriers.map((c) => (
                          <li key={`${c.user.id}/${c.skillNumber}`}>
                            {c.user.name} ({c.skillNumber}
                            {c.until ? `, until ${formatDate(c.until)}: ${endLabels[c.ends] ?? c.ends}` : ''})
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {nobody > 0 && (
        <p className="muted">
          {plural(nobody, 'other requirement')} {nobody === 1 ? 'has' : 'have'} nobody counting yet.
        </p>
      )}
    </div>
  );
}
