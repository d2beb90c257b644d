import { Client, cacheExchange, fetchExchange, mapExchange } from 'urql';
import { errorCode } from './errors';

/**
 * The API client. The session is the HttpOnly cookie set by signIn, so requests go
 * same-origin with credentials and the app never sees or stores a token (SPEC A2).
 * onSessionEnded runs when a request other than the session check itself comes back
 * UNAUTHENTICATED (the session expired or was signed out elsewhere).
 */
export function createApiClient(onSessionEnded: () => void = () => {}): Client {
  return new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'same-origin' },
    preferGetMethod: false,
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const isSessionCheck = operation.kind === 'query' && operation.context.sessionCheck === true;
          if (!isSessionCheck && errorCode(error) === 'UNAUTHENTICATED') onSessionEnded();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
