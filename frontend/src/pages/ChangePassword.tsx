import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { Alert } from '../components/Feedback';
import { Field } from '../components/Field';
import { LogoMark } from '../components/Icons';
import { describeError, errorCode, errorField } from '../lib/errors';
import { useSession } from '../lib/session';

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      user {
        ...ProfileUser
      }
    }
  }
`);

const MIN = 12;

/** The field an error is about. */
type Which = 'current' | 'next' | 'confirm';

/** Set your own password (U2): the form on My profile, and the gate after a temporary one. */
export function ChangePasswordForm({ onChanged, temporary = false }: { onChanged?: () => void; temporary?: boolean }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setErrorState] = useState<{ text: string; at: Which; n: number } | null>(null);
  const [done, setDone] = useState(false);
  const [{ fetching }, change] = useMutation(ChangePasswordMutation);
  const errorId = useId();
  const refs = { current: useRef<HTMLInputElement>(null), next: useRef<HTMLInputElement>(null), confirm: useRef<HTMLInputElement>(null) };
  const errors = useRef(0);
  const setError = (text: string | null, at: Which = 'next') => setErrorState(text ? { text, at, n: ++errors.current } : null);
  // Editing a field takes the old refusal away: it is no longer about what the fields say, as
  // elsewhere in the app (review: "The temporary password is not correct." stayed while retyping it).
  const edit = (set: (v: string) => void, value: string) => {
    set(value);
    setError(null);
  };
  // The field the error is about takes the focus, so it is the one retyped.
  useEffect(() => {
    if (error) refs[error.at].current?.focus();
  }, [error?.n]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(false);
    if (next.length < MIN) return setError(`Choose a password of at least ${MIN} characters.`, 'next');
    if (next !== confirm) return setError("The new passwords don't match.", 'confirm');
    const result = await change({ input: { currentPassword: current, newPassword: next } });
    if (result.error) {
      const current = errorField(result.error) === 'currentPassword';
      // The server says "current password"; at first sign-in that field is the temporary one (review).
      const text = temporary && current && errorCode(result.error) === 'INVALID_CREDENTIALS' ? 'The temporary password is not correct.' : describeError(result.error);
      return setError(text, current ? 'current' : 'next');
    }
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(true);
    onChanged?.();
  }

  return (
    <form onSubmit={submit} aria-label="Change password" className="password-form">
      {done && <Alert kind="success">Your password is changed.</Alert>}
      <Field ref={refs.current} errorId={error?.at === 'current' ? errorId : undefined} label={temporary ? 'Temporary password' : 'Current password'} type="password" autoComplete="current-password" required value={current} onChange={(e) => edit(setCurrent, e.target.value)} autoFocus={temporary} />
      <div className="field-row">
        <Field ref={refs.next} errorId={error?.at === 'next' ? errorId : undefined} label="New password" type="password" autoComplete="new-password" required value={next} onChange={(e) => edit(setNext, e.target.value)} hint={`At least ${MIN} characters. Not a common password, a run or repeat of characters, or your email's name or certlink's.`} />
        <Field ref={refs.confirm} errorId={error?.at === 'confirm' ? errorId : undefined} label="Confirm new password" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => edit(setConfirm, e.target.value)} />
      </div>
      {error && (
        <p id={errorId} className="alert alert-error" role="alert">
          {error.text}
        </p>
      )}
      <div className="card-actions">
        <button type="submit" className="btn btn-primary" disabled={fetching}>
          {fetching ? 'Saving…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}

/** After signing in with a temporary password, nothing else works until the user picks their own. */
export function PasswordChangeGate({ onChanged }: { onChanged: () => void }) {
  const { viewer, signOut } = useSession();
  const [signOutError, setSignOutError] = useState<string | null>(null);
  return (
    <div className="boot">
      <main className="signin-card gate-card" aria-labelledby="gate-title">
        <div className="signin-brand" style={{ color: 'var(--navy-800)', marginBottom: 18 }}>
          <LogoMark />
          <span>certlink</span>
        </div>
        <h1 id="gate-title">Choose your password</h1>
        <p className="muted">
          Welcome, {viewer.name}. You signed in with a temporary password; choose your own to continue.
        </p>
        <ChangePasswordForm temporary onChanged={onChanged} />
        {signOutError && (
          <Alert kind="error" takeFocus>
            {signOutError}
          </Alert>
        )}
        <button type="button" className="btn-link" onClick={async () => setSignOutError(await signOut())}>
          Sign out
        </button>
      </main>
    </div>
  );
}
