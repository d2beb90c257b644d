// Which sign-ins this certlink offers besides email and password (SPEC L1, L3):
// single sign-on at the organization's identity provider, and associating a
// certification account by signing in at the directory. Read once per page load.
import { useEffect, useState } from 'react';
import { messageForCode } from './errors';

export interface SignInOptions {
  singleSignOn: boolean;
  directorySignIn: boolean;
}

export const noSignInOptions: SignInOptions = { singleSignOn: false, directorySignIn: false };

let pending: Promise<SignInOptions> | null = null;

export function loadSignInOptions(): Promise<SignInOptions> {
  pending ??= fetch('/auth/options', { credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : noSignInOptions))
    .then((o: Partial<SignInOptions>) => ({ singleSignOn: o.singleSignOn === true, directorySignIn: o.directorySignIn === true }))
    // Unreachable: offer email and password only, and ask again next time.
    .catch(() => {
      pending = null;
      return noSignInOptions;
    });
  return pending;
}

/** For tests: forget what was read. */
export function resetSignInOptions() {
  pending = null;
}

export function useSignInOptions(): SignInOptions {
  const [options, setOptions] = useState(noSignInOptions);
  useEffect(() => {
    let live = true;
    void loadSignInOptions().then((o) => live && setOptions(o));
    return () => {
      live = false;
    };
  }, []);
  return options;
}

/**
 * What a return from a single sign-on or directory flow says, from the page's
 * query string. A success names what was linked (linked): the page says it only
 * when its own data shows that link — anyone can send a link ending ?linked=….
 */
export function flowOutcome(search: string): { kind: 'success' | 'error'; text: string; linked?: 'LEARNING' | 'PARTNER_UNIVERSITY' } | null {
  const q = new URLSearchParams(search);
  if (q.get('sso') === 'linked') {
    return { kind: 'success', text: 'Single sign-on is linked: next time, sign in with your organization’s identity provider.' };
  }
  const linked = q.get('linked');
  if (linked === 'LEARNING') return { kind: 'success', text: 'Your Microsoft Learning account is associated.', linked };
  if (linked === 'PARTNER_UNIVERSITY') return { kind: 'success', text: 'Your Partner University account is associated.', linked };
  const code = q.get('error');
  if (code) {
    // The sentence is chosen by code: text from the address bar is never shown,
    // since anyone can send a link with words of their own in it.
    return { kind: 'error', text: directoryErrors[code] ?? messageForCode(code) ?? 'Associating did not finish. Please try again.' };
  }
  return null;
}

// What the directory's return means where it differs from the app-wide sentence for the code.
const directoryErrors: Record<string, string> = {
  UNAUTHENTICATED: 'Your session ended while you were at the directory. Sign in and try again.',
  FORBIDDEN: 'That directory account cannot be associated with your work account.',
  CONFLICT: 'That account was associated by someone else at the same time. Reload and try again.',
  RATE_LIMITED: 'Too many attempts in a short time. Wait a moment and try again.',
  INVALID_INPUT: 'The directory did not confirm the account. Try again.',
  INTERNAL: 'Associating failed on our side. Please try again.',
};
