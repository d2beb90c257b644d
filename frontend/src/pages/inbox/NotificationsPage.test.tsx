import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { NotificationsPage } from './NotificationsPage';
import { SessionContext } from '../../lib/session';
import { mockClient, viewer, withClient } from '../../test/mockClient';

function renderAs(me: ReturnType<typeof viewer>) {
  const client = mockClient({ query: () => ({ data: { notifications: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } }) });
  render(withClient(client, <SessionContext.Provider value={{ viewer: me, signOut: async () => null }}><NotificationsPage /></SessionContext.Provider>));
}

// Outside review: the operator (no organization) read "Warnings about competencies at risk".
describe('Notifications says what it holds for the reader', () => {
  it('speaks of competency warnings to the people of an organization', async () => {
    renderAs(viewer());
    expect(screen.getByText(/^Warnings about competencies at risk/)).toBeTruthy();
    expect(await screen.findByText(/when a competency requirement becomes unmet/)).toBeTruthy();
  });

  it('tells an operator that no competency warnings come to them', async () => {
    renderAs(viewer({ email: 'ops@certlink.example', roles: ['OPERATOR'], organization: null }));
    expect(screen.queryByText(/^Warnings about competencies at risk/)).toBeNull();
    expect(screen.getByText('Notices for your operator account. Operators belong to no organization, so no competency warnings come here.')).toBeTruthy();
    expect(await screen.findByText('Notices for your account show here.')).toBeTruthy();
  });
});
