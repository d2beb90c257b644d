// The qualification window as a calendar strip: six months of days, each
// qualified (recorded), not qualified (recorded), not recorded, or ahead.

export type DayState = 'qualified' | 'unqualified' | 'unrecorded' | 'ahead' | 'today-qualified' | 'today-unqualified';

export interface StripDay {
  date: string; // YYYY-MM-DD
  state: DayState;
  score?: number;
}

export interface StripMonth {
  key: string; // YYYY-MM
  label: string; // "Jul 2026"
  days: StripDay[];
  qualifiedDays: number;
}

export interface RecordedDay {
  day: string;
  qualified: boolean;
  score: number;
  live: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Lays the window's days (opensOn to closesOn, UTC) out by month; today is the server's. */
export function windowStrip(opensOn: string, closesOn: string, days: readonly RecordedDay[], today: string): StripMonth[] {
  const byDay = new Map(days.map((d) => [d.day.slice(0, 10), d]));
  const months: StripMonth[] = [];
  const start = new Date(opensOn.slice(0, 10) + 'T00:00:00Z');
  const end = new Date(closesOn.slice(0, 10) + 'T00:00:00Z');
  for (let d = start; d <= end; d = new Date(d.getTime() + 86_400_000)) {
    const date = ymd(d);
    const key = date.slice(0, 7);
    let month = months[months.length - 1];
    if (!month || month.key !== key) {
      month = { key, label: `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`, days: [], qualifiedDays: 0 };
      months.push(month);
    }
    const rec = byDay.get(date);
    let state: DayState;
    if (date > today) state = 'ahead';
    else if (date === today) state = rec?.qualified ? 'today-qualified' : 'today-unqualified';
    else if (!rec) state = 'unrecorded';
    else state = rec.qualified ? 'qualified' : 'unqualified';
    if (rec?.qualified) month.qualifiedDays++;
    month.days.push({ date, state, score: rec?.score });
  }
  return months;
}
