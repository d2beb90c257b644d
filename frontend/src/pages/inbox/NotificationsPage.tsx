import { useContext } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { Link } from '../../lib/router';
import { UnreadCountQuery } from '../../lib/unread';
import { usePageQueryPolicy } from '../../lib/pageData';
import { SessionContext } from '../../lib/session';
import { NotificationsQuery } from './notificationsQuery';

const MarkRead = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids) {
      marked
    }
  }
`);

/** A notification's link inside the app when it points here, else a plain link. */
function inAppPath(link: string): string | null {
  try {
    const url = new URL(link, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}

/**
 * What this page holds, for whom: people of an organization are warned about its competencies at
 * risk; an operator belongs to no organization and gets no such warning (review: the operator read
 * "Warnings about competencies at risk").
 */
export function notificationsWording(inOrganization: boolean): { description: string; empty: string } {
  return inOrganization
    ? {
        description: 'Warnings about competencies at risk — who left or unlinked, what expires, and when — and other notices for you.',
        empty: "You'll be told here, and by email, when a competency requirement becomes unmet or is projected to.",
      }
    : {
        description: 'Notices for your operator account. Operators belong to no organization, so no competency warnings come here.',
        empty: 'Notices for your account show here.',
      };
}

/** In-app notifications (N1): competencies at risk, with the cause. */
export function NotificationsPage() {
  // Without a session (never in the app): worded for an organization's people.
  const viewer = useContext(SessionContext)?.viewer;
  const wording = notificationsWording(viewer ? viewer.organization != null : true);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: NotificationsQuery, requestPolicy: usePageQueryPolicy(NotificationsQuery, 'cache-and-network') });
  const [{ fetching: marking }, markRead] = useMutation(MarkRead);
  const client = useClient();
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const items = data?.notifications.edges.map((e) => e.node) ?? [];
  const unread = items.filter((n) => !n.read).map((n) => n.id);

  async function mark(ids: string[]) {
    if (ids.length === 0) return;
    await markRead({ ids });
    refresh();
    // The navigation's unread badge shares this operation: refreshing it updates the badge.
    await client.query(UnreadCountQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  }

  return (
    <div className="page">
      <PageHeader
        title="Notifications"
        description={wording.description}
        actions={
          unread.length > 0 ? (
            <button type="button" className="btn btn-secondary" onClick={() => mark(unread)} disabled={marking}>
              Mark all as read
            </button>
          ) : undefined
        }
      />
      {!data ? (
        fetching || !error ? <Spinner label="Loading notifications…" /> : <ErrorState message={describeError(error)} onRetry={refresh} />
      ) : items.length === 0 ? (
        <EmptyState title="No notifications">
          <p>{wording.empty}</p>
        </EmptyState>
      ) : (
        <ul className="feed" aria-label="Notifications">
          {items.map((n) => {
            const path = inAppPath(n.link);
            return (
              <li key={n.id} className={n.read ? 'feed-item' : 'feed-item feed-unread'}>
                <div className="feed-head">
                  <h2>
                    {!n.read && <span className="dot" aria-label="Unread" role="img" />}
                    {n.title}
                  </h2>
                  <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
                </div>
                <p className="feed-body">{n.body}</p>
                <div className="feed-actions">
                  {n.link && (path ? <Link to={path} onClick={() => void mark(n.read ? [] : [n.id])}>Open</Link> : <a href={n.link}>Open</a>)}
                  {!n.read && (
                    <button type="button" className="btn-link" onClick={() => mark([n.id])}>
                      Mark as read
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
