import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useLatest } from './useLatest';

type V = { n: number }[];

describe('useLatest', () => {
  it('shows whichever answer came last, keeping the shown object when an answer repeats it', () => {
    const fromQuery: V = [{ n: 1 }];
    const { result, rerender } = renderHook(({ q, l }: { q?: V; l?: V }) => useLatest(q, l), { initialProps: { q: fromQuery } as { q?: V; l?: V } });
    expect(result.current).toBe(fromQuery);

    // The subscription's first message repeats the query: same object, nothing to redo.
    rerender({ q: fromQuery, l: [{ n: 1 }] });
    expect(result.current).toBe(fromQuery);

    // A live change replaces it.
    const changed: V = [{ n: 2 }];
    rerender({ q: fromQuery, l: changed });
    expect(result.current).toBe(changed);

    // A refetch after it wins again, being the latest answer.
    const refetched: V = [{ n: 3 }];
    rerender({ q: refetched, l: changed });
    expect(result.current).toBe(refetched);

    // Re-rendering with the same inputs keeps it.
    rerender({ q: refetched, l: changed });
    expect(result.current).toBe(refetched);
  });

  it('starts from the live answer when it is already there', () => {
    const live: V = [{ n: 9 }];
    const { result } = renderHook(() => useLatest<V>(undefined, live));
    expect(result.current).toBe(live);
  });
});
