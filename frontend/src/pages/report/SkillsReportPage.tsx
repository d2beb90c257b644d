import { useEffect, useId, useMemo, useState } from 'react';
import { useClient, useMutation, useQuery, type Client } from 'urql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { graphql } from '../../gql';
import type { SkillType, SkillsReportOrderField, SkillsReportWhere } from '../../gql/graphql';
import { Alert, EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { describeError } from '../../lib/errors';
import { formatShortDate, numberLabel } from '../../lib/format';
import { replaceSearch } from '../../lib/router';

const SkillsReportQuery = graphql(`
  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {
    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          name
          email
          mcid
          linkKind
          skillType
          skillNumber
          title
          completedAt
          expiresAt
          competencies
          associatedInPC
          source
          sourceLabel
          recognizedAt
          needsAssociation
          counting
          countsUntil
          retiredOn
          userId
        }
      }
    }
  }
`);

/** Only where each page ends: how a sent address's page is reached without its cursors. */
const SkillsReportPagesQuery = graphql(`
  query SkillsReportPages($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {
    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const RemindToAssociate = graphql(`
  mutation RemindToAssociate($mcid: String!) {
    remindToAssociate(mcid: $mcid) {
      mcid
      sentTo
    }
  }
`);

const RemoveLegacyRecognition = graphql(`
  mutation RemoveLegacyRecognition($mcid: String!) {
    removeLegacyRecognition(mcid: $mcid) {
      mcid
    }
  }
`);

const sortLabels: Record<SkillsReportOrderField, string> = {
  NAME: 'Name',
  EMAIL: 'Email',
  MCID: 'MCID',
  SKILL_NUMBER: 'Skill number',
  COMPLETED_AT: 'Completed',
  EXPIRES_AT: 'Expiry date',
};

const CompetencyNamesQuery = graphql(`
  query CompetencyNames {
    competencyProgress {
      competency {
        id
        key
        name
      }
    }
  }
`);

const PAGE_SIZE = 25;

type Direction = 'ASC' | 'DESC';
type Tri = '' | 'true' | 'false';

interface Filters {
  search: string;
  skillType: '' | SkillType;
  competency: string;
  associatedInPC: Tri;
  needsAssociation: boolean;
  validOnly: boolean;
}

const skillTypeLabels: Record<SkillType, string> = { EXAM: 'Exam', CERTIFICATION: 'Certification', ASSESSMENT: 'Assessment' };

function toWhere(f: Filters): SkillsReportWhere {
  const where: SkillsReportWhere = {};
  if (f.search.trim()) where.search = f.search.trim();
  if (f.skillType) where.skillType = f.skillType;
  if (f.competency) where.competency = f.competency;
  if (f.associatedInPC) where.associatedInPC = f.associatedInPC === 'true';
  if (f.needsAssociation) where.needsAssociation = true;
  if (f.validOnly) where.validOnly = true;
  return where;
}

/** The CSV (S2) with the same filters and order as the table, as GET /reports/skills.csv reads them. */
export function csvHref(f: Filters, field: SkillsReportOrderField, direction: Direction): string {
  const q = new URLSearchParams();
  const where = toWhere(f);
  for (const [k, v] of Object.entries(where)) if (v !== undefined && v !== null) q.set(k, String(v));
  q.set('orderBy', field);
  q.set('direction', direction);
  return `/reports/skills.csv?${q}`;
}

/** What the report shows, as the address keeps it: the CSV link's names (defaults left out), and page when past the first. */
export function listingQuery(f: Filters, field: SkillsReportOrderField, direction: Direction, page: number): URLSearchParams {
  const q = new URLSearchParams();
  if (f.search) q.set('search', f.search);
  if (f.skillType) q.set('skillType', f.skillType);
  if (f.competency) q.set('competency', f.competency);
  if (f.associatedInPC) q.set('associatedInPC', f.associatedInPC);
  if (f.needsAssociation) q.set('needsAssociation', 'true');
  if (f.validOnly) q.set('validOnly', 'true');
  if (field !== 'NAME') q.set('orderBy', field);
  if (direction !== 'ASC') q.set('direction', direction);
  if (page > 1) q.set('page', String(page));
  return q;
}

/** The filters, order and page an address names (listingQuery's); anything unknown is left at its default. */
export function readListing(search: string): { filters: Filters; field: SkillsReportOrderField; direction: Direction; page: number } {
  const q = new URLSearchParams(search);
  const one = <T extends string>(key: string, allowed: readonly T[]): T | undefined => allowed.find((a) => a === q.get(key));
  const page = Number(q.get('page'));
  return {
    filters: {
      search: q.get('search') ?? '',
      skillType: one('skillType', Object.keys(skillTypeLabels) as SkillType[]) ?? '',
      competency: q.get('competency') ?? '',
      associatedInPC: one('associatedInPC', ['true', 'false'] as const) ?? '',
      needsAssociation: q.get('needsAssociation') === 'true',
      validOnly: q.get('validOnly') === 'true',
    },
    field: one('orderBy', Object.keys(sortLabels) as SkillsReportOrderField[]) ?? 'NAME',
    direction: one('direction', ['ASC', 'DESC'] as const) ?? 'ASC',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

const listingOf = (where: SkillsReportWhere, field: SkillsReportOrderField, direction: Direction) => JSON.stringify([where, field, direction]);

interface Paged {
  listing: string;
  cursors: (string | null)[];
}

/**
 * The cursors of the pages up to the one shown, as history.state keeps them with the address: a cursor
 * holds a row's name or email, which stay out of the address (and the server's logs). An address with
 * a page but no cursors of that listing (a link sent on) has them found again (pageCursors).
 */
function savedPages(listing: string, page: number): Paged {
  const saved = (window.history.state as { skillsReport?: Paged } | null)?.skillsReport;
  if (saved?.listing === listing && Array.isArray(saved.cursors) && saved.cursors.length === page) return saved;
  return { listing, cursors: [null] };
}

/** The most pages a sent address is followed to; past it, the last of them opens. */
const MAX_SEEK = 40;

/**
 * The cursors of the first `page` pages of a listing, read a page end at a time: fewer when the report
 * has fewer pages now (the address opens at its last), null when a request fails (it opens at the first).
 */
async function pageCursors(client: Client, variables: { where: SkillsReportWhere; orderBy: { field: SkillsReportOrderField; direction: Direction } }, page: number) {
  const cursors: (string | null)[] = [null];
  while (cursors.length < Math.min(page, MAX_SEEK)) {
    const r = await new Promise<{ data?: { skillsReport: { pageInfo: { hasNextPage: boolean; endCursor?: string | null } } }; error?: unknown }>((resolve) => {
      const sub = client
        .query(SkillsReportPagesQuery, { first: PAGE_SIZE, after: cursors[cursors.length - 1], ...variables }, { requestPolicy: 'network-only' })
        .subscribe((result) => {
          resolve(result);
          setTimeout(() => sub.unsubscribe());
        });
    });
    if (r.error || !r.data) return null;
    const info = r.data.skillsReport.pageInfo;
    if (!info.hasNextPage || !info.endCursor) break;
    cursors.push(info.endCursor);
  }
  return cursors;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Skills report (S1–S3): filter, sort, page, and download the same rows as CSV. */
export function SkillsReportPage() {
  // The address keeps the filters, order and page (listingQuery): Back and reload show them again.
  const [opened] = useState(() => readListing(window.location.search));
  const [filters, setFilters] = useState<Filters>(opened.filters);
  const [field, setField] = useState<SkillsReportOrderField>(opened.field);
  const [direction, setDirection] = useState<Direction>(opened.direction);
  const search = useDebounced(filters.search, 300);
  const applied = useMemo(() => ({ ...filters, search }), [filters, search]);
  const where = useMemo(() => toWhere(applied), [applied]);
  // Cursors of the pages before the current one, so Previous can go back,
  // kept with the filters and order they page: a cursor is good only for the
  // order it was given in (the API refuses it in another), so a new sort or
  // filter starts at the first page in the same render, with no request
  // carrying the old cursor.
  const listing = listingOf(where, field, direction);
  const [paged, setPaged] = useState<Paged>(() => savedPages(listing, opened.page));
  // A sent address's page, reached again from the first (review: page=3 opened page 1).
  const client = useClient();
  const [seeking, setSeeking] = useState(() => (paged.cursors.length < opened.page ? listing : ''));
  useEffect(() => {
    if (!seeking) return;
    if (seeking !== listing) return setSeeking(''); // the filters changed first: their first page
    let live = true;
    void pageCursors(client, { where, orderBy: { field, direction } }, opened.page).then((found) => {
      if (!live) return;
      if (found) setPaged({ listing, cursors: found });
      setSeeking('');
    });
    return () => {
      live = false;
    };
    // Once, for the listing the address opened; a later listing starts at its first page.
  }, [seeking, listing]);
  const cursors = paged.listing === listing ? paged.cursors : [null];
  const setCursors = (f: (c: (string | null)[]) => (string | null)[]) => setPaged({ listing, cursors: f(cursors) });
  const after = cursors[cursors.length - 1];
  const address = listingQuery(filters, field, direction, seeking ? opened.page : cursors.length).toString();
  const pages = JSON.stringify({ listing, cursors });
  useEffect(() => {
    const state = window.history.state as Record<string, unknown> | null;
    replaceSearch(new URLSearchParams(address), { ...(state && typeof state === 'object' ? state : {}), skillsReport: JSON.parse(pages) as Paged });
  }, [address, pages]);

  const [{ data, fetching, error }, reexecute] = useQuery({
    query: SkillsReportQuery,
    variables: { first: PAGE_SIZE, after, where, orderBy: { field, direction } },
    requestPolicy: 'cache-and-network',
    pause: seeking !== '',
  });
  const [{ data: names }] = useQuery({ query: CompetencyNamesQuery });

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const sortBy = (f: SkillsReportOrderField) => {
    if (f === field) setDirection((d) => (d === 'ASC' ? 'DESC' : 'ASC'));
    else {
      setField(f);
      setDirection('ASC');
    }
  };

  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [removing, setRemoving] = useState<{ mcid: string; name: string } | null>(null);
  const [{ fetching: reminding }, remind] = useMutation(RemindToAssociate);
  const [{ fetching: removingBusy }, removeLegacy] = useMutation(RemoveLegacyRecognition);
  async function chase(mcid: string, name: string) {
    setNotice(null);
    const r = await remind({ mcid });
    if (r.error || !r.data) return setNotice({ kind: 'error', text: describeError(r.error) });
    setNotice({ kind: 'success', text: `${name} is reminded to associate their Microsoft Learning account (mail to ${r.data.remindToAssociate.sentTo}).` });
  }
  async function confirmRemove() {
    if (!removing) return;
    const r = await removeLegacy({ mcid: removing.mcid });
    if (r.error) return setNotice({ kind: 'error', text: describeError(r.error) });
    setNotice({ kind: 'success', text: `${removing.name} (MCID ${removing.mcid}) is no longer in the skills report.` });
    setRemoving(null);
    reexecute({ requestPolicy: 'network-only' });
  }

  const report = data?.skillsReport;
  const pageIndex = cursors.length - 1;
  const firstRow = pageIndex * PAGE_SIZE + 1;
  const ids = { search: useId(), type: useId(), comp: useId(), assoc: useId(), sort: useId() };

  return (
    <div className="page page-wide">
      <PageHeader
        title="Skills report"
        description="Every exam, certification and assessment recognized for your organization, with who holds it and what it counts towards."
        actions={
          <a className="btn btn-primary" href={csvHref(applied, field, direction)} download>
            Download skills report
          </a>
        }
      />
      <form className="card filters" role="search" aria-label="Filter the skills report" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={ids.search}>Search</label>
          <input id={ids.search} type="search" placeholder="Name, email or MCID" value={filters.search} onChange={(e) => set('search', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Skill type</label>
          <select id={ids.type} value={filters.skillType} onChange={(e) => set('skillType', e.target.value as Filters['skillType'])}>
            <option value="">All types</option>
            {Object.entries(skillTypeLabels).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.comp}>Competency</label>
          <select id={ids.comp} value={filters.competency} onChange={(e) => set('competency', e.target.value)}>
            <option value="">All competencies</option>
            {names?.competencyProgress.map((p) => (
              <option key={p.competency.id} value={p.competency.key}>
                {p.competency.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.assoc}>Associated in certlink</label>
          <select id={ids.assoc} value={filters.associatedInPC} onChange={(e) => set('associatedInPC', e.target.value as Tri)}>
            <option value="">Anyone</option>
            <option value="true">Associated</option>
            <option value="false">Not associated</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.sort}>Sort by</label>
          <div className="sort-select">
            <select id={ids.sort} value={field} onChange={(e) => sortBy(e.target.value as SkillsReportOrderField)}>
              {Object.entries(sortLabels).map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setDirection((d) => (d === 'ASC' ? 'DESC' : 'ASC'))} title="Change the order">
              {direction === 'ASC' ? 'Ascending' : 'Descending'}
            </button>
          </div>
        </div>
        <div className="filter-checks">
          <label className="check-inline">
            <input type="checkbox" checked={filters.validOnly} onChange={(e) => set('validOnly', e.target.checked)} />
            Valid results only
          </label>
          <label className="check-inline">
            <input type="checkbox" checked={filters.needsAssociation} onChange={(e) => set('needsAssociation', e.target.checked)} />
            Needs association
          </label>
        </div>
      </form>

      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? ''} from the skills report?`}
        confirmLabel="Remove from report"
        busyLabel="Removing…"
        busy={removingBusy}
        danger
        onConfirm={() => void confirmRemove()}
        onCancel={() => setRemoving(null)}
      >
        <p>
          {removing?.name} (MCID {removing?.mcid}) is recognized through the old path only and has not associated an account in certlink: they count for nothing now. Your
          organization stops recognizing them; if they associate later, they appear again. History keeps this.
        </p>
      </ConfirmDialog>
      {!report ? (
        fetching || !error ? (
          <Spinner label="Loading the skills report…" />
        ) : (
          <ErrorState message={describeError(error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        )
      ) : report.totalCount === 0 ? (
        <EmptyState title={Object.keys(where).length ? 'No rows match these filters' : 'No skills recognized yet'}>
          <p>{Object.keys(where).length ? 'Clear a filter to see more.' : 'Rows appear as soon as people associate their Microsoft Learning accounts and results arrive.'}</p>
        </EmptyState>
      ) : (
        <section className="card report" aria-label="Skills report rows">
          <div className="table-wrap">
            <table className="table report-table table-stack" aria-busy={fetching}>
              <caption className="sr-only">Skills report, sorted by {sortLabels[field].toLowerCase()} {direction === 'ASC' ? 'ascending' : 'descending'}</caption>
              <thead>
                <tr>
                  <SortHeader label="Person" field="NAME" current={field} direction={direction} onSort={sortBy} />
                  <SortHeader label="Skill" field="SKILL_NUMBER" current={field} direction={direction} onSort={sortBy} />
                  <SortHeader label="Completed" field="COMPLETED_AT" current={field} direction={direction} onSort={sortBy} />
                  {/* Whether a row counts is no order the report has: this
                      column once sorted by expiry date under another name. */}
                  <th scope="col">Counts now</th>
                  <th scope="col">Counts towards</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {report.edges.map(({ cursor, node: r }) => (
                  <tr key={cursor} className={r.counting ? undefined : 'row-not-counting'}>
                    <td className="wrap-anywhere">
                      <strong>{r.name}</strong>
                      <span className="cell-sub">{r.email}</span>
                      <span className="cell-sub mono">{numberLabel(r.linkKind)} {r.mcid}</span>
                    </td>
                    <td data-label="Skill">
                      <span className="skill-number">{r.skillNumber}</span>
                      <span className="cell-sub">
                        {r.title} · {skillTypeLabels[r.skillType] ?? r.skillType}
                      </span>
                      {r.retiredOn && <span className="cell-sub">Retired {formatShortDate(r.retiredOn)}</span>}
                    </td>
                    <td className="nowrap" data-label="Completed">
                      {formatShortDate(r.completedAt)}
                    </td>
                    <td data-label="Counts now">
                      <Counting row={r} />
                      <span className="cell-sub">{r.expiresAt ? `Expires ${formatShortDate(r.expiresAt)}` : 'No expiry date'}</span>
                      {r.needsAssociation && (
                        <span className="row-actions-inline">
                          <button type="button" className="btn-link" disabled={reminding} onClick={() => void chase(r.mcid, r.name)} aria-label={`Remind to associate: ${r.name}`}>
                            Remind to associate
                          </button>
                          <button type="button" className="btn-link btn-link-danger" onClick={() => setRemoving({ mcid: r.mcid, name: r.name })} aria-label={`Remove from report: ${r.name}`}>
                            Remove from report
                          </button>
                        </span>
                      )}
                    </td>
                    <td data-label="Counts towards">
                      {r.competencies.length === 0 ? (
                        <span className="muted">{r.counting ? '—' : 'Nothing now'}</span>
                      ) : (
                        <ul className="cell-list">
                          {r.competencies.map((c) => (
                            <li key={c}>{c}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td data-label="Source">
                      <span title={r.source}>{r.sourceLabel}</span>
                      <span className="cell-sub">Recognized {formatShortDate(r.recognizedAt)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <span>
              {firstRow}–{firstRow + report.edges.length - 1} of {report.totalCount}
            </span>
            <div className="pager-buttons">
              <button type="button" className="btn btn-secondary btn-sm" disabled={pageIndex === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                Previous
              </button>
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                disabled={!report.pageInfo.hasNextPage}
                onClick={() => setCursors((c) => [...c, report.pageInfo.endCursor ?? null])}
              >
                Next
              </button>
            </div>
          </nav>
        </section>
      )}
    </div>
  );
}

function SortHeader({ label, field, current, direction, onSort }: { label: string; field: SkillsReportOrderField; current: SkillsReportOrderField; direction: Direction; onSort: (f: SkillsReportOrderField) => void }) {
  const active = field === current;
  return (
    <th scope="col" aria-sort={active ? (direction === 'ASC' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className={active ? 'sort sort-active' : 'sort'} onClick={() => onSort(field)}>
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (direction === 'ASC' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

/** Whether a row counts now (C3), and until or since when: the server's word, by its clock. */
function Counting({ row: r }: { row: { counting: boolean; countsUntil?: string | null; needsAssociation: boolean } }) {
  if (r.counting) {
    return <span className="counts-yes">{r.countsUntil ? `Yes, until ${formatShortDate(r.countsUntil)}` : 'Yes, no end date'}</span>;
  }
  if (r.needsAssociation) return <span className="badge badge-at-risk badge-block">Needs association</span>;
  return <span className="counts-no">{r.countsUntil ? `No — stopped ${formatShortDate(r.countsUntil)}` : 'No'}</span>;
}
