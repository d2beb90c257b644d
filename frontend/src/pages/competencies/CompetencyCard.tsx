import { memo, useId, useMemo, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Alert } from '../../components/Feedback';
import { IconCheck } from '../../components/Icons';
import { formatDate, isFuture, plural } from '../../lib/format';
import { levelLabel, StatusBadge } from './StatusBadge';
import type { CompetencyProgressView, LevelView, OptionView, RequirementView, SkillView } from './types';

export interface PurchaseTarget {
  competency: string;
  level: string;
  option: string;
}

export interface AttestInput {
  requirement: string;
  met: boolean;
  note: string;
}

interface CompetencyCardProps {
  progress: CompetencyProgressView;
  /** Buys the offer for an option (C6); resolves to an error sentence, or null on success. */
  onPurchase: (target: PurchaseTarget) => Promise<string | null>;
  /** Marks an ATTESTED requirement met or unmet (C2); resolves to an error sentence, or null. */
  onAttest?: (input: AttestInput) => Promise<string | null>;
  defaultExpanded?: boolean;
  /** B1: the same competency in a what-if, shown beside the real ticks and counts. */
  whatIf?: CompetencyProgressView | null;
}

interface Actions {
  onPurchase: CompetencyCardProps['onPurchase'];
  onAttest?: CompetencyCardProps['onAttest'];
  /** The what-if's requirements by id. */
  sim?: Map<string, RequirementView>;
}

/** One competency: a summary row that expands to levels, options and requirements (C4). */
// Memoized: the page renders again for the socket's state, a live message or a
// what-if; a card whose progress, what-if and handlers are unchanged is skipped.
export const CompetencyCard = memo(function CompetencyCard({ progress, onPurchase, onAttest, defaultExpanded = false, whatIf }: CompetencyCardProps) {
  const [expanded, setExpanded] = useState(defaultExpanded);
  const panelId = useId();
  const { competency, status, levels, offer } = progress;
  const sim = useMemo(() => {
    if (!whatIf) return undefined;
    const m = new Map<string, RequirementView>();
    for (const l of whatIf.levels) for (const o of l.options) for (const r of o.requirements) m.set(r.id, r);
    return m;
  }, [whatIf]);
  const actions: Actions = { onPurchase, onAttest, sim };
  return (
    <section id={`competency-${competency.key}`} className={`card competency${expanded ? ' competency-open' : ''}`} aria-labelledby={`${panelId}-title`}>
      <h2 className="competency-heading" id={`${panelId}-title`}>
        <button type="button" className="competency-toggle" aria-expanded={expanded} aria-controls={panelId} onClick={() => setExpanded((e) => !e)}>
          <span className="chevron" aria-hidden="true" />
          <span className="competency-name">{competency.name}</span>
          <StatusBadge status={status} />
          {whatIf && (
            <span className={whatIf.status === status ? 'whatif-status' : 'whatif-status whatif-changed'}>
              <span className="whatif-label">What-if</span>
              <StatusBadge status={whatIf.status} />
            </span>
          )}
        </button>
      </h2>
      {offer && (
        <p className="offer-line">
          Offer purchased for {levelLabel(offer.level)} ({offer.option}) on {formatDate(offer.purchasedAt)} · anniversary {formatDate(offer.anniversaryAt)}
        </p>
      )}
      <ul className="level-summary" aria-label={`${competency.name} levels`}>
        {levels.map((l) => (
          <li key={l.level} className={l.attained ? 'level-pill level-pill-done' : 'level-pill'}>
            {l.attained && <IconCheck width={16} height={16} />}
            {levelLabel(l.level)}: {levelSummary(l)}
            {whatIf && <WhatIfLevel real={l} sim={whatIf.levels.find((x) => x.level === l.level)} />}
          </li>
        ))}
      </ul>
      {expanded && (
        <div id={panelId} className="competency-body">
          {competency.description && <p className="muted">{competency.description}</p>}
          {levels.map((level) => (
            <LevelBlock key={level.level} competencyId={competency.id} competencyName={competency.name} level={level} actions={actions} offer={offer} />
          ))}
        </div>
      )}
    </section>
  );
});

function WhatIfLevel({ real, sim }: { real: LevelView; sim?: LevelView }) {
  if (!sim) return null;
  const text = sim.attained ? 'attained' : levelSummary(sim);
  const same = text === (real.attained ? 'attained' : levelSummary(real));
  return <span className={same ? 'whatif-inline' : 'whatif-inline whatif-changed'}> · what-if: {text}</span>;
}

/** The level in a few words: which option is attained, or the closest one and how close it is. */
export function levelSummary(level: LevelView): string {
  const attained = level.options.find((o) => o.met);
  if (attained) return level.options.length > 1 ? `attained (${attained.name})` : 'attained';
  const first = level.options[0];
  const best = level.options.reduce(
    (acc, o) => {
      const met = o.requirements.filter((r) => r.met).length;
      return met / Math.max(1, o.requirements.length) > acc.met / Math.max(1, acc.total) ? { name: o.name, met, total: o.requirements.length } : acc;
    },
    { name: first?.name ?? '', met: 0, total: first?.requirements.length ?? 0 },
  );
  const which = level.options.length > 1 ? `, closest: ${best.name}` : ` (${best.name})`;
  return `${best.met} of ${plural(best.total, 'requirement')} met${best.name ? which : ''}`;
}

function LevelBlock({ competencyId, competencyName, level, actions, offer }: { competencyId: string; competencyName: string; level: LevelView; actions: Actions; offer: CompetencyProgressView['offer'] }) {
  return (
    <div className="level">
      <h3 className="level-title">
        <span className={`medal medal-${level.level.toLowerCase()}`} aria-hidden="true" />
        {levelLabel(level.level)}
        {level.attained && <span className="badge badge-qualified">Attained</span>}
      </h3>
      {level.options.map((option) => (
        <OptionBlock key={option.name} target={{ competency: competencyId, level: level.level, option: option.name }} competencyName={competencyName} option={option} actions={actions} multiple={level.options.length > 1} offerUntil={offer && offer.level === level.level && offer.option === option.name ? offer.anniversaryAt : null} />
      ))}
    </div>
  );
}

function OptionBlock({ target, competencyName, option, actions, multiple, offerUntil }: { target: PurchaseTarget; competencyName: string; option: OptionView; actions: Actions; multiple: boolean; offerUntil: string | null }) {
  const [why, setWhy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const whyId = useId();
  const unmet = option.requirements.filter((r) => !r.met);
  const label = `${competencyName} ${levelLabel(target.level)}${multiple ? `, ${option.name}` : ''}`;

  async function purchase() {
    setBusy(true);
    setError(null);
    const failure = await actions.onPurchase(target);
    setBusy(false);
    if (failure) {
      setError(failure);
      return;
    }
    setConfirming(false);
    setDone(true);
  }

  return (
    <div className="option">
      <div className="option-head">
        <h4>
          {option.met ? <span className="tick" role="img" aria-label="Met"><IconCheck width={16} height={16} /></span> : <span className="tick tick-open" role="img" aria-label="Not met" />}
          {option.name}
        </h4>
        <div className="option-actions">
          {!option.met && unmet.length > 0 && (
            <button type="button" className="btn-link" aria-expanded={why} aria-controls={whyId} onClick={() => setWhy((w) => !w)}>
              Learn why
            </button>
          )}
          {offerUntil ? (
            <span className="badge badge-active">Offer in force until {formatDate(offerUntil)}</span>
          ) : (
            <button type="button" className="btn btn-primary btn-sm" disabled={!option.met} onClick={() => { setError(null); setConfirming(true); }} aria-describedby={!option.met ? whyId : undefined}>
              Purchase offer
            </button>
          )}
        </div>
      </div>
      {done && <Alert kind="success" takeFocus>The {label} offer is purchased. The competency is active for one year.</Alert>}
      {option.met && option.unmetOn && (
        <p className="projection">Projected to stop being met on {formatDate(option.unmetOn)} as results expire or retired skills lose validity.</p>
      )}
      {!option.met && (
        <div id={whyId} hidden={!why} className="why">
          <p>The offer can be purchased once every requirement of this option is met. Still missing:</p>
          <ul>
            {unmet.map((r) => (
              <li key={r.id}>
                {r.description}: {r.kind === 'ATTESTED' ? 'not yet attested' : `${r.current} of ${r.required}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="table-wrap">
        <table className="requirements">
          <caption className="sr-only">Requirements of {label}</caption>
          <thead>
            <tr>
              <th scope="col">Requirement</th>
              <th scope="col">Progress</th>
              <th scope="col">People who count</th>
              <th scope="col">Skills</th>
            </tr>
          </thead>
          <tbody>
            {option.requirements.map((r) => (
              <RequirementRow key={r.id} requirement={r} onAttest={actions.onAttest} sim={actions.sim?.get(r.id)} />
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Purchase the ${label} offer?`}
        confirmLabel="Purchase offer"
        busyLabel="Purchasing…"
        busy={busy}
        error={error}
        onConfirm={purchase}
        onCancel={() => setConfirming(false)}
      >
        <p>Every requirement of this option is met. The competency becomes active for one year, until its anniversary.</p>
      </ConfirmDialog>
    </div>
  );
}

function RequirementRow({ requirement: r, onAttest, sim }: { requirement: RequirementView; onAttest?: Actions['onAttest']; sim?: RequirementView }) {
  const simIds = sim ? new Set(sim.people.map((p) => p.id)) : null;
  const added = sim ? sim.people.filter((p) => !r.people.some((x) => x.id === p.id)) : [];
  const pct = r.required > 0 ? Math.min(100, Math.round((r.current / r.required) * 100)) : r.met ? 100 : 0;
  return (
    <tr className={r.met ? 'req-met' : undefined}>
      <td data-label="Requirement">
        <div className="req-desc">
          {r.met ? <span className="tick" role="img" aria-label="Met"><IconCheck width={14} height={14} /></span> : <span className="tick tick-open" role="img" aria-label="Not met" />}
          <span>{r.description}</span>
        </div>
        {r.kind === 'ATTESTED' && <span className="chip">Attested by an admin</span>}
        {r.met && r.unmetOn && <span className="skill-note">Projected unmet on {formatDate(r.unmetOn)}</span>}
      </td>
      <td data-label="Progress">
        {r.kind === 'ATTESTED' ? (
          <Attestation requirement={r} onAttest={onAttest} />
        ) : (
          <div className="progress">
            <span className="progress-count">
              <strong>{r.current}</strong> / {r.required}
            </span>
            <span className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={r.required} aria-valuenow={Math.min(r.current, r.required)} aria-label={`${r.current} of ${r.required}`}>
              <span style={{ width: `${pct}%` }} />
            </span>
          </div>
        )}
        {sim && r.kind !== 'ATTESTED' && (
          <div className={sim.met !== r.met || sim.current !== r.current ? 'whatif-line whatif-changed' : 'whatif-line'} data-testid="whatif-count">
            <span className="whatif-label">What-if</span>
            {sim.met ? (
              <span className="tick" role="img" aria-label="What-if: met">
                <IconCheck width={12} height={12} />
              </span>
            ) : (
              <span className="tick tick-open" role="img" aria-label="What-if: not met" />
            )}
            <span>
              <strong>{sim.current}</strong> / {sim.required}
            </span>
          </div>
        )}
      </td>
      <td className="wrap-anywhere" data-label="People who count">
        {r.people.length === 0 && added.length === 0 ? (
          <span className="muted">{r.kind === 'ATTESTED' ? '—' : 'Nobody yet'}</span>
        ) : (
          <ul className="people">
            {r.people.map((p) =>
              simIds && !simIds.has(p.id) ? (
                <li key={p.id} title={`${p.email} · does not count in the what-if`} className="whatif-gone">
                  <del>{p.name}</del>
                  <span className="sr-only"> (does not count in the what-if)</span>
                </li>
              ) : (
                <li key={p.id} title={p.email}>
                  {p.name}
                </li>
              ),
            )}
            {added.map((p) => (
              <li key={p.id} title={`${p.email} · counts in the what-if`} className="whatif-added">
                + {p.name}
                <span className="sr-only"> (counts in the what-if)</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td data-label="Skills">
        {r.skills.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="skills">
            {r.skills.map((s) => (
              <SkillItem key={s.id} skill={s} />
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/**
 * C3: a retired skill still counts until its validity end; after it, it no longer does. Whether it
 * counts is the server's word (countsNow, by its clock), not the browser's.
 */
export function SkillItem({ skill: s }: { skill: SkillView }) {
  const retired = s.retiredOn && !isFuture(s.retiredOn);
  const stopped = s.countsNow === false;
  return (
    <li className={stopped ? 'skill-stopped' : undefined}>
      <span className="skill-number">{s.number}</span> <span className="skill-title">{s.title}</span>
      {s.retiredOn && (
        <span className={retired ? 'skill-note skill-retired' : 'skill-note'}>
          {retired ? 'Retired' : 'Retires'} {formatDate(s.retiredOn)}
          {s.validUntil && (stopped ? <> · no longer counts: stopped {formatDate(s.validUntil)}</> : <> · counts until {formatDate(s.validUntil)}</>)}
        </span>
      )}
      {!s.retiredOn && stopped && <span className="skill-note skill-retired">No longer counts{s.validUntil ? `: stopped ${formatDate(s.validUntil)}` : ''}</span>}
    </li>
  );
}

/** C2: an admin marks an ATTESTED requirement met or unmet, with a note; the latest one shows. */
function Attestation({ requirement: r, onAttest }: { requirement: RequirementView; onAttest?: Actions['onAttest'] }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const noteId = useId();
  const a = r.attestation;
  const nextMet = !r.met;

  async function submit() {
    if (!onAttest) return;
    if (nextMet && !note.trim()) {
      setError('Add a note that shows the requirement is met.');
      return;
    }
    setBusy(true);
    setError(null);
    const failure = await onAttest({ requirement: r.id, met: nextMet, note: note.trim() });
    setBusy(false);
    if (failure) setError(failure);
    else {
      setOpen(false);
      setNote('');
    }
  }

  return (
    <div className="attestation">
      <span>{r.met ? 'Attested' : 'Not attested'}</span>
      {a && (
        <span className="attestation-note">
          {a.note && <>“{a.note}” · </>}
          {a.by ? a.by.name : 'a former user'}, {formatDate(a.at)}
        </span>
      )}
      {onAttest && (
        <button type="button" className="btn-link" onClick={() => { setError(null); setOpen(true); }}>
          {nextMet ? 'Mark as met' : 'Mark as not met'}
        </button>
      )}
      <ConfirmDialog
        open={open}
        title={nextMet ? 'Attest this requirement as met?' : 'Mark this requirement as not met?'}
        confirmLabel={nextMet ? 'Mark as met' : 'Mark as not met'}
        busyLabel="Saving…"
        busy={busy}
        danger={!nextMet}
        error={error}
        onConfirm={submit}
        onCancel={() => setOpen(false)}
      >
        <p>{r.description}</p>
        <div className="field">
          <label htmlFor={noteId}>{nextMet ? 'Note (what shows it is met)' : 'Note (optional)'}</label>
          <textarea id={noteId} rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-required={nextMet} />
        </div>
      </ConfirmDialog>
    </div>
  );
}
