import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DesignationsPage, withUnit } from './DesignationsPage';
import { windowStrip } from './windowStrip';
import { mockClient, withClient } from '../../test/mockClient';
import type { SolutionAreaFieldsFragment } from '../../gql/graphql';

const alex = { id: 'u3', name: 'Alex Wilber', email: 'alex@contoso.example', learningAccount: { mcid: '9900001' } };

function metric(key: string, name: string, source: string, weight: number, value: number, threshold: number, people: (typeof alex)[] = []) {
  const points = Math.floor(weight * Math.min(value / threshold, 1) * 100) / 100;
  return { key, name, source, unit: source === 'INGESTED' ? 'customers' : 'people', weight, value, threshold, points, missing: Math.max(threshold - value, 0), month: source === 'INGESTED' ? '2026-12' : null, people };
}

function area(score: number, qualified: boolean, adv: number, extra: Partial<SolutionAreaFieldsFragment> = {}): SolutionAreaFieldsFragment {
  const track = {
    key: 'standard',
    name: 'Standard',
    score,
    qualified,
    explanation: qualified ? `${score} points` : `${score} points, below 70; at zero: Advanced certifications`,
    categories: [
      { category: 'PERFORMANCE', maxPoints: 10, points: 10, metrics: [metric('net-customer-adds', 'Net customer adds', 'INGESTED', 10, 4, 3)] },
      {
        category: 'SKILLING',
        maxPoints: 40,
        points: 5 + adv * 10,
        metrics: [
          metric('intermediate-certifications', 'Intermediate certifications', 'INTERMEDIATE_CERTIFICATIONS', 20, 1, 4, [alex]),
          metric('advanced-certifications', 'Advanced certifications', 'ADVANCED_CERTIFICATIONS', 20, adv, 2, adv ? [alex] : []),
        ],
      },
      { category: 'CUSTOMER_SUCCESS', maxPoints: 50, points: 50, metrics: [metric('usage-growth', 'Usage growth', 'INGESTED', 25, 31500, 25000), metric('deployments', 'Deployments', 'INGESTED', 25, 12, 10)] },
    ],
  };
  return {
    __typename: 'SolutionArea',
    key: 'infrastructure-azure',
    name: 'Infrastructure (Azure)',
    description: '',
    intermediateSkills: ['MC-AZURE-ADMINISTRATOR'],
    advancedSkills: ['MC-AZURE-SOLUTIONS-ARCHITECT'],
    score,
    qualified,
    reason: qualified ? 'QUALIFIED' : 'SCORE_BELOW_70_AND_METRIC_AT_ZERO',
    explanation: track.explanation,
    dropsOn: null,
    dropReason: null,
    bestTrack: { key: 'standard', name: 'Standard' },
    tracks: [track],
    window: {
      opensOn: '2026-07-01T00:00:00Z',
      closesOn: '2026-12-31T00:00:00Z',
      qualifiedDays: 2,
      holds: true,
      lastQualifiedOn: '2026-09-22T00:00:00Z',
      holdsUntil: '2027-02-28T00:00:00Z',
      days: [
        { day: '2026-09-21T00:00:00Z', qualified: true, score: 75, live: false },
        { day: '2026-09-22T00:00:00Z', qualified: true, score: 75, live: false },
        { day: '2026-09-23T00:00:00Z', qualified: false, score: 65, live: false },
        { day: '2026-12-03T00:00:00Z', qualified: false, score: 65, live: true },
      ],
    },
    ...extra,
  } as SolutionAreaFieldsFragment;
}

describe('windowStrip', () => {
  it('lays six months of days out with their states', () => {
    const a = area(65, false, 0);
    const months = windowStrip(a.window.opensOn, a.window.closesOn, a.window.days, '2026-12-03');
    expect(months.map((m) => m.label)).toEqual(['Jul 2026', 'Aug 2026', 'Sep 2026', 'Oct 2026', 'Nov 2026', 'Dec 2026']);
    expect(months.reduce((n, m) => n + m.days.length, 0)).toBe(184);
    const sep = months[2];
    expect(sep.qualifiedDays).toBe(2);
    expect(sep.days[20]).toMatchObject({ date: '2026-09-21', state: 'qualified' });
    expect(sep.days[22]).toMatchObject({ date: '2026-09-23', state: 'unqualified' });
    expect(sep.days[23].state).toBe('unrecorded');
    expect(months[5].days[2].state).toBe('today-unqualified');
    expect(months[5].days[3].state).toBe('ahead');
  });
});

describe('withUnit', () => {
  it('says units as a person would', () => {
    expect(withUnit(1, 'people')).toBe('1 person');
    expect(withUnit(2, 'people')).toBe('2 people');
    expect(withUnit(1, 'customers')).toBe('1 customer');
    expect(withUnit(31500, 'USD per month')).toBe('31,500 USD per month');
    expect(withUnit(2.5, '')).toBe('2.5');
    expect(withUnit(999, '')).toBe('999');
    expect(withUnit(1000, '')).toBe('1,000');
    expect(withUnit(-0, '')).toBe(new Intl.NumberFormat('en').format(-0));
  });
});

describe('DesignationsPage', () => {
  it('shows the score, why it does not qualify, the window, and a what-if', async () => {
    const asked: unknown[] = [];
    const client = mockClient({ query: (name) => (name === 'SolutionAreas' ? { data: { solutionAreas: [area(65, false, 0)] } } : 'pending') });
    Object.assign(client, {
      query: (_q: unknown, vars: unknown) => ({
        toPromise: async () => {
          asked.push(vars);
          return { data: { simulateSolutionAreas: [area(75, true, 1, { dropsOn: '2027-02-03T10:00:00Z' })] } };
        },
      }),
    });
    render(withClient(client, <DesignationsPage />));
    const card = await screen.findByTestId('area-infrastructure-azure');
    expect(within(card).getByRole('meter', { name: /Infrastructure \(Azure\): 65 of 100 points/ })).toBeTruthy();
    expect(within(card).getByText('Not qualified')).toBeTruthy();
    expect(within(card).getByText(/65 points, below 70; at zero: Advanced certifications/)).toBeTruthy();
    expect(within(card).getByTestId('window-summary').textContent).toMatch(/Qualified on 2 days .* the window holds until/);
    expect(within(card).getByRole('img', { name: /Sep 2026: 2 qualified days/ })).toBeTruthy();
    expect(screen.getByTestId('designation-overview').textContent).toMatch(/No area qualifies today\. 1 window of 1 holds/);

    await userEvent.click(within(card).getByRole('button', { name: 'Show metrics' }));
    const row = within(card).getByRole('row', { name: /Advanced certifications/ });
    expect(row.textContent).toMatch(/0 of 20 · at zero/);
    expect(within(card).getByRole('row', { name: /Intermediate certifications/ }).textContent).toMatch(/1 person/);

    await userEvent.click(screen.getByRole('button', { name: /What if/ }));
    await userEvent.type(screen.getByLabelText('MCID'), '9900001');
    await userEvent.type(screen.getByLabelText('Exam or certification'), 'MC-AZURE-SOLUTIONS-ARCHITECT');
    await userEvent.click(screen.getByRole('button', { name: 'Add exam' }));
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    await waitFor(() => expect(within(card).getByTestId('whatif-line').textContent).toMatch(/75 points, qualified, until/));
    expect(asked[0]).toEqual({ input: { removePeople: [], addResults: [{ mcid: '9900001', skillNumber: 'MC-AZURE-SOLUTIONS-ARCHITECT' }] } });
    expect(within(card).getByRole('meter', { name: /what-if 75/ })).toBeTruthy();
  });
});
