import { StrictMode } from 'react';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, renderHook, screen } from '@testing-library/react';
import { App } from '../App';
import { createApiClient } from './client';
import { mockClient, viewer, withClient } from '../test/mockClient';
import { prefetchPageData, showingPage, usePageQueryPolicy } from './pageData';
import { NotificationsQuery } from '../pages/inbox/notificationsQuery';

// The real API client over a stubbed fetch: which operations go out, in what order,
// and how often. Each request waits until the test answers it.
function server() {
  const sent: string[] = [];
  const waiting = new Map<string, ((body: unknown) => void)[]>();
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init?: RequestInit) => {
      if (url !== '/graphql') return Promise.resolve(new Response(JSON.stringify({ singleSignOn: false, directorySignIn: false })));
      const name = (JSON.parse(String(init?.body)) as { operationName: string }).operationName;
      sent.push(name);
      return new Promise<Response>((resolve) => {
        const list = waiting.get(name) ?? [];
        list.push((body) => resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })));
        waiting.set(name, list);
      });
    }),
  );
  return {
    sent,
    answer(name: string, body: unknown) {
      const list = waiting.get(name);
      if (!list?.length) throw new Error(`no ${name} request is waiting (sent: ${sent.join(', ')})`);
      for (const resolve of list.splice(0)) resolve(body);
    },
  };
}

const unauthenticated = { data: null, errors: [{ message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } }] };
const notifications = {
  data: {
    notifications: {
      __typename: 'NotificationConnection',
      totalCount: 1,
      edges: [
        {
          __typename: 'NotificationEdge',
          node: { __typename: 'Notification', id: 'n1', title: 'Azure is at risk', body: 'Two people leave.', createdAt: '2026-01-05T10:00:00Z', read: true, link: '' },
        },
      ],
    },
    unreadNotificationCount: 0,
  },
};

function renderApp() {
  const clients: unknown[] = [];
  render(
    <StrictMode>
      <App
        createClient={(ended) => {
          const c = createApiClient(ended);
          clients.push(c);
          return c;
        }}
      />
    </StrictMode>,
  );
  return clients;
}

async function until(check: () => boolean) {
  await vi.waitFor(() => expect(check()).toBe(true));
}

describe('page data alongside the session check', () => {
  // The page's code, loaded once here so that no test waits on its transform.
  beforeAll(async () => {
    await import('../pages/inbox/NotificationsPage');
  });
  beforeEach(() => window.history.replaceState(null, '', '/notifications'));

  it("asks for the opening page's data before the session check answers, once", async () => {
    const api = server();
    renderApp();
    await until(() => api.sent.includes('Me') && api.sent.includes('Notifications'));
    // Nothing of the page shows while the session is unknown, even once its data is in.
    api.answer('Notifications', notifications);
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText('Azure is at risk')).toBeNull();
    expect(screen.getByText('Starting certlink…')).toBeTruthy();

    api.answer('Me', { data: { me: { __typename: 'User', ...viewer() } } });
    expect(await screen.findByText('Azure is at risk')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 20));
    expect(api.sent.filter((n) => n === 'Notifications')).toEqual(['Notifications']);
    expect(api.sent.filter((n) => n === 'Me')).toEqual(['Me']);
  });

  it('shares the request with the page when the session answers first', async () => {
    const api = server();
    renderApp();
    await until(() => api.sent.includes('Me') && api.sent.includes('Notifications'));
    api.answer('Me', { data: { me: { __typename: 'User', ...viewer() } } });
    expect(await screen.findByRole('heading', { name: 'Notifications' })).toBeTruthy();
    api.answer('Notifications', notifications);
    expect(await screen.findByText('Azure is at risk')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 20));
    expect(api.sent.filter((n) => n === 'Notifications')).toEqual(['Notifications']);
  });

  it('shows a signed-out visitor only the sign-in page, with no "session ended" notice', async () => {
    const api = server();
    renderApp();
    await until(() => api.sent.includes('Me') && api.sent.includes('Notifications'));
    api.answer('Notifications', unauthenticated);
    api.answer('Me', unauthenticated);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByText(/session has ended/)).toBeNull();
    expect(screen.queryByText('Azure is at risk')).toBeNull();
  });

  it('asks again on a later visit to the page', async () => {
    const api = server();
    renderApp();
    await until(() => api.sent.includes('Notifications'));
    api.answer('Notifications', notifications);
    api.answer('Me', { data: { me: { __typename: 'User', ...viewer() } } });
    expect(await screen.findByText('Azure is at risk')).toBeTruthy();
    screen.getByRole('link', { name: 'My profile' }).click();
    expect(await screen.findByRole('heading', { name: 'My profile' })).toBeTruthy();
    screen.getByRole('link', { name: /^Notifications/ }).click();
    expect(await screen.findByText('Azure is at risk')).toBeTruthy();
    await until(() => api.sent.filter((n) => n === 'Notifications').length === 2);
  });
});

describe('usePageQueryPolicy', () => {
  const policy = (client: ReturnType<typeof mockClient>) =>
    renderHook(() => usePageQueryPolicy(NotificationsQuery, 'cache-and-network'), { wrapper: ({ children }) => withClient(client, children) }).result.current;

  it('reads the prefetched answer on the opening page, once', () => {
    const client = mockClient({});
    prefetchPageData(client, '/notifications', [NotificationsQuery]);
    showingPage(client, '/notifications');
    expect(policy(client)).toBe('cache-first');
    expect(policy(client)).toBe('cache-and-network');
  });

  it('forgets the prefetch once the shell showed another page first', () => {
    const client = mockClient({});
    prefetchPageData(client, '/notifications', [NotificationsQuery]);
    showingPage(client, '/profile');
    showingPage(client, '/notifications');
    expect(policy(client)).toBe('cache-and-network');
  });

  it('keeps the page\'s own policy without a prefetch', () => {
    expect(policy(mockClient({}))).toBe('cache-and-network');
  });
});
