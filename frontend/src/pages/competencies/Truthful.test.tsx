import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { levelSummary, SkillItem } from './CompetencyCard';
import { StatusBadge } from './StatusBadge';
import { CapabilityScoreCard } from './CapabilityScoreCard';
import { readableDetail, exportHref } from '../audit/AuditLogPage';
import type { LevelView } from './types';

const req = (met: boolean) => ({ id: String(Math.random()), key: 'k', description: 'd', kind: 'SKILL', required: 1, current: met ? 1 : 0, met, people: [], skills: [] });

describe('what the competency page says is true', () => {
  it('names the option a level summary is about', () => {
    const level: LevelView = {
      level: 'SILVER',
      attained: false,
      options: [
        { name: 'Standard', met: false, requirements: [req(true), req(false), req(false), req(false)] },
        { name: 'Distributor option', met: false, requirements: [req(true), req(true), req(false), req(false)] },
      ],
    };
    expect(levelSummary(level)).toBe('2 of 4 requirements met, closest: Distributor option');
    expect(levelSummary({ ...level, options: [level.options[0]] })).toBe('1 of 4 requirements met (Standard)');
    expect(levelSummary({ ...level, attained: true, options: [{ ...level.options[1], met: true }, level.options[0]] })).toBe('attained (Distributor option)');
  });

  it('shows a retired skill past its validity as no longer counting', () => {
    render(
      <ul>
        <SkillItem skill={{ id: '1', number: 'DP-500', title: 'Azure Enterprise Data Analyst', type: 'EXAM', retiredOn: '2024-04-30T00:00:00Z', validUntil: '2025-04-30T00:00:00Z', countsNow: false }} />
        <SkillItem skill={{ id: '2', number: 'DP-203', title: 'Data Engineering', type: 'EXAM', retiredOn: '2025-03-31T00:00:00Z', validUntil: '2099-03-31T00:00:00Z', countsNow: true }} />
      </ul>,
    );
    const [stopped, live] = screen.getAllByRole('listitem');
    expect(stopped.className).toBe('skill-stopped');
    expect(stopped.textContent).toContain('no longer counts: stopped');
    expect(stopped.textContent).not.toContain('counts until');
    expect(live.textContent).toContain('counts until');
  });

  it('tells "requirements unmet now" apart from "at risk"', () => {
    render(
      <>
        <StatusBadge status="AT_RISK" />
        <StatusBadge status="REQUIREMENTS_UNMET" />
      </>,
    );
    expect(screen.getByText('At risk').getAttribute('title')).toContain('projected');
    const unmet = screen.getByText('Requirements unmet');
    expect(unmet.className).toContain('badge-requirements-unmet');
    expect(unmet.getAttribute('title')).toContain('unmet now');
  });

  it('explains points that wait for the prerequisites', () => {
    render(
      <CapabilityScoreCard
        areas={[
          {
            key: 'infra',
            name: 'Azure Infrastructure',
            description: '',
            maxPoints: 20,
            points: 0,
            prerequisitesMet: false,
            prerequisites: [{ key: 'p', description: 'Two admins first', required: 2, current: 1, met: false, people: [], skills: [] }],
            rules: [{ key: 'r', description: '4 points per admin', tier: 'INTERMEDIATE', pointsPerPerson: 4, current: 1, points: 4, people: [], skills: [] }],
          },
        ]}
      />,
    );
    expect(screen.getByTestId('capability-gated').textContent).toBe('4 points wait for the prerequisites: the area scores 0 until they are met.');
    expect(screen.getByText(/4 points, once the prerequisites are met/)).toBeTruthy();
  });
});

describe('the audit log in words', () => {
  it('shows old entries with roles and deleted addresses readable', () => {
    expect(readableDetail('grace@contoso.example invited Casey (deleted-81604378627-casey@contoso.example) with roles MPN_PARTNER_ADMIN, GLOBAL_ADMIN.')).toBe(
      'grace@contoso.example invited Casey (casey@contoso.example (deleted)) with roles MPN partner admin, Global admin.',
    );
  });

  it('exports with the filters shown', () => {
    expect(exportHref({ action: 'USER_DELETED', search: ' casey ', from: '2026-11-01', to: '2026-11-30' })).toBe(
      '/reports/audit.csv?action=USER_DELETED&search=casey&from=2026-11-01&to=2026-12-01',
    );
  });
});
