import { useMemo } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { Link } from '../../lib/router';
import { CompetencyCard, type AttestInput, type PurchaseTarget } from './CompetencyCard';
import { StatusBadge } from './StatusBadge';

export const CompetencyProgressFieldsFragment = graphql(`
  fragment CompetencyProgressFields on CompetencyProgress {
    competency {
      id
      key
      name
      description
    }
    status
    offer {
      level
      option
      purchasedAt
      anniversaryAt
    }
    levels {
      level
      attained
      options {
        name
        met
        unmetOn
        requirements {
          id
          key
          description
          kind
          required
          current
          met
          unmetOn
          people {
            id
            name
            email
          }
          skills {
            id
            number
            title
            type
            retiredOn
            validUntil
          }
          attestation {
            met
            note
            at
            by {
              id
              name
            }
          }
        }
      }
    }
  }
`);

export const CompetencyProgressQuery = graphql(`
  query CompetencyProgress {
    competencyProgress {
      ...CompetencyProgressFields
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


const STATUS_ORDER = ['AT_RISK', 'ACTIVE', 'QUALIFIED', 'IN_PROGRESS', 'NOT_STARTED'];

/** Competencies (C4–C7): each competency's status, expanding to levels, options and requirements. */
export function CompetenciesPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CompetencyProgressQuery, requestPolicy: 'cache-and-network' });
  const [, purchase] = useMutation(PurchaseOffer);
  const [, attest] = useMutation(SetAttestation);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const p of data?.competencyProgress ?? []) c.set(p.status, (c.get(p.status) ?? 0) + 1);
    return STATUS_ORDER.filter((s) => c.has(s)).map((s) => [s, c.get(s)!] as const);
  }, [data]);

  async function onPurchase(target: PurchaseTarget) {
    const result = await purchase({ input: { competency: target.competency, level: target.level as 'SILVER' | 'GOLD', option: target.option } });
    if (result.error) return describeError(result.error);
    refresh();
    return null;
  }

  async function onAttest(input: AttestInput) {
    const result = await attest({ input: { requirement: input.requirement, met: input.met, note: input.note || null } });
    if (result.error) return describeError(result.error);
    refresh();
    return null;
  }

  const header = (
    <PageHeader
      title="Competencies"
      description="Which requirements your organization meets, who counts towards them, and what is at risk."
      actions={
        <Link to="/skills-report" className="btn btn-secondary">
          Skills report
        </Link>
      }
    />
  );

  if (!data) {
    return (
      <div className="page">
        {header}
        {fetching || !error ? <Spinner label="Loading competency progress…" /> : <ErrorState message={describeError(error)} onRetry={refresh} />}
      </div>
    );
  }
  const list = data.competencyProgress;
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
          {list.map((p) => (
            <CompetencyCard key={p.competency.id} progress={p} onPurchase={onPurchase} onAttest={onAttest} />
          ))}
        </>
      )}
    </div>
  );
}
