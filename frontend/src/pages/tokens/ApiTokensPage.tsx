import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ApiTokenScope } from '../../gql/graphql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { describeError } from '../../lib/errors';
import { formatDateTime, formatShortDate } from '../../lib/format';
import { usePageQueryPolicy } from '../../lib/pageData';
import { useFocusAfterRender } from '../../lib/focusAfter';
import { ApiTokensQuery } from './queries';
import { DEFAULT_LIFETIME, LIFETIMES, WARN_DAYS, tokenExpiry, type Expiry } from './expiry';

const CreateApiToken = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      secret
      token {
        id
        name
        expiresAt
      }
    }
  }
`);

const RevokeApiToken = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

const SCOPES: [ApiTokenScope, string][] = [
  ['REPORT_READ', 'Read the skills report'],
  ['PROGRESS_READ', 'Read competency progress'],
  ['USERS_READ', 'Read users'],
  ['AUDIT_READ', 'Read the audit log'],
];
const scopeLabel = (s: string) => SCOPES.find(([v]) => v === s)?.[1] ?? s;

/** API tokens for partner tools (A2): read-only scopes, stored hashed, the secret shown once. */
export function ApiTokensPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ApiTokensQuery, requestPolicy: usePageQueryPolicy(ApiTokensQuery, 'cache-and-network') });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const [{ fetching: busy }, revoke] = useMutation(RevokeApiToken);
  // Done and a revocation take away the button pressed: the token's row takes the focus (else the
  // Create token button), not <body> (review).
  const focusAfter = useFocusAfterRender();
  const createButton = useRef<HTMLButtonElement>(null);
  const row = (id: string) => () => document.getElementById(tokenCellId(id));

  return (
    <div className="page">
      <PageHeader
        title="API tokens"
        description="Tokens let partner tools read your organization's data with Authorization: Bearer <token>. Each token has only the scopes you give it, and stops working when it expires."
        actions={
          !creating ? (
            <button ref={createButton} type="button" className="btn btn-primary" onClick={() => { setSecret(null); setCreating(true); }}>
              Create token
            </button>
          ) : undefined
        }
      />
      {secret && (
        <div className="alert alert-success temp-password" role="status">
          <p>
            <strong>Token “{secret.name}” created.</strong> Copy the secret now: it is shown only once and certlink keeps only its hash.
            {secret.expiresAt && <> It expires on {formatShortDate(secret.expiresAt)}: create its replacement before then.</>}
          </p>
          <div className="temp-password-row">
            <code data-testid="token-secret" className="secret">{secret.secret}</code>
            <button
              type="button"
              className="btn-link"
              onClick={() => {
                setSecret(null);
                focusAfter(row(secret.id), () => createButton.current);
              }}
            >
              Done
            </button>
          </div>
        </div>
      )}
      {creating && (
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(s) => {
            setCreating(false);
            setSecret(s);
            refresh();
          }}
        />
      )}
      {data && <ExpiryWarning expiries={data.apiTokens.map((t) => tokenExpiry(t))} />}
      {!data ? (
        fetching || !error ? <Spinner label="Loading tokens…" /> : <ErrorState message={describeError(error)} onRetry={refresh} />
      ) : data.apiTokens.length === 0 ? (
        <EmptyState title="No API tokens yet">
          <p>Create one for a partner tool that reads your skills report or progress.</p>
        </EmptyState>
      ) : (
        <section className="card report" aria-label="API tokens">
          <div className="table-wrap">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.apiTokens.map((t) => {
                  const expiry = tokenExpiry(t);
                  return (
                    <tr key={t.id}>
                      <td className="wrap-anywhere" id={tokenCellId(t.id)}>
                        <strong>{t.name}</strong>
                        {t.revokedAt && <span className="badge badge-not-started badge-block">Revoked {formatShortDate(t.revokedAt)}</span>}
                        {expiry.state === 'expired' && <span className="badge badge-not-started badge-block">Expired {expiry.date}</span>}
                      </td>
                      <td data-label="Scopes">
                        <ul className="cell-list">
                          {t.scopes.map((s) => (
                            <li key={s}>{scopeLabel(s)}</li>
                          ))}
                        </ul>
                      </td>
                      <td data-label="Created">
                        {formatShortDate(t.createdAt)}
                        {t.createdBy && <span className="cell-sub">by {t.createdBy.name}</span>}
                      </td>
                      <td data-label="Last used">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : <span className="muted">Never</span>}</td>
                      <td data-label="Expires" data-testid={`expires-${t.id}`}>
                        <ExpiryCell expiry={expiry} />
                      </td>
                      <td className="row-actions">
                        {!t.revokedAt && expiry.state !== 'expired' && (
                          <button type="button" className="btn-link btn-link-danger" onClick={() => { setRevokeError(null); setRevoking({ id: t.id, name: t.name }); }} aria-label={`Revoke ${t.name}`}>
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        busyLabel="Revoking…"
        busy={busy}
        danger
        error={revokeError}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const result = await revoke({ id: revoking.id });
          if (result.error) return setRevokeError(describeError(result.error));
          const id = revoking.id;
          setRevoking(null);
          refresh();
          focusAfter(row(id), () => createButton.current);
        }}
      >
        <p>Tools using this token stop working at once. This can't be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

type Created = { id: string; name: string; secret: string; expiresAt: string | null | undefined };

const tokenCellId = (id: string) => `token-${id}`;

/** The expiry column: the date, how soon, and the warnings an admin must act on. */
function ExpiryCell({ expiry }: { expiry: Expiry }) {
  switch (expiry.state) {
    case 'revoked':
      return <span className="muted">—</span>;
    case 'never':
      return (
        <>
          <span className="badge badge-at-risk">Never expires</span>
          <span className="cell-sub">Made before tokens expired: replace it</span>
        </>
      );
    case 'expired':
      return (
        <>
          {expiry.date}
          <span className="cell-sub">expired: create a new token</span>
        </>
      );
    case 'soon':
      return (
        <>
          <span className="badge badge-at-risk">{expiry.inWords.replace(/^e/, 'E')}</span>
          <span className="cell-sub">{expiry.date}</span>
        </>
      );
    default:
      return (
        <>
          {expiry.date}
          <span className="cell-sub">{expiry.inWords}</span>
        </>
      );
  }
}

/** Before a partner tool stops: how many tokens expire soon, have expired, or never expire. */
function ExpiryWarning({ expiries }: { expiries: Expiry[] }) {
  const count = (state: Expiry['state']) => expiries.filter((e) => e.state === state).length;
  const soon = count('soon');
  const expired = count('expired');
  const never = count('never');
  if (soon + expired + never === 0) return null;
  const tokens = (n: number) => (n === 1 ? '1 token' : `${n} tokens`);
  return (
    <div className="alert alert-warning" role="status" data-testid="expiry-warning">
      {soon > 0 && (
        <p>
          <strong>{tokens(soon)} {soon === 1 ? 'expires' : 'expire'} within {WARN_DAYS} days.</strong> Create a replacement and update the tool using it before then: an expired token is refused.
        </p>
      )}
      {expired > 0 && <p>{tokens(expired)} {expired === 1 ? 'has' : 'have'} expired: the tools using {expired === 1 ? 'it' : 'them'} are refused until they get a new token.</p>}
      {never > 0 && <p>{tokens(never)} made before tokens expired {never === 1 ? 'never expires' : 'never expire'}: replace {never === 1 ? 'it' : 'them'} with an expiring token, then revoke {never === 1 ? 'it' : 'them'}.</p>}
    </div>
  );
}

function CreateTokenForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (s: Created) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiTokenScope[]>(['REPORT_READ']);
  const [days, setDays] = useState(DEFAULT_LIFETIME);
  const lifetimeId = useId();
  // The error, and whether it is about the scopes (none ticked): the group is then marked invalid,
  // tied to the message, and its first box focused, not the Create button (review).
  const [error, setErrorState] = useState<{ text: string; scopes: boolean; n: number } | null>(null);
  const errors = useRef(0);
  const setError = (text: string | null, scopes = false) => setErrorState(text ? { text, scopes, n: ++errors.current } : null);
  const errorId = useId();
  const firstScope = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (error?.scopes) firstScope.current?.focus();
  }, [error?.n]);
  const [{ fetching }, create] = useMutation(CreateApiToken);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (scopes.length === 0) return setError('Choose at least one scope.', true);
    const result = await create({ input: { name: name.trim(), scopes, expiresInDays: days } });
    if (result.error || !result.data) return setError(describeError(result.error));
    const { token, secret } = result.data.createApiToken;
    onCreated({ id: token.id, name: token.name, secret, expiresAt: token.expiresAt });
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="token-title">
      <div className="card-head">
        <h2 id="token-title">Create an API token</h2>
      </div>
      <Field label="Name" hint="Which tool uses it, e.g. “Power BI skills dashboard”." required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      <fieldset className="role-checks" aria-invalid={error?.scopes ? true : undefined} aria-describedby={error?.scopes ? errorId : undefined}>
        <legend>Scopes</legend>
        {SCOPES.map(([v, l], i) => (
          <label key={v} className="check-inline">
            <input
              ref={i === 0 ? firstScope : undefined}
              type="checkbox"
              aria-describedby={error?.scopes ? errorId : undefined}
              checked={scopes.includes(v)}
              onChange={(e) => {
                setScopes((s) => (e.target.checked ? [...s, v] : s.filter((x) => x !== v)));
                if (error?.scopes) setError(null);
              }}
            />
            {l}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={lifetimeId}>Expires after</label>
        <select id={lifetimeId} aria-describedby={`${lifetimeId}-hint`} value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {LIFETIMES.map(([d, l]) => (
            <option key={d} value={d}>
              {l}
            </option>
          ))}
        </select>
        <p id={`${lifetimeId}-hint`} className="field-hint">
          The token then stops working. This page warns you {WARN_DAYS} days ahead, so you can give the tool a new one in time.
        </p>
      </div>
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
          {fetching ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
