// What-if (B1) helpers: what the panel sends, how a simulated progress lines up with
// the real one, and the sentences for what the server refuses.
import { describeError } from '../../lib/errors';
import type { CapabilityScoreView, CompetencyProgressView, PersonView, RequirementView } from './types';

export interface PlannedExam {
  mcid: string;
  skillNumber: string;
}

export interface WhatIfRequest {
  removePeople: string[];
  addResults: PlannedExam[];
}

export function isEmptyWhatIf(r: WhatIfRequest): boolean {
  return r.removePeople.length === 0 && r.addResults.length === 0;
}

/** A simulated competency progress, looked up by requirement id (ids are the catalog's, shared by both). */
export interface SimulatedIndex {
  byCompetency: Map<string, CompetencyProgressView>;
  byRequirement: Map<string, RequirementView>;
}

export function indexSimulation(list: readonly CompetencyProgressView[]): SimulatedIndex {
  const byCompetency = new Map<string, CompetencyProgressView>();
  const byRequirement = new Map<string, RequirementView>();
  for (const p of list) {
    byCompetency.set(p.competency.id, p);
    for (const l of p.levels) for (const o of l.options) for (const r of o.requirements) byRequirement.set(r.id, r);
  }
  return { byCompetency, byRequirement };
}

export interface WhatIfChanges {
  lost: number;
  gained: number;
  statuses: number;
  points: number;
}

/** How many requirement ticks and statuses the what-if changes, and the points difference. */
export function compareSimulation(
  real: readonly CompetencyProgressView[],
  sim: SimulatedIndex,
  realScore: readonly CapabilityScoreView[] = [],
  simScore: readonly CapabilityScoreView[] = [],
): WhatIfChanges {
  let lost = 0;
  let gained = 0;
  let statuses = 0;
  for (const p of real) {
    const s = sim.byCompetency.get(p.competency.id);
    if (s && s.status !== p.status) statuses++;
    for (const l of p.levels)
      for (const o of l.options)
        for (const r of o.requirements) {
          const x = sim.byRequirement.get(r.id);
          if (!x) continue;
          if (r.met && !x.met) lost++;
          if (!r.met && x.met) gained++;
        }
  }
  const sum = (a: readonly CapabilityScoreView[]) => a.reduce((n, s) => n + s.points, 0);
  return { lost, gained, statuses, points: simScore.length ? sum(simScore) - sum(realScore) : 0 };
}

/** Everyone who counts for a requirement or a capability rule, once each, by name. */
export function peopleWhoCount(progress: readonly CompetencyProgressView[], scores: readonly CapabilityScoreView[] = []): PersonView[] {
  const seen = new Map<string, PersonView>();
  const add = (p: PersonView) => {
    const had = seen.get(p.id);
    if (!had || (!had.learningAccount && p.learningAccount)) seen.set(p.id, p);
  };
  for (const c of progress) for (const l of c.levels) for (const o of l.options) for (const r of o.requirements) r.people.forEach(add);
  for (const s of scores) {
    for (const p of s.prerequisites) p.people.forEach(add);
    for (const r of s.rules) r.people.forEach(add);
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Every skill number the catalog names, with a title where known. */
export function catalogSkills(progress: readonly CompetencyProgressView[], scores: readonly CapabilityScoreView[] = []): { number: string; title: string }[] {
  const seen = new Map<string, string>();
  for (const c of progress) for (const l of c.levels) for (const o of l.options) for (const r of o.requirements) for (const s of r.skills) seen.set(s.number, s.title);
  for (const s of scores) for (const x of [...s.prerequisites, ...s.rules]) for (const n of x.skills) if (!seen.has(n)) seen.set(n, '');
  return [...seen.entries()].map(([number, title]) => ({ number, title })).sort((a, b) => a.number.localeCompare(b.number));
}

interface ErrorWithField {
  graphQLErrors?: readonly { message: string; extensions?: Record<string, unknown> | null }[];
}

/**
 * The sentence for a refused what-if. The server names the offending entry
 * (addResults[1]: …); the panel numbers planned exams from 1 and names people.
 */
export function describeWhatIfError(error: unknown, request: WhatIfRequest, people: readonly PersonView[] = []): string {
  const first = (error as ErrorWithField | null)?.graphQLErrors?.[0];
  const field = typeof first?.extensions?.field === 'string' ? first.extensions.field : '';
  const where = /(addResults|removePeople)\[(\d+)\]/.exec(field || first?.message || '');
  if (first && where) {
    const i = Number(where[2]);
    if (where[1] === 'addResults') {
      const exam = request.addResults[i];
      const detail = first.message.replace(/^.*?addResults\[\d+\]\s*:?\s*/, '').trim();
      const label = exam ? `Planned exam ${i + 1} (${exam.skillNumber} for MCID ${exam.mcid})` : `Planned exam ${i + 1}`;
      if (/is not valid\.?$/.test(detail) || detail === '') return `${label} is not valid. Check the MCID and the skill number.`;
      return `${label}: ${detail.charAt(0).toUpperCase()}${detail.slice(1).replace(/([^.!?])$/, '$1.')}`;
    }
    const id = request.removePeople[i];
    const name = people.find((p) => p.id === id)?.name;
    return `${name ?? 'One of the people ticked as leaving'} is no longer in your organization. Reload the page and try again.`;
  }
  return describeError(error);
}
