// A tab left open shows what was true when it loaded; meanwhile another tab,
// another person or an admin may have changed it (a review: My profile still
// showed an MCID that someone else had associated with their work account,
// and offered to remove it). A page that shows such state asks again when its
// reader comes back to it.
import { useEffect, useRef } from 'react';

/** The shortest time between two refreshes: coming back fires both focus and visibilitychange. */
export const RETURN_GAP_MS = 2_000;

/**
 * Calls refresh when the window regains the focus or its tab is shown again, at most once in
 * RETURN_GAP_MS (counted from the start too: what was just loaded is not asked again). Returns its stop.
 */
export function onReturn(refresh: () => void, win: Window = window, now: () => number = () => Date.now()): () => void {
  let last = now();
  const back = () => {
    if (win.document.visibilityState === 'hidden' || now() - last < RETURN_GAP_MS) return;
    last = now();
    refresh();
  };
  win.addEventListener('focus', back);
  win.document.addEventListener('visibilitychange', back);
  return () => {
    win.removeEventListener('focus', back);
    win.document.removeEventListener('visibilitychange', back);
  };
}

/** onReturn for a component: the latest refresh it rendered with. */
export function useRefreshOnReturn(refresh: () => void) {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(() => onReturn(() => latest.current()), []);
}
