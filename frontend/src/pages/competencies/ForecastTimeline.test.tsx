import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import { ForecastTimeline } from './ForecastTimeline';
import { formatDate } from '../../lib/format';
import type { ForecastView } from './types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const alex = { id: 'u1', name: 'Alex Wilber', email: 'alex@contoso.example' };
const riley = { id: 'u2', name: 'Riley Chen', email: 'riley@contoso.example' };

const forecast: ForecastView = {
  at: '2026-11-24T00:00:00Z',
  until: '2028-11-24T00:00:00Z',
  requirements: [
    {
      competency: { id: 'c1', name: 'Data Analytics' },
      level: 'SILVER',
      option: 'Standard',
      requirement: { id: 'r1', description: 'Two data engineers', required: 2, current: 2, met: true },
      unmetOn: '2027-03-31T00:00:00Z',
      carriers: [
        { user: alex, skillNumber: 'DP-203', until: '2027-03-31T00:00:00Z', ends: 'VALIDITY_ENDS' },
        { user: riley, skillNumber: 'DP-300', until: '2028-01-15T00:00:00Z', ends: 'EXPIRES' },
      ],
      changes: [
        { at: '2027-03-31T00:00:00Z', count: 1, met: false, stopCounting: [{ user: alex, skillNumber: 'DP-203', until: '2027-03-31T00:00:00Z', ends: 'VALIDITY_ENDS' }] },
        { at: '2028-01-15T00:00:00Z', count: 0, met: false, stopCounting: [{ user: riley, skillNumber: 'DP-300', until: '2028-01-15T00:00:00Z', ends: 'EXPIRES' }] },
      ],
    },
    {
      competency: { id: 'c2', name: 'Cloud Platform' },
      level: 'SILVER',
      option: 'Standard',
      requirement: { id: 'r2', description: 'One Azure administrator', required: 1, current: 1, met: true },
      unmetOn: null,
      carriers: [{ user: alex, skillNumber: 'AZ-104', until: null, ends: 'NEVER' }],
      changes: [],
    },
    {
      competency: { id: 'c3', name: 'Security' },
      level: 'GOLD',
      option: 'Standard',
      requirement: { id: 'r3', description: 'Three security engineers', required: 3, current: 0, met: false },
      unmetOn: null,
      carriers: [],
      changes: [],
    },
  ],
};

describe('ForecastTimeline', () => {
  it('leads with the first requirement to become unmet', () => {
    render(<ForecastTimeline forecast={forecast} now={Date.parse('2026-11-24T00:00:00Z')} />);
    expect(screen.getByRole('status').textContent).toContain(`1 requirement met now becomes unmet before ${formatDate('2028-11-24T00:00:00Z')}, the first on ${formatDate('2027-03-31T00:00:00Z')}.`);
  });

  it('shows when the count falls, to what, and who stops counting and why', () => {
    render(<ForecastTimeline forecast={forecast} now={Date.parse('2026-11-24T00:00:00Z')} />);
    const item = screen.getByRole('heading', { name: /Two data engineers/ }).closest('li')!;
    expect(item.textContent).toContain(`becomes unmet on ${formatDate('2027-03-31T00:00:00Z')}`);
    const steps = within(screen.getByRole('list', { name: 'Timeline of Two data engineers' }))
      .getAllByRole('listitem')
      .filter((li) => li.classList.contains('timeline-step'));
    expect(steps).toHaveLength(3);
    expect(steps[0].textContent).toContain('2 of 2 counting: Alex Wilber, Riley Chen');
    expect(steps[1].textContent).toContain(formatDate('2027-03-31T00:00:00Z'));
    expect(steps[1].textContent).toContain('Falls to 1 of 2 (unmet)');
    expect(steps[1].textContent).toContain('Alex Wilber stops counting: DP-203 was retired and its validity ends');
    expect(steps[2].textContent).toContain('Riley Chen stops counting: DP-300 expires');
  });

  it('lists requirements that do not change, and counts those nobody carries', () => {
    render(<ForecastTimeline forecast={forecast} now={Date.parse('2026-11-24T00:00:00Z')} />);
    const table = screen.getByRole('table', { name: 'Requirements whose count does not fall' });
    expect(within(table).getByText('One Azure administrator')).toBeTruthy();
    expect(within(table).getByText(/Alex Wilber \(AZ-104\)/)).toBeTruthy();
    expect(screen.getByText('1 other requirement has nobody counting yet.')).toBeTruthy();
  });

  it('says so when nothing becomes unmet', () => {
    render(<ForecastTimeline forecast={{ ...forecast, requirements: [forecast.requirements[1]] }} />);
    expect(screen.getByRole('status').textContent).toContain('No requirement that is met now becomes unmet before');
  });

  // Review: at 360 px the tab was 482 px wide: the section's grids had an auto column, which grew to
  // the steady table's width and took the heading, intro, summary and cards with it.
  it('keeps its grids to the page width, and stacks its table at narrow widths', () => {
    // jsdom lays nothing out nor knows grid properties: the declarations of the rules naming each.
    const styles = readFileSync(join(import.meta.dirname, '../../styles.css'), 'utf8');
    const rules = [...styles.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)];
    const columns = (selector: string) =>
      rules
        .filter(([, sel]) => sel.split(',').some((x) => x.trim() === selector))
        .flatMap(([, , body]) => [...body.matchAll(/grid-template-columns:\s*([^;]+);/g)].map((m) => m[1].trim()));
    for (const selector of ['.forecast-section', '.forecast', '.forecast-list']) expect(columns(selector), selector).toContain('minmax(0, 1fr)');
    render(<ForecastTimeline forecast={forecast} now={Date.parse('2026-11-24T00:00:00Z')} />);
    expect(screen.getByRole('table').classList.contains('table-stack')).toBe(true);
  });
});
