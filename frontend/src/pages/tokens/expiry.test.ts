import { describe, expect, it } from 'vitest';
import { expiresIn, tokenExpiry } from './expiry';

const now = Date.parse('2027-03-01T12:00:00Z');
const inDays = (d: number) => new Date(now + d * 24 * 3600 * 1000).toISOString();

describe('an API token’s expiry', () => {
  it('says how soon, flagging the last two weeks', () => {
    expect(tokenExpiry({ expiresAt: inDays(90) }, now)).toMatchObject({ state: 'later', inWords: 'expires in 90 days' });
    expect(tokenExpiry({ expiresAt: inDays(15) }, now)).toMatchObject({ state: 'later', inWords: 'expires in 15 days' });
    expect(tokenExpiry({ expiresAt: inDays(12) }, now)).toMatchObject({ state: 'soon', inWords: 'expires in 12 days' });
    expect(tokenExpiry({ expiresAt: inDays(1) }, now)).toMatchObject({ state: 'soon', inWords: 'expires in 1 day' });
  });

  it('marks expired, revoked and never-expiring tokens', () => {
    expect(tokenExpiry({ expiresAt: inDays(-1) }, now).state).toBe('expired');
    expect(tokenExpiry({ expiresAt: new Date(now).toISOString() }, now).state).toBe('expired');
    expect(tokenExpiry({ expiresAt: inDays(-1), revokedAt: inDays(-2) }, now).state).toBe('revoked');
    expect(tokenExpiry({ expiresAt: null }, now).state).toBe('never');
  });

  it('counts hours in the last day', () => {
    expect(expiresIn(5 * 3600 * 1000 + 1)).toBe('expires in 5 hours');
    expect(expiresIn(3600 * 1000)).toBe('expires in 1 hour');
    expect(expiresIn(59 * 60 * 1000)).toBe('expires in less than an hour');
  });
});
