import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { SupportTicketsQuery as TicketsResult } from '../../gql/graphql';
import { Alert, EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { usePageQueryPolicy } from '../../lib/pageData';
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


type Ticket = TicketsResult['supportTickets']['edges'][number]['node'];

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
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const tickets = data?.supportTickets.edges.map((e) => e.node) ?? [];
  return (
    <div className="page">
      <PageHeader
        title="Support"
        description="Ask for help with associations, competencies or the report. Your organization's admins and the certlink team answer here."
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
      ) : tickets.length === 0 ? (
        <EmptyState title="No tickets yet" />
      ) : (
        <ul className="feed" aria-label="Support tickets">
          {tickets.map((t) => (
            <TicketItem key={t.id} ticket={t} onChanged={refresh} />
          ))}
        </ul>
      )}
    </div>
  );
}

function NewTicketForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (subject: string) => void }) {
  const [category, setCategory] = useState('ASSOCIATION');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, create] = useMutation(CreateTicket);
  const ids = { category: useId(), body: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await create({ input: { category, subject: subject.trim(), body: body.trim() } });
    if (result.error) return setError(describeError(result.error));
    onCreated(subject.trim());
  }

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
      {error && <p className="alert alert-error" role="alert">{error}</p>}
      <div className="card-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={fetching}>
          {fetching ? 'Sending…' : 'Raise ticket'}
        </button>
      </div>
    </form>
  );
}

function TicketItem({ ticket: t, onChanged }: { ticket: Ticket; onChanged: () => void }) {
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [{ fetching: sending }, send] = useMutation(ReplyToTicket);
  const [{ fetching: closing }, close] = useMutation(CloseTicket);
  const replyId = useId();

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
    onChanged();
  }

  return (
    <li className="feed-item">
      <details>
        <summary>
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
