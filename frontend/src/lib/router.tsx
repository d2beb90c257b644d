// A minimal history router: the app has a handful of flat routes, which does not
// justify a router dependency in the main bundle.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const NAVIGATE = 'certlink:navigate';

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

/** Dispatched when a link to the page already shown is followed: a page that failed to load tries again. */
export const RENAVIGATE = 'certlink:renavigate';

/** keepScroll: the address names a part of the page shown (an opened ticket), not another page. */
export function navigate(to: string, options: { replace?: boolean; keepScroll?: boolean } = {}) {
  if (to === window.location.pathname + window.location.search) {
    window.dispatchEvent(new Event(RENAVIGATE));
    return;
  }
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  if (!options.keepScroll) window.scrollTo?.(0, 0);
}

/**
 * Rewrites the query string of the address shown, in place: no new history entry, no scroll. A page
 * keeps what it shows (filters, order, page) there, so Back and reload bring it back. state goes
 * with the entry (history.state survives Back and reload too) for what does not belong in an address.
 */
export function replaceSearch(search: URLSearchParams, state: unknown = window.history.state) {
  const q = search.toString();
  window.history.replaceState(state, '', window.location.pathname + (q ? `?${q}` : '') + window.location.hash);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname, () => '/');
}

export function useSearch(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, () => window.location.search, () => '');
  return new URLSearchParams(search);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
