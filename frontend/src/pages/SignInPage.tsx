import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Field } from '../components/Field';
import { LogoMark } from '../components/Icons';
import { describeError } from '../lib/errors';
import { SignInMutation } from '../lib/session';
import { useSignInOptions } from '../lib/signInOptions';

/** Sign in with a work account (SPEC L1). The session arrives as an HttpOnly cookie. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, signIn] = useMutation(SignInMutation);
  const { singleSignOn } = useSignInOptions();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await signIn({ input: { email: email.trim(), password } });
    if (result.error || !result.data) {
      setError(describeError(result.error));
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
          {error && <p className="alert alert-error" role="alert">{error}</p>}
          <Field label="Work email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          <Field label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
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
