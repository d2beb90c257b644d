import { useCallback, useEffect, useState } from 'react';
import { focusOutcome } from './focusRescue';

/**
 * Focus, once the next render is done, the first of some places that is there: for an action whose
 * control goes away with it (Done on a one-time secret, a dialog closed by its success). The effect
 * runs after the children's, so after a closing <dialog> gave the focus back to its opener, which
 * may be gone or about to go.
 */
export function useFocusAfterRender(): (...places: (() => Element | null | undefined)[]) => void {
  const [pending, setPending] = useState<{ places: (() => Element | null | undefined)[] } | null>(null);
  useEffect(() => {
    if (!pending) return;
    setPending(null);
    for (const place of pending.places) if (focusOutcome(place())) return;
  }, [pending]);
  return useCallback((...places) => setPending({ places }), []);
}
