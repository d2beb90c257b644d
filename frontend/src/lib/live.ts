// Live updates (SPEC B4): GraphQL subscriptions over graphql-ws (the
// graphql-transport-ws subprotocol) at ws(s)://<this host>/graphql. The browser sends
// the session cookie with the upgrade, so, like every request of the app, the socket
// authenticates without a token. The socket opens with the first subscription and
// closes shortly after the last one ends; it reconnects on its own with a backoff.
import { createClient, type Client as WsClient } from 'graphql-ws';
import { useSyncExternalStore } from 'react';

/** 'connecting' until the socket is up, 'open' while it is, 'down' after it failed or closed. */
export type SocketState = 'idle' | 'connecting' | 'open' | 'down';

let state: SocketState = 'idle';
const listeners = new Set<() => void>();
function set(next: SocketState) {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

export function socketState(): SocketState {
  return state;
}

/** The socket's state, for an indicator. */
export function useSocketState(): SocketState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    socketState,
    socketState,
  );
}

export function liveUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/graphql`;
}

/** The server's close codes that say the sign-in behind the socket ended or changed. */
export const CloseUnauthenticated = 4401;
export const CloseSessionChanged = 4403;

/**
 * onClosedBy hears the code of every close; the API client acts on 4401 (the
 * session ended: sign in again) and 4403 (roles or organization changed: load
 * everything again), as it does on an UNAUTHENTICATED answer over HTTP.
 */
export function createLiveClient(url = liveUrl(), onClosedBy: (code: number) => void = () => {}): WsClient {
  return createClient({
    url,
    lazy: true,
    lazyCloseTimeout: 3_000,
    // Keep trying in the background (the page shows the last loaded data meanwhile):
    // 1 s, 2 s, 4 s … at most 30 s apart.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((ok) => setTimeout(ok, Math.min(30_000, 1_000 * 2 ** retries))),
    on: {
      connecting: () => set(state === 'down' ? 'down' : 'connecting'),
      connected: () => set('open'),
      closed: (event) => {
        set('down');
        const code = (event as { code?: unknown } | undefined)?.code;
        if (typeof code === 'number') onClosedBy(code);
      },
      error: () => set('down'),
    },
  });
}

/** Forget the socket state (tests). */
export function resetSocketState() {
  set('idle');
}
