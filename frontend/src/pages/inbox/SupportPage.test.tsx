import { afterEach, describe, expect, it } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SupportPage } from './SupportPage';
import { gqlError, mockClient, withClient, type Answer } from '../../test/mockClient';

function ticket(id: string, subject: string) {
  return {
    __typename: 'SupportTicket',
    id,
    category: 'ASSOCIATION',
    subject,
    body: `${subject}: what happened`,
    status: 'OPEN',
    createdAt: '2026-12-01T09:00:00Z',
    author: { name: 'Riley Chen', email: 'riley@contoso.example' },
    replies: [],
  };
}

const listed = [ticket('T1/a+b=', 'My AZ-104 does not show'), ticket('T2', 'Report is empty')];

function renderSupport(node: (id: string) => Answer = () => ({ data: { node: null } })) {
  const client = mockClient({
    query: (name, vars) => {
      if (name === 'SupportTickets') return { data: { supportTickets: { totalCount: listed.length, edges: listed.map((node) => ({ node })) } } };
      expect(name).toBe('SupportTicket');
      return node((vars as { id: string }).id);
    },
  });
  render(withClient(client, <SupportPage />));
  return client;
}

const details = (subject: string) => screen.getByText(subject).closest('details')!;

/** Back or forward in the browser: the address changes, then popstate. */
function historyTo(url: string) {
  act(() => {
    window.history.replaceState(null, '', url);
    window.dispatchEvent(new PopStateEvent('popstate'));
  });
}

// Outside review: an operator opening a ticket stayed at /support; a reload closed it and it
// could not be linked.
describe('an opened support ticket has its own address', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('opening a ticket puts it in the address, closing it takes it out', async () => {
    window.history.replaceState(null, '', '/support');
    renderSupport();
    await userEvent.click(screen.getByText('My AZ-104 does not show'));
    expect(window.location.pathname + window.location.search).toBe('/support?ticket=T1%2Fa%2Bb%3D');
    expect(details('My AZ-104 does not show').open).toBe(true);
    expect(details('Report is empty').open).toBe(false);

    await userEvent.click(screen.getByText('Report is empty'));
    expect(window.location.search).toBe('?ticket=T2');
    expect(details('Report is empty').open).toBe(true);
    expect(details('My AZ-104 does not show').open).toBe(false);

    await userEvent.click(screen.getByText('Report is empty'));
    expect(window.location.pathname + window.location.search).toBe('/support');
    expect(details('Report is empty').open).toBe(false);
  });

  it('opens the ticket its address names, as after a reload or from a link', async () => {
    window.history.replaceState(null, '', '/support?ticket=T2');
    renderSupport();
    expect(details('Report is empty').open).toBe(true);
    expect(screen.getByText('Report is empty: what happened')).toBeTruthy();
    expect(details('My AZ-104 does not show').open).toBe(false);
  });

  it('follows back and forward', async () => {
    window.history.replaceState(null, '', '/support');
    renderSupport();
    historyTo('/support?ticket=T2');
    expect(details('Report is empty').open).toBe(true);
    historyTo('/support');
    expect(details('Report is empty').open).toBe(false);
  });

  it('asks for a linked ticket the list does not hold by its ID', async () => {
    window.history.replaceState(null, '', '/support?ticket=T9');
    const client = renderSupport((id) => ({ data: { node: ticket(id, 'An older ticket') } }));
    expect((await screen.findByText('An older ticket')).closest('details')!.open).toBe(true);
    expect(client.executeQuery.mock.calls.some(([req]) => (req.variables as { id?: string }).id === 'T9')).toBe(true);
  });

  it('says so when the linked ticket is not there to see', async () => {
    window.history.replaceState(null, '', '/support?ticket=T404');
    renderSupport(() => ({ error: gqlError('NOT_FOUND', 'No such node.') }));
    expect(await screen.findByText("The ticket of this link doesn't exist, or you may not see it.")).toBeTruthy();
    await waitFor(() => expect(screen.getByText('Report is empty')).toBeTruthy());
  });
});
