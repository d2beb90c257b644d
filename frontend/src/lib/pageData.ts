// The page the app opens on asks for its data at the same time as the session check
// (`me`), rather than after it answered: prefetchPageData starts the page's queries
// (the ones without variables that it runs as it mounts) on the session's client.
//
// Nothing of it shows before the session check says who is signed in: the answers
// only go into the client's cache, which SessionGate never reads for a signed-out
// visitor (whose requests the server refuses anyway: an UNAUTHENTICATED answer to a
// prefetch does not end a session, see client.ts). No request is made twice: a page
// that mounts while its prefetch is in flight shares that request (urql sends one
// operation per key), and the page's first mount after a prefetch reads the cache
// (usePageQueryPolicy) instead of asking again; later mounts ask the network again
// as before.
import { useEffect, useState } from 'react';
import { useClient, type Client, type RequestPolicy, type TypedDocumentNode } from 'urql';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PageQuery = TypedDocumentNode<any, Record<string, never>>;

/** Marks the operations of a prefetch (client.ts does not end the session on their UNAUTHENTICATED). */
export const prefetchContext = { prefetch: true } as const;

// Per client, the opening page's path and its prefetched queries not yet read by it.
const fresh = new WeakMap<Client, { path: string; queries: Set<PageQuery> }>();

/** Starts each query of the page at path once, kept open until its first answer (which the cache keeps). */
export function prefetchPageData(client: Client, path: string, queries: readonly PageQuery[]): void {
  if (queries.length === 0) return;
  let entry = fresh.get(client);
  if (!entry) fresh.set(client, (entry = { path, queries: new Set() }));
  const pending = entry.queries;
  for (const query of queries) {
    if (pending.has(query)) continue;
    pending.add(query);
    const sub = client.query(query, {}, { ...prefetchContext, requestPolicy: 'network-only' }).subscribe((result) => {
      // An answer without data (refused, failed) is not cached: the page asks again.
      if (!result.data) pending.delete(query);
      // After the first answer; synchronously delivered answers end below.
      queueMicrotask(() => sub.unsubscribe());
    });
  }
}

/**
 * The request policy for a page's query: 'cache-first' on the page's first mount
 * after the app prefetched it (the answer is in the cache or on its way), the
 * page's own policy otherwise. Fixed for the life of the component.
 */
export function usePageQueryPolicy(query: PageQuery, policy: RequestPolicy): RequestPolicy {
  const client = useClient();
  const [chosen] = useState(() => (fresh.get(client)?.queries.has(query) ? 'cache-first' : policy));
  // Taken once mounted: a later mount asks the network again.
  useEffect(() => {
    fresh.get(client)?.queries.delete(query);
  }, [client, query]);
  return chosen;
}

/**
 * The shell shows the page at path: once it is another page than the one the app
 * opened on, the prefetched answers are no longer fresh (the opening page, visited
 * later, asks the network as it always did).
 */
export function showingPage(client: Client, path: string): void {
  const entry = fresh.get(client);
  if (entry && entry.path !== path) entry.queries.clear();
}
