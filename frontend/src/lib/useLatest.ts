import { useRef } from 'react';

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Whichever of the query's and the subscription's answers arrived last. An answer
 * equal to the one shown keeps the shown object, so the page's memoized parts do not
 * recompute for nothing: the subscription's first message repeats what the query
 * just loaded. Decided during render (no effect and second render per answer).
 */
export function useLatest<T>(fromQuery: T | undefined, fromLive: T | undefined): T | undefined {
  const last = useRef<{ query: T | undefined; live: T | undefined; value: T | undefined } | null>(null);
  const prev = last.current;
  let value: T | undefined;
  if (!prev) value = fromLive ?? fromQuery;
  else if (fromLive !== prev.live && fromLive !== undefined) value = prev.value !== undefined && same(prev.value, fromLive) ? prev.value : fromLive;
  else if (fromQuery !== prev.query && fromQuery !== undefined) value = prev.value !== undefined && same(prev.value, fromQuery) ? prev.value : fromQuery;
  else value = prev.value;
  last.current = { query: fromQuery, live: fromLive, value };
  return value;
}
