import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ProfilePage } from './ProfilePage';
import { watchFocus } from '../lib/focusRescue';
import { resetSignInOptions } from '../lib/signInOptions';
import { formatMoment } from '../lib/format';
import { gqlError, mockClient, networkError, viewer, withClient, type Answer } from '../test/mockClient';
import type { ProfileUserFragment } from '../gql/graphql';

const linked = viewer({
  learningAccount: { mcid: '9900001', email: 'alex@learn.example', name: 'Alex Wilber', linkedAt: '2026-06-24T10:00:00Z' },
  associationsRemaining: 2,
});

const impact = {
  countsTowards: 2,
  lossCount: 1,
  detailsVisible: true,
  losses: [
    {
      competency: { id: 'c1', key: 'data-analytics', name: 'Data Analytics' },
      level: 'SILVER',
      option: 'Standard',
      requirement: 'One person who passed a data engineering exam',
      required: 1,
      current: 1,
      after: 0,
      optionLost: true,
    },
  ],
};

/** What previewAssociation answers for jordan's MCID, free to link, unless changed. */
export function preview(overrides: Record<string, unknown> = {}) {
  return {
    data: {
      previewAssociation: {
        kind: 'LEARNING',
        mcid: '9900003',
        name: 'Jordan Lee',
        alreadyYours: false,
        moves: false,
        movesFromOrganization: null,
        alsoEnds: null,
        alsoEndsInOrganization: null,
        replaceFirst: false,
        allowed: true,
        nextAssociationAllowedAt: null,
        associationsRemaining: 3,
        usesQuota: true,
        nextAfterThisAt: '2027-01-02T10:00:00Z',
        ...overrides,
      },
    },
  };
}

function renderProfile(me: () => ProfileUserFragment | 'pending' | Error, mutation?: (name: string, vars: unknown) => Answer) {
  const client = mockClient({
    query: (name) => {
      if (name === 'LinkEndingImpact') return { data: { linkEndingImpact: impact } };
      const v = me();
      if (v === 'pending') return 'pending';
      if (v instanceof Error) return { error: networkError() };
      return { data: { me: v } };
    },
    // Associating first asks what it would do; tests answer the association itself.
    mutation: (name, vars) => (name === 'PreviewAssociation' ? preview() : (mutation?.(name, vars) ?? 'pending')),
  });
  render(withClient(client, <ProfilePage />));
  return client;
}

function answerUser(field: string, user: ProfileUserFragment) {
  return { data: { [field]: { __typename: 'UserPayload', user } } };
}

describe('My profile', () => {
  it('says a link from the address bar succeeded only when the profile shows it (outside review)', async () => {
    window.history.replaceState(null, '', '/profile?linked=LEARNING');
    try {
      renderProfile(() => viewer());
      await screen.findByRole('heading', { name: 'Microsoft Learning account' });
      expect(screen.queryByText('Your Microsoft Learning account is associated.')).toBeNull();
    } finally {
      window.history.replaceState(null, '', '/profile');
    }
  });
  it('says so when the profile shows the link', async () => {
    window.history.replaceState(null, '', '/profile?linked=LEARNING');
    try {
      renderProfile(() => linked);
      expect(await screen.findByText('Your Microsoft Learning account is associated.')).toBeTruthy();
    } finally {
      window.history.replaceState(null, '', '/profile');
    }
  });
  it('offers single sign-on and the directory sign-in only when the server has them (L1, L3)', async () => {
    renderProfile(() => viewer());
    await screen.findByRole('heading', { name: 'Microsoft Learning account' });
    expect(screen.queryByRole('link', { name: 'Link single sign-on' })).toBeNull();
    expect(screen.queryByRole('link', { name: /Sign in at/ })).toBeNull();
  });

  it('links single sign-on and associates through the directory with a full page load', async () => {
    resetSignInOptions();
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{"singleSignOn":true,"directorySignIn":true}', { status: 200 })));
    renderProfile(() => viewer());
    expect((await screen.findByRole('link', { name: 'Link single sign-on' })).getAttribute('href')).toBe('/auth/oidc/login?link=1');
    expect(screen.getByRole('link', { name: 'Sign in at Microsoft Learning to associate' }).getAttribute('href')).toBe('/auth/directory/login?kind=LEARNING');
    expect(screen.getByRole('link', { name: 'Sign in at Partner University to associate' }).getAttribute('href')).toBe('/auth/directory/login?kind=PARTNER_UNIVERSITY');
  });

  it('says how a return from the directory went, in its own words', async () => {
    window.history.replaceState(null, '', '/profile?error=FORBIDDEN&message=Call%20us');
    try {
      renderProfile(() => viewer());
      expect((await screen.findByText('That directory account cannot be associated with your work account.')).closest('[role=alert]')).toBeTruthy();
      expect(screen.queryByText(/Call us/)).toBeNull();
    } finally {
      window.history.replaceState(null, '', '/');
    }
  });

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
    expect(screen.getByText(formatMoment('2026-06-24T10:00:00Z'))).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/will stop counting for Contoso Ltd/)).toBeTruthy();
    // Before anything happens: which requirements lose their tick.
    const loss = await within(dialog).findByTestId('impact');
    expect(loss.textContent).toContain('1 requirement loses its tick');
    expect(loss.textContent).toContain('Data Analytics · Silver (Standard): One person who passed a data engineering exam — 1 → 0 of 1');
    expect(loss.textContent).toContain('Silver is no longer attained');
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

  // Review: "Access removed…" stayed, green, beside the red refusal of a later association.
  it('drops the previous outcome when a new association is tried', async () => {
    let me = linked;
    renderProfile(
      () => me,
      (name) => {
        if (name === 'AssociateLearningAccount') return { error: gqlError('ASSOCIATION_LIMITED', 'Your association is limited.') };
        me = viewer({ associationsRemaining: 2 });
        return answerUser('removeLearningAccount', me);
      },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove access' }));
    await screen.findByText(/Access removed\./);
    await userEvent.type(await screen.findByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Your association is limited.');
    expect(screen.queryByText(/Access removed\./)).toBeNull();
  });

  // Review: after an admin removed the person's link, re-associating was refused with no reason.
  it('says an admin of the organization ended the link, and when, when its limit refuses the MCID', async () => {
    const history = [
      { id: 'e1', at: '2026-12-07T17:49:19Z', action: 'LINKED', actionLabel: 'Account associated', actor: { name: 'Alex Wilber', email: 'alex@contoso.example', outside: false }, user: { email: 'alex@contoso.example' } },
      { id: 'e2', at: '2026-12-07T17:49:23Z', action: 'REMOVED_FROM_REPORT', actionLabel: 'Removed from the report', actor: { name: 'Grace Hopper', email: 'grace@contoso.example', outside: false }, user: { email: 'alex@contoso.example' } },
    ];
    const asked: unknown[] = [];
    const client = mockClient({
      query: (name, vars) => {
        if (name !== 'OwnLinkHistory') return { data: { me: viewer({ associatedBefore: true }) } };
        asked.push(vars);
        return { data: { linkHistory: history } };
      },
      mutation: () => preview({ mcid: '9900002', allowed: false, nextAssociationAllowedAt: '2027-01-06T17:49:19Z', associationsRemaining: 2 }),
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'alex@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toContain(formatMoment('2027-01-06T17:49:19Z'));
    expect((await screen.findByTestId('ended-by')).textContent).toBe(
      `An admin of Contoso Ltd, Grace Hopper, removed you from the skills report on ${formatMoment('2026-12-07T17:49:23Z')}, which ended your link to MCID 9900002. Associating it again is a new association, so the limit above applies.`,
    );
    expect(asked).toEqual([{ mcid: '9900002' }]);
  });

  it('gives no such reason when the person ended the link themself', async () => {
    const history = [
      { id: 'e2', at: '2026-12-07T17:49:23Z', action: 'UNLINKED', actionLabel: 'Account unlinked', actor: { name: 'Alex Wilber', email: 'alex@contoso.example', outside: false }, user: { email: 'alex@contoso.example' } },
    ];
    const client = mockClient({
      query: (name) => (name === 'OwnLinkHistory' ? { data: { linkHistory: history } } : { data: { me: viewer({ associatedBefore: true }) } }),
      mutation: () => preview({ mcid: '9900002', allowed: false, nextAssociationAllowedAt: '2027-01-06T17:49:19Z', associationsRemaining: 2 }),
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'alex@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    await screen.findByRole('alert');
    await waitFor(() => expect(client.executeQuery.mock.calls.length).toBeGreaterThan(1));
    expect(screen.queryByTestId('ended-by')).toBeNull();
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

  // Outside review: in a tab left open, the MCID had meanwhile been associated by someone else
  // ("Associate and end the other link"); Remove access still said what removing it would do,
  // then "You have no Microsoft Learning account associated." inside the dialog, over a page
  // that went on showing the MCID.
  const movedAway = "MCID 9900001 is no longer associated with your work account: it was moved to another work account or removed elsewhere. Nothing was removed here; your profile now shows what is associated.";

  it('says an MCID moved away meanwhile when Remove access opens, instead of offering to remove it', async () => {
    let me = linked;
    const client = renderProfile(() => me);
    expect(screen.getByTestId('mcid').textContent).toBe('9900001');
    me = viewer({ associatedBefore: true, associationsRemaining: 2 }); // moved by someone else
    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    expect((await screen.findByText(movedAway)).closest('.alert-warning')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByTestId('mcid')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Associate Microsoft Learning account' })).toBeTruthy();
    expect(client.executeMutation).not.toHaveBeenCalled();
  });

  it('closes the dialog when the removal finds no link (NOT_FOUND), says why and shows the profile as it is', async () => {
    let me = linked;
    const client = renderProfile(
      () => me,
      (name) => {
        expect(name).toBe('RemoveLearningAccount');
        me = viewer({ associatedBefore: true, associationsRemaining: 2 }); // moved just now
        return { error: gqlError('NOT_FOUND', 'You have no Microsoft Learning account associated.') };
      },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove access' }));
    const dialog = await screen.findByRole('dialog');
    const asked = client.executeQuery.mock.calls.length;
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove access' }));
    expect(await screen.findByText(movedAway)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByText('You have no Microsoft Learning account associated.')).toBeNull();
    await waitFor(() => expect(screen.queryByTestId('mcid')).toBeNull());
    expect(client.executeQuery.mock.calls.length).toBeGreaterThan(asked);
  });

  it('says a Partner University account that ended elsewhere is no longer associated', async () => {
    let me = viewer({ partnerUniversity: { email: 'alex@learn.example', linkedAt: '2026-11-24T00:00:00Z', sameCredentialsAvailable: true } });
    renderProfile(() => me);
    me = viewer();
    await userEvent.click(screen.getByRole('button', { name: 'Remove Partner University access' }));
    expect(await screen.findByText(/^Partner University account alex@learn\.example is no longer associated with your work account/)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByTestId('pu-email')).toBeNull();
  });

  it('asks for the profile again when the tab comes back, so a stale tab corrects itself', async () => {
    let me = linked;
    renderProfile(() => me);
    expect(screen.getByTestId('mcid').textContent).toBe('9900001');
    me = viewer({ associatedBefore: true });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 60_000);
      window.dispatchEvent(new Event('focus'));
    } finally {
      vi.useRealTimers();
    }
    await waitFor(() => expect(screen.queryByTestId('mcid')).toBeNull());
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
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    const done = await screen.findByText(`MCID 9900003 is now associated with Contoso Ltd. It can next be associated from ${formatMoment('2027-01-02T10:00:00Z')}.`);
    expect(client.executeMutation).toHaveBeenCalledTimes(2); // the check, then the association
    await waitFor(() => expect(screen.getByTestId('mcid').textContent).toBe('9900003'));
    // The form went away: the outcome holds the focus, not the page's top (review).
    expect(document.activeElement).toBe(done);
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
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect(client.executeMutation.mock.calls[0][0].variables).toEqual({ input: { kind: 'LEARNING', useSameCredentials: true } });
    expect((await screen.findByRole('alert')).textContent).toBe('This profile changed meanwhile, try again.');
  });

  it('shows the next allowed association date and associations left before trying', () => {
    renderProfile(() => viewer({ nextAssociationAllowedAt: '2099-03-01T12:00:00Z', associationsRemaining: 1, associatedBefore: true }));
    expect(screen.getByTestId('next-association').textContent).toBe(`from ${formatMoment('2099-03-01T12:00:00Z')}`);
    expect(screen.getByTestId('associations-remaining').textContent).toBe('1 association in the rolling 12 months');
    expect(screen.getByTestId('allowance-subject').textContent).toContain('the MCID you last associated');
  });

  // A review: grace, who never associated anything, read "limits of the MCID you last associated".
  it('names no MCID for an account that never associated one', () => {
    renderProfile(() => viewer({ associatedBefore: false }));
    expect(screen.getByTestId('allowance-subject').textContent).toContain('an MCID never associated before');
    expect(screen.getByTestId('allowance-subject').textContent).not.toContain('last associated');
    expect(screen.getByText(/a Partner University account never associated before/)).toBeTruthy();
  });

  it("says what the limit means with a link present: associating it again after removing it", () => {
    renderProfile(() => linked);
    expect(screen.getByTestId('allowance-subject').textContent).toBe('Association limits of MCID 9900001, associated now');
    expect(screen.getByText('If you remove it, it can be associated again')).toBeTruthy();
    expect(screen.getByTestId('next-association').textContent).toBe('right away');
  });

  it('checks the MCID entered first: a limited one is refused with its own date, nothing associated', async () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: (name) => {
        expect(name).toBe('PreviewAssociation');
        return preview({ allowed: false, nextAssociationAllowedAt: '2027-01-02T10:00:00Z', associationsRemaining: 2 });
      },
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      `Your association is limited. We require a period between two associations of one account, and MCID 9900003 was associated too recently (2 associations left in the rolling 12 months). Its next available date for a subsequent association is ${formatMoment('2027-01-02T10:00:00Z')}.`,
    );
    expect(screen.getByTestId('allowance-subject').textContent).toBe('Association limits of MCID 9900003, the account you entered');
    expect(screen.getByTestId('next-association').textContent).toBe(`from ${formatMoment('2027-01-02T10:00:00Z')}`);
    expect(screen.getByTestId('associations-remaining').textContent).toBe('2 associations in the rolling 12 months');
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
  });

  // A review: the page's sentence was vaguer than the API's ("a period", "a few a year").
  it("refuses a limited MCID in the server's words, with the moment in the reader's time", async () => {
    vi.spyOn(Date.prototype, 'getTimezoneOffset').mockReturnValue(-60); // a reader in Paris in winter
    const words =
      'Your association is limited. We require a period of 30 days between associations and allow 3 per year. Your next available date for a subsequent association is January 2, 2027 (from 10:00 UTC).';
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: () =>
        preview({ allowed: false, nextAssociationAllowedAt: '2027-01-02T10:00:00Z', associationsRemaining: 2, limitMessage: words }),
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      `${words} That is ${formatMoment('2027-01-02T10:00:00Z')} where you are.`,
    );
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
  });

  it('does not say the same moment twice to a reader whose time is UTC', async () => {
    vi.spyOn(Date.prototype, 'getTimezoneOffset').mockReturnValue(0);
    const words = 'Your association is limited. Your next available date for a subsequent association is January 2, 2027 (from 10:00 UTC).';
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: () => preview({ allowed: false, nextAssociationAllowedAt: '2027-01-02T10:00:00Z', associationsRemaining: 2, limitMessage: words }),
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toBe(words);
    vi.restoreAllMocks();
  });

  it("stops showing the limits of the account checked before once another is entered or refused", async () => {
    let calls = 0;
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: () => {
        calls++;
        return calls === 1
          ? preview({ allowed: false, nextAssociationAllowedAt: '2027-01-05T10:00:00Z', associationsRemaining: 2 })
          : { error: gqlError('INVALID_CREDENTIALS', 'The email or password is not right.') };
      },
    });
    render(withClient(client, <ProfilePage />));
    const email = screen.getByLabelText('Learning account email');
    await userEvent.type(email, 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    await screen.findByRole('alert');
    expect(screen.getByTestId('allowance-subject').textContent).toContain('MCID 9900003');
    await userEvent.clear(email);
    await userEvent.type(email, 'riley@learn.example');
    expect(screen.getByTestId('allowance-subject').textContent).not.toContain('9900003');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not right');
    expect(screen.getByTestId('allowance-subject').textContent).not.toContain('9900003');
    // Editing a field takes the old refusal away: it is no longer about what
    // the fields say (review: it stayed on screen after a later success).
    await userEvent.type(screen.getByLabelText('Learning account password'), 'x');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByLabelText('Learning account password').getAttribute('aria-invalid')).not.toBe('true');
  });

  /**
   * Submits jordan's Learning sign-in on My profile with previewAssociation
   * answering overrides, and returns the confirmation dialog titled title;
   * confirming it associates 9900003.
   */
  async function confirmationFor(overrides: Record<string, unknown>, title: string) {
    let me = viewer();
    const client = mockClient({
      query: () => ({ data: { me } }),
      mutation: (name) => {
        if (name === 'PreviewAssociation') return preview(overrides);
        expect(name).toBe('AssociateLearningAccount');
        me = viewer({ learningAccount: { mcid: '9900003', email: 'jordan@learn.example', name: 'Jordan', linkedAt: '2026-11-24T10:00:00Z' } });
        return answerUser('associateLearningAccount', me);
      },
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    const dialog = await screen.findByRole('dialog', { name: title });
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
    return dialog;
  }

  async function confirm(dialog: HTMLElement) {
    await userEvent.click(within(dialog).getByRole('button', { name: 'Associate and end the other link' }));
    await waitFor(() => expect(screen.getByTestId('mcid').textContent).toBe('9900003'));
  }

  it('asks before moving an MCID from another organization, saying what ends', async () => {
    const dialog = await confirmationFor({ moves: true, movesFromOrganization: 'Fabrikam Inc', associationsRemaining: 2 }, 'Move MCID 9900003 to Contoso Ltd?');
    expect(dialog.textContent).toContain('it stops counting for Fabrikam Inc at once');
    expect(dialog.textContent).toContain("Fabrikam Inc's admins are told that it moved to another organization — not to which one, nor to whom.");
    await confirm(dialog);
  });

  it("asks before ending the same sign-in's Partner University link at another work account", async () => {
    const dialog = await confirmationFor({ alsoEnds: 'PARTNER_UNIVERSITY', alsoEndsInOrganization: 'Fabrikam Inc' }, 'Associate MCID 9900003?');
    expect(within(dialog).getByTestId('also-ends').textContent).toBe(
      "The same sign-in's Partner University access is associated with another work account in Fabrikam Inc. Associating this MCID ends that link: one person's accounts are associated with one work account, so they count once.",
    );
    expect(dialog.textContent).not.toContain('stops counting for');
    await confirm(dialog);
  });

  it('says a move from a colleague keeps counting here and uses no association', async () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: (name) => {
        expect(name).toBe('PreviewAssociation');
        return preview({ moves: true, movesFromOrganization: null, associationsRemaining: 0, usesQuota: false, nextAfterThisAt: null });
      },
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    const dialog = await screen.findByRole('dialog', { name: 'Move MCID 9900003 to your work account?' });
    expect(dialog.textContent).toContain('associated with another work account of Contoso Ltd now');
    expect(dialog.textContent).toContain('it keeps counting for Contoso Ltd');
    expect(dialog.textContent).toContain("Within your organization this uses none of the MCID's associations.");
    expect(dialog.textContent).not.toContain('stops counting');
    expect(dialog.textContent).not.toContain('associations left');
    expect(dialog.textContent).not.toContain('admins are told');
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
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      `We require a period of 30 days between associations. Your next available date for a subsequent association is ${formatMoment('2026-12-24T01:03:41Z')}.`,
    );
  });

  it("shows ASSOCIATION_LIMITED in the server's words: the rule's numbers and the moment (outside review)", async () => {
    const message =
      'Your association is limited. We require a period of 30 days between associations and allow 3 per year. Your next available date for a subsequent association is January 6, 2027 (from 10:11 UTC).';
    renderProfile(
      () => viewer(),
      () => ({ error: gqlError('ASSOCIATION_LIMITED', message, { nextAssociationAllowedAt: '2027-01-06T10:11:00Z' }) }),
    );
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toBe(message);
  });

  it('says which rule holds an MCID back: all its associations of the 12 months used', async () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: () => preview({ allowed: false, nextAssociationAllowedAt: '2027-01-06T10:11:00Z', associationsRemaining: 0 }),
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(screen.getByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      `Your association is limited. MCID 9900003 has had all the new associations we allow in a rolling 12 months. Its next available date for a subsequent association is ${formatMoment('2027-01-06T10:11:00Z')}.`,
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
    await userEvent.click(screen.getByRole('button', { name: 'Associate Partner University account' }));
    await waitFor(() => expect(screen.getByTestId('pu-email').textContent).toBe('alex@learn.example'));

    await userEvent.click(screen.getByRole('button', { name: 'Remove Partner University access' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove access' }));
    await waitFor(() => expect(screen.queryByTestId('pu-email')).toBeNull());
    // previewAssociation (L6 check), associate, remove
    expect(client.executeMutation).toHaveBeenCalledTimes(3);
  });

  it('refuses a limited Partner University account with its date, before associating (L6 via L8)', async () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer({ partnerUniversityNextAssociationAllowedAt: '2026-12-24T01:03:41Z', partnerUniversityAssociationsRemaining: 2 }) } }),
      mutation: (name, vars) => {
        expect(name).toBe('PreviewAssociation');
        expect(vars).toEqual({ input: { kind: 'PARTNER_UNIVERSITY', email: 'riley@learn.example', password: 'learn-demo', useSameCredentials: false } });
        return preview({ allowed: false, nextAssociationAllowedAt: '2026-12-24T01:03:41Z', associationsRemaining: 2 });
      },
    });
    render(withClient(client, <ProfilePage />));
    expect((await screen.findByTestId('pu-next-association')).textContent).toBe(`from ${formatMoment('2026-12-24T01:03:41Z')}`);
    expect(screen.getByTestId('pu-associations-remaining').textContent).toContain('2 associations');
    await userEvent.click(screen.getByRole('button', { name: 'Get Partner University access' }));
    await userEvent.type(screen.getByLabelText('Partner University email'), 'riley@learn.example');
    await userEvent.type(screen.getByLabelText('Partner University password'), 'learn-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Partner University account' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(`next available date for a subsequent association is ${formatMoment('2026-12-24T01:03:41Z')}`);
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
  });

  it('offers no association to platform staff without an organization', () => {
    renderProfile(() => viewer({ organization: null, roles: ['OPERATOR'] }));
    expect(screen.getByText('None (platform staff)')).toBeTruthy();
    expect(screen.getByText('Operator')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Associate Microsoft Learning account' })).toBeNull();
    // Their subtitle speaks of no organization of theirs (review).
    const subtitle = document.querySelector('.page-description')!.textContent!;
    expect(subtitle).toContain('Operators belong to no organization');
    expect(subtitle).not.toContain('your organization');
  });

  // Review: a wrong Partner University password was called a Learning account's, and the focus
  // did not go to the fields marked invalid as in the Learning form.
  it('names the Partner University account in a wrong sign-in, and marks and focuses its fields', async () => {
    const stop = watchFocus(document);
    try {
      renderProfile(() => viewer(), () => ({ error: gqlError('INVALID_CREDENTIALS', 'That Learning account email or password is not correct.') }));
      await userEvent.click(await screen.findByRole('button', { name: 'Get Partner University access' }));
      await userEvent.type(screen.getByLabelText('Partner University email'), 'riley@pu.example');
      await userEvent.type(screen.getByLabelText('Partner University password'), 'wrong');
      await userEvent.click(screen.getByRole('button', { name: 'Associate Partner University account' }));
      const alert = await screen.findByRole('alert');
      expect(alert.textContent).toBe('That Partner University email or password is not correct.');
      for (const label of ['Partner University email', 'Partner University password']) {
        const field = screen.getByLabelText(label);
        expect(field.getAttribute('aria-invalid')).toBe('true');
        expect(field.getAttribute('aria-describedby')).toContain(alert.id);
      }
      await waitFor(() => expect((document.activeElement as HTMLElement).getAttribute('aria-invalid')).toBe('true'));
    } finally {
      stop();
    }
  });

  // Review: a refusal in one section stayed while the person tried in the other.
  it('clears the other section\'s old outcome on a new attempt, both ways', async () => {
    const client = mockClient({
      query: () => ({ data: { me: viewer() } }),
      mutation: (name, vars) =>
        name === 'PreviewAssociation' && (vars as { input: { kind: string } }).input.kind === 'LEARNING'
          ? { error: gqlError('INVALID_CREDENTIALS', 'Learning refused.') }
          : { error: gqlError('FORBIDDEN', 'Partner University refused.') },
    });
    render(withClient(client, <ProfilePage />));
    await userEvent.type(await screen.findByLabelText('Learning account email'), 'jordan@learn.example');
    await userEvent.type(screen.getByLabelText('Learning account password'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Learning refused');

    await userEvent.click(screen.getByRole('button', { name: 'Get Partner University access' }));
    await userEvent.type(screen.getByLabelText('Partner University email'), 'riley@pu.example');
    await userEvent.type(screen.getByLabelText('Partner University password'), 'pw');
    await userEvent.click(screen.getByRole('button', { name: 'Associate Partner University account' }));
    await waitFor(() => expect(screen.getAllByRole('alert').map((a) => a.textContent)).toEqual(['Partner University refused.']));

    await userEvent.click(screen.getByRole('button', { name: 'Associate Learning account' }));
    await waitFor(() => expect(screen.getAllByRole('alert').map((a) => a.textContent)).toEqual(['Learning refused.']));
  });
});
