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
          requirements: [
            { description: 'Two people with an Azure administrator or architect exam', kind: 'SKILL', required: 2, current: 2, met: true, people: [alex, { id: 'u2', name: 'Riley Chen', email: 'riley@contoso.example' }], skills: [az104, az303] },
            { description: 'Customer references', kind: 'ATTESTED', required: 1, current: 1, met: true, people: [], skills: [] },
          ],
        },
        {
          name: 'Distributor option',
          met: false,
          requirements: [
            { description: 'Four people with an Azure exam', kind: 'SKILL', required: 4, current: 1, met: false, people: [alex], skills: [az104] },
            { description: 'Distributor agreement', kind: 'ATTESTED', required: 1, current: 0, met: false, people: [], skills: [] },
          ],
        },
      ],
    },
    {
      level: 'GOLD',
      attained: false,
      options: [{ name: 'Standard option', met: false, requirements: [{ description: 'Five people with an Azure expert exam', kind: 'SKILL', required: 5, current: 0, met: false, people: [], skills: [az303] }] }],
    },
  ],
};
