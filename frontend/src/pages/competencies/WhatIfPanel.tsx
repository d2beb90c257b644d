import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Alert } from '../../components/Feedback';
import { plural } from '../../lib/format';
import type { PersonView } from './types';
import { isEmptyWhatIf, type PlannedExam, type WhatIfRequest } from './whatIf';

interface WhatIfPanelProps {
  /** People who count for something now: the ones that can be ticked as leaving. */
  people: readonly PersonView[];
  /** Skill numbers to suggest for planned exams. */
  skills: readonly { number: string; title: string }[];
  /** Runs the what-if; resolves to an error sentence, or null when the result is shown. */
  onRun: (request: WhatIfRequest) => Promise<string | null>;
  onClear: () => void;
  /** What the shown result changes, once there is one. */
  summary?: ReactNode;
  defaultOpen?: boolean;
}

/** What-if (B1): tick people as leaving, add planned exams, see the ticks change. Nothing is saved. */
export function WhatIfPanel({ people, skills, onRun, onClear, summary, defaultOpen = false }: WhatIfPanelProps) {
  const [open, setOpen] = useState(defaultOpen);
  const [leaving, setLeaving] = useState<string[]>([]);
  const [exams, setExams] = useState<PlannedExam[]>([]);
  const [mcid, setMcid] = useState('');
  const [skill, setSkill] = useState('');
  const [examError, setExamError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [runs, setRuns] = useState(0);
  const [running, setRunning] = useState(false);
  const [shown, setShown] = useState(false);
  const id = useId();
  // The plan whose result is shown. A result belongs to the plan that ran: once the plan changes, or
  // a later run fails, it goes, rather than stay beside each requirement under a header and counts
  // that now describe another plan (review).
  const ranPlan = useRef<string | null>(null);
  const plan = JSON.stringify([leaving, exams]);
  const dropResult = () => {
    ranPlan.current = null;
    setShown(false);
    onClear();
  };
  useEffect(() => {
    if (shown && ranPlan.current !== plan) dropResult();
  }, [plan, shown]);

  // Someone who no longer counts (e.g. removed meanwhile) cannot stay ticked.
  useEffect(() => {
    setLeaving((l) => {
      const next = l.filter((x) => people.some((p) => p.id === x));
      return next.length === l.length ? l : next;
    });
  }, [people]);

  const linked = people.filter((p) => p.learningAccount?.mcid);

  function toggle(personId: string, on: boolean) {
    setLeaving((l) => (on ? [...l, personId] : l.filter((x) => x !== personId)));
  }

  function addExam(e: FormEvent) {
    e.preventDefault();
    const m = mcid.trim();
    const s = skill.trim().toUpperCase();
    if (!m || !s) {
      setExamError(
        !m && !s
          ? 'Enter the MCID of a linked person and the exam or certification number.'
          : !m
            ? 'Enter the MCID of the person who plans the exam.'
            : 'Enter the exam or certification number, for example AZ-104.',
      );
      return;
    }
    if (exams.some((x) => x.mcid === m && x.skillNumber === s)) {
      setExamError(`${s} for MCID ${m} is planned already.`);
      return;
    }
    setExamError(null);
    setExams((x) => [...x, { mcid: m, skillNumber: s }]);
    setSkill('');
  }

  async function run() {
    const request = { removePeople: leaving, addResults: exams };
    if (isEmptyWhatIf(request)) {
      setError('Tick someone as leaving or add a planned exam first.');
      setRuns((n) => n + 1);
      return;
    }
    setRunning(true);
    setError(null);
    const failure = await onRun(request);
    setRuns((n) => n + 1);
    setRunning(false);
    setError(failure);
    if (failure) return dropResult();
    ranPlan.current = JSON.stringify([request.removePeople, request.addResults]);
    setShown(true);
  }

  function clear() {
    setLeaving([]);
    setExams([]);
    setMcid('');
    setSkill('');
    setError(null);
    setExamError(null);
    dropResult();
  }

  const nameOf = (m: string) => linked.find((p) => p.learningAccount?.mcid === m)?.name;

  return (
    <section className={`card whatif${shown ? ' whatif-on' : ''}`} aria-labelledby={`${id}-title`}>
      <div className="whatif-head">
        <h2 id={`${id}-title`}>
          <button type="button" className="competency-toggle" aria-expanded={open} aria-controls={`${id}-body`} onClick={() => setOpen((o) => !o)}>
            <span className="chevron" aria-hidden="true" />
            What if…
          </button>
        </h2>
        <p className="muted whatif-lead">See what happens if people leave or pass planned exams. Nothing is saved.</p>
        {shown && <span className="badge badge-whatif">What-if shown</span>}
      </div>
      {open && (
        <div id={`${id}-body`} className="whatif-body">
          <fieldset className="whatif-group">
            <legend>People leaving</legend>
            {people.length === 0 ? (
              <p className="muted">Nobody counts towards a requirement yet.</p>
            ) : (
              <ul className="whatif-people">
                {people.map((p) => (
                  <li key={p.id}>
                    <label className="check">
                      <input type="checkbox" checked={leaving.includes(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} aria-label={`${p.name} leaves`} />
                      <span>
                        {p.name} <span className="muted">{p.email}</span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
          </fieldset>
          <fieldset className="whatif-group">
            <legend>Planned exams</legend>
            <form className="whatif-exam" onSubmit={addExam} noValidate>
              <div className="field">
                <label htmlFor={`${id}-mcid`}>MCID</label>
                <input
                  id={`${id}-mcid`}
                  inputMode="numeric"
                  autoComplete="off"
                  list={`${id}-mcids`}
                  value={mcid}
                  onChange={(e) => setMcid(e.target.value)}
                  placeholder={linked[0]?.learningAccount?.mcid ?? '9900001'}
                />
                <datalist id={`${id}-mcids`}>
                  {linked.map((p) => (
                    <option key={p.id} value={p.learningAccount!.mcid}>
                      {p.name}
                    </option>
                  ))}
                </datalist>
              </div>
              <div className="field">
                <label htmlFor={`${id}-skill`}>Exam or certification</label>
                <input id={`${id}-skill`} autoComplete="off" list={`${id}-skills`} value={skill} onChange={(e) => setSkill(e.target.value)} placeholder="AZ-104" />
                <datalist id={`${id}-skills`}>
                  {skills.map((s) => (
                    <option key={s.number} value={s.number}>
                      {s.title}
                    </option>
                  ))}
                </datalist>
              </div>
              <button type="submit" className="btn btn-secondary">
                Add exam
              </button>
            </form>
            {examError && <Alert kind="error">{examError}</Alert>}
            {exams.length > 0 && (
              <ul className="whatif-exams" aria-label="Planned exams">
                {exams.map((x, i) => (
                  <li key={`${x.mcid}/${x.skillNumber}`} className="chip">
                    <span>
                      {x.skillNumber} · {nameOf(x.mcid) ?? `MCID ${x.mcid}`}
                    </span>
                    <button
                      type="button"
                      className="chip-remove"
                      aria-label={`Remove ${x.skillNumber} for ${nameOf(x.mcid) ?? `MCID ${x.mcid}`}`}
                      onClick={() => setExams((all) => all.filter((_, j) => j !== i))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </fieldset>
          <div className="whatif-actions">
            <button type="button" className="btn btn-primary" onClick={run} disabled={running}>
              {running ? 'Working it out…' : 'Run what-if'}
            </button>
            <button type="button" className="btn btn-secondary" onClick={clear} disabled={running}>
              Clear
            </button>
            <span className="muted">
              {plural(leaving.length, 'person', 'people')} leaving · {plural(exams.length, 'planned exam')}
            </span>
          </div>
          {/* Keyed by the run: each run's outcome takes the focus the disabled button lost. */}
          {error && <Alert key={`e${runs}`} kind="error" takeFocus={runs > 0}>{error}</Alert>}
          {shown && summary && <Alert key={`s${runs}`} kind="info" takeFocus={runs > 0}>{summary}</Alert>}
        </div>
      )}
    </section>
  );
}
