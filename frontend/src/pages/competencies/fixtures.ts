import type { CompetencyProgressView } from './types';

const az104 = { id: 's1', number: 'AZ-104', title: 'Microsoft Azure Administrator', type: 'EXAM', retiredOn: null, validUntil: null };
const az303 = { id: 's2', number: 'AZ-303', title: 'Microsoft Azure Architect Technologies', type: 'EXAM', retiredOn: '2021-09-30T00:00:00Z', validUntil: '2099-06-30T00:00:00Z' };
const alex = { id: 'u1', name: 'Alex Wilber', email: 'alex@contoso.example' };

export const cloudPlatform: CompetencyProgressView = {
  competency: { id: 'c1', key: 'cloud-platform', name: 'Cloud Platform', description: 'Azure infrastructure and platform services.' },
  status: 'AT_RISK',
  levels: [
    {
      level: 'SILVER',
      attained: false,
      options: [
        {
          name: 'Standard option',
          met: true,
          unmetOn: '2099-06-30T00:00:00Z',
          requirements: [
            { id: 'r1', key: 'req-1', description: 'Two people with an Azure administrator or architect exam', kind: 'SKILL', required: 2, current: 2, met: true, people: [alex, { id: 'u2', name: 'Riley Chen', email: 'riley@contoso.example' }], skills: [az104, az303] },
            { id: 'r2', key: 'req-2', description: 'Customer references', kind: 'ATTESTED', required: 1, current: 1, met: true, people: [], skills: [], attestation: { met: true, note: 'Fabrikam, Tailspin and Northwind projects', at: '2026-10-01T09:00:00Z', by: { name: 'Grace Hopper' } } },
          ],
        },
        {
          name: 'Distributor option',
          met: false,
          requirements: [
            { id: 'r3', key: 'req-3', description: 'Four people with an Azure exam', kind: 'SKILL', required: 4, current: 1, met: false, people: [alex], skills: [az104] },
            { id: 'r4', key: 'req-4', description: 'Distributor agreement', kind: 'ATTESTED', required: 1, current: 0, met: false, people: [], skills: [] },
          ],
        },
      ],
    },
    {
      level: 'GOLD',
      attained: false,
      options: [{ name: 'Standard option', met: false, requirements: [{ id: 'r5', key: 'req-5', description: 'Five people with an Azure expert exam', kind: 'SKILL', required: 5, current: 0, met: false, people: [], skills: [az303] }] }],
    },
  ],
};
