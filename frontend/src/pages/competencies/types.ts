// The shape of competencyProgress (issue 3), as the page reads it. The generated
// operation types are assignable to these, so the view components stay independent
// of which fields a query selects on top.
export type CompetencyStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'QUALIFIED' | 'ACTIVE' | 'AT_RISK';

export interface SkillView {
  id: string;
  number: string;
  title: string;
  type: string;
  retiredOn?: string | null;
  validUntil?: string | null;
}

export interface PersonView {
  id: string;
  name: string;
  email: string;
}

export interface AttestationView {
  met: boolean;
  note: string;
  at: string;
  by?: { name: string } | null;
}

export interface RequirementView {
  id: string;
  key: string;
  description: string;
  kind: string;
  required: number;
  current: number;
  met: boolean;
  people: readonly PersonView[];
  skills: readonly SkillView[];
  /** B2: when a met requirement is projected to become unmet. */
  unmetOn?: string | null;
  attestation?: AttestationView | null;
}

export interface OptionView {
  name: string;
  met: boolean;
  requirements: readonly RequirementView[];
  unmetOn?: string | null;
}

export interface LevelView {
  level: string;
  attained: boolean;
  options: readonly OptionView[];
}

export interface CompetencyProgressView {
  competency: { id: string; key: string; name: string; description: string };
  status: CompetencyStatus | string;
  levels: readonly LevelView[];
  offer?: { level: string; option: string; purchasedAt: string; anniversaryAt: string } | null;
}
