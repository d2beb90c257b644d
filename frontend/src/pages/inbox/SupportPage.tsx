import { useContext, useEffect, useId, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { SupportTicketsQuery as TicketsResult } from '../../gql/graphql';
import { Alert, EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { describeError, errorCode } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { focusOutcome } from '../../lib/focusRescue';
import { usePageQueryPolicy } from '../../lib/pageData';
import { navigate, useSearch } from '../../lib/router';
import { SessionContext } from '../../lib/session';
import { forgetTicketDraft, loadTicketDraft, newTicketKey, saveTicketDraft, sentText } from '../../lib/ticketDraft';
import { SupportTicketsQuery } from './supportQuery';

const CreateTicket = graphql(`
  mutation CreateSupportTicket($input: CreateSupportTicketInput!) {
    createSupportTicket(input: $input) {
      ...TicketFields
    }
  }
`);

const ReplyToTicket = graphql(`
  mutation ReplyToSupportTicket($input: ReplyToSupportTicketInput!) {
    replyToSupportTicket(input: $input) {
      ...TicketFields
    }
  }
`);

const CloseTicket = graphql(`
  mutation CloseSupportTicket($id: ID!) {
    closeSupportTicket(id: $id) {
      ...TicketFields
    }
  }
`);

// A ticket opened from its address that is not among the tickets listed (older than them).
const SupportTicketQuery = graphql(`
  query SupportTicket($id: ID!) {
    node(id: $id) {
      __typename
      ... on SupportTicket {
        ...TicketFields
      }
    }
  }
`);

type Ticket = TicketsResult['supportTickets']['edges'][number]['node'];

/** The address of the Support page with this ticket open (null: none), so it can be reloaded, linked and gone back to. */
function ticketPath(id: string | null): string {
  return id ? `/support?ticket=${encodeURIComponent(id)}` : '/support';
}

const CATEGORIES: [string, string][] = [
  ['ASSOCIATION', 'Associating an account'],
  ['COMPETENCY', 'Competencies'],
  ['REPORT', 'Skills report'],
  ['ACCOUNT', 'My work account'],
  ['OTHER', 'Something else'],
];
const categoryLabel = (c: string) => CATEGORIES.find(([v]) => v === c)?.[1] ?? c;
const statusLabel: Record<string, string> = { OPEN: 'Open', ANSWERED: 'Answered', CLOSED: 'Closed' };
const statusBadge: Record<string, string> = { OPEN: 'badge-in-progress', ANSWERED: 'badge-qualified', CLOSED: 'badge-not-started' };

/** Support tickets (U3): raise one; your organization's admins and operators answer. */
export function SupportPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SupportTicketsQuery, requestPolicy: usePageQueryPolicy(SupportTicketsQuery, 'cache-and-network') });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  // A ticket being written when the session ended is open again, as it was.
  const session = useContext(SessionContext);
  const owner = session?.viewer.id ?? '';
  // An operator belongs to no organization: they answer every organization's tickets (review: the
  // intro spoke of "your organization's admins" to them).
  const operator = session !== null && session !== undefined && !session.viewer.organization;
  const [creating, setCreating] = useState(() => loadTicketDraft(owner) !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const tickets = data?.supportTickets.edges.map((e) => e.node) ?? [];
  // The open ticket is the address's: one at a time, as reload, links and back and forward see it.
  const openId = useSearch().get('ticket');
  const listed = openId !== null && tickets.some((t) => t.id === openId);
  const toggle = (id: string) => navigate(ticketPath(id === openId ? null : id), { keepScroll: true });
  // A ticket the page was opened on (a link, a reload) is scrolled to once the list shows it;
  // one opened here, or through back and forward, stays where the reader is.
  const [arrivedOn, setArrivedOn] = useState(openId);
  useEffect(() => {
    if (!arrivedOn || !listed) return;
    if (arrivedOn === openId) document.getElementById(ticketElementId(arrivedOn))?.scrollIntoView?.({ block: 'start' });
    setArrivedOn(null);
  }, [arrivedOn, openId, listed]);
  return (
    <div className="page">
      <PageHeader
        title="Support"
        description={
          operator
            ? "Tickets from every partner organization's people: answer them here, as the certlink team. Each organization's admins answer their own organization's too."
            : "Ask for help with associations, competencies or the report. Your organization's admins and the certlink team answer here."
        }
        actions={
          !creating ? (
            <button type="button" className="btn btn-primary" onClick={() => { setNotice(null); setCreating(true); }}>
              New ticket
            </button>
          ) : undefined
        }
      />
      {notice && <Alert kind="success">{notice}</Alert>}
      {creating && (
        <NewTicketForm
          onCancel={() => setCreating(false)}
          onCreated={(subject) => {
            setCreating(false);
            setNotice(`Ticket “${subject}” is raised. You'll see answers here.`);
            refresh();
          }}
        />
      )}
      {!data ? (
        fetching || !error ? <Spinner label="Loading tickets…" /> : <ErrorState message={describeError(error)} onRetry={refresh} />
      ) : (
        <>
          {openId !== null && !listed && <LinkedTicket id={openId} onToggle={toggle} />}
          {tickets.length === 0 ? (
            <EmptyState title="No tickets yet" />
          ) : (
            <ul className="feed" aria-label="Support tickets">
              {tickets.map((t) => (
                <TicketItem key={t.id} ticket={t} open={t.id === openId} onToggle={toggle} onChanged={refresh} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

function NewTicketForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (subject: string) => void }) {
  const owner = useContext(SessionContext)?.viewer.id ?? '';
  const [kept] = useState(() => loadTicketDraft(owner));
  const [category, setCategory] = useState(kept?.category ?? 'ASSOCIATION');
  const [subject, setSubject] = useState(kept?.subject ?? '');
  const [body, setBody] = useState(kept?.body ?? '');
  const [key, setKey] = useState(() => kept?.key ?? newTicketKey());
  const [sent, setSent] = useState(kept?.sent);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, create] = useMutation(CreateTicket);
  const ids = { category: useId(), body: useId() };
  useEffect(() => saveTicketDraft({ owner, category, subject, body, key, sent }), [owner, category, subject, body, key, sent]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const text = sentText(category, subject.trim(), body.trim());
    // Sent before with other text: this is another ticket, with its own key.
    const k = sent !== undefined && sent !== text ? newTicketKey() : key;
    setKey(k);
    setSent(text);
    const result = await create({ input: { category, subject: subject.trim(), body: body.trim(), clientKey: k } });
    if (result.error) return setError(describeError(result.error));
    forgetTicketDraft(owner);
    onCreated(subject.trim());
  }
  const cancel = () => {
    forgetTicketDraft(owner);
    onCancel();
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="ticket-title">
      <div className="card-head">
        <h2 id="ticket-title">New support ticket</h2>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.category}>Category</label>
          <select id={ids.category} value={category} onChange={(e) => setCategory(e.target.value)}>
            {CATEGORIES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <Field label="Subject" required value={subject} onChange={(e) => setSubject(e.target.value)} autoFocus />
      </div>
      <div className="field">
        <label htmlFor={ids.body}>What happened?</label>
        <textarea id={ids.body} rows={5} required value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      {kept && !error && <p className="muted">We kept what you wrote here before; it has not been raised yet.</p>}
      {error && <p className="alert alert-error" role="alert">{error}</p>}
      <div className="card-actions">
        <button type="button" className="btn btn-secondary" onClick={cancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={fetching}>
          {fetching ? 'Sending…' : 'Raise ticket'}
        </button>
      </div>
    </form>
  );
}

/** The ticket the address names when the list does not hold it: asked by its ID. */
function LinkedTicket({ id, onToggle }: { id: string; onToggle: (id: string) => void }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SupportTicketQuery, variables: { id }, requestPolicy: 'cache-and-network' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const node = data?.node;
  if (node?.__typename === 'SupportTicket') {
    return (
      <ul className="feed" aria-label="Ticket opened from its link">
        <TicketItem ticket={node} open onToggle={onToggle} onChanged={refresh} />
      </ul>
    );
  }
  if (!data && (fetching || !error)) return <Spinner label="Loading the ticket…" />;
  return (
    <Alert kind="warning">
      {error && errorCode(error) !== 'NOT_FOUND' ? `We couldn't load the ticket of this link: ${describeError(error)}` : "The ticket of this link doesn't exist, or you may not see it."}
    </Alert>
  );
}

const ticketElementId = (id: string) => `ticket-${id}`;

function TicketItem({ ticket: t, open, onToggle, onChanged }: { ticket: Ticket; open: boolean; onToggle: (id: string) => void; onChanged: () => void }) {
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [{ fetching: sending }, send] = useMutation(ReplyToTicket);
  const [{ fetching: closing }, close] = useMutation(CloseTicket);
  const replyId = useId();
  const summary = useRef<HTMLElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await send({ input: { ticketId: t.id, body: reply.trim() } });
    if (result.error) return setError(describeError(result.error));
    setReply('');
    onChanged();
  }

  async function closeTicket() {
    setError(null);
    const result = await close({ id: t.id });
    if (result.error) return setError(describeError(result.error));
    // The reply form and its Close button go with the open ticket: the ticket's heading, which
    // says its status, takes the focus rather than <body> (review).
    focusOutcome(summary.current);
    onChanged();
  }

  return (
    <li className="feed-item" id={ticketElementId(t.id)}>
      {/* Opened and closed through the address (the page's onToggle), not by the browser alone. */}
      <details open={open}>
        <summary
          ref={summary}
          onClick={(event: MouseEvent) => {
            event.preventDefault();
            onToggle(t.id);
          }}
        >
          <span className="mail-subject">{t.subject}</span>
          <span className={`badge ${statusBadge[t.status] ?? ''}`}>{statusLabel[t.status] ?? t.status}</span>
          <span className="mail-meta">
            {categoryLabel(t.category)} · {t.author.name} · <time dateTime={t.createdAt}>{formatDateTime(t.createdAt)}</time>
          </span>
        </summary>
        <div className="thread">
          <div className="message">
            <p className="message-meta">{t.author.name} wrote</p>
            <p className="message-body">{t.body}</p>
          </div>
          {t.replies.map((r) => (
            <div key={r.id} className={r.fromStaff ? 'message message-staff' : 'message'}>
              <p className="message-meta">
                {r.author.name}
                {r.fromStaff && <span className="chip chip-inline">Support</span>} · <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
              </p>
              <p className="message-body">{r.body}</p>
            </div>
          ))}
          {error && <p className="alert alert-error" role="alert">{error}</p>}
          {t.status !== 'CLOSED' && (
            <form onSubmit={submit} className="reply-form">
              <div className="field">
                <label htmlFor={replyId}>Reply</label>
                <textarea id={replyId} rows={3} required value={reply} onChange={(e) => setReply(e.target.value)} />
              </div>
              <div className="card-actions">
                <button type="submit" className="btn btn-primary btn-sm" disabled={sending || !reply.trim()}>
                  {sending ? 'Sending…' : 'Send reply'}
                </button>
                <button type="button" className="btn btn-secondary btn-sm" onClick={closeTicket} disabled={closing}>
                  Close ticket
                </button>
              </div>
            </form>
          )}
        </div>
      </details>
    </li>
  );
}
