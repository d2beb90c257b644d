import { useQuery } from 'urql';
import { graphql } from '../gql';
import { describeError } from '../lib/errors';
import { plural } from '../lib/format';

export const LinkEndingImpactQuery = graphql(`
  query LinkEndingImpact($user: ID, $kind: LinkKind) {
    linkEndingImpact(user: $user, kind: $kind) {
      countsTowards
      lossCount
      detailsVisible
      losses {
        competency {
          id
          key
          name
        }
        level
        option
        requirement
        required
        current
        after
        optionLost
      }
    }
  }
`);

const levelName = (l: string) => l.charAt(0) + l.slice(1).toLowerCase();

/**
 * What ending someone's links would untick, asked when a Remove access, Delete user or Remove from
 * report dialog opens (L7, L9): computed by the server in a transaction it rolls back. who is the
 * person's name; without it, the reader's own links ("you count", not "you counts": a review).
 */
export function EndingImpact({ user, kind, who, orgName }: { user?: string; kind?: 'LEARNING' | 'PARTNER_UNIVERSITY'; who?: string; orgName: string }) {
  const [{ data, fetching, error }] = useQuery({
    query: LinkEndingImpactQuery,
    variables: { user: user ?? null, kind: kind ?? null },
    requestPolicy: 'network-only',
  });
  if (!data) {
    if (fetching || !error) return <p className="impact impact-loading" role="status">Checking which requirements this affects…</p>;
    return <p className="impact alert alert-error">We couldn't check which requirements this affects: {describeError(error)}</p>;
  }
  const im = data.linkEndingImpact;
  if (im.lossCount === 0) {
    const counts = who === undefined ? 'you count towards' : `${who} counts towards`;
    return (
      <p className="impact impact-none" data-testid="impact">
        No requirement of {orgName} loses its tick
        {im.countsTowards > 0 ? `: ${counts} ${plural(im.countsTowards, 'requirement')}, which others still meet.` : `: ${counts} none now.`}
      </p>
    );
  }
  if (!im.detailsVisible) {
    return (
      <p className="impact impact-loss" data-testid="impact">
        {plural(im.lossCount, 'competency requirement')} of {orgName} {im.lossCount === 1 ? 'loses its' : 'lose their'} tick. A Global Admin or MPN Partner Admin can
        see which on Competencies.
      </p>
    );
  }
  return (
    <div className="impact impact-loss" data-testid="impact">
      <p>
        <strong>
          {plural(im.lossCount, 'requirement')} {im.lossCount === 1 ? 'loses its' : 'lose their'} tick
        </strong>{' '}
        at once:
      </p>
      <ul>
        {im.losses.map((l) => (
          <li key={`${l.competency.id}/${l.level}/${l.option}/${l.requirement}`}>
            <span className="impact-where">
              {l.competency.name} · {levelName(l.level)} ({l.option})
            </span>
            : {l.requirement} — {l.current} → {l.after} of {l.required}
            {l.optionLost && <strong className="impact-level"> · {levelName(l.level)} is no longer attained through this option</strong>}
          </li>
        ))}
      </ul>
    </div>
  );
}
