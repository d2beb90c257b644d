import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';

const AuditLogQuery = graphql(`
  query AuditLog($first: Int!, $after: Cursor) {
    auditLog(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          at
          action
          mcid
          detail
          actor {
            name
            email
          }
        }
      }
    }
  }
`);

const ACTIONS: Record<string, string> = {
  LINKED: 'Account associated',
  UNLINKED: 'Access removed',
  MOVED_OUT: 'Moved to another organization',
  LINK_ENDED_USER_DELETED: 'Link ended: user deleted',
  REMOVED_FROM_REPORT: 'Removed from the report',
  LINK_ENDED_MERGED: 'Link ended: profiles merged',
  PROFILES_MERGED: 'Profiles merged',
  USER_INVITED: 'User invited',
  USER_UPDATED: 'User updated',
  USER_DELETED: 'User deleted',
  ROLES_CHANGED: 'Roles changed',
  API_TOKEN_CREATED: 'API token created',
  API_TOKEN_REVOKED: 'API token revoked',
};

export const actionLabel = (a: string) => ACTIONS[a] ?? a.charAt(0) + a.slice(1).toLowerCase().replaceAll('_', ' ');

const PAGE_SIZE = 50;

/** The organization's history (B3): every link, unlink, move, merge, deletion and admin change. */
export function AuditLogPage() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: AuditLogQuery,
    variables: { first: PAGE_SIZE, after: cursors[cursors.length - 1] },
    requestPolicy: 'cache-and-network',
  });
  const events = data?.auditLog.edges.map((e) => e.node) ?? [];
  return (
    <div className="page page-wide">
      <PageHeader title="Audit log" description="Who associated, removed, moved, merged or deleted what, and when. Newest first." />
      {!data ? (
        fetching || !error ? <Spinner label="Loading the audit log…" /> : <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : events.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <section className="card report" aria-label="Audit log">
          <div className="table-wrap">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">MCID</th>
                  <th scope="col">By</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">
                      <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                    </td>
                    <td data-label="What">
                      <strong>{actionLabel(e.action)}</strong>
                    </td>
                    <td className="mono" data-label="MCID">{e.mcid || <span className="muted">—</span>}</td>
                    <td data-label="By">{e.actor ? <>{e.actor.name}<span className="cell-sub">{e.actor.email}</span></> : <span className="muted">certlink</span>}</td>
                    <td data-label="Detail">{e.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <span>{data.auditLog.totalCount} events</span>
            <div className="pager-buttons">
              <button type="button" className="btn btn-secondary btn-sm" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                Newer
              </button>
              <button type="button" className="btn btn-secondary btn-sm" disabled={!data.auditLog.pageInfo.hasNextPage} onClick={() => setCursors((c) => [...c, data.auditLog.pageInfo.endCursor ?? null])}>
                Older
              </button>
            </div>
          </nav>
        </section>
      )}
    </div>
  );
}
