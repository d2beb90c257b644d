import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ApiTokenScope } from '../../gql/graphql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { describeError } from '../../lib/errors';
import { formatDateTime, formatShortDate } from '../../lib/format';
import { usePageQueryPolicy } from '../../lib/pageData';
import { ApiTokensQuery } from './queries';

const CreateApiToken = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      secret
      token {
        id
        name
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
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const [{ fetching: busy }, revoke] = useMutation(RevokeApiToken);

  return (
    <div className="page">
      <PageHeader
        title="API tokens"
        description="Tokens let partner tools read your organization's data with Authorization: Bearer <token>. Each token has only the scopes you give it."
        actions={
          !creating ? (
            <button type="button" className="btn btn-primary" onClick={() => { setSecret(null); setCreating(true); }}>
              Create token
            </button>
          ) : undefined
        }
      />
      {secret && (
        <div className="alert alert-success temp-password" role="status">
          <p>
            <strong>Token “{secret.name}” created.</strong> Copy the secret now: it is shown only once and certlink keeps only its hash.
          </p>
          <div className="temp-password-row">
            <code data-testid="token-secret" className="secret">{secret.secret}</code>
            <button type="button" className="btn-link" onClick={() => setSecret(null)}>
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
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.apiTokens.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <strong>{t.name}</strong>
                      {t.revokedAt && <span className="badge badge-not-started badge-block">Revoked {formatShortDate(t.revokedAt)}</span>}
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
                    <td className="row-actions">
                      {!t.revokedAt && (
                        <button type="button" className="btn-link btn-link-danger" onClick={() => { setRevokeError(null); setRevoking({ id: t.id, name: t.name }); }} aria-label={`Revoke ${t.name}`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
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
          setRevoking(null);
          refresh();
        }}
      >
        <p>Tools using this token stop working at once. This can't be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

function CreateTokenForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (s: { name: string; secret: string }) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiTokenScope[]>(['REPORT_READ']);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, create] = useMutation(CreateApiToken);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (scopes.length === 0) return setError('Choose at least one scope.');
    const result = await create({ input: { name: name.trim(), scopes } });
    if (result.error || !result.data) return setError(describeError(result.error));
    onCreated({ name: result.data.createApiToken.token.name, secret: result.data.createApiToken.secret });
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="token-title">
      <div className="card-head">
        <h2 id="token-title">Create an API token</h2>
      </div>
      <Field label="Name" hint="Which tool uses it, e.g. “Power BI skills dashboard”." required value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      <fieldset className="role-checks">
        <legend>Scopes</legend>
        {SCOPES.map(([v, l]) => (
          <label key={v} className="check-inline">
            <input type="checkbox" checked={scopes.includes(v)} onChange={(e) => setScopes((s) => (e.target.checked ? [...s, v] : s.filter((x) => x !== v)))} />
            {l}
          </label>
        ))}
      </fieldset>
      {error && <p className="alert alert-error" role="alert">{error}</p>}
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
