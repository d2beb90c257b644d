import { afterAll, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, viewer, withClient } from '../test/mockClient';

// Outside review: in a browser in Pacific/Kiritimati (UTC+14), "Next association allowed: from
// January 6, 2027" was the UTC day of 2027-01-06T10:11Z, which is January 7 there. Set before
// the formatters are first used (they are made lazily).
const zone = process.env.TZ;
process.env.TZ = 'Pacific/Kiritimati';
afterAll(() => {
  process.env.TZ = zone;
});
const { ProfilePage } = await import('./ProfilePage');

const NEXT = '2027-01-06T10:11:00Z';
const LOCAL = /^from January 7, 2027 at 12:11\sAM GMT\+14$/;

describe("My profile's moments are the reader's own time, with the time of day and the zone", () => {
  it('shows the next allowed association of the MCID last associated', () => {
    const client = mockClient({ query: () => ({ data: { me: viewer({ nextAssociationAllowedAt: NEXT, associatedBefore: true, associationsRemaining: 2 }) } }) });
    render(withClient(client, <ProfilePage />));
    expect(screen.getByTestId('next-association').textContent).toMatch(LOCAL);
  });

  it('shows the Partner University account next allowed association', () => {
    const client = mockClient({ query: () => ({ data: { me: viewer({ partnerUniversityNextAssociationAllowedAt: NEXT, partnerUniversityAssociatedBefore: true }) } }) });
    render(withClient(client, <ProfilePage />));
    expect(screen.getByTestId('pu-next-association').textContent).toMatch(LOCAL);
  });

  it('shows when the account was associated', () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer({ learningAccount: { mcid: '9900001', email: 'alex@learn.example', name: 'Alex Wilber', linkedAt: '2026-06-24T10:30:00Z' } }) } }),
    });
    render(withClient(client, <ProfilePage />));
    expect(screen.getByText(/^June 25, 2026 at 12:30\sAM GMT\+14$/)).toBeTruthy();
  });

  it('says the moment an MCID checked may be associated', async () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: () => ({
        data: {
          previewAssociation: {
            kind: 'LEARNING', mcid: '9900003', name: 'Jordan Lee', alreadyYours: false, moves: false, movesFromOrganization: null, alsoEnds: null,
            alsoEndsInOrganization: null, replaceFirst: false, allowed: false, nextAssociationAllowedAt: NEXT, associationsRemaining: 2, usesQuota: true, nextAfterThisAt: null,
          },
        },
      }),
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Its next available date for a subsequent association is January 7, 2027 at 12:11\sAM GMT\+14\.$/);
  });
});
