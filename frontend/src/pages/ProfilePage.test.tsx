import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ProfilePage } from './ProfilePage';
import { formatDate } from '../lib/format';
import { gqlError, mockClient, networkError, viewer, withClient, type Answer } from '../test/mockClient';
import type { ProfileUserFragment } from '../gql/graphql';

const linked = viewer({
  learningAccount: { mcid: '9900001', email: 'alex@learn.example', name: 'Alex Wilber', linkedAt: '2026-06-24T10:00:00Z' },
  associationsRemaining: 2,
});

function renderProfile(me: () => ProfileUserFragment | 'pending' | Error, mutation?: (name: string, vars: unknown) => Answer) {
  const client = mockClient({
    query: () => {
      const v = me();
      if (v === 'pending') return 'pending';
      if (v instanceof Error) return { error: networkError() };
      return { data: { me: v } };
    },
    mutation,
  });
  render(withClient(client, <ProfilePage />));
  return client;
}

function answerUser(field: string, user: ProfileUserFragment) {
  return { data: { [field]: { __typename: 'UserPayload', user } } };
}

describe('My profile', () => {
  it('shows a loading state', () => {
    renderProfile(() => 'pending');
    expect(screen.getByRole('status')).toHaveProperty('textContent', 'Loading your profile…');
  });

  it('shows an error state with a sentence and a retry', async () => {
    const client = renderProfile(() => new Error('offline'));
    expect((await screen.findByRole('alert')).textContent).toContain("We couldn't reach certlink");
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(client.executeQuery.mock.calls.length).toBeGreaterThan(1);
  });

  it('shows organization, MPN ID and roles', () => {
    renderProfile(() => viewer({ roles: ['GLOBAL_ADMIN', 'MPN_PARTNER_ADMIN'] }));
    expect(screen.getByText('Contoso Ltd')).toBeTruthy();
    expect(screen.getByText(/MPN ID 4100001/)).toBeTruthy();
    expect(screen.getByText('Global admin')).toBeTruthy();
    expect(screen.getByText('MPN partner admin')).toBeTruthy();
  });

  it('shows the linked MCID and date, and removes access only after confirmation', async () => {
    let me = linked;
    const client = renderProfile(
      () => me,
      (name) => {
        expect(name).toBe('RemoveLearningAccount');
        me = viewer({ associationsRemaining: 2 });
        return answerUser('removeLearningAccount', me);
      },
    );
    expect(screen.getByTestId('mcid').textContent).toBe('9900001');
    expect(screen.getByText(formatDate('2026-06-24T10:00:00Z'))).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/will stop counting for Contoso Ltd/)).toBeTruthy();
    expect(client.executeMutation).not.toHaveBeenCalled();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(client.executeMutation).not.toHaveBeenCalled();
    expect(screen.getByTestId('mcid')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove access' }));
    await screen.findByText(/Access removed\. MCID 9900001 no longer counts for Contoso Ltd\./);
    await waitFor(() => expect(screen.queryByTestId('mcid')).toBeNull());
    expect(screen.getByRole('heading', { name: 'Associate Microsoft Learning account' })).toBeTruthy();
  });

  it('keeps the dialog open with the reason when removal fails', async () => {
    renderProfile(
      () => linked,
      () => ({ error: gqlError('FORBIDDEN', 'Only you can remove your own Learning account.') }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove access' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Only you can remove your own Learning account.');
  });

  it('associates with labelled email and password fields', async () => {
    let me = viewer();
    const client = renderProfile(
      () => me,
      (name, vars) => {
        expect(name).toBe('AssociateLearningAccount');
        expect(vars).toEqual({ input: { email: 'jordan@learn.example', password: 'learn-demo', useSameCredentials: false } });
        me = viewer({ learningAccount: { mcid: '9900003', email: 'jordan@learn.example', name: 'Jordan', linkedAt: '2026-11-24T10:00:00Z' } });
        return answerUser('associateLearningAccount', me);
      },
    );
    expect(screen.queryByRole('checkbox')).toBeNull();
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate' }));
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
    await screen.findByText('MCID 9900003 is now associated with Contoso Ltd.');
    await waitFor(() => expect(screen.getByTestId('mcid').textContent).toBe('9900003'));
  });

  it('offers "Use <email> to associate" when Partner University has the same credentials', async () => {
    const client = renderProfile(
      () =>
        viewer({
          partnerUniversity: { email: 'alex@learn.example', linkedAt: '2026-01-02T00:00:00Z', sameCredentialsAvailable: true },
        }),
      (_name, vars) => {
        expect(vars).toEqual({ input: { useSameCredentials: true } });
        return { error: gqlError('CONFLICT', 'This profile changed meanwhile, try again') };
      },
    );
    const box = screen.getByRole('checkbox', { name: 'Use alex@learn.example to associate' });
    await userEvent.click(box);
    expect(screen.queryByLabelText('Learning account email')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Associate' }));
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
    expect((await screen.findByRole('alert')).textContent).toBe('This profile changed meanwhile, try again.');
  });

  it('shows the next allowed association date and associations left before trying', () => {
    renderProfile(() => viewer({ nextAssociationAllowedAt: '2099-03-01T12:00:00Z', associationsRemaining: 1 }));
    expect(screen.getByTestId('next-association').textContent).toBe(formatDate('2099-03-01T12:00:00Z'));
    expect(screen.getByTestId('associations-remaining').textContent).toBe('1 association in the rolling 12 months');
  });

  it('says "Now" when an association is allowed', () => {
    renderProfile(() => viewer({ nextAssociationAllowedAt: null, associationsRemaining: 3 }));
    expect(screen.getByTestId('next-association').textContent).toBe('Now');
    expect(screen.getByTestId('associations-remaining').textContent).toBe('3 associations in the rolling 12 months');
  });

  it('shows ASSOCIATION_LIMITED as a sentence with the date', async () => {
    renderProfile(
      () => viewer(),
      () => ({
        error: gqlError(
          'ASSOCIATION_LIMITED',
          'We require a period of 30 days between associations. Your next available date for a subsequent association is 2026-12-24T01:03:41Z.',
        ),
      }),
    );
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      `We require a period of 30 days between associations. Your next available date for a subsequent association is ${formatDate('2026-12-24T01:03:41Z')}.`,
    );
  });

  it('gets and removes Partner University access', async () => {
    let me = viewer();
    const client = renderProfile(
      () => me,
      (name, vars) => {
        if (name === 'AssociatePartnerUniversity') {
          expect(vars).toEqual({ input: { email: 'alex@learn.example', password: 'learn-demo' } });
          me = viewer({ partnerUniversity: { email: 'alex@learn.example', linkedAt: '2026-11-24T00:00:00Z', sameCredentialsAvailable: true } });
          return answerUser('associatePartnerUniversity', me);
        }
        expect(name).toBe('RemovePartnerUniversityAccess');
        me = viewer();
        return answerUser('removePartnerUniversityAccess', me);
      },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Get Partner University access' }));
    await userEvent.type(screen.getByLabelText('Partner University email'), 'alex@learn.example');
    await userEvent.type(screen.getByLabelText('Partner University password'), 'learn-demo');
    await userEvent.click(screen.getAllByRole('button', { name: 'Associate' }).at(-1)!);
    await waitFor(() => expect(screen.getByTestId('pu-email').textContent).toBe('alex@learn.example'));

    await userEvent.click(screen.getByRole('button', { name: 'Remove Partner University access' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove access' }));
    await waitFor(() => expect(screen.queryByTestId('pu-email')).toBeNull());
    expect(client.executeMutation).toHaveBeenCalledTimes(2);
  });

  it('offers no association to platform staff without an organization', () => {
    renderProfile(() => viewer({ organization: null, roles: ['OPERATOR'] }));
    expect(screen.getByText('None (platform staff)')).toBeTruthy();
    expect(screen.getByText('Operator')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Associate Microsoft Learning account' })).toBeNull();
  });
});
