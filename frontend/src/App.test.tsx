import { beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App, initials } from './App';
import { gqlError, mockClient, networkError, viewer, type Answer } from './test/mockClient';

function renderApp(me: () => Answer, mutation?: (name: string) => Answer) {
  const clients: ReturnType<typeof mockClient>[] = [];
  render(
    <App
      createClient={() => {
        const c = mockClient({ query: () => me(), mutation });
        clients.push(c);
        return c;
      }}
    />,
  );
  return clients;
}

describe('App shell', () => {
  beforeEach(() => window.history.replaceState(null, '', '/'));

  it('asks an anonymous visitor to sign in', async () => {
    renderApp(() => ({ error: gqlError('UNAUTHENTICATED', 'Sign in first.') }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });

  it('explains a failed session check in words', async () => {
    renderApp(() => ({ error: gqlError('RATE_LIMITED', 'RATE_LIMITED') }));
    expect((await screen.findByRole('alert')).textContent).toContain('Too many requests');
  });

  it('lands a signed-in user on My profile without admin pages', async () => {
    renderApp(() => ({ data: { me: viewer() } }));
    expect(await screen.findByRole('heading', { name: 'My profile' })).toBeTruthy();
    expect(window.location.pathname).toBe('/profile');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'My profile' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).queryByRole('link', { name: 'GraphiQL' })).toBeNull();
  });

  it('refuses GraphiQL to a default user', async () => {
    window.history.replaceState(null, '', '/graphiql');
    renderApp(() => ({ data: { me: viewer() } }));
    expect(await screen.findByText('This page is for admins')).toBeTruthy();
  });

  it('tells an operator, in no organization, that an organization page is not theirs', async () => {
    window.history.replaceState(null, '', '/audit-log');
    renderApp(() => ({ data: { me: viewer({ email: 'ops@certlink.example', roles: ['OPERATOR'], organization: null }) } }));
    const main = await screen.findByRole('main');
    expect(await within(main).findByRole('heading', { name: "This page is for an organization's admins" })).toBeTruthy();
    expect(main.textContent).toContain('operators belong to no organization');
    expect(main.textContent).not.toContain('your organization');
  });

  it('lists GraphiQL for an admin', async () => {
    renderApp(() => ({ data: { me: viewer({ roles: ['GLOBAL_ADMIN'] }) } }));
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'GraphiQL' })).toBeTruthy();
  });

  it('says when a page does not exist', async () => {
    window.history.replaceState(null, '', '/nowhere');
    renderApp(() => ({ data: { me: viewer() } }));
    expect(await screen.findByText("This page doesn't exist")).toBeTruthy();
  });

  it('with the real client: keeps the shell when My profile cannot reach the server', async () => {
    // The real API client over a fetch that answers, then fails as a stopped
    // server does: My profile asks for the viewer again (the session check's
    // own query), and its failure must not replace the whole app (review).
    let down = false;
    const fetchStub = vi.fn(async (_url: unknown, init?: { body?: unknown }) => {
      if (down) throw new TypeError('Failed to fetch');
      const op = JSON.parse(String(init?.body ?? '{}')) as { operationName?: string };
      const data = op.operationName === 'Me' ? { me: viewer() } : null;
      return new Response(JSON.stringify(data ? { data } : { errors: [{ message: 'not in this test', extensions: { code: 'NOT_FOUND' } }] }), {
        headers: { 'Content-Type': 'application/json' },
      });
    });
    vi.stubGlobal('fetch', fetchStub);
    try {
      window.history.replaceState(null, '', '/support');
      render(<App />);
      const nav = await screen.findByRole('navigation', { name: 'Main' });
      down = true;
      await userEvent.click(within(nav).getByRole('link', { name: 'My profile' }));
      await waitFor(() => expect(fetchStub.mock.calls.length).toBeGreaterThan(2));
      await new Promise((r) => setTimeout(r, 50));
      expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
      expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('signs out into a fresh client and says so', async () => {
    let signedIn = true;
    const clients = renderApp(
      () => (signedIn ? { data: { me: viewer() } } : { error: gqlError('UNAUTHENTICATED', 'Sign in first.') }),
      (name) => {
        expect(name).toBe('SignOut');
        signedIn = false;
        return { data: { signOut: { __typename: 'SignOutPayload', signedOut: true } } };
      },
    );
    sessionStorage.setItem('certlink.formDraft:invite:u1', '{"email":"sam@contoso.example","name":"Sam","roles":[]}');
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('You have signed out.');
    expect(sessionStorage.getItem('certlink.formDraft:invite:u1')).toBeNull(); // drafts go with the session
    expect(clients.length).toBe(2);
  });
});

describe('signing out while certlink cannot be reached', () => {
  beforeEach(() => window.history.replaceState(null, '', '/profile'));

  it('keeps the shell and the session, says so, and signs out once it can', async () => {
    let down = true;
    const clients = renderApp(
      () => ({ data: { me: viewer() } }),
      () => (down ? { error: networkError() } : { data: { signOut: { __typename: 'SignOutPayload', signedOut: true } } }),
    );
    const button = await screen.findByRole('button', { name: 'Sign out' });
    await userEvent.click(button);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('You are still signed in');
    expect(document.activeElement).toBe(alert);
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(clients.length).toBe(1);
    down = false;
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(clients.length).toBe(2));
  });
});

describe('initials', () => {
  it('takes the first letter or digit of the first two words', () => {
    expect(initials('Alex Wilber')).toBe('AW');
    expect(initials('Nina <b>Test</b>')).toBe('NB'); // a letter, never '<'
    expect(initials('émile ørsted')).toBe('ÉØ');
    expect(initials('alex@contoso.example')).toBe('AC');
    expect(initials('<<< >>>')).toBe('?');
  });
});
