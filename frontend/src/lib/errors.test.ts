import { describe, expect, it } from 'vitest';
import { CombinedError } from 'urql';
import { describeError, NETWORK_MESSAGE, UNKNOWN_MESSAGE } from './errors';
import { formatDate, formatMoment } from './format';

const gql = (code: string | undefined, message: string, extensions: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [{ message, extensions: code ? { code, ...extensions } : extensions }] });

const CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'INVALID_INPUT', 'INVALID_CREDENTIALS', 'ASSOCIATION_LIMITED', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE'];

describe('describeError', () => {
  it("shows the server's sentence when it is one", () => {
    expect(describeError(gql('INVALID_CREDENTIALS', 'The email or password is not correct.'))).toBe('The email or password is not correct.');
  });

  it('makes a sentence of a bare message', () => {
    expect(describeError(gql('FORBIDDEN', 'only the user themself can link an account'))).toBe('Only the user themself can link an account.');
  });

  it('keeps the spelling of a name it starts with (a domain, an address)', () => {
    expect(describeError(gql('NOT_FOUND', 'fabrikam.example is not a verified domain of Fabrikam Inc.'))).toBe('fabrikam.example is not a verified domain of Fabrikam Inc.');
    expect(describeError(gql('CONFLICT', 'lee@fabrikam.example has already signed in'))).toBe('lee@fabrikam.example has already signed in.');
  });

  it.each(CODES)('never shows the raw code %s', (code) => {
    const text = describeError(gql(code, code));
    expect(text).not.toContain(code);
    expect(text).toMatch(/^[A-Z].*[.!?]$/);
  });

  it('tells a refusal by its reason when it has no words of its own', () => {
    expect(describeError(gql('FORBIDDEN', 'FORBIDDEN', { reason: 'PASSWORD_CHANGE_REQUIRED' }))).toBe(
      'Choose your own password first: you signed in with a temporary one.',
    );
    expect(describeError(gql('CONFLICT', '', { reason: 'REQUIREMENTS_UNMET' }))).toMatch(/every requirement of the option is met/);
  });

  it('falls back to a sentence for an error without code or words', () => {
    expect(describeError(gql(undefined, 'E42'))).toBe(UNKNOWN_MESSAGE);
  });

  it("rewrites timestamps in ASSOCIATION_LIMITED as moments in the reader's time, with the time of day", () => {
    const text = describeError(
      gql('ASSOCIATION_LIMITED', 'We require a period of 30 days between associations. Your next available date for a subsequent association is 2026-12-24T01:03:41Z.'),
    );
    expect(text).toContain(`${formatMoment('2026-12-24T01:03:41Z')}.`);
    expect(text).not.toMatch(/T01:03/);
    expect(text).toMatch(/^We require a period of 30 days between associations\./);
  });

  it('adds the date from extensions when the message lacks it', () => {
    const text = describeError(gql('ASSOCIATION_LIMITED', 'This profile was associated too recently', { nextAssociationAllowedAt: '2026-12-24T00:00:00Z' }));
    expect(text).toBe(`This profile was associated too recently. Your next available date for a subsequent association is ${formatMoment('2026-12-24T00:00:00Z')}.`);
  });

  it("doesn't repeat a date the message already names", () => {
    const message =
      'Your association is limited. We require a period of 30 days between associations and allow 3 per year. Your next available date for a subsequent association is December 24, 2026.';
    expect(describeError(gql('ASSOCIATION_LIMITED', message, { nextAssociationAllowedAt: '2026-12-24T01:09:35Z' }))).toBe(message);
  });

  it('keeps a plain ISO date a day', () => {
    expect(describeError(gql('INVALID_INPUT', 'No results after 2026-12-24 are accepted'))).toBe(`No results after ${formatDate('2026-12-24')} are accepted.`);
  });

  it('builds the L6 sentence from a code and a date alone', () => {
    const text = describeError(gql('ASSOCIATION_LIMITED', 'ASSOCIATION_LIMITED', { nextAssociationAllowedAt: '2027-01-05T00:00:00Z' }));
    expect(text).toContain('30 days');
    expect(text).toContain(formatMoment('2027-01-05T00:00:00Z'));
  });

  it('hides internals that leak into a message', () => {
    expect(describeError(gql('INTERNAL', 'sql: no rows in result set'))).toBe(UNKNOWN_MESSAGE);
    expect(describeError(gql(undefined, 'panic\n    at main.go:12'))).toBe(UNKNOWN_MESSAGE);
  });

  it('explains a network failure', () => {
    expect(describeError(new CombinedError({ networkError: new TypeError('Failed to fetch') }))).toBe(NETWORK_MESSAGE);
  });

  it('explains a server failure without GraphQL errors', () => {
    const err = new CombinedError({ networkError: new Error('Internal Server Error'), response: { status: 502 } });
    expect(describeError(err)).toBe(UNKNOWN_MESSAGE);
  });

  it('handles nothing at all', () => {
    expect(describeError(undefined)).toBe(UNKNOWN_MESSAGE);
  });
});
