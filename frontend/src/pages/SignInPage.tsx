import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Field } from '../components/Field';
import { LogoMark } from '../components/Icons';
import { describeError, errorCode, errorField } from '../lib/errors';
import { SignInMutation } from '../lib/session';
import { useSignInOptions } from '../lib/signInOptions';

/** Sign in with a work account (SPEC L1). The session arrives as an HttpOnly cookie. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // The error, and the fields it is about: wrong credentials are about both (which one is wrong is
  // not said), a malformed address about the email. They are marked invalid, tied to the message,
  // and the one to retype takes the focus.
  const [error, setError] = useState<{ text: string; email: boolean; password: boolean; n: number } | null>(null);
  const [{ fetching }, signIn] = useMutation(SignInMutation);
  const { singleSignOn } = useSignInOptions();
  const errorId = useId();
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (error?.password) passwordRef.current?.focus();
    else if (error?.email) emailRef.current?.focus();
  }, [error?.n]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await signIn({ input: { email: email.trim(), password } });
    if (result.error || !result.data) {
      const credentials = errorCode(result.error) === 'INVALID_CREDENTIALS';
      const field = errorField(result.error);
      setError((e) => ({
        text: describeError(result.error),
        email: credentials || field === 'email',
        password: credentials || field === 'password',
        n: (e?.n ?? 0) + 1,
      }));
      return;
    }
    onSignedIn();
  }

  return (
    <div className="signin">
      <aside className="signin-hero" aria-hidden="true">
        <div className="signin-brand">
          <LogoMark width={36} height={36} />
          <span>certlink</span>
        </div>
        <p className="signin-tagline">Certified people, counted where they work.</p>
        <ul className="signin-points">
          <li>Link your Microsoft Learning profile to your organization in a minute.</li>
          <li>See which requirements each competency still needs.</li>
          <li>Hear about a competency at risk before it is lost.</li>
        </ul>
      </aside>
      <main className="signin-main">
        <form className="signin-card" onSubmit={submit} noValidate={false} aria-labelledby="signin-title">
          <div className="signin-brand signin-brand-compact">
            <LogoMark />
            <span>certlink</span>
          </div>
          <h1 id="signin-title">Sign in</h1>
          <p className="muted">Use your work account.</p>
          {notice && !error && <p className="alert alert-info" role="status">{notice}</p>}
          {error && (
            <p id={errorId} className="alert alert-error" role="alert">
              {error.text}
            </p>
          )}
          <Field ref={emailRef} errorId={error?.email ? errorId : undefined} label="Work email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          <Field ref={passwordRef} errorId={error?.password ? errorId : undefined} label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <button type="submit" className="btn btn-primary btn-block" disabled={fetching}>
            {fetching ? 'Signing in…' : 'Sign in'}
          </button>
          {singleSignOn && (
            <>
              <p className="signin-or" aria-hidden="true">
                <span>or</span>
              </p>
              {/* A full page load: the identity provider's flow starts on the server (L1). */}
              <a className="btn btn-secondary btn-block" href="/auth/oidc/login">
                Sign in with your organization’s single sign-on
              </a>
            </>
          )}
        </form>
      </main>
    </div>
  );
}
