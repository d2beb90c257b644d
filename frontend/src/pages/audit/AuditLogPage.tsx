import { Fragment, useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { AuditLogWhere } from '../../gql/graphql';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { formatDateTime, numberLabel, roleLabel } from '../../lib/format';

const AuditLogQuery = graphql(`
  query AuditLog($first: Int!, $after: Cursor, $where: AuditLogWhere) {
    auditLog(first: $first, after: $after, where: $where) {
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
          actionLabel
          mcid
          linkKind
          detail
          actor {
            name
            email
            deleted
            outside
          }
          user {
            name
            email
            deleted
            outside
          }
        }
      }
    }
    auditActions {
      action
      label
    }
  }
`);

const ROLE_CODES = /\b(GLOBAL_ADMIN|ACCOUNT_ADMIN|USER_MANAGEMENT_ADMIN|MPN_PARTNER_ADMIN|OPERATOR)\b/g;
const DELETED_EMAIL = /\bdeleted-\d+-([^\s,;)]+@[^\s,;)]+)/g;

/** Older entries were written with role codes and released addresses: show them in words. */
export function readableDetail(detail: string): string {
  return detail.replace(ROLE_CODES, (code) => roleLabel(code)).replace(DELETED_EMAIL, '$1 (deleted)').replace('(default user)', 'default user');
}

const PAGE_SIZE = 50;

interface Filters {
  action: string;
  search: string;
  from: string;
  to: string;
}

function toWhere(f: Filters): AuditLogWhere {
  const w: AuditLogWhere = {};
  if (f.action) w.actions = [f.action];
  if (f.search.trim()) w.search = f.search.trim();
  if (f.from) w.from = f.from;
  if (f.to) w.to = nextDay(f.to);
  return w;
}

/** "To" a date includes that whole day. */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function exportHref(f: Filters): string {
  const q = new URLSearchParams();
  const w = toWhere(f);
  for (const a of w.actions ?? []) q.append('action', a);
  if (w.search) q.set('search', w.search);
  if (w.from) q.set('from', String(w.from));
  if (w.to) q.set('to', String(w.to));
  const s = q.toString();
  return `/reports/audit.csv${s ? `?${s}` : ''}`;
}

/** An email address that may wrap after its @ and before its dots only, never inside a word ("grace@ / contoso / .example"). */
export function breakableEmail(email: string): ReactNode {
  const parts = (email.match(/\.?[^@.]*@?/g) ?? []).filter(Boolean);
  return parts.map((part, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}

export function Person({ p }: { p?: { name: string; email?: string | null; deleted: boolean; outside: boolean } | null }) {
  if (!p) return <span className="muted">—</span>;
  if (p.outside) {
    // Another organization's person (an MCID that moved): not named, by rule.
    return <span className="muted">{p.name}</span>;
  }
  return (
    <>
      {p.name}
      {p.deleted && <span className="chip chip-inline">Deleted</span>}
      {p.email && <span className="cell-sub">{breakableEmail(p.email)}</span>}
    </>
  );
}

/** The organization's history (B3): every link, unlink, move, merge, deletion and admin change, filtered and exported. */
export function AuditLogPage() {
  const [filters, setFilters] = useState<Filters>({ action: '', search: '', from: '', to: '' });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const where = useMemo(() => toWhere(filters), [filters]);
  useEffect(() => setCursors([null]), [where]);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: AuditLogQuery,
    variables: { first: PAGE_SIZE, after: cursors[cursors.length - 1], where },
    requestPolicy: 'cache-and-network',
  });
  const ids = { action: useId(), search: useId(), from: useId(), to: useId() };
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const events = data?.auditLog.edges.map((e) => e.node) ?? [];
  const filtered = Object.keys(where).length > 0;
  return (
    <div className="page page-wide">
      <PageHeader
        title="Audit log"
        description="Who associated, removed, moved, merged, deleted or purchased what, and when. Newest first."
        actions={
          <a className="btn btn-primary" href={exportHref(filters)} download>
            Export CSV
          </a>
        }
      />
      <form className="card filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.action}>What</label>
          <select id={ids.action} value={filters.action} onChange={(e) => set('action', e.target.value)}>
            <option value="">Everything</option>
            {data?.auditActions.map((a) => (
              <option key={a.action} value={a.action}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-wide">
          <label htmlFor={ids.search}>Detail contains</label>
          <input id={ids.search} type="search" placeholder="Name, email, MCID…" value={filters.search} onChange={(e) => set('search', e.target.value)} />
        </div>
        <div className="field field-wide">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="date" value={filters.from} onChange={(e) => set('from', e.target.value)} />
        </div>
        <div className="field field-wide">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="date" value={filters.to} onChange={(e) => set('to', e.target.value)} />
        </div>
      </form>
      {!data ? (
        fetching || !error ? <Spinner label="Loading the audit log…" /> : <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : events.length === 0 ? (
        <EmptyState title={filtered ? 'Nothing matches these filters' : 'Nothing recorded yet'} />
      ) : (
        <section className="card report" aria-label="Audit log">
          <div className="table-wrap">
            <table className="table table-stack">
              <caption className="sr-only">Audit log{filtered ? ', filtered' : ''}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Person</th>
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
                      <strong>{e.actionLabel}</strong>
                      {e.mcid && <span className="cell-sub mono">{numberLabel(e.linkKind)} {e.mcid}</span>}
                    </td>
                    {/* Names wrap at spaces and addresses at @ and dots, not mid-word (review: "Hoppe/r" at 1280 px). */}
                    <td className="person-cell" data-label="Person">
                      <Person p={e.user} />
                    </td>
                    <td className="person-cell" data-label="By">{e.actor ? <Person p={e.actor} /> : <span className="muted">certlink</span>}</td>
                    <td className="wrap-anywhere" data-label="Detail">{readableDetail(e.detail)}</td>
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
