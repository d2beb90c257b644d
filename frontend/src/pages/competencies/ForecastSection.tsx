import { useEffect, useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { ErrorState, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { ForecastTimeline } from './ForecastTimeline';

export const ForecastQuery = graphql(`
  query Forecast($until: Time) {
    forecast(until: $until) {
      at
      until
      requirements {
        competency {
          id
          name
        }
        level
        option
        requirement {
          id
          description
          required
          current
          met
        }
        unmetOn
        carriers {
          user {
            id
            name
            email
          }
          skillNumber
          until
          ends
        }
        changes {
          at
          count
          met
          stopCounting {
            user {
              id
              name
              email
            }
            skillNumber
            until
            ends
          }
        }
      }
    }
  }
`);

const HORIZONS = [
  { months: 6, label: 'Next 6 months' },
  { months: 12, label: 'Next year' },
  { months: 24, label: 'Next 2 years' },
  { months: 60, label: 'Next 5 years' },
];

function monthsAhead(months: number): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
}

/** B2: the forecast tab: a horizon and the timeline; refetched when progress changes live (revision). */
export function ForecastSection({ revision = 0 }: { revision?: number }) {
  const [months, setMonths] = useState(24);
  const until = useMemo(() => monthsAhead(months), [months]);
  const [{ data, error, fetching }, reexecute] = useQuery({ query: ForecastQuery, variables: { until }, requestPolicy: 'cache-and-network' });
  const id = useId();
  useEffect(() => {
    if (revision > 0) reexecute({ requestPolicy: 'network-only' });
  }, [revision, reexecute]);

  return (
    <section className="forecast-section" aria-labelledby={`${id}-t`}>
      <div className="section-head forecast-head">
        <div>
          <h2 id={`${id}-t`}>Forecast</h2>
          <p className="muted">When requirements become unmet as certifications expire and retired exams lose their validity, and who stops counting.</p>
        </div>
        <div className="field field-inline">
          <label htmlFor={`${id}-h`}>Look ahead</label>
          <select id={`${id}-h`} value={months} onChange={(e) => setMonths(Number(e.target.value))}>
            {HORIZONS.map((h) => (
              <option key={h.months} value={h.months}>
                {h.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {data ? (
        <ForecastTimeline forecast={data.forecast} />
      ) : fetching || !error ? (
        <Spinner label="Working out the forecast…" />
      ) : (
        <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
    </section>
  );
}
