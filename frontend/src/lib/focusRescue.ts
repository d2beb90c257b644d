/**
 * Focus rescue: the outcome of an action takes the focus the action lost.
 *
 * A button that is disabled while its request runs, a dialog that closes, a
 * form that is replaced by its result all drop the keyboard focus to <body>:
 * a keyboard or screen-reader user is sent back to the top of the page and
 * is not told what happened (review: associate refused, purchase, invite,
 * token created, user deleted). Rather than have every page manage it, one
 * watcher does, for the whole app:
 *
 * - an action is a click, or Enter or Space, on a button, a link or a form
 *   field (not a click on the page's background);
 * - within ACTION_WINDOW_MS of it, whenever the focus is on <body> (or
 *   nowhere), it goes to what the action brought: the newest field marked
 *   invalid, else the newest message (an .alert, role="alert" or
 *   role="status"), else back to the element the action started from when
 *   it is still there and enabled (a dialog closed with Escape);
 * - focus that is anywhere else is never moved, nor focus the user put on
 *   the page's background (a press there ends the action's window).
 */

export const ACTION_WINDOW_MS = 30_000;

const MESSAGE = '.alert, [role="alert"], [role="status"]';
const ACTIONABLE = 'button, a[href], input, select, textarea, summary, [role="button"], [role="menuitem"], [role="tab"]';

function lost(doc: Document): boolean {
  const active = doc.activeElement;
  return active === null || active === doc.body || active === doc.documentElement;
}

function usable(el: Element | null): el is HTMLElement {
  if (!(el instanceof HTMLElement) || !el.isConnected) return false;
  if ((el as HTMLButtonElement).disabled || el.closest('[hidden], [inert]')) return false;
  // Not displayed (a closed <details>, display: none): where the browser can tell.
  const visible = (el as HTMLElement & { checkVisibility?: () => boolean }).checkVisibility;
  return typeof visible !== 'function' || visible.call(el);
}

function focusOn(el: HTMLElement) {
  if (!el.matches(ACTIONABLE) && !el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus();
}

/**
 * For an action whose control goes away with it (a Done that dismisses its panel, a dialog that
 * closes on success): its outcome, or the sensible place to go on from, takes the focus explicitly,
 * where the watcher would have nothing left to return to. Something not focusable (a row, a
 * heading) is made focusable by script only. Returns whether it took the focus.
 */
export function focusOutcome(el: Element | null | undefined): boolean {
  if (!(el instanceof HTMLElement) || !el.isConnected) return false;
  focusOn(el);
  return el.ownerDocument.activeElement === el;
}

/** Starts the watcher on doc; returns its stop. */
export function watchFocus(doc: Document = document, now: () => number = () => Date.now()): () => void {
  let actionAt = -Infinity;
  let origin: HTMLElement | null = null;
  let invalid: HTMLElement | null = null;
  let message: HTMLElement | null = null;
  let pending = false;

  const inWindow = () => now() - actionAt <= ACTION_WINDOW_MS;

  const rescue = () => {
    pending = false;
    // The window has the focus (not the browser's own bar the user tabbed to).
    if (!inWindow() || !lost(doc) || !doc.hasFocus()) return;
    for (const el of [invalid, message, origin]) {
      if (usable(el)) {
        focusOn(el);
        if (!lost(doc)) return;
      }
    }
  };
  // After the DOM has settled: a dialog closing and a message appearing are
  // often one render apart.
  const soon = () => {
    if (pending) return;
    pending = true;
    (doc.defaultView ?? window).setTimeout(rescue, 0);
  };

  const onAction = (target: EventTarget | null) => {
    const el = target instanceof Element ? (target.closest(ACTIONABLE) as HTMLElement | null) : null;
    if (!el) return;
    actionAt = now();
    origin = el;
    invalid = null;
    message = null;
  };
  const onClick = (e: MouseEvent) => onAction(e.target);
  // A press on the page's background puts the focus there on purpose: the
  // action's window ends.
  const onMouseDown = (e: MouseEvent) => {
    if (!(e.target instanceof Element) || !e.target.closest(ACTIONABLE)) actionAt = -Infinity;
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') onAction(e.target);
  };
  const onFocusOut = (e: FocusEvent) => {
    if (e.relatedTarget === null && inWindow()) soon();
  };

  const observer = new MutationObserver((records) => {
    if (!inWindow()) return;
    for (const r of records) {
      if (r.type === 'attributes') {
        const el = r.target as HTMLElement;
        if (r.attributeName === 'aria-invalid' && el.getAttribute('aria-invalid') === 'true') invalid = el;
        continue;
      }
      r.addedNodes.forEach((n) => {
        if (!(n instanceof HTMLElement)) return;
        const found = n.matches(MESSAGE) ? n : (n.querySelector(MESSAGE) as HTMLElement | null);
        if (found) message = found;
        const bad = n.matches('[aria-invalid="true"]') ? n : (n.querySelector('[aria-invalid="true"]') as HTMLElement | null);
        if (bad) invalid = bad;
      });
    }
    soon();
  });

  doc.addEventListener('mousedown', onMouseDown, true);
  doc.addEventListener('click', onClick, true);
  doc.addEventListener('keydown', onKey, true);
  doc.addEventListener('focusout', onFocusOut, true);
  observer.observe(doc.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-invalid', 'disabled', 'open'] });
  return () => {
    observer.disconnect();
    doc.removeEventListener('mousedown', onMouseDown, true);
    doc.removeEventListener('click', onClick, true);
    doc.removeEventListener('keydown', onKey, true);
    doc.removeEventListener('focusout', onFocusOut, true);
  };
}
