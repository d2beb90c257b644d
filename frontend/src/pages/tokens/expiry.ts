// How an API token's expiry reads on the tokens page (A2, issue 11): every token
// made by createApiToken expires; a Global Admin is warned in time to replace it.
import { formatShortDate } from '../../lib/format';

const DAY = 24 * 60 * 60 * 1000;

/** Tokens expiring within this many days are flagged, and counted in the page's warning. */
export const WARN_DAYS = 14;

/** The lifetimes offered when creating a token; the server allows 1 to 366 days. */
export const LIFETIMES: [number, string][] = [
  [7, '7 days'],
  [30, '30 days'],
  [60, '60 days'],
  [90, '90 days (recommended)'],
  [180, '180 days'],
  [366, '1 year'],
];
export const DEFAULT_LIFETIME = 90;

export type Expiry =
  | { state: 'revoked' }
  | { state: 'never' } // made before tokens expired
  | { state: 'expired'; date: string }
  | { state: 'soon' | 'later'; date: string; inWords: string };

/** When the token stops working, as the page shows it. */
export function tokenExpiry(t: { expiresAt?: string | null; revokedAt?: string | null }, now = Date.now()): Expiry {
  if (t.revokedAt) return { state: 'revoked' };
  if (!t.expiresAt) return { state: 'never' };
  const left = new Date(t.expiresAt).getTime() - now;
  const date = formatShortDate(t.expiresAt);
  if (!(left > 0)) return { state: 'expired', date };
  return { state: left <= WARN_DAYS * DAY ? 'soon' : 'later', date, inWords: expiresIn(left) };
}

/** "expires in 12 days", "expires in 3 hours", "expires in less than an hour". */
export function expiresIn(ms: number): string {
  if (ms >= DAY) {
    const days = Math.round(ms / DAY);
    return `expires in ${days} ${days === 1 ? 'day' : 'days'}`;
  }
  const hours = Math.floor(ms / (60 * 60 * 1000));
  if (hours < 1) return 'expires in less than an hour';
  return `expires in ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}
