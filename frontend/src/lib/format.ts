// Dates are shown in the reader's locale, as a day (the rules of SPEC L6 count days).
// The formatters are made on first use, not when the app starts: the first one
// loads the locale's data, which need not delay the first paint.
function lazyFormat(options: Intl.DateTimeFormatOptions): { format(date: Date): string } {
  let f: Intl.DateTimeFormat | null = null;
  return { format: (date) => (f ??= new Intl.DateTimeFormat(undefined, options)).format(date) };
}
const dayFormat = lazyFormat({ year: 'numeric', month: 'long', day: 'numeric' });
const shortDayFormat = lazyFormat({ year: 'numeric', month: 'short', day: 'numeric' });
const dayTimeFormat = lazyFormat({ dateStyle: 'medium', timeStyle: 'short' });

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
