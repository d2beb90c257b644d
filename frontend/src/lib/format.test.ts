import { describe, expect, it } from 'vitest';

// A reader west of UTC: midnight UTC is the evening before there. Set before
// the formatters are first used (they are made lazily).
process.env.TZ = 'America/New_York';

const { formatDate, formatShortDate, formatDateTime, formatMoment } = await import('./format');

describe('days are UTC days, as the API and the CSV count them', () => {
  it('shows a catalog date at midnight UTC as that day west of UTC', () => {
    expect(new Date('2025-03-31T00:00:00Z').getDate()).toBe(30); // the local day differs
    expect(formatDate('2025-03-31T00:00:00Z')).toMatch(/31/);
    expect(formatShortDate('2027-03-31T00:00:00Z')).toMatch(/31/);
  });
  it('shows a late-evening UTC completion on its UTC day', () => {
    expect(formatShortDate('2025-10-06T23:30:00Z')).toMatch(/\b6\b/);
  });
  it('names the zone of a moment', () => {
    expect(formatDateTime('2025-10-06T23:30:00Z')).toMatch(/EDT|GMT-4|ET/);
  });
  it("says a moment in a sentence on the reader's day, with its time and zone", () => {
    expect(formatMoment('2027-01-06T03:11:00Z')).toMatch(/^January 5, 2027 at 10:11\sPM (EST|GMT-5)$/);
  });
});
