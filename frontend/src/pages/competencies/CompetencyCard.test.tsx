import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CompetencyCard } from './CompetencyCard';
import { cloudPlatform } from './fixtures';
import { formatDate } from '../../lib/format';

describe('CompetencyCard', () => {
  it('is collapsed with a status badge and expands with the keyboard', async () => {
    render(<CompetencyCard progress={cloudPlatform} onPurchase={vi.fn()} />);
    const toggle = screen.getByRole('button', { name: /Cloud Platform/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByText('At risk')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    toggle.focus();
    await userEvent.keyboard('{Enter}');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getAllByRole('table')).toHaveLength(3);
  });

  it('shows ticks, counts, people and retired skills with both dates', () => {
    render(<CompetencyCard progress={cloudPlatform} onPurchase={vi.fn()} defaultExpanded />);
    const table = screen.getByRole('table', { name: 'Requirements of Cloud Platform Silver, Standard option' });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[1]).getAllByRole('img', { name: 'Met' }).length).toBeGreaterThan(0);
    expect(within(rows[1]).getByRole('progressbar', { name: '2 of 2' })).toBeTruthy();
    expect(within(rows[1]).getByText('Riley Chen')).toBeTruthy();
    expect(within(rows[1]).getByText(`Retired ${formatDate('2021-09-30T00:00:00Z')}`, { exact: false }).textContent).toContain(`counts until ${formatDate('2099-06-30T00:00:00Z')}`);
  });

  it('enables Purchase offer only when the option is met, and Learn why lists what is unmet', async () => {
    render(<CompetencyCard progress={cloudPlatform} onPurchase={vi.fn()} defaultExpanded />);
    const buttons = screen.getAllByRole('button', { name: 'Purchase offer' });
    expect(buttons.map((b) => (b as HTMLButtonElement).disabled)).toEqual([false, true, true]);
    const why = screen.getAllByRole('button', { name: 'Learn why' })[0];
    await userEvent.click(why);
    const panel = document.getElementById(why.getAttribute('aria-controls')!)!;
    expect(panel.hidden).toBe(false);
    expect(panel.textContent).toContain('Four people with an Azure exam: 1 of 4');
    expect(panel.textContent).toContain('Distributor agreement: not yet attested');
  });

  it('confirms before purchasing and reports the outcome', async () => {
    const onPurchase = vi.fn().mockResolvedValueOnce('Not every requirement is met: Customer references.').mockResolvedValueOnce(null);
    render(<CompetencyCard progress={cloudPlatform} onPurchase={onPurchase} defaultExpanded />);
    await userEvent.click(screen.getAllByRole('button', { name: 'Purchase offer' })[0]);
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Purchase offer' }));
    expect(onPurchase).toHaveBeenCalledWith({ competency: 'c1', level: 'SILVER', option: 'Standard option' });
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Not every requirement is met: Customer references.');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Purchase offer' }));
    expect(await screen.findByText(/offer is purchased/)).toBeTruthy();
  });

  it('shows the attestation in force and the projection of a met option', () => {
    render(<CompetencyCard progress={cloudPlatform} onPurchase={vi.fn()} defaultExpanded />);
    expect(screen.getByText(/Fabrikam, Tailspin and Northwind projects/).textContent).toContain('Grace Hopper');
    expect(screen.getByText(/Projected to stop being met on/).textContent).toContain(formatDate('2099-06-30T00:00:00Z'));
  });

  it('attests a requirement with a note', async () => {
    const onAttest = vi.fn().mockResolvedValue(null);
    render(<CompetencyCard progress={cloudPlatform} onPurchase={vi.fn()} onAttest={onAttest} defaultExpanded />);
    await userEvent.click(screen.getByRole('button', { name: 'Mark as met' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Mark as met' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Add a note that shows the requirement is met.');
    expect(onAttest).not.toHaveBeenCalled();
    await userEvent.type(within(dialog).getByLabelText('Note (what shows it is met)'), 'Signed 2026-10-01');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Mark as met' }));
    expect(onAttest).toHaveBeenCalledWith({ requirement: 'r4', met: true, note: 'Signed 2026-10-01' });
  });
});
