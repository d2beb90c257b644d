import { beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readListing, SkillsReportPage } from './SkillsReportPage';
import { gqlError, mockClient, withClient } from '../../test/mockClient';

const row = (n: number, extra: Record<string, unknown> = {}) => ({
  cursor: `c${n}`,
  node: {
    name: `Person ${n}`,
    email: `p${n}@contoso.example`,
    mcid: `99000${n}`,
    linkKind: 'LEARNING',
    skillType: 'EXAM',
    skillNumber: 'AZ-104',
    title: 'Microsoft Azure Administrator',
    completedAt: '2025-09-24T00:00:00Z',
    expiresAt: null,
    competencies: ['Cloud Platform: Silver (Standard)'],
    associatedInPC: true,
    source: 'directory',
    sourceLabel: 'Certification directory',
    recognizedAt: '2025-09-27T00:00:00Z',
    needsAssociation: false,
    counting: true,
    countsUntil: null,
    retiredOn: null,
    userId: `u${n}`,
    ...extra,
  },
});

function setup(answer?: (vars: Record<string, unknown>) => unknown, mutation?: (name: string, vars: unknown) => never) {
  const client = mockClient({
    mutation,
    query: (name, vars) => {
      if (name === 'CompetencyNames') return { data: { competencyProgress: [{ competency: { id: 'c1', key: 'cloud-platform', name: 'Cloud Platform' } }] } };
      const v = vars as Record<string, unknown>;
      return answer ? (answer(v) as never) : { data: { skillsReport: { totalCount: 2, pageInfo: { hasNextPage: false, endCursor: 'c2' }, edges: [row(1), row(2, { associatedInPC: false, needsAssociation: true, counting: false, competencies: [] })] } } };
    },
  });
  render(withClient(client, <SkillsReportPage />));
  const reportCalls = () => client.executeQuery.mock.calls.map((c) => c[0]).filter((r) => r.variables && 'first' in (r.variables as object));
  return { client, reportCalls };
}

describe('Skills report', () => {
  beforeEach(() => window.history.replaceState(null, '', '/skills-report'));

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
    await userEvent.click(screen.getByRole('button', { name: /Skill/ }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'SKILL_NUMBER', direction: 'ASC' } }));
    await userEvent.click(screen.getByRole('button', { name: /Skill/ }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'SKILL_NUMBER', direction: 'DESC' } }));
    expect(screen.getByRole('columnheader', { name: /Skill/ }).getAttribute('aria-sort')).toBe('descending');
  });

  it('sorts by any field from the Sort by control too (phones show no column headers)', async () => {
    const { reportCalls } = setup();
    await screen.findByRole('table');
    await userEvent.selectOptions(screen.getByLabelText('Sort by'), 'MCID');
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'MCID', direction: 'ASC' } }));
    await userEvent.click(screen.getByRole('button', { name: 'Ascending' }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'MCID', direction: 'DESC' } }));
  });

  it('says what counts now and what stopped, with readable sources', async () => {
    setup(() => ({
      data: {
        skillsReport: {
          totalCount: 2,
          pageInfo: { hasNextPage: false, endCursor: 'c2' },
          edges: [
            row(1, { countsUntil: '2027-03-31T00:00:00Z' }),
            row(2, { counting: false, competencies: [], countsUntil: '2025-04-30T00:00:00Z', retiredOn: '2024-10-31T00:00:00Z', source: 'operator:ops@certlink.example', sourceLabel: 'certlink operator (ops@certlink.example)' }),
          ],
        },
      },
    }));
    const table = await screen.findByRole('table');
    const [, live, stopped] = within(table).getAllByRole('row');
    expect(live.textContent).toContain('Yes, until');
    expect(live.textContent).toContain('Cloud Platform: Silver (Standard)');
    expect(stopped.textContent).toContain('No — stopped');
    expect(stopped.textContent).toContain('Nothing now');
    expect(stopped.textContent).toContain('Retired');
    expect(stopped.textContent).toContain('certlink operator (ops@certlink.example)');
    expect(stopped.textContent).not.toContain('operator:ops');
  });

  it('lets admins remind or remove people who need to associate', async () => {
    const calls: [string, unknown][] = [];
    setup(undefined, ((name: string, vars: unknown) => {
      calls.push([name, vars]);
      if (name === 'RemindToAssociate') return { data: { remindToAssociate: { mcid: '990002', sentTo: 'p2@learn.example' } } };
      return { data: { removeLegacyRecognition: { mcid: '990002' } } };
    }) as never);
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: 'Remind to associate: Person 2' }));
    expect(await screen.findByText(/Person 2 is reminded to associate .*p2@learn\.example/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Remove from report: Person 2' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove from report' }));
    expect(await screen.findByText('Person 2 (MCID 990002) is no longer in the skills report.')).toBeTruthy();
    expect(calls).toEqual([
      ['RemindToAssociate', { mcid: '990002' }],
      ['RemoveLegacyRecognition', { mcid: '990002' }],
    ]);
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

  it('a new sort starts at the first page, never sending a cursor of the old order', async () => {
    const { reportCalls } = setup((v) => ({
      data: { skillsReport: { totalCount: 30, pageInfo: { hasNextPage: !v.after, endCursor: 'c25' }, edges: [row(v.after ? 26 : 1)] } },
    }));
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Person 26')).toBeTruthy();
    const before = reportCalls().length;
    await userEvent.click(screen.getByRole('button', { name: /Skill/ }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ orderBy: { field: 'SKILL_NUMBER' } }));
    for (const call of reportCalls().slice(before)) {
      expect(call.variables).toMatchObject({ after: null });
    }
    expect(await screen.findByText('Person 1')).toBeTruthy();
  });

  it('keeps filters, order and page in the address, so Back and reload show them again', async () => {
    const answer = (v: Record<string, unknown>) => ({
      data: { skillsReport: { totalCount: 30, pageInfo: { hasNextPage: !v.after, endCursor: 'c25' }, edges: [row(v.after ? 26 : 1)] } },
    });
    const first = setup(answer);
    await screen.findByRole('table');
    await userEvent.selectOptions(screen.getByLabelText('Skill type'), 'CERTIFICATION');
    await userEvent.click(screen.getByLabelText('Needs association'));
    await userEvent.type(screen.getByLabelText('Search'), 'alex');
    await userEvent.selectOptions(screen.getByLabelText('Sort by'), 'EXPIRES_AT');
    await userEvent.click(screen.getByRole('button', { name: 'Ascending' }));
    await waitFor(() => expect(first.reportCalls().at(-1)!.variables).toMatchObject({ where: { search: 'alex' }, orderBy: { direction: 'DESC' } }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Next' }).hasAttribute('disabled')).toBe(false));
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Person 26')).toBeTruthy();
    const q = Object.fromEntries(new URLSearchParams(window.location.search));
    expect(window.location.pathname).toBe('/skills-report');
    // The CSV link's names; the page's cursors stay out of the address (they hold names).
    expect(q).toEqual({ search: 'alex', skillType: 'CERTIFICATION', needsAssociation: 'true', orderBy: 'EXPIRES_AT', direction: 'DESC', page: '2' });
    expect(window.location.search).not.toContain('c25');

    // Reload (or Back to this entry): the same address and history state open the same view.
    cleanup();
    const { reportCalls } = setup(answer);
    expect(await screen.findByText('Person 26')).toBeTruthy();
    expect(reportCalls()[0].variables).toEqual({
      first: 25,
      after: 'c25',
      where: { search: 'alex', skillType: 'CERTIFICATION', needsAssociation: true },
      orderBy: { field: 'EXPIRES_AT', direction: 'DESC' },
    });
    expect((screen.getByLabelText('Search') as HTMLInputElement).value).toBe('alex');
    expect((screen.getByLabelText('Skill type') as HTMLSelectElement).value).toBe('CERTIFICATION');
    expect((screen.getByLabelText('Needs association') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByRole('button', { name: 'Descending' })).toBeTruthy();
  });

  it('opens a sent address at its filters, and at the first page without that page’s cursors', async () => {
    window.history.replaceState(null, '', '/skills-report?competency=cloud-platform&validOnly=true&associatedInPC=false&orderBy=NOPE&page=3');
    const { reportCalls } = setup();
    await screen.findByRole('table');
    expect(reportCalls()[0].variables).toMatchObject({ after: null, where: { competency: 'cloud-platform', validOnly: true, associatedInPC: false }, orderBy: { field: 'NAME', direction: 'ASC' } });
    await waitFor(() => expect(new URLSearchParams(window.location.search).get('page')).toBeNull());
    expect(readListing('?skillType=QUIZ&direction=UP&page=-2')).toEqual({
      filters: { search: '', skillType: '', competency: '', associatedInPC: '', needsAssociation: false, validOnly: false },
      field: 'NAME',
      direction: 'ASC',
      page: 1,
    });
  });

  it('opens a sent address at its page, finding the cursors of the pages before it', async () => {
    window.history.replaceState(null, '', '/skills-report?orderBy=SKILL_NUMBER&page=3');
    const ends: Record<string, string> = { '': 'c25', c25: 'c50' };
    const { reportCalls } = setup((v) => {
      const after = (v.after as string | null) ?? '';
      const last = !(after in ends);
      return { data: { skillsReport: { totalCount: 60, pageInfo: { hasNextPage: !last, endCursor: last ? 'c60' : ends[after] }, edges: [row(last ? 51 : 1)] } } };
    });
    expect(await screen.findByText('Person 51')).toBeTruthy();
    expect(screen.getByText('51–51 of 60')).toBeTruthy();
    expect(reportCalls().map((c) => (c.variables as { after: string | null }).after)).toEqual([null, 'c25', 'c50']);
    for (const c of reportCalls()) expect(c.variables).toMatchObject({ orderBy: { field: 'SKILL_NUMBER', direction: 'ASC' } });
    expect(new URLSearchParams(window.location.search).get('page')).toBe('3');
    // Previous goes back through the pages found.
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    await waitFor(() => expect(reportCalls().at(-1)!.variables).toMatchObject({ after: 'c25' }));
  });

  it('opens a sent address past the last page at the last page', async () => {
    window.history.replaceState(null, '', '/skills-report?page=9');
    setup((v) => ({
      data: { skillsReport: { totalCount: 30, pageInfo: { hasNextPage: !v.after, endCursor: 'c25' }, edges: [row(v.after ? 26 : 1)] } },
    }));
    expect(await screen.findByText('Person 26')).toBeTruthy();
    await waitFor(() => expect(new URLSearchParams(window.location.search).get('page')).toBe('2'));
  });

  it('calls a Partner University number by its name, not an MCID', async () => {
    setup(() => ({
      data: { skillsReport: { totalCount: 2, pageInfo: { hasNextPage: false, endCursor: 'c2' }, edges: [row(1), row(2, { mcid: '8800002', linkKind: 'PARTNER_UNIVERSITY' })] } },
    }));
    const table = await screen.findByRole('table');
    expect(within(table).getByText('MCID 990001')).toBeTruthy();
    expect(within(table).getByText('Partner University 8800002')).toBeTruthy();
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
