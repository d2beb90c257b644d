import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';

const DevMailboxQuery = graphql(`
  query DevMailbox {
    devMailbox(first: 50) {
      totalCount
      edges {
        node {
          id
          to
          subject
          body
          createdAt
        }
      }
    }
  }
`);

/** The dev mailbox (N2): mail kept instead of sent while no SMTP server is configured. */
export function MailboxPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DevMailboxQuery, requestPolicy: 'cache-and-network' });
  const mails = data?.devMailbox.edges.map((e) => e.node) ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Dev mailbox"
        description="Without an SMTP server, certlink keeps here the mail it would have sent: invitations and competency warnings."
        actions={
          <button type="button" className="btn btn-secondary" onClick={() => reexecute({ requestPolicy: 'network-only' })}>
            Refresh
          </button>
        }
      />
      {!data ? (
        fetching || !error ? <Spinner label="Loading mail…" /> : <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : mails.length === 0 ? (
        <EmptyState title="No mail kept">
          <p>Mail appears here when certlink sends an invitation or a warning. With SMTP configured, mail is delivered instead.</p>
        </EmptyState>
      ) : (
        <ul className="feed" aria-label="Mail">
          {mails.map((m) => (
            <li key={m.id} className="feed-item">
              <details>
                <summary>
                  <span className="mail-subject">{m.subject}</span>
                  <span className="mail-meta">
                    To {m.to} · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
                  </span>
                </summary>
                <pre className="mail-body">{m.body}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
