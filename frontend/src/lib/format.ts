// Dates are shown in the reader's locale, as a day (the rules of SPEC L6 count days).
// A day is a UTC day, as the API, the CSV downloads, the server's messages and
// its date filters count them: a catalog date or a completion at midnight UTC
// is the same day in New York as in the CSV (an outside review saw March 30
// beside the CSV's 2025-03-31). A moment (formatDateTime, formatMoment) is the
// reader's own time, with its zone named: the next allowed association at
// 10:11 UTC on January 6 is January 7 in Kiritimati (UTC+14), and a day alone
// would say the 6th there (an outside review).
// The formatters are made on first use, not when the app starts: the first one
// loads the locale's data, which need not delay the first paint.
function lazyFormat(options: Intl.DateTimeFormatOptions): { format(date: Date): string } {
  let f: Intl.DateTimeFormat | null = null;
  return { format: (date) => (f ??= new Intl.DateTimeFormat(undefined, options)).format(date) };
}
const dayFormat = lazyFormat({ year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const shortDayFormat = lazyFormat({ year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayTimeFormat = lazyFormat({
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
});
const momentFormat = lazyFormat({
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
});

export function formatDate(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : dayFormat.format(date);
}

/** A day in a table cell: "Sep 24, 2025". */
export function formatShortDate(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : shortDayFormat.format(date);
}

export function formatDateTime(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : dayTimeFormat.format(date);
}

/** A moment in a sentence, in the reader's time: "January 7, 2027 at 12:11 AM GMT+14". */
export function formatMoment(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? String(value) : momentFormat.format(date);
}

/** True when the instant is still ahead of now. */
export function isFuture(value: string | null | undefined, now = Date.now()): boolean {
  if (!value) return false;
  const t = new Date(value).getTime();
  return !Number.isNaN(t) && t > now;
}

const roleLabels: Record<string, string> = {
  GLOBAL_ADMIN: 'Global admin',
  ACCOUNT_ADMIN: 'Account admin',
  USER_MANAGEMENT_ADMIN: 'User management admin',
  MPN_PARTNER_ADMIN: 'MPN partner admin',
  OPERATOR: 'Operator',
};

export function roleLabel(role: string): string {
  return roleLabels[role] ?? role.charAt(0) + role.slice(1).toLowerCase().replaceAll('_', ' ');
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a directory account's number is called: a Partner University account's number is not an MCID. */
export function numberLabel(kind?: 'LEARNING' | 'PARTNER_UNIVERSITY' | null): string {
  return kind === 'PARTNER_UNIVERSITY' ? 'Partner University' : 'MCID';
}
