import { afterEach, beforeEach, vi } from 'vitest';
import { cleanup } from '@testing-library/react';
import { resetSignInOptions } from '../lib/signInOptions';

// No test reaches a network: /auth/options answers "email and password only"
// unless a test stubs fetch itself.
beforeEach(() => {
  resetSignInOptions();
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ singleSignOn: false, directorySignIn: false }), { status: 200 })));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});
