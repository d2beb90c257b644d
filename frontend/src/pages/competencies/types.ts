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

export interface RequirementView {
  description: string;
  kind: string;
  required: number;
  current: number;
  met: boolean;
  people: readonly PersonView[];
  skills: readonly SkillView[];
}

export interface OptionView {
  name: string;
  met: boolean;
  requirements: readonly RequirementView[];
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
}
