import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { errorCode } from './errors';
import { CloseSessionChanged, CloseUnauthenticated, createLiveClient } from './live';

/**
 * The API client. The session is the HttpOnly cookie set by signIn, so requests go
 * same-origin with credentials and the app never sees or stores a token (SPEC A2).
 * onSessionEnded runs when a request other than the session check itself (or the page
 * data prefetched alongside it) comes back
 * UNAUTHENTICATED (the session expired or was signed out elsewhere).
 * Subscriptions (B4) go over graphql-ws on the same origin; the socket carries the
 * same cookie and opens only while a page subscribes. onSessionChanged runs when
 * the server closes the socket because the account's roles or organization
 * changed (4403): everything is loaded again under the new rights.
 */
export function createApiClient(onSessionEnded: () => void = () => {}, onSessionChanged: () => void = onSessionEnded): Client {
  let live: ReturnType<typeof createLiveClient> | null = null;
  // A socket the server closed because the sign-in ended (4401) or changed
  // (4403) ends this client as an UNAUTHENTICATED answer does: an open page
  // must not go on showing data its reader may no longer see.
  const closedBy = (code: number) => {
    if (code !== CloseUnauthenticated && code !== CloseSessionChanged) return;
    const ws = live;
    live = null;
    void ws?.dispose();
    if (code === CloseUnauthenticated) onSessionEnded();
    else onSessionChanged();
  };
  return new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'same-origin' },
    preferGetMethod: false,
    exchanges: [
      mapExchange({
        onError(error, operation) {
          // The session check and the page data asked alongside it (pageData.ts) come
          // back UNAUTHENTICATED for a visitor who is not signed in: no session ended.
          const beforeSession = operation.kind === 'query' && (operation.context.sessionCheck === true || operation.context.prefetch === true);
          if (!beforeSession && errorCode(error) === 'UNAUTHENTICATED') onSessionEnded();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          live ??= createLiveClient(undefined, closedBy);
          const ws = live;
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
