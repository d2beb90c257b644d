import { beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { UsersPage, userPermissions } from './UsersPage';
import { SessionContext } from '../../lib/session';
import { gqlError, mockClient, viewer, withClient, type Answer } from '../../test/mockClient';
import { formatMoment } from '../../lib/format';
import { watchFocus } from '../../lib/focusRescue';

const grace = viewer({ id: 'g', name: 'Grace Hopper', email: 'grace@contoso.example', roles: ['GLOBAL_ADMIN'] });
const node = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  email: `${name.split(' ')[0].toLowerCase()}@contoso.example`,
  roles: [],
  mustChangePassword: false,
  createdAt: '2026-11-01T00:00:00Z',
  learningAccount: null,
  partnerUniversity: null,
  ...extra,
});

const limits = {
  __typename: 'User',
  id: 'a',
  learningAccount: { mcid: '9900001' },
  partnerUniversity: { email: 'alex@pu.example' },
  nextAssociationAllowedAt: '2099-01-06T17:49:19Z',
  associationsRemaining: 2,
  partnerUniversityNextAssociationAllowedAt: null,
  partnerUniversityAssociationsRemaining: 3,
};

function setup(mutation: (name: string, vars: unknown) => Answer, me = grace) {
  const client = mockClient({
    query: (name) =>
      name === 'LinkEndingImpact'
        ? { data: { linkEndingImpact: { countsTowards: 3, lossCount: 2, detailsVisible: false, losses: [] } } }
        : name === 'UserAssociationLimits'
          ? { data: { node: limits } }
          : {
      data: {
        users: {
          totalCount: 3,
          pageInfo: { hasNextPage: false, endCursor: null },
          edges: [{ node: node('g', 'Grace Hopper', { roles: ['GLOBAL_ADMIN'] }) }, { node: node('a', 'Alex Wilber', { learningAccount: { mcid: '9900001' }, partnerUniversity: { email: 'alex@pu.example' } }) }, { node: node('c', 'Casey Jones', { mustChangePassword: true }) }],
        },
      },
    },
    mutation,
  });
  render(withClient(client, <SessionContext.Provider value={{ viewer: me, signOut: async () => null }}><UsersPage /></SessionContext.Provider>));
  return client;
}

describe('userPermissions', () => {
  it('follows U1', () => {
    expect(userPermissions({ roles: ['GLOBAL_ADMIN'] })).toMatchObject({ manage: true, removeFromReport: true });
    expect(userPermissions({ roles: ['GLOBAL_ADMIN'] }).assignable).toContain('GLOBAL_ADMIN');
    expect(userPermissions({ roles: ['ACCOUNT_ADMIN'] }).assignable).toEqual(['USER_MANAGEMENT_ADMIN', 'MPN_PARTNER_ADMIN']);
    expect(userPermissions({ roles: ['MPN_PARTNER_ADMIN'] })).toEqual({ manage: false, assignable: [], removeFromReport: true });
    expect(userPermissions({ roles: ['USER_MANAGEMENT_ADMIN'] })).toEqual({ manage: true, assignable: [], removeFromReport: false });
  });
});

describe('Users', () => {
  beforeEach(() => sessionStorage.clear()); // an invitation left written is kept for its author

  it('invites with labelled fields and shows the temporary password once', async () => {
    const client = setup((name, vars) => {
      expect(name).toBe('InviteUser');
      expect(vars).toEqual({ input: { email: 'sam@contoso.example', name: 'Sam Lee', roles: ['MPN_PARTNER_ADMIN'] } });
      return { data: { inviteUser: { temporaryPassword: 'abcd-efgh-ijkl', user: { id: 'n', email: 'sam@contoso.example', name: 'Sam Lee' } } } };
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Invite user' }));
    await userEvent.type(screen.getByLabelText('Work email'), 'sam@contoso.example');
    await userEvent.type(screen.getByLabelText('Name'), 'Sam Lee');
    await userEvent.click(screen.getByLabelText('MPN partner admin'));
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect((await screen.findByTestId('temporary-password')).textContent).toBe('abcd-efgh-ijkl');
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('temporary-password')).toBeNull();
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
    // Done went away with its panel: the invite button takes the focus, not <body> (review).
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Invite user' }));
  });

  it('keeps an invitation being written when the session ends under it, for its author only, until sent', async () => {
    setup(() => ({ error: gqlError('UNAUTHENTICATED', 'Your session has ended.') }));
    await userEvent.click(await screen.findByRole('button', { name: 'Invite user' }));
    await userEvent.type(screen.getByLabelText('Work email'), 'sam@contoso.example');
    await userEvent.type(screen.getByLabelText('Name'), 'Sam Lee');
    await userEvent.click(screen.getByLabelText('MPN partner admin'));
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    cleanup(); // the session ended: the app signs in again and comes back
    setup((_, vars) => {
      expect(vars).toEqual({ input: { email: 'sam@contoso.example', name: 'Sam Lee', roles: ['MPN_PARTNER_ADMIN'] } });
      return { data: { inviteUser: { temporaryPassword: 'abcd-efgh-ijkl', user: { id: 'n', email: 'sam@contoso.example', name: 'Sam Lee' } } } };
    });
    expect(((await screen.findByLabelText('Work email')) as HTMLInputElement).value).toBe('sam@contoso.example');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Sam Lee');
    expect((screen.getByLabelText('MPN partner admin') as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    await screen.findByTestId('temporary-password');
    cleanup(); // sent: nothing is kept
    setup(() => 'pending');
    await screen.findByRole('button', { name: 'Invite user' });
    expect(screen.queryByLabelText('Work email')).toBeNull();
  });

  // Review: the dialog said only "The link of MCID 9900002 ends".
  it('says every link that Remove from report ends, that the person stops counting, and when they can associate again', async () => {
    setup(() => 'pending');
    await userEvent.click(await screen.findByRole('button', { name: 'Remove from report: Alex Wilber' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/Alex Wilber stops counting for competencies and leaves the skills report at once/)).toBeTruthy();
    const links = await within(dialog).findByTestId('links-that-end');
    await waitFor(() => expect(links.textContent).toContain(`from ${formatMoment('2099-01-06T17:49:19Z')}`));
    expect(links.textContent).toContain('Both links end:');
    expect(links.textContent).toContain('The Microsoft Learning account, MCID 9900001. It can be associated again from');
    expect(links.textContent).toContain('(2 associations left in the rolling 12 months)');
    expect(links.textContent).toContain('The Partner University access, alex@pu.example. It can be associated again right away (3 associations left');
    expect(links.textContent).toContain('a new association under the association rules: a minimum time between two associations of an account, and a limit on new ones per rolling 12 months');
  });

  it('marks the work email invalid, tied to the refusal and focused, when the server refuses its domain', async () => {
    setup(() => ({
      error: gqlError('FORBIDDEN', "fabrikam.example is not one of your organization's verified email domains (contoso.example). Ask certlink support to verify it.", { field: 'email' }),
    }));
    await userEvent.click(await screen.findByRole('button', { name: 'Invite user' }));
    await userEvent.type(screen.getByLabelText('Work email'), 'sam@fabrikam.example');
    await userEvent.type(screen.getByLabelText('Name'), 'Sam Lee');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('fabrikam.example is not one of your organization');
    const email = screen.getByLabelText('Work email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(email.getAttribute('aria-describedby')).toContain(alert.id);
    await waitFor(() => expect(document.activeElement).toBe(email));
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
  });

  it('deletes only after confirmation, and never offers to delete yourself', async () => {
    const client = setup((name, vars) => {
      expect(name).toBe('DeleteUser');
      expect(vars).toEqual({ id: 'a' });
      return { data: { deleteUser: { deletedUserId: 'a' } } };
    });
    await screen.findByRole('table');
    expect(screen.queryByRole('button', { name: 'Delete Grace Hopper' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Delete Alex Wilber' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/leave competency progress and the skills report now/)).toBeTruthy();
    // Every link that ends, and when it could be associated again, as for Remove from report.
    await waitFor(() => expect(within(dialog).getByTestId('links-that-end').textContent).toContain('alex@pu.example. It can be associated again right away'));
    // What it unticks, before it happens; a user admin outside C7 learns how many, not which.
    expect((await within(dialog).findByTestId('impact')).textContent).toContain('2 competency requirements of your organization lose their tick');
    expect(client.executeMutation).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete user' }));
    expect(await screen.findByText('Alex Wilber is deleted.')).toBeTruthy();
  });

  it('shows a refusal in words inside the dialog', async () => {
    setup(() => ({ error: gqlError('FORBIDDEN', 'FORBIDDEN') }));
    await userEvent.click(await screen.findByRole('button', { name: 'Roles of Alex Wilber' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('Account admin'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save roles' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe("You don't have permission to do that.");
  });

  it('resends an invitation with a new temporary password', async () => {
    setup((name) => {
      expect(name).toBe('ResendInvite');
      return { data: { resendInvite: { temporaryPassword: 'new-temp-pass', user: { id: 'c', email: 'casey@contoso.example', name: 'Casey Jones' } } } };
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Resend invite to Casey Jones' }));
    await waitFor(() => expect(screen.getByTestId('temporary-password').textContent).toBe('new-temp-pass'));
    expect(screen.getByText('Invitation sent again')).toBeTruthy();
  });

  it('is read-only for an MPN partner admin, who may remove people from the report', async () => {
    setup(() => 'pending', viewer({ id: 'm', roles: ['MPN_PARTNER_ADMIN'] }));
    await screen.findByRole('table');
    expect(screen.queryByRole('button', { name: 'Invite user' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Delete / })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Roles of / })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove from report: Alex Wilber' })).toBeTruthy();
  });

  // Review: two admins editing one account in two tabs; the second overwrote the first unseen.
  it('says what an edit and a role change were made from, and shows a conflict', async () => {
    const sent: Record<string, unknown>[] = [];
    setup((name, vars) => {
      sent.push({ op: name, ...(vars as { input: Record<string, unknown> }).input });
      return name === 'UpdateUser'
        ? { error: gqlError('CONFLICT', "Someone changed this account's name since you opened it: look at it again, then make your change.", { reason: 'CHANGED_SINCE' }) }
        : { data: { assignRoles: { user: { id: 'a', roles: ['MPN_PARTNER_ADMIN'] } } } };
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit Alex Wilber' }));
    const nameField = screen.getByLabelText('Name');
    await userEvent.clear(nameField);
    await userEvent.type(nameField, 'Alex From B');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Someone changed this account's name since you opened it/)).toBeTruthy();
    expect(sent[0]).toMatchObject({ op: 'UpdateUser', id: 'a', name: 'Alex From B', expectedName: 'Alex Wilber', expectedEmail: 'alex@contoso.example' });
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    await userEvent.click(screen.getByRole('button', { name: 'Roles of Alex Wilber' }));
    await userEvent.click(screen.getByLabelText('MPN partner admin'));
    await userEvent.click(screen.getByRole('button', { name: 'Save roles' }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toMatchObject({ op: 'AssignRoles', userId: 'a', roles: ['MPN_PARTNER_ADMIN'], expectedRoles: [] });
  });

  // Review: after a second Remove from report in a row, the focus fell to <body>: the outcome only
  // changed the text of the status the first one had brought, which the focus rescue did not see.
  it('gives the focus to the outcome of each confirm in a row, not only the first', async () => {
    const stop = watchFocus(document);
    try {
      const linked = { learningAccount: { mcid: '9900001' }, partnerUniversity: { email: 'x@pu.example' } };
      const client = mockClient({
        query: (name) =>
          name === 'LinkEndingImpact'
            ? { data: { linkEndingImpact: { countsTowards: 0, lossCount: 0, detailsVisible: true, losses: [] } } }
            : name === 'UserAssociationLimits'
              ? { data: { node: limits } }
              : { data: { users: { totalCount: 2, pageInfo: { hasNextPage: false, endCursor: null }, edges: [{ node: node('a', 'Alex Wilber', linked) }, { node: node('m', 'Mona Kane', linked) }] } } },
        mutation: (_, vars) => ({ data: { removeFromReport: { userId: (vars as { userId: string }).userId } } }),
      });
      render(withClient(client, <SessionContext.Provider value={{ viewer: grace, signOut: async () => null }}><UsersPage /></SessionContext.Provider>));
      for (const who of ['Alex Wilber', 'Mona Kane']) {
        await userEvent.click(await screen.findByRole('button', { name: `Remove from report: ${who}` }));
        const dialog = await screen.findByRole('dialog');
        await userEvent.click(within(dialog).getByRole('button', { name: 'Remove from report' }));
        const status = await screen.findByText(`${who} no longer counts in progress or the skills report.`);
        await waitFor(() => expect(document.activeElement).toBe(status));
      }
    } finally {
      stop();
    }
  });

  // Review: "their links end at once", then "has no account associated now: no link ends."
  it('does not say that links end when deleting someone who has none', async () => {
    setup(() => 'pending');
    await userEvent.click(await screen.findByRole('button', { name: 'Delete Casey Jones' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/can no longer sign in/).textContent).toBe('casey@contoso.example can no longer sign in. Their history is kept.');
    expect(dialog.textContent).not.toMatch(/links end at once/);
  });
});
