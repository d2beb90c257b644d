import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiTokensPage } from './ApiTokensPage';
import { mockClient, withClient, type Answer } from '../../test/mockClient';

const now = new Date('2027-03-01T12:00:00Z');
const inDays = (d: number) => new Date(now.getTime() + d * 24 * 3600 * 1000).toISOString();
const token = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  scopes: ['REPORT_READ'],
  createdAt: '2027-01-01T00:00:00Z',
  lastUsedAt: null,
  revokedAt: null,
  expiresAt: inDays(80),
  createdBy: { name: 'Grace Hopper' },
  ...extra,
});

function setup(tokens: unknown[], mutation?: (name: string, vars: unknown) => Answer) {
  const client = mockClient({ query: () => ({ data: { apiTokens: tokens } }), mutation });
  render(withClient(client, <ApiTokensPage />));
  return client;
}

describe('API tokens', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows each token’s expiry and warns about those expiring soon, expired or never expiring', async () => {
    setup([
      token('1', 'BI', { expiresAt: inDays(80) }),
      token('2', 'HR sync', { expiresAt: inDays(12) }),
      token('3', 'Old script', { expiresAt: inDays(-3) }),
      token('4', 'Legacy', { expiresAt: null }),
      token('5', 'Gone', { expiresAt: inDays(-3), revokedAt: inDays(-5) }),
    ]);
    await screen.findByRole('table');
    expect(screen.getByTestId('expires-1').textContent).toContain('expires in 80 days');
    expect(screen.getByTestId('expires-2').textContent).toContain('Expires in 12 days');
    expect(screen.getByTestId('expires-3').textContent).toContain('expired');
    expect(screen.getByTestId('expires-4').textContent).toContain('Never expires');
    expect(screen.getByTestId('expires-5').textContent).toBe('—');
    const row = screen.getByText('Old script').closest('tr')!;
    expect(within(row).getByText(/^Expired /)).toBeTruthy();
    // Nothing to revoke on an expired or revoked token; the others can be.
    expect(screen.queryByRole('button', { name: 'Revoke Old script' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Revoke Gone' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Revoke HR sync' })).toBeTruthy();
    const warning = screen.getByTestId('expiry-warning').textContent;
    expect(warning).toContain('1 token expires within 14 days');
    expect(warning).toContain('1 token has expired');
    expect(warning).toContain('1 token made before tokens expired never expires');
  });

  it('gives no warning when every token has time left', async () => {
    setup([token('1', 'BI', { expiresAt: inDays(80) }), token('5', 'Gone', { expiresAt: inDays(-3), revokedAt: inDays(-5) })]);
    await screen.findByRole('table');
    expect(screen.queryByTestId('expiry-warning')).toBeNull();
  });

  it('creates a token for 90 days unless another lifetime is chosen, and says when it expires', async () => {
    const sent: unknown[] = [];
    const client = setup([], (name, vars) => {
      expect(name).toBe('CreateApiToken');
      sent.push(vars);
      return { data: { createApiToken: { secret: 'clt_secret', token: { id: '9', name: 'Power BI', expiresAt: inDays(90) } } } };
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    expect((screen.getByLabelText('Expires after') as HTMLSelectElement).value).toBe('90');
    await user.type(screen.getByLabelText(/^Name/), 'Power BI');
    await user.click(screen.getAllByRole('button', { name: 'Create token' }).at(-1)!);
    expect((await screen.findByTestId('token-secret')).textContent).toBe('clt_secret');
    expect(screen.getByRole('status').textContent).toContain('It expires on');

    await user.click(screen.getByRole('button', { name: 'Create token' }));
    await user.type(screen.getByLabelText(/^Name/), 'Nightly');
    await user.selectOptions(screen.getByLabelText('Expires after'), '30');
    await user.click(screen.getAllByRole('button', { name: 'Create token' }).at(-1)!);
    await screen.findByTestId('token-secret');
    expect(sent).toEqual([
      { input: { name: 'Power BI', scopes: ['REPORT_READ'], expiresInDays: 90 } },
      { input: { name: 'Nightly', scopes: ['REPORT_READ'], expiresInDays: 30 } },
    ]);
    expect(client.executeMutation).toHaveBeenCalledTimes(2);
  });

  // Review: Done, and a confirmed revocation, left the focus on <body>.
  it('gives the focus to the token’s row after Done and after a revocation', async () => {
    setup([token('9', 'Power BI'), token('2', 'HR sync')], (name) =>
      name === 'CreateApiToken'
        ? { data: { createApiToken: { secret: 'clt_secret', token: { id: '9', name: 'Power BI', expiresAt: inDays(90) } } } }
        : { data: { revokeApiToken: { id: '2', revokedAt: inDays(0) } } },
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    await user.type(screen.getByLabelText(/^Name/), 'Power BI');
    await user.click(screen.getAllByRole('button', { name: 'Create token' }).at(-1)!);
    await screen.findByTestId('token-secret');
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(document.activeElement).toBe(screen.getAllByText('Power BI').at(-1)!.closest('td'));

    await user.click(screen.getByRole('button', { name: 'Revoke HR sync' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    expect(document.activeElement).toBe(screen.getByText('HR sync').closest('td'));
  });

  // Review: "Choose at least one scope." showed, but the focus went to the Create button.
  it('marks the scopes invalid, tied to the message, and focuses the first when none is ticked', async () => {
    const client = setup([]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    await user.type(screen.getByLabelText(/^Name/), 'Nightly');
    await user.click(screen.getByRole('checkbox', { name: 'Read the skills report' }));
    await user.click(screen.getAllByRole('button', { name: 'Create token' }).at(-1)!);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('Choose at least one scope.');
    const group = screen.getByRole('group', { name: 'Scopes' });
    expect(group.getAttribute('aria-invalid')).toBe('true');
    expect(group.getAttribute('aria-describedby')).toBe(alert.id);
    const first = screen.getByRole('checkbox', { name: 'Read the skills report' });
    expect(document.activeElement).toBe(first);
    expect(first.getAttribute('aria-describedby')).toBe(alert.id);
    expect(client.executeMutation).not.toHaveBeenCalled();
  });
});
