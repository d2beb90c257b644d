import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SkillsReportPage } from './SkillsReportPage';
import { gqlError, mockClient, withClient } from '../../test/mockClient';

const row = (n: number, extra: Record<string, unknown> = {}) => ({
  cursor: `c${n}`,
  node: {
    name: `Person ${n}`,
    email: `p${n}@contoso.example`,
    mcid: `99000${n}`,
    skillType: 'EXAM',
    skillNumber: 'AZ-104',
    title: 'Microsoft Azure Administrator',
    completedAt: '2025-09-24T00:00:00Z',
    expiresAt: null,
    competencies: ['Cloud Platform: Silver (Standard)'],
    associatedInPC: true,
    source: 'directory',
    recognizedAt: '2025-09-27T00:00:00Z',
    needsAssociation: false,
    ...extra,
  },
});

function setup(answer?: (vars: Record<string, unknown>) => unknown) {
  const client = mockClient({
    query: (name, vars) => {
      if (name === 'CompetencyNames') return { data: { competencyProgress: [{ competency: { id: 'c1', key: 'cloud-platform', name: 'Cloud Platform' } }] } };
      const v = vars as Record<string, unknown>;
      return answer ? (answer(v) as never) : { data: { skillsReport: { totalCount: 2, pageInfo: { hasNextPage: false, endCursor: 'c2' }, edges: [row(1), row(2, { associatedInPC: false, needsAssociation: true })] } } };
    },
  });
  render(withClient(client, <SkillsReportPage />));
  const reportCalls = () => client.executeQuery.mock.calls.map((c) => c[0]).filter((r) => r.variables && 'first' in (r.variables as object));
  return { client, reportCalls };
}

describe('Skills report', () => {
  it('lists rows and flags people who need to associate', async () => {
    setup();
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Person 1')).toBeTruthy();
    expect(within(table).getByText('Needs association')).toBeTruthy();
    expect(screen.getByText('1–2 of 2')).toBeTruthy();
  });

  it('sorts by a column and says so', async () => {
    const { reportCalls } = setup();
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: /MCID/ }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'MCID', direction: 'ASC' } }));
    await userEvent.click(screen.getByRole('button', { name: /MCID/ }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'MCID', direction: 'DESC' } }));
    expect(screen.getByRole('columnheader', { name: /MCID/ }).getAttribute('aria-sort')).toBe('descending');
  });

  it('filters, and the CSV link carries the same filters', async () => {
    const { reportCalls } = setup();
    await screen.findByRole('table');
    await userEvent.selectOptions(screen.getByLabelText('Competency'), 'cloud-platform');
    await userEvent.click(screen.getByLabelText('Valid results only'));
    await userEvent.type(screen.getByLabelText('Search'), 'alex');
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ where: { competency: 'cloud-platform', validOnly: true, search: 'alex' } }));
    const href = screen.getByRole('link', { name: 'Download skills report' }).getAttribute('href')!;
    const q = new URL(href, 'http://x').searchParams;
    expect(href.startsWith('/reports/skills.csv?')).toBe(true);
    expect(Object.fromEntries(q)).toEqual({ competency: 'cloud-platform', validOnly: 'true', search: 'alex', orderBy: 'NAME', direction: 'ASC' });
  });

  it('pages forward with the end cursor and back again', async () => {
    const { reportCalls } = setup((v) => ({
      data: { skillsReport: { totalCount: 30, pageInfo: { hasNextPage: !v.after, endCursor: 'c25' }, edges: [row(v.after ? 26 : 1)] } },
    }));
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ after: 'c25' }));
    expect(await screen.findByText('Person 26')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(await screen.findByText('Person 1')).toBeTruthy();
  });

  it('explains an empty report', async () => {
    setup(() => ({ data: { skillsReport: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } }));
    expect(await screen.findByText('No skills recognized yet')).toBeTruthy();
  });

  it('shows FORBIDDEN as a sentence', async () => {
    setup(() => ({ error: gqlError('FORBIDDEN', 'Only Global Admins and MPN Partner Admins can see the skills report.') }));
    expect((await screen.findByRole('alert')).textContent).toContain('Only Global Admins and MPN Partner Admins can see the skills report.');
  });
});
