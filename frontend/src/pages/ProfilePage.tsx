import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Alert, ErrorState, PageHeader, Spinner } from '../components/Feedback';
import { Field } from '../components/Field';
import { IconCalendar, IconKey, IconLink, IconSchool, IconUser } from '../components/Icons';
import { ChangePasswordForm } from './ChangePassword';
import { describeError } from '../lib/errors';
import { formatDate, isFuture, plural, roleLabel } from '../lib/format';
import { MeQuery, type Viewer } from '../lib/session';

const AssociateLearningAccount = graphql(`
  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {
    associateLearningAccount(input: $input) {
      user {
        ...ProfileUser
      }
    }
  }
`);

const RemoveLearningAccount = graphql(`
  mutation RemoveLearningAccount {
    removeLearningAccount {
      user {
        ...ProfileUser
      }
    }
  }
`);

const AssociatePartnerUniversity = graphql(`
  mutation AssociatePartnerUniversity($input: AssociatePartnerUniversityInput!) {
    associatePartnerUniversity(input: $input) {
      user {
        ...ProfileUser
      }
    }
  }
`);

const RemovePartnerUniversityAccess = graphql(`
  mutation RemovePartnerUniversityAccess {
    removePartnerUniversityAccess {
      user {
        ...ProfileUser
      }
    }
  }
`);

/** My profile (SPEC L1–L8): organization, roles, and the accounts that make the user count. */
export function ProfilePage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MeQuery, requestPolicy: 'cache-and-network' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  if (!data) {
    if (fetching || !error) return <Spinner label="Loading your profile…" />;
    return <ErrorState message={describeError(error)} onRetry={refresh} />;
  }
  const me = data.me;
  return (
    <div className="page">
      <PageHeader title="My profile" description="Your work account, and the certification accounts that count for your organization." />
      <AccountSummary me={me} />
      <LearningAccountSection me={me} onChanged={refresh} />
      <PartnerUniversitySection me={me} onChanged={refresh} />
      <section className="card" aria-labelledby="password-title">
        <div className="card-head">
          <span className="card-icon" aria-hidden="true"><IconKey /></span>
          <h2 id="password-title">Password</h2>
        </div>
        <ChangePasswordForm />
      </section>
    </div>
  );
}

function AccountSummary({ me }: { me: Viewer }) {
  return (
    <section className="card" aria-labelledby="account-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true"><IconUser /></span>
        <h2 id="account-title">Work account</h2>
      </div>
      <dl className="facts">
        <div>
          <dt>Name</dt>
          <dd>{me.name}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{me.email}</dd>
        </div>
        <div>
          <dt>Organization</dt>
          <dd>
            {me.organization ? (
              <>
                {me.organization.name} <span className="muted">· MPN ID {me.organization.mpnId}</span>
              </>
            ) : (
              <span className="muted">None (platform staff)</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Roles</dt>
          <dd className="chips">
            {me.roles.length === 0 ? <span className="chip">User</span> : me.roles.map((r) => <span key={r} className="chip chip-accent">{roleLabel(r)}</span>)}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** L6 shown before the user tries: when the next association is allowed and how many are left. */
function AssociationAllowance({ me }: { me: Viewer }) {
  const waiting = isFuture(me.nextAssociationAllowedAt);
  return (
    <div className="allowance" aria-label="Association limits">
      <div className="allowance-item">
        <IconCalendar />
        <div>
          <span className="allowance-label">Next association allowed</span>
          <strong data-testid="next-association">{waiting ? formatDate(me.nextAssociationAllowedAt) : 'Now'}</strong>
        </div>
      </div>
      <div className="allowance-item">
        <IconLink />
        <div>
          <span className="allowance-label">Associations left</span>
          <strong data-testid="associations-remaining">{plural(me.associationsRemaining, 'association')} in the rolling 12 months</strong>
        </div>
      </div>
    </div>
  );
}

function LearningAccountSection({ me, onChanged }: { me: Viewer; onChanged: () => void }) {
  const link = me.learningAccount;
  const orgName = me.organization?.name ?? 'your organization';
  const [confirming, setConfirming] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ fetching: removing }, remove] = useMutation(RemoveLearningAccount);

  async function confirmRemove() {
    setRemoveError(null);
    const result = await remove({});
    if (result.error) {
      setRemoveError(describeError(result.error));
      return;
    }
    setConfirming(false);
    setNotice(`Access removed. MCID ${link?.mcid} no longer counts for ${orgName}.`);
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="learning-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true"><IconLink /></span>
        <h2 id="learning-title">Microsoft Learning account</h2>
      </div>
      <p className="muted card-lead">
        Your certification profile (MCID) holds the exams and certifications you have passed. Associated with your work account, they count towards {orgName}'s competencies.
      </p>
      {notice && <Alert kind="success">{notice}</Alert>}
      {link ? (
        <>
          <dl className="facts facts-linked">
            <div>
              <dt>MCID</dt>
              <dd className="mono" data-testid="mcid">{link.mcid}</dd>
            </div>
            <div>
              <dt>Learning account</dt>
              <dd>
                {link.name} <span className="muted">· {link.email}</span>
              </dd>
            </div>
            <div>
              <dt>Associated on</dt>
              <dd>{formatDate(link.linkedAt)}</dd>
            </div>
          </dl>
          <div className="card-actions">
            <button type="button" className="btn btn-danger-outline" onClick={() => { setRemoveError(null); setConfirming(true); }}>
              Remove access
            </button>
          </div>
          <ConfirmDialog
            open={confirming}
            title="Remove access to your Microsoft Learning account?"
            confirmLabel="Remove access"
            busyLabel="Removing…"
            busy={removing}
            danger
            error={removeError}
            onConfirm={confirmRemove}
            onCancel={() => setConfirming(false)}
          >
            <p>
              MCID <strong>{link.mcid}</strong> will stop counting for {orgName} right away. Its history is kept.
            </p>
            <p>Associating an account again later counts as a new association.</p>
          </ConfirmDialog>
        </>
      ) : (
        <AssociateLearningAccountForm me={me} onAssociated={(mcid) => { setNotice(mcid ? `MCID ${mcid} is now associated with ${orgName}.` : null); onChanged(); }} />
      )}
      <AssociationAllowance me={me} />
    </section>
  );
}

function AssociateLearningAccountForm({ me, onAssociated }: { me: Viewer; onAssociated: (mcid: string | undefined) => void }) {
  const pu = me.partnerUniversity;
  const canUseSame = Boolean(pu?.sameCredentialsAvailable);
  const [useSame, setUseSame] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, associate] = useMutation(AssociateLearningAccount);
  const sameChosen = canUseSame && useSame;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const input = sameChosen ? { useSameCredentials: true } : { email: email.trim(), password, useSameCredentials: false };
    const result = await associate({ input });
    if (result.error || !result.data) {
      setError(describeError(result.error));
      return;
    }
    setPassword('');
    onAssociated(result.data.associateLearningAccount.user.learningAccount?.mcid);
  }

  return (
    <form className="subform" onSubmit={submit} aria-labelledby="associate-title">
      <h3 id="associate-title">Associate Microsoft Learning account</h3>
      <p className="muted">
        Sign in with the Microsoft Learning account that holds your certifications. The certification directory checks the password; certlink doesn't keep it.
      </p>
      {canUseSame && pu && (
        <label className="check">
          <input type="checkbox" checked={useSame} onChange={(e) => setUseSame(e.target.checked)} />
          <span>Use {pu.email} to associate</span>
        </label>
      )}
      {!sameChosen && (
        <div className="field-row">
          <Field label="Learning account email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field label="Learning account password" type="password" autoComplete="off" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
      )}
      {error && <p className="alert alert-error" role="alert">{error}</p>}
      <div className="card-actions">
        <button type="submit" className="btn btn-primary" disabled={fetching}>
          {fetching ? 'Associating…' : 'Associate'}
        </button>
      </div>
    </form>
  );
}

function PartnerUniversitySection({ me, onChanged }: { me: Viewer; onChanged: () => void }) {
  const pu = me.partnerUniversity;
  const [formOpen, setFormOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [{ fetching: associating }, associate] = useMutation(AssociatePartnerUniversity);
  const [{ fetching: removing }, remove] = useMutation(RemovePartnerUniversityAccess);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await associate({ input: { email: email.trim(), password } });
    if (result.error) {
      setError(describeError(result.error));
      return;
    }
    setPassword('');
    setFormOpen(false);
    setNotice('Partner University access is set up. Your assessments now count.');
    onChanged();
  }

  async function confirmRemove() {
    setRemoveError(null);
    const result = await remove({});
    if (result.error) {
      setRemoveError(describeError(result.error));
      return;
    }
    setConfirming(false);
    setNotice('Partner University access removed.');
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="pu-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true"><IconSchool /></span>
        <h2 id="pu-title">Partner University</h2>
      </div>
      <p className="muted card-lead">Partner University holds the assessments you have completed. They count towards competencies once the account is associated.</p>
      {notice && <Alert kind="success">{notice}</Alert>}
      {pu ? (
        <>
          <dl className="facts facts-linked">
            <div>
              <dt>Partner University account</dt>
              <dd data-testid="pu-email">{pu.email}</dd>
            </div>
            <div>
              <dt>Associated on</dt>
              <dd>{formatDate(pu.linkedAt)}</dd>
            </div>
          </dl>
          <div className="card-actions">
            <button type="button" className="btn btn-danger-outline" onClick={() => { setRemoveError(null); setConfirming(true); }}>
              Remove Partner University access
            </button>
          </div>
          <ConfirmDialog
            open={confirming}
            title="Remove Partner University access?"
            confirmLabel="Remove access"
            busyLabel="Removing…"
            busy={removing}
            danger
            error={removeError}
            onConfirm={confirmRemove}
            onCancel={() => setConfirming(false)}
          >
            <p>
              Assessments from <strong>{pu.email}</strong> will stop counting right away.
            </p>
          </ConfirmDialog>
        </>
      ) : formOpen ? (
        <form className="subform" onSubmit={submit} aria-labelledby="pu-form-title">
          <h3 id="pu-form-title">Get Partner University access</h3>
          <div className="field-row">
            <Field label="Partner University email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
            <Field label="Partner University password" type="password" autoComplete="off" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          {error && <p className="alert alert-error" role="alert">{error}</p>}
          <div className="card-actions">
            <button type="button" className="btn btn-secondary" onClick={() => { setFormOpen(false); setError(null); }}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={associating}>
              {associating ? 'Associating…' : 'Associate'}
            </button>
          </div>
        </form>
      ) : (
        <div className="card-actions">
          <button type="button" className="btn btn-secondary" onClick={() => { setNotice(null); setFormOpen(true); }}>
            Get Partner University access
          </button>
        </div>
      )}
    </section>
  );
}
