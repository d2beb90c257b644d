import { describe, expect, it, vi } from 'vitest';
import { flowOutcome, loadSignInOptions, resetSignInOptions } from './signInOptions';

describe('sign-in options', () => {
  it('reads /auth/options once and keeps only booleans', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ singleSignOn: true, directorySignIn: 'yes' }), { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    resetSignInOptions();
    expect(await loadSignInOptions()).toEqual({ singleSignOn: true, directorySignIn: false });
    expect(await loadSignInOptions()).toEqual({ singleSignOn: true, directorySignIn: false });
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('offers email and password only when the server cannot be asked, and asks again later', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('offline');
    });
    vi.stubGlobal('fetch', fetch);
    resetSignInOptions();
    expect(await loadSignInOptions()).toEqual({ singleSignOn: false, directorySignIn: false });
    await loadSignInOptions();
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('flow outcome', () => {
  it('says what came back', () => {
    expect(flowOutcome('?sso=linked')?.kind).toBe('success');
    expect(flowOutcome('?linked=LEARNING')?.text).toBe('Your Microsoft Learning account is associated.');
    expect(flowOutcome('?linked=PARTNER_UNIVERSITY')?.text).toBe('Your Partner University account is associated.');
    expect(flowOutcome('')).toBeNull();
    expect(flowOutcome('?linked=SOMETHING')).toBeNull();
  });

  it('never shows words from the address bar', () => {
    const out = flowOutcome('?error=FORBIDDEN&message=' + encodeURIComponent('Call +1 555 0100 to restore your account'));
    expect(out).toEqual({ kind: 'error', text: 'That directory account cannot be associated with your work account.' });
    expect(flowOutcome('?error=<script>')?.text).toBe('Associating did not finish. Please try again.');
  });
});
