import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { Role, UsersQuery as UsersQueryResult } from '../../gql/graphql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EndingImpact } from '../../components/EndingImpact';
import { Alert, EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { describeError, errorField } from '../../lib/errors';
import { formatMoment, formatShortDate, isFuture, plural, roleLabel } from '../../lib/format';
import { focusOutcome } from '../../lib/focusRescue';
import { useFocusAfterRender } from '../../lib/focusAfter';
import { useSession, type Viewer } from '../../lib/session';
import { loadFormDraft, saveFormDraft } from '../../lib/formDraft';

const UsersQuery = graphql(`
  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {
    users(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          email
          name
          roles
          mustChangePassword
          createdAt
          learningAccount {
            mcid
          }
          partnerUniversity {
            email
          }
        }
      }
    }
  }
`);

// When a person whose links end could associate them again (L6), asked as a Remove from report or
// Delete user dialog opens: the same numbers the person sees on My profile.
export const UserAssociationLimitsQuery = graphql(`
  query UserAssociationLimits($id: ID!) {
    node(id: $id) {
      __typename
      ... on User {
        id
        learningAccount {
          mcid
        }
        partnerUniversity {
          email
        }
        nextAssociationAllowedAt
        associationsRemaining
        partnerUniversityNextAssociationAllowedAt
        partnerUniversityAssociationsRemaining
      }
    }
  }
`);

const InviteUser = graphql(`
  mutation InviteUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      temporaryPassword
      user {
        id
        email
        name
      }
    }
  }
`);

const ResendInvite = graphql(`
  mutation ResendInvite($id: ID!) {
    resendInvite(id: $id) {
      temporaryPassword
      user {
        id
        email
        name
      }
    }
  }
`);

const UpdateUser = graphql(`
  mutation UpdateUser($input: UpdateUserInput!) {
    updateUser(input: $input) {
      user {
        id
        email
        name
      }
    }
  }
`);

const AssignRoles = graphql(`
  mutation AssignRoles($input: AssignRolesInput!) {
    assignRoles(input: $input) {
      user {
        id
        roles
      }
    }
  }
`);

const DeleteUser = graphql(`
  mutation DeleteUser($id: ID!) {
    deleteUser(id: $id) {
      deletedUserId
    }
  }
`);

const RemoveFromReport = graphql(`
  mutation RemoveFromReport($userId: ID!) {
    removeFromReport(userId: $userId) {
      userId
    }
  }
`);

type UserRow = NonNullable<NonNullable<NonNullable<UsersQueryResult['users']['edges']>[number]>['node']>;

const PAGE_SIZE = 50;
const ALL_ROLES: Role[] = ['GLOBAL_ADMIN', 'ACCOUNT_ADMIN', 'USER_MANAGEMENT_ADMIN', 'MPN_PARTNER_ADMIN'];

/** What the viewer may do here (U1), mirrored from the server's rules to show only usable actions. */
export function userPermissions(viewer: Pick<Viewer, 'roles'>) {
  const has = (r: Role) => viewer.roles.includes(r);
  const manage = has('GLOBAL_ADMIN') || has('ACCOUNT_ADMIN') || has('USER_MANAGEMENT_ADMIN');
  const assignable: Role[] = has('GLOBAL_ADMIN') ? ALL_ROLES : has('ACCOUNT_ADMIN') ? ['USER_MANAGEMENT_ADMIN', 'MPN_PARTNER_ADMIN'] : [];
  return { manage, assignable, removeFromReport: has('GLOBAL_ADMIN') || has('MPN_PARTNER_ADMIN') };
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Users (U1–U2, L9): the organization's work accounts, invitations, roles and leavers. */
export function UsersPage() {
  const { viewer } = useSession();
  const can = userPermissions(viewer);
  const [search, setSearch] = useState('');
  const [after, setAfter] = useState<(string | null)[]>([null]);
  const term = useDebounced(search.trim(), 300);
  const where = useMemo(() => (term ? { or: [{ nameContainsFold: term }, { emailContainsFold: term }] } : undefined), [term]);
  useEffect(() => setAfter([null]), [where]);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: UsersQuery,
    variables: { first: PAGE_SIZE, after: after[after.length - 1], where },
    requestPolicy: 'cache-and-network',
  });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  // An invitation being written is kept for its author until sent or cancelled: a session that
  // ends under it (sign in again, come back) reopens it as it was (review: it came back closed and empty).
  const [inviting, setInviting] = useState(() => loadFormDraft(INVITE_FORM, viewer.id, isInviteDraft) !== null);
  const [issued, setIssued] = useState<{ name: string; email: string; password: string; resent: boolean } | null>(null);
  // n: each outcome is a new message (key), not the old one's text changed in place, and takes the
  // focus its closed dialog lost. Before, a second Remove from report or Delete user in a row only
  // changed the text of the status already there: nothing new appeared for the focus rescue to go
  // to, and the focus fell to <body> (review).
  const [notice, setNotice] = useState<{ text: string; n: number } | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const focusAfter = useFocusAfterRender();
  const searchId = useId();
  const inviteButton = useRef<HTMLButtonElement>(null);
  // Done removes the panel and the button pressed: the invite button, where a next invitation
  // starts, takes the focus (else the page's heading), not <body> (review).
  const dismissIssued = () => {
    setIssued(null);
    if (!focusOutcome(inviteButton.current)) focusOutcome(document.querySelector('.page-header h1'));
  };

  const users = data?.users.edges?.flatMap((e) => (e?.node ? [e.node] : [])) ?? [];

  return (
    <div className="page page-wide">
      <PageHeader
        title="Users"
        description={
          can.manage
            ? `Work accounts of your organization: invite people${can.assignable.length > 0 ? ', set their roles,' : ''} and remove leavers.`
            : 'Work accounts of your organization and their roles.'
        }
        actions={
          can.manage && !inviting ? (
            <button ref={inviteButton} type="button" className="btn btn-primary" onClick={() => { setIssued(null); setNotice(null); setInviting(true); }}>
              Invite user
            </button>
          ) : undefined
        }
      />
      {issued && <TemporaryPassword issued={issued} onDismiss={dismissIssued} />}
      {notice && (
        <div ref={noticeRef} key={notice.n}>
          <Alert kind="success">{notice.text}</Alert>
        </div>
      )}
      {inviting && (
        <InviteForm
          owner={viewer.id}
          assignable={can.assignable}
          onCancel={() => {
            saveFormDraft(INVITE_FORM, viewer.id, null);
            setInviting(false);
          }}
          onInvited={(i) => {
            saveFormDraft(INVITE_FORM, viewer.id, null);
            setInviting(false);
            setIssued({ ...i, resent: false });
            refresh();
          }}
        />
      )}
      <div className="toolbar">
        <div className="field toolbar-search">
          <label htmlFor={searchId}>Search users</label>
          <input id={searchId} type="search" placeholder="Name or email" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        {data && <span className="muted">{data.users.totalCount} {data.users.totalCount === 1 ? 'user' : 'users'}</span>}
      </div>
      {!data ? (
        fetching || !error ? <Spinner label="Loading users…" /> : <ErrorState message={describeError(error)} onRetry={refresh} />
      ) : users.length === 0 ? (
        <EmptyState title={term ? 'No users match this search' : 'No users yet'} />
      ) : (
        <section className="card report" aria-label="Users">
          <div className="table-wrap">
            <table className="table users-table table-stack">
              <caption className="sr-only">Users of {viewer.organization?.name ?? 'your organization'}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Status</th>
                  <th scope="col">MCID</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <UserRowView
                    key={u.id}
                    user={u}
                    isSelf={u.id === viewer.id}
                    can={can}
                    onChanged={(message, password) => {
                      setNotice(password ? null : (n) => ({ text: message, n: (n?.n ?? 0) + 1 }));
                      if (!password) focusAfter(() => noticeRef.current?.querySelector('.alert'));
                      if (password) setIssued({ name: u.name, email: u.email, password, resent: true });
                      refresh();
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {(after.length > 1 || data.users.pageInfo.hasNextPage) && (
            <nav className="pager" aria-label="Pages">
              <span>Page {after.length}</span>
              <div className="pager-buttons">
                <button type="button" className="btn btn-secondary btn-sm" disabled={after.length === 1} onClick={() => setAfter((a) => a.slice(0, -1))}>
                  Previous
                </button>
                <button type="button" className="btn btn-secondary btn-sm" disabled={!data.users.pageInfo.hasNextPage} onClick={() => setAfter((a) => [...a, data.users.pageInfo.endCursor ?? null])}>
                  Next
                </button>
              </div>
            </nav>
          )}
        </section>
      )}
    </div>
  );
}

function TemporaryPassword({ issued, onDismiss }: { issued: { name: string; email: string; password: string; resent: boolean }; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="alert alert-success temp-password" role="status">
      <p>
        <strong>{issued.resent ? 'Invitation sent again' : 'Invitation ready'}</strong> for {issued.name} ({issued.email}). Give them this temporary password; it is shown only now. They choose their own at first sign-in.
      </p>
      <div className="temp-password-row">
        <code data-testid="temporary-password">{issued.password}</code>
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(issued.password);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn-link" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}

function RoleChecks({ assignable, value, onChange, legend }: { assignable: Role[]; value: Role[]; onChange: (roles: Role[]) => void; legend: string }) {
  return (
    <fieldset className="role-checks">
      <legend>{legend}</legend>
      {assignable.length === 0 && <p className="muted">You can invite default users only.</p>}
      {assignable.map((r) => (
        <label key={r} className="check-inline">
          <input type="checkbox" checked={value.includes(r)} onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))} />
          {roleLabel(r)}
        </label>
      ))}
    </fieldset>
  );
}

const INVITE_FORM = 'invite';

interface InviteDraft {
  email: string;
  name: string;
  roles: Role[];
}

function isInviteDraft(v: unknown): v is InviteDraft {
  const d = v as Partial<InviteDraft> | null;
  return !!d && typeof d.email === 'string' && typeof d.name === 'string' && Array.isArray(d.roles) && d.roles.every((r) => typeof r === 'string');
}

function InviteForm({ owner, assignable, onCancel, onInvited }: { owner: string; assignable: Role[]; onCancel: () => void; onInvited: (i: { name: string; email: string; password: string }) => void }) {
  const [draft] = useState(() => loadFormDraft(INVITE_FORM, owner, isInviteDraft));
  const [email, setEmail] = useState(draft?.email ?? '');
  const [name, setName] = useState(draft?.name ?? '');
  // Roles the author may no longer give are not carried over.
  const [roles, setRoles] = useState<Role[]>(() => (draft?.roles ?? []).filter((r) => assignable.includes(r)));
  useEffect(() => {
    const empty = !email.trim() && !name.trim() && roles.length === 0;
    saveFormDraft(INVITE_FORM, owner, empty ? null : ({ email, name, roles } satisfies InviteDraft));
  }, [owner, email, name, roles]);
  // The error, and the field it is about (extensions.field: a domain not verified, an address taken,
  // a name too long): that field is marked invalid, tied to the message and focused, as on My profile.
  const [error, setError] = useState<{ text: string; at?: 'email' | 'name'; n: number } | null>(null);
  const [{ fetching }, invite] = useMutation(InviteUser);
  const errorId = useId();
  const refs = { email: useRef<HTMLInputElement>(null), name: useRef<HTMLInputElement>(null) };
  useEffect(() => {
    if (error?.at) refs[error.at].current?.focus();
  }, [error?.n]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await invite({ input: { email: email.trim(), name: name.trim(), roles } });
    if (result.error || !result.data) {
      const field = errorField(result.error);
      return setError((e) => ({ text: describeError(result.error), at: field === 'email' || field === 'name' ? field : undefined, n: (e?.n ?? 0) + 1 }));
    }
    const p = result.data.inviteUser;
    onInvited({ name: p.user.name, email: p.user.email, password: p.temporaryPassword });
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="invite-title">
      <div className="card-head">
        <h2 id="invite-title">Invite a user</h2>
      </div>
      <div className="field-row">
        <Field ref={refs.email} errorId={error?.at === 'email' ? errorId : undefined} label="Work email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus autoComplete="off" />
        <Field ref={refs.name} errorId={error?.at === 'name' ? errorId : undefined} label="Name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </div>
      <RoleChecks legend="Roles (none: a default user who sees their own profile)" assignable={assignable} value={roles} onChange={setRoles} />
      {error && (
        <p id={errorId} className="alert alert-error" role="alert">
          {error.text}
        </p>
      )}
      <div className="card-actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={fetching}>
          {fetching ? 'Inviting…' : 'Invite'}
        </button>
      </div>
    </form>
  );
}

type Dialog = null | 'edit' | 'roles' | 'delete' | 'remove';

function UserRowView({ user: u, isSelf, can, onChanged }: { user: UserRow; isSelf: boolean; can: ReturnType<typeof userPermissions>; onChanged: (message: string, temporaryPassword?: string) => void }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState(u.name);
  const [email, setEmail] = useState(u.email);
  const [roles, setRoles] = useState<Role[]>(u.roles);
  // What the dialog was opened from: the change says so, and is refused (CONFLICT) if someone
  // changed the account since, instead of overwriting that change unseen (review: two tabs).
  const [seen, setSeen] = useState({ name: u.name, email: u.email, roles: u.roles });
  const [, update] = useMutation(UpdateUser);
  const [, assign] = useMutation(AssignRoles);
  const [, remove] = useMutation(DeleteUser);
  const [, resend] = useMutation(ResendInvite);
  const [, removeFromReport] = useMutation(RemoveFromReport);

  const open = (d: Dialog) => {
    setError(null);
    setName(u.name);
    setEmail(u.email);
    setRoles(u.roles);
    setSeen({ name: u.name, email: u.email, roles: u.roles });
    setDialog(d);
  };

  async function run(action: () => Promise<{ error?: unknown }>, message: string) {
    setBusy(true);
    setError(null);
    const result = await action();
    setBusy(false);
    if (result.error) return setError(describeError(result.error));
    setDialog(null);
    onChanged(message);
  }

  const [rowError, setRowError] = useState<string | null>(null);
  async function resendInvite() {
    setRowError(null);
    const result = await resend({ id: u.id });
    if (result.error || !result.data) return setRowError(describeError(result.error));
    onChanged('', result.data.resendInvite.temporaryPassword);
  }

  // Roles outside what the viewer may assign are kept as they are.
  const keep = u.roles.filter((r) => !can.assignable.includes(r));

  return (
    <tr>
      <td className="wrap-anywhere">
        <strong>{u.name}</strong>
        {isSelf && <span className="chip chip-inline">You</span>}
        <span className="cell-sub">{u.email}</span>
      </td>
      <td data-label="Roles">
        <div className="chips">{u.roles.length === 0 ? <span className="muted">User</span> : u.roles.map((r) => <span key={r} className="chip chip-accent">{roleLabel(r)}</span>)}</div>
      </td>
      <td data-label="Status">{u.mustChangePassword ? <span className="badge badge-in-progress">Invited</span> : <span className="badge badge-qualified">Active</span>}<span className="cell-sub">since {formatShortDate(u.createdAt)}</span></td>
      <td className="mono" data-label="MCID">{u.learningAccount?.mcid ?? <span className="muted">—</span>}</td>
      <td className="row-actions">
        {rowError && <p className="alert alert-error row-error" role="alert">{rowError}</p>}
        {can.manage && (
          <button type="button" className="btn-link" onClick={() => open('edit')} aria-label={`Edit ${u.name}`}>
            Edit
          </button>
        )}
        {can.assignable.length > 0 && !isSelf && (
          <button type="button" className="btn-link" onClick={() => open('roles')} aria-label={`Roles of ${u.name}`}>
            Roles
          </button>
        )}
        {can.manage && u.mustChangePassword && (
          <button type="button" className="btn-link" onClick={resendInvite} aria-label={`Resend invite to ${u.name}`}>
            Resend invite
          </button>
        )}
        {can.removeFromReport && (u.learningAccount || u.partnerUniversity) && !isSelf && (
          <button type="button" className="btn-link" onClick={() => open('remove')} aria-label={`Remove from report: ${u.name}`}>
            Remove from report
          </button>
        )}
        {can.manage && !isSelf && (
          <button type="button" className="btn-link btn-link-danger" onClick={() => open('delete')} aria-label={`Delete ${u.name}`}>
            Delete
          </button>
        )}
        <ConfirmDialog
          open={dialog === 'edit'}
          title={`Edit ${u.name}`}
          confirmLabel="Save"
          busyLabel="Saving…"
          busy={busy}
          error={error}
          onCancel={() => setDialog(null)}
          onConfirm={() =>
            run(() => update({ input: { id: u.id, name: name.trim() !== seen.name ? name.trim() : undefined, email: email.trim() !== seen.email ? email.trim() : undefined, expectedName: seen.name, expectedEmail: seen.email } }), `${name.trim()} is updated.`)
          }
        >
          <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
          <Field label="Work email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required hint="The email they sign in with." />
        </ConfirmDialog>
        <ConfirmDialog
          open={dialog === 'roles'}
          title={`Roles of ${u.name}`}
          confirmLabel="Save roles"
          busyLabel="Saving…"
          busy={busy}
          error={error}
          onCancel={() => setDialog(null)}
          onConfirm={() => run(() => assign({ input: { userId: u.id, roles: [...keep, ...roles.filter((r) => can.assignable.includes(r))], expectedRoles: seen.roles } }), `Roles of ${u.name} are saved.`)}
        >
          <RoleChecks legend="Roles" assignable={can.assignable} value={roles} onChange={setRoles} />
        </ConfirmDialog>
        <ConfirmDialog
          open={dialog === 'delete'}
          title={`Delete ${u.name}?`}
          confirmLabel="Delete user"
          busyLabel="Deleting…"
          busy={busy}
          danger
          error={error}
          onCancel={() => setDialog(null)}
          onConfirm={() => run(() => remove({ id: u.id }), `${u.name} is deleted.`)}
        >
          {/* Someone with no link has none to end: the dialog does not say both (review). */}
          <p>
            <strong>{u.email}</strong> can no longer sign in
            {u.learningAccount || u.partnerUniversity ? ', and their links end at once: they leave competency progress and the skills report now' : ''}. Their history is kept.
          </p>
          {dialog === 'delete' && <LinksThatEnd user={u} deleting />}
          {dialog === 'delete' && <EndingImpact user={u.id} who={u.name} orgName="your organization" />}
        </ConfirmDialog>
        <ConfirmDialog
          open={dialog === 'remove'}
          title={`Remove ${u.name} from the skills report?`}
          confirmLabel="Remove from report"
          busyLabel="Removing…"
          busy={busy}
          danger
          error={error}
          onCancel={() => setDialog(null)}
          onConfirm={() => run(() => removeFromReport({ userId: u.id }), `${u.name} no longer counts in progress or the skills report.`)}
        >
          <p>
            Every link of {u.name} ends, and {u.name} stops counting for competencies and leaves the skills report at once. The work account stays, and the history is kept.
          </p>
          {dialog === 'remove' && <LinksThatEnd user={u} />}
          {dialog === 'remove' && <EndingImpact user={u.id} who={u.name} orgName="your organization" />}
        </ConfirmDialog>
      </td>
    </tr>
  );
}

/** The association rules (L6) a link ended here meets when it is associated again. */
export const ASSOCIATION_RULES =
  'Associating again later is a new association under the association rules: a minimum time between two associations of an account, and a limit on new ones per rolling 12 months.';

/**
 * Which links of a person end (Remove from report, Delete user: every one, L9), and when each could
 * be associated again (L6), from the person's own allowance, which the admins who may do this read.
 * Before, the dialog named only the MCID (review: the Partner University access ended unsaid, and
 * nothing said that associating again waits).
 */
function LinksThatEnd({ user: u, deleting = false }: { user: UserRow; deleting?: boolean }) {
  const [{ data, error }] = useQuery({ query: UserAssociationLimitsQuery, variables: { id: u.id }, requestPolicy: 'network-only' });
  const node = data?.node?.__typename === 'User' ? data.node : null;
  const learning = node ? node.learningAccount : u.learningAccount;
  const pu = node ? node.partnerUniversity : u.partnerUniversity;
  const again = (next: string | null | undefined, remaining: number): ReactNode =>
    !node ? null : (
      <>
        {' '}
        It can be associated again {isFuture(next) ? <strong>from {formatMoment(next)}</strong> : 'right away'} ({plural(remaining, 'association')} left in the rolling 12 months).
      </>
    );
  if (!learning && !pu) {
    return <p data-testid="links-that-end">{u.name} has no account associated now: no link ends.</p>;
  }
  return (
    <div data-testid="links-that-end">
      <p>{learning && pu ? 'Both links end:' : 'This link ends:'}</p>
      <ul>
        {learning && (
          <li>
            The Microsoft Learning account, MCID <strong>{learning.mcid}</strong>.{again(node?.nextAssociationAllowedAt, node?.associationsRemaining ?? 0)}
          </li>
        )}
        {pu && (
          <li>
            The Partner University access, <strong>{pu.email}</strong>.{again(node?.partnerUniversityNextAssociationAllowedAt, node?.partnerUniversityAssociationsRemaining ?? 0)}
          </li>
        )}
      </ul>
      <p>
        {ASSOCIATION_RULES}
        {deleting ? ' The limits belong to each account, whichever work account associates it.' : ''}
      </p>
      {!node && error && <p className="alert alert-error">We couldn't check when they can be associated again: {describeError(error)}</p>}
      {!node && !error && !data && (
        <p className="muted" role="status">
          Checking when they can be associated again…
        </p>
      )}
    </div>
  );
}
