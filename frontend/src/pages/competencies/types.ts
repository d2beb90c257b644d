// The shape of competencyProgress (issue 3), as the page reads it. The generated
// operation types are assignable to these, so the view components stay independent
// of which fields a query selects on top.
export type CompetencyStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'QUALIFIED' | 'ACTIVE' | 'AT_RISK' | 'REQUIREMENTS_UNMET';

export interface SkillView {
  id: string;
  number: string;
  title: string;
  type: string;
  retiredOn?: string | null;
  validUntil?: string | null;
  /** False once the skill is past its validity end (C3): its results no longer count. */
  countsNow?: boolean;
}

export interface PersonView {
  id: string;
  name: string;
  email: string;
  /** The person's linked Microsoft Learning account, when the query selects it. */
  learningAccount?: { mcid: string } | null;
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

// The capability score (the Skilling metric), as the score card reads it.
export interface CapabilityPrerequisiteView {
  key: string;
  description: string;
  required: number;
  current: number;
  met: boolean;
  people: readonly PersonView[];
  skills: readonly string[];
}

export interface CapabilityRuleView {
  key: string;
  description: string;
  tier: string;
  pointsPerPerson: number;
  maxPoints?: number | null;
  current: number;
  points: number;
  people: readonly PersonView[];
  skills: readonly string[];
}

export interface CapabilityScoreView {
  key: string;
  name: string;
  description: string;
  maxPoints: number;
  points: number;
  prerequisitesMet: boolean;
  prerequisites: readonly CapabilityPrerequisiteView[];
  rules: readonly CapabilityRuleView[];
}

// The forecast (B2), as the timeline reads it.
export interface ForecastCarrierView {
  user: PersonView;
  skillNumber: string;
  until?: string | null;
  ends: string;
}

export interface ForecastChangeView {
  at: string;
  count: number;
  met: boolean;
  stopCounting: readonly ForecastCarrierView[];
}

export interface RequirementForecastView {
  competency: { id: string; name: string };
  level: string;
  option: string;
  requirement: { id: string; description: string; required: number; current: number; met: boolean };
  unmetOn?: string | null;
  carriers: readonly ForecastCarrierView[];
  changes: readonly ForecastChangeView[];
}

export interface ForecastView {
  at: string;
  until: string;
  requirements: readonly RequirementForecastView[];
}
