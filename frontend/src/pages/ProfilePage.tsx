import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Alert, ErrorState, PageHeader, Spinner } from "../components/Feedback";
import { Field } from "../components/Field";
import {
  IconCalendar,
  IconKey,
  IconLink,
  IconSchool,
  IconUser,
} from "../components/Icons";
import { ChangePasswordForm } from "./ChangePassword";
import { EndingImpact } from "../components/EndingImpact";
import { describeError, errorCode } from "../lib/errors";
import { formatMoment, isFuture, plural, roleLabel } from "../lib/format";
import { MeQuery, type Viewer } from "../lib/session";
import { usePageQueryPolicy } from "../lib/pageData";
import { useRefreshOnReturn } from "../lib/onReturn";
import { useRemoveAccess } from "./removeAccess";
import { flowOutcome, useSignInOptions } from "../lib/signInOptions";

const AssociateLearningAccount = graphql(`
  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {
    associateLearningAccount(input: $input) {
      user {
        ...ProfileUser
      }
    }
  }
`);

const PreviewAssociation = graphql(`
  mutation PreviewAssociation($input: PreviewAssociationInput!) {
    previewAssociation(input: $input) {
      kind
      mcid
      name
      alreadyYours
      moves
      movesFromOrganization
      alsoEnds
      alsoEndsInOrganization
      replaceFirst
      allowed
      nextAssociationAllowedAt
      limitMessage
      associationsRemaining
      usesQuota
      nextAfterThisAt
    }
  }
`);

type Preview = {
  mcid: string;
  name: string;
  alreadyYours: boolean;
  moves: boolean;
  movesFromOrganization?: string | null;
  alsoEnds?: "LEARNING" | "PARTNER_UNIVERSITY" | null;
  alsoEndsInOrganization?: string | null;
  allowed: boolean;
  nextAssociationAllowedAt?: string | null;
  limitMessage?: string | null;
  associationsRemaining: number;
  usesQuota: boolean;
  nextAfterThisAt?: string | null;
};

/**
 * Why the account checked can't be associated yet (L6), and from when: the server's own words
 * (the rule with its configured numbers, the date and its moment in UTC, as the association would
 * be refused), then that moment in the reader's time. Without them (an older server), which rule
 * holds it back follows from the check: none of its associations of the rolling 12 months left,
 * or else the period between two associations.
 */
function notYet(
  what: string,
  p: Pick<Preview, "associationsRemaining" | "nextAssociationAllowedAt" | "limitMessage">,
): string {
  if (p.limitMessage) {
    // The reader's time only where it is not UTC, which the server's words give already (review: the same time twice).
    const at = p.nextAssociationAllowedAt ? new Date(p.nextAssociationAllowedAt) : null;
    if (!at || Number.isNaN(at.getTime()) || at.getTimezoneOffset() === 0) return p.limitMessage;
    return `${p.limitMessage} That is ${formatMoment(at)} where you are.`;
  }
  const rule =
    p.associationsRemaining === 0
      ? `${what.charAt(0).toUpperCase()}${what.slice(1)} has had all the new associations we allow in a rolling 12 months.`
      : `We require a period between two associations of one account, and ${what} was associated too recently (${plural(p.associationsRemaining, "association")} left in the rolling 12 months).`;
  return `Your association is limited. ${rule} Its next available date for a subsequent association is ${formatMoment(p.nextAssociationAllowedAt)}.`;
}

// An MCID's link history as its owner reads it (B3): who ended the person's link, and when.
const OwnLinkHistory = graphql(`
  query OwnLinkHistory($mcid: String!) {
    linkHistory(mcid: $mcid) {
      id
      at
      action
      actionLabel
      actor {
        name
        email
        outside
      }
      user {
        email
      }
    }
  }
`);

/** The audit actions that end a work account's link of an MCID. */
const LINK_ENDS = new Set(["UNLINKED", "MOVED_OUT", "REMOVED_FROM_REPORT", "LINK_ENDED_USER_DELETED", "LINK_ENDED_MERGED", "LINK_ENDED_OTHER_ACCOUNT"]);

/**
 * When associating an MCID is refused by its limit (L6), why it was associated so recently may be
 * someone else's doing: an admin who removed the person from the report ended the link, and taking
 * it back is a new association. The MCID's history says who ended the person's last link and when
 * (review: after an admin removed the link, the person saw no reason). Nothing when the person
 * ended it themself, or the history can't be read.
 */
function EndedByOthers({ mcid, me }: { mcid: string; me: Viewer }) {
  const [{ data }] = useQuery({ query: OwnLinkHistory, variables: { mcid }, requestPolicy: "network-only" });
  const events = data?.linkHistory ?? [];
  const mine = (email: string | null | undefined) => email != null && email.toLowerCase() === me.email.toLowerCase();
  const last = [...events].reverse().find((e) => LINK_ENDS.has(e.action) && mine(e.user?.email));
  if (!last || !last.actor || mine(last.actor.email)) return null;
  const orgName = me.organization?.name ?? "your organization";
  const who = last.actor.outside ? last.actor.name : `${last.actor.name}, of ${orgName}`;
  return (
    <p className="alert alert-info" role="status" data-testid="ended-by">
      {last.action === "REMOVED_FROM_REPORT"
        ? `An admin of ${orgName}, ${last.actor.name}, removed you from the skills report on ${formatMoment(last.at)}, which ended your link to MCID ${mcid}.`
        : `${who} ended your link to MCID ${mcid} on ${formatMoment(last.at)} (${last.actionLabel.toLowerCase()}).`}{" "}
      Associating it again is a new association, so the limit above applies.
    </p>
  );
}

const RemoveLearningAccount = graphql(`
  mutation RemoveLearningAccount {
    removeLearningAccount {
      user {
        ...ProfileUser
      }
    }
  }
`);

const AssociatePartnerUniversity = graphql(`
  mutation AssociatePartnerUniversity(
    $input: AssociatePartnerUniversityInput!
  ) {
    associatePartnerUniversity(input: $input) {
      user {
        ...ProfileUser
      }
    }
  }
`);

const RemovePartnerUniversityAccess = graphql(`
  mutation RemovePartnerUniversityAccess {
    removePartnerUniversityAccess {
      user {
        ...ProfileUser
      }
    }
  }
`);

/** My profile (SPEC L1–L8): organization, roles, and the accounts that make the user count. */
export function ProfilePage() {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MeQuery,
    requestPolicy: usePageQueryPolicy(MeQuery, "cache-and-network"),
  });
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  // A tab left open corrects itself: a link may have moved or ended elsewhere meanwhile.
  useRefreshOnReturn(refresh);
  const options = useSignInOptions();
  // Back from single sign-on or the directory: say how it went, once.
  const [outcome] = useState(() => flowOutcome(window.location.search));
  // The latest attempt (associate, remove access) and its section: it clears the other section's
  // old outcome too (review: a Learning refusal stayed while the person tried Partner University).
  const [attempt, setAttempt] = useState<Attempt>({ by: null, n: 0 });
  const attempted = (by: Section) => setAttempt((a) => ({ by, n: a.n + 1 }));

  if (!data) {
    if (fetching || !error) return <Spinner label="Loading your profile…" />;
    return <ErrorState message={describeError(error)} onRetry={refresh} />;
  }
  const me = data.me;
  return (
    <div className="page">
      <PageHeader
        title="My profile"
        description={
          me.organization
            ? "Your work account, and the certification accounts that count for your organization."
            : "Your certlink operator account. Operators belong to no organization, so no certification account counts here."
        }
      />
      {outcome && confirmed(outcome.linked, me) && <Alert kind={outcome.kind}>{outcome.text}</Alert>}
      <AccountSummary me={me} />
      {me.organization ? (
        <>
          <LearningAccountSection
            me={me}
            onChanged={refresh}
            attempt={attempt}
            onAttempt={() => attempted("learning")}
            directorySignIn={options.directorySignIn}
          />
          <PartnerUniversitySection
            me={me}
            onChanged={refresh}
            attempt={attempt}
            onAttempt={() => attempted("partnerUniversity")}
            directorySignIn={options.directorySignIn}
          />
          {options.singleSignOn && <SingleSignOnSection />}
        </>
      ) : (
        <Alert kind="info">
          Platform staff belong to no partner organization, so there is no
          certification account to associate here.
        </Alert>
      )}
      <section className="card" aria-labelledby="password-title">
        <div className="card-head">
          <span className="card-icon" aria-hidden="true">
            <IconKey />
          </span>
          <h2 id="password-title">Password</h2>
        </div>
        <ChangePasswordForm />
      </section>
    </div>
  );
}

function AccountSummary({ me }: { me: Viewer }) {
  return (
    <section className="card" aria-labelledby="account-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true">
          <IconUser />
        </span>
        <h2 id="account-title">Work account</h2>
      </div>
      <dl className="facts">
        <div>
          <dt>Name</dt>
          <dd>{me.name}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{me.email}</dd>
        </div>
        <div>
          <dt>Organization</dt>
          <dd>
            {me.organization ? (
              <>
                {me.organization.name}{" "}
                <span className="muted">· MPN ID {me.organization.mpnId}</span>
              </>
            ) : (
              <span className="muted">None (platform staff)</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Roles</dt>
          <dd className="chips">
            {me.roles.length === 0 ? (
              <span className="chip">User</span>
            ) : (
              me.roles.map((r) => (
                <span key={r} className="chip chip-accent">
                  {roleLabel(r)}
                </span>
              ))
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/**
 * L6 shown before the user tries. The limit belongs to each MCID, so the panel says whose numbers it
 * shows: the MCID just checked (entered in the form), the one associated now (what removing it and
 * associating it again would meet), or the one last associated.
 */
function AssociationAllowance({
  me,
  checked,
}: {
  me: Viewer;
  checked?: Preview | null;
}) {
  const linked = me.learningAccount;
  let subject: string;
  let next: string | null | undefined = me.nextAssociationAllowedAt;
  let remaining = me.associationsRemaining;
  let nextLabel = "Next association allowed";
  if (checked && !checked.alreadyYours) {
    subject = `MCID ${checked.mcid}, the account you entered`;
    next = checked.allowed ? null : checked.nextAssociationAllowedAt;
    remaining = checked.associationsRemaining;
  } else if (linked) {
    subject = `MCID ${linked.mcid}, associated now`;
    nextLabel = "If you remove it, it can be associated again";
  } else if (me.associatedBefore) {
    subject =
      "the MCID you last associated (each MCID has its own limit: the one you enter is checked before anything changes)";
  } else {
    subject =
      "an MCID never associated before (each MCID has its own limit: the one you enter is checked before anything changes)";
  }
  const waiting = isFuture(next);
  return (
    <div className="allowance" aria-label="Association limits">
      <p className="allowance-subject muted" data-testid="allowance-subject">
        Association limits of {subject}
      </p>
      <div className="allowance-item">
        <IconCalendar />
        <div>
          <span className="allowance-label">{nextLabel}</span>
          <strong data-testid="next-association">
            {waiting
              ? `from ${formatMoment(next)}`
              : linked && !checked
                ? "right away"
                : "Now"}
          </strong>
        </div>
      </div>
      <div className="allowance-item">
        <IconLink />
        <div>
          <span className="allowance-label">Associations left</span>
          <strong data-testid="associations-remaining">
            {plural(remaining, "association")} in the rolling 12 months
          </strong>
        </div>
      </div>
    </div>
  );
}

type Section = "learning" | "partnerUniversity";
type Attempt = { by: Section | null; n: number };

/** Runs clear when an attempt is made in another section than mine. */
function useClearedByOthers(attempt: Attempt, mine: Section, clear: () => void) {
  useEffect(() => {
    if (attempt.n > 0 && attempt.by !== mine) clear();
  }, [attempt.n]);
}

function LearningAccountSection({
  me,
  onChanged,
  directorySignIn,
  attempt,
  onAttempt,
}: {
  me: Viewer;
  onChanged: () => void;
  directorySignIn: boolean;
  attempt: Attempt;
  onAttempt: () => void;
}) {
  const link = me.learningAccount;
  const orgName = me.organization?.name ?? "your organization";
  const [, remove] = useMutation(RemoveLearningAccount);
  const removal = useRemoveAccess({
    shown: link?.mcid,
    name: (mcid) => `MCID ${mcid}`,
    remove: () => remove({}),
    removed: (mcid) =>
      `Access removed. MCID ${mcid} no longer counts for ${orgName}.`,
    onChanged,
  });
  const { notice, setNotice } = removal;
  const [checked, setChecked] = useState<Preview | null>(null);
  useClearedByOthers(attempt, "learning", () => setNotice(null));

  return (
    <section className="card" aria-labelledby="learning-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true">
          <IconLink />
        </span>
        <h2 id="learning-title">Microsoft Learning account</h2>
      </div>
      <p className="muted card-lead">
        Your certification profile (MCID) holds the exams and certifications you
        have passed. Associated with your work account, they count towards{" "}
        {orgName}'s competencies.
      </p>
      {notice && (
        <Alert key={notice.text} kind={notice.kind} takeFocus>
          {notice.text}
        </Alert>
      )}
      {link ? (
        <>
          <dl className="facts facts-linked">
            <div>
              <dt>MCID</dt>
              <dd className="mono" data-testid="mcid">
                {link.mcid}
              </dd>
            </div>
            <div>
              <dt>Learning account</dt>
              <dd>
                {link.name} <span className="muted">· {link.email}</span>
              </dd>
            </div>
            <div>
              <dt>Associated on</dt>
              <dd>{formatMoment(link.linkedAt)}</dd>
            </div>
          </dl>
          <div className="card-actions">
            <button
              type="button"
              className="btn btn-danger-outline"
              onClick={() => {
                onAttempt();
                removal.open(link.mcid);
              }}
            >
              Remove access
            </button>
          </div>
          <ConfirmDialog
            open={removal.confirming !== null}
            title="Remove access to your Microsoft Learning account?"
            confirmLabel="Remove access"
            busyLabel="Removing…"
            busy={removal.busy}
            danger
            error={removal.error}
            onConfirm={removal.confirm}
            onCancel={removal.cancel}
          >
            <p>
              MCID <strong>{link.mcid}</strong> will stop counting for {orgName}{" "}
              right away. Its history is kept.
            </p>
            {removal.confirming !== null && (
              <EndingImpact kind="LEARNING" orgName={orgName} />
            )}
            <p>
              Associating an account again later counts as a new association.
            </p>
          </ConfirmDialog>
        </>
      ) : (
        <>
          <AssociateLearningAccountForm
            me={me}
            attempt={attempt}
            onAttempt={() => {
              setNotice(null);
              onAttempt();
            }}
            onChecked={setChecked}
            onAssociated={(mcid, after) => {
              setChecked(null);
              setNotice(
                mcid
                  ? {
                      kind: "success",
                      text: `MCID ${mcid} is now associated with ${orgName}.${after ? ` It can next be associated from ${formatMoment(after)}.` : ""}`,
                    }
                  : null,
              );
              onChanged();
            }}
          />
          {directorySignIn && <DirectorySignIn kind="LEARNING" />}
        </>
      )}
      <AssociationAllowance me={me} checked={link ? null : checked} />
    </section>
  );
}

/**
 * Associate: the account is checked first (previewAssociation, which changes nothing), so the person
 * learns what applies to that MCID — its own limit, and whether its link to another organization ends
 * (L5, L6) — before anything happens; a move asks for confirmation.
 */
function AssociateLearningAccountForm({
  me,
  attempt,
  onAttempt,
  onChecked,
  onAssociated,
}: {
  me: Viewer;
  /** The latest attempt on the page: one in the other section clears this form's refusal. */
  attempt: Attempt;
  /** A new attempt: the previous outcome shown beside the form (a removal's success) goes (review). */
  onAttempt: () => void;
  onChecked: (p: Preview | null) => void;
  onAssociated: (
    mcid: string | undefined,
    nextAfter: string | null | undefined,
  ) => void;
}) {
  const pu = me.partnerUniversity;
  const canUseSame = Boolean(pu?.sameCredentialsAvailable);
  const [useSame, setUseSame] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  // Whether the error is about the email and password typed (they are marked invalid and tied to it).
  const [credentialsWrong, setCredentialsWrong] = useState(false);
  const errorId = useId();
  const [move, setMove] = useState<Preview | null>(null);
  // The MCID its limit refused: its history may say who ended the person's link.
  const [limited, setLimited] = useState<string | null>(null);
  useClearedByOthers(attempt, "learning", () => {
    setError(null);
    setLimited(null);
    setCredentialsWrong(false);
  });
  const [{ fetching: checking }, preview] = useMutation(PreviewAssociation);
  const [{ fetching }, associate] = useMutation(AssociateLearningAccount);
  const sameChosen = canUseSame && useSame;
  const orgName = me.organization?.name ?? "your organization";
  const input = () =>
    sameChosen
      ? { useSameCredentials: true }
      : { email: email.trim(), password, useSameCredentials: false };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setLimited(null);
    setCredentialsWrong(false);
    onAttempt();
    const checked = await preview({ input: { kind: "LEARNING", ...input() } });
    if (checked.error || !checked.data) {
      // The limits shown were another account's: no longer "the account
      // you entered" (a review saw jordan's beside riley's wrong password).
      onChecked(null);
      setError(describeError(checked.error));
      setCredentialsWrong(["INVALID_CREDENTIALS", "INVALID_INPUT"].includes(errorCode(checked.error) ?? ""));
      return;
    }
    const p = checked.data.previewAssociation;
    onChecked(p);
    if (!p.allowed) {
      setError(notYet(`MCID ${p.mcid}`, p));
      if (!p.replaceFirst) setLimited(p.mcid);
      return;
    }
    if (p.moves || p.alsoEnds) {
      setMove(p);
      return;
    }
    await doAssociate(p);
  }

  async function doAssociate(p: Preview) {
    const result = await associate({ input: input() });
    setMove(null);
    if (result.error || !result.data) {
      setError(describeError(result.error));
      if (errorCode(result.error) === "ASSOCIATION_LIMITED") setLimited(p.mcid);
      return;
    }
    setPassword("");
    onAssociated(
      result.data.associateLearningAccount.user.learningAccount?.mcid,
      p.nextAfterThisAt,
    );
  }

  return (
    <>
      <form
        className="subform"
        onSubmit={submit}
        aria-labelledby="associate-title"
      >
        <h3 id="associate-title">Associate Microsoft Learning account</h3>
        <p className="muted">
          Sign in with the Microsoft Learning account that holds your
          certifications. The certification directory checks the password;
          certlink doesn't keep it. We check the account first and tell you what
          associating it changes.
        </p>
        {canUseSame && pu && (
          <label className="check">
            <input
              type="checkbox"
              checked={useSame}
              onChange={(e) => setUseSame(e.target.checked)}
            />
            <span>Use {pu.email} to associate</span>
          </label>
        )}
        {!sameChosen && (
          <div className="field-row">
            <Field
              errorId={error && credentialsWrong ? errorId : undefined}
              label="Learning account email"
              type="email"
              autoComplete="off"
              required
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                setError(null);
                onChecked(null);
              }}
            />
            <Field
              errorId={error && credentialsWrong ? errorId : undefined}
              label="Learning account password"
              type="password"
              autoComplete="off"
              required
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setError(null);
              }}
            />
          </div>
        )}
        {error && (
          <p id={errorId} className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        {error && limited && <EndedByOthers mcid={limited} me={me} />}
        <div className="card-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={fetching || checking}
            // Two Associate buttons on the page: each names its account (review).
            aria-label={checking || fetching ? undefined : "Associate Learning account"}
          >
            {checking ? "Checking…" : fetching ? "Associating…" : "Associate"}
          </button>
        </div>
      </form>
      {/* Outside the form: a dialog's own form must not nest in another. */}
      <ConfirmDialog
        open={move !== null}
        title={
          move?.moves
            ? move.movesFromOrganization
              ? `Move MCID ${move.mcid} to ${orgName}?`
              : `Move MCID ${move.mcid} to your work account?`
            : `Associate MCID ${move?.mcid ?? ""}?`
        }
        confirmLabel="Associate and end the other link"
        busyLabel="Associating…"
        busy={fetching}
        onConfirm={() => {
          if (move) void doAssociate(move);
        }}
        onCancel={() => setMove(null)}
      >
        {move && (
          <>
            {move.alsoEnds && (
              <p data-testid="also-ends">
                The same sign-in&apos;s Partner University access is associated
                with another work account
                {move.alsoEndsInOrganization
                  ? ` in ${move.alsoEndsInOrganization}`
                  : ` of ${orgName}`}
                . Associating this MCID ends that link: one person&apos;s
                accounts are associated with one work account, so they count
                once.
              </p>
            )}
            {!move.moves ? null : move.movesFromOrganization ? (
              <p>
                MCID <strong>{move.mcid}</strong> ({move.name}) is associated
                with <strong>{move.movesFromOrganization}</strong> now.
                Associating it here ends that link: it stops counting for{" "}
                {move.movesFromOrganization} at once and counts for {orgName}{" "}
                instead.
              </p>
            ) : (
              <p>
                MCID <strong>{move.mcid}</strong> ({move.name}) is associated
                with another work account of {orgName} now. Associating it here
                moves that link to your work account; it keeps counting for{" "}
                {orgName}.
              </p>
            )}
            {move.movesFromOrganization && (
              <p>
                {move.movesFromOrganization}'s admins are told that it moved to
                another organization — not to which one, nor to whom.
              </p>
            )}
            {move.usesQuota ? (
              <p>
                This uses one of the{" "}
                {plural(move.associationsRemaining, "association")} left for
                this MCID in 12 months
                {move.nextAfterThisAt
                  ? `; it could next be associated from ${formatMoment(move.nextAfterThisAt)}`
                  : ""}
                .
              </p>
            ) : (
              <p>
                Within your organization this uses none of the MCID's
                associations.
              </p>
            )}
          </>
        )}
      </ConfirmDialog>
    </>
  );
}

/**
 * L6 for the Partner University account (L8: the same way as an MCID): the
 * one associated now, or the one last associated.
 */
function PartnerUniversityAllowance({ me }: { me: Viewer }) {
  const next = me.partnerUniversityNextAssociationAllowedAt;
  const waiting = isFuture(next);
  return (
    <div
      className="allowance"
      aria-label="Partner University association limits"
    >
      <p className="allowance-subject muted">
        Association limits of{" "}
        {me.partnerUniversity
          ? "the Partner University account associated now"
          : me.partnerUniversityAssociatedBefore
            ? "the Partner University account you last associated"
            : "a Partner University account never associated before (the one you enter is checked before anything changes)"}
      </p>
      <div className="allowance-item">
        <IconCalendar />
        <div>
          <span className="allowance-label">
            {me.partnerUniversity
              ? "If you remove it, it can be associated again"
              : "Next association allowed"}
          </span>
          <strong data-testid="pu-next-association">
            {waiting ? `from ${formatMoment(next)}` : "Now"}
          </strong>
        </div>
      </div>
      <div className="allowance-item">
        <IconLink />
        <div>
          <span className="allowance-label">Associations left</span>
          <strong data-testid="pu-associations-remaining">
            {plural(me.partnerUniversityAssociationsRemaining, "association")}{" "}
            in the rolling 12 months
          </strong>
        </div>
      </div>
    </div>
  );
}

/** A wrong Partner University sign-in, named as such: the server's wording names a Learning account (review). */
const PU_CREDENTIALS_WRONG = "That Partner University email or password is not correct.";

function PartnerUniversitySection({
  me,
  onChanged,
  directorySignIn,
  attempt,
  onAttempt,
}: {
  me: Viewer;
  onChanged: () => void;
  directorySignIn: boolean;
  attempt: Attempt;
  onAttempt: () => void;
}) {
  const pu = me.partnerUniversity;
  const [formOpen, setFormOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  // Whether the error is about the email and password typed: they are marked invalid, tied to it,
  // and the password, to type again, takes the focus, as in the Learning form (review). A new
  // object for each refusal, even the same one again.
  const [credentialsWrong, setCredentialsWrong] = useState<object | null>(null);
  const errorId = useId();
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (credentialsWrong) passwordRef.current?.focus();
  }, [credentialsWrong]);
  const refuse = (e: unknown) => {
    const code = errorCode(e) ?? "";
    setCredentialsWrong(["INVALID_CREDENTIALS", "INVALID_INPUT"].includes(code) ? {} : null);
    setError(code === "INVALID_CREDENTIALS" ? PU_CREDENTIALS_WRONG : describeError(e));
  };
  const [{ fetching: associating }, associate] = useMutation(
    AssociatePartnerUniversity,
  );
  const [{ fetching: checking }, preview] = useMutation(PreviewAssociation);
  const [, remove] = useMutation(RemovePartnerUniversityAccess);
  const removal = useRemoveAccess({
    shown: pu?.email,
    name: (email) => `Partner University account ${email}`,
    remove: () => remove({}),
    removed: () => "Partner University access removed.",
    onChanged,
  });
  const { notice, setNotice } = removal;
  useClearedByOthers(attempt, "partnerUniversity", () => {
    setNotice(null);
    setError(null);
    setCredentialsWrong(null);
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setCredentialsWrong(null);
    setNotice(null);
    onAttempt();
    // L6 applies to Partner University accounts as to MCIDs (L8): check
    // first, so a limited account is refused with its own date.
    const checked = await preview({
      input: {
        kind: "PARTNER_UNIVERSITY",
        email: email.trim(),
        password,
        useSameCredentials: false,
      },
    });
    if (checked.error || !checked.data) {
      refuse(checked.error);
      return;
    }
    const p = checked.data.previewAssociation;
    if (!p.allowed) {
      setError(
        p.replaceFirst
          ? "You already have a Partner University account associated. Remove access to it first."
          : notYet("this Partner University account", p),
      );
      return;
    }
    const ends = [
      p.moves
        ? p.movesFromOrganization
          ? `This Partner University account is associated in ${p.movesFromOrganization}. Associating it here ends that association there, and it uses one of its ${p.associationsRemaining} associations left this year.`
          : "This Partner University account is associated with another work account. Associating it here ends that association."
        : "",
      p.alsoEnds
        ? `The same sign-in's MCID is associated with another work account${p.alsoEndsInOrganization ? ` in ${p.alsoEndsInOrganization}` : ""}. Associating this account ends that link: one person's accounts are associated with one work account, so they count once.`
        : "",
    ].filter(Boolean);
    if (ends.length > 0 && !window.confirm(`${ends.join(" ")} Continue?`)) {
      return;
    }
    const result = await associate({
      input: { email: email.trim(), password },
    });
    if (result.error) {
      refuse(result.error);
      return;
    }
    setPassword("");
    setFormOpen(false);
    setNotice({
      kind: "success",
      text: "Partner University access is set up. Your assessments now count.",
    });
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="pu-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true">
          <IconSchool />
        </span>
        <h2 id="pu-title">Partner University</h2>
      </div>
      <p className="muted card-lead">
        Partner University holds the assessments you have completed. They count
        towards competencies once the account is associated.
      </p>
      {notice && (
        <Alert key={notice.text} kind={notice.kind} takeFocus>
          {notice.text}
        </Alert>
      )}
      <PartnerUniversityAllowance me={me} />
      {pu ? (
        <>
          <dl className="facts facts-linked">
            <div>
              <dt>Partner University account</dt>
              <dd data-testid="pu-email">{pu.email}</dd>
            </div>
            <div>
              <dt>Associated on</dt>
              <dd>{formatMoment(pu.linkedAt)}</dd>
            </div>
          </dl>
          <div className="card-actions">
            <button
              type="button"
              className="btn btn-danger-outline"
              onClick={() => {
                onAttempt();
                removal.open(pu.email);
              }}
            >
              Remove Partner University access
            </button>
          </div>
          <ConfirmDialog
            open={removal.confirming !== null}
            title="Remove Partner University access?"
            confirmLabel="Remove access"
            busyLabel="Removing…"
            busy={removal.busy}
            danger
            error={removal.error}
            onConfirm={removal.confirm}
            onCancel={removal.cancel}
          >
            <p>
              Assessments from <strong>{pu.email}</strong> will stop counting
              right away.
            </p>
            {removal.confirming !== null && (
              <EndingImpact
                kind="PARTNER_UNIVERSITY"
                orgName={me.organization?.name ?? "your organization"}
              />
            )}
          </ConfirmDialog>
        </>
      ) : formOpen ? (
        <form
          className="subform"
          onSubmit={submit}
          aria-labelledby="pu-form-title"
        >
          <h3 id="pu-form-title">Get Partner University access</h3>
          <div className="field-row">
            <Field
              errorId={error && credentialsWrong ? errorId : undefined}
              label="Partner University email"
              type="email"
              autoComplete="off"
              required
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                setError(null);
              }}
              autoFocus
            />
            <Field
              ref={passwordRef}
              errorId={error && credentialsWrong ? errorId : undefined}
              label="Partner University password"
              type="password"
              autoComplete="off"
              required
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setError(null);
              }}
            />
          </div>
          {error && (
            <p id={errorId} className="alert alert-error" role="alert">
              {error}
            </p>
          )}
          <div className="card-actions">
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                setFormOpen(false);
                setError(null);
              }}
            >
              Cancel
            </button>
            <button
              type="submit"
              className="btn btn-primary"
              disabled={associating || checking}
              aria-label={associating || checking ? undefined : "Associate Partner University account"}
            >
              {checking
                ? "Checking…"
                : associating
                  ? "Associating…"
                  : "Associate"}
            </button>
          </div>
        </form>
      ) : (
        <div className="card-actions">
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              setNotice(null);
              onAttempt();
              setFormOpen(true);
            }}
          >
            Get Partner University access
          </button>
        </div>
      )}
      {!pu && directorySignIn && <DirectorySignIn kind="PARTNER_UNIVERSITY" />}
    </section>
  );
}

/**
 * Associate by signing in at the certification directory's own sign-in page
 * (L3, when certlink is configured with a directory issuer): the directory
 * proves the account is yours, certlink never sees its password.
 */
function DirectorySignIn({
  kind,
}: {
  kind: "LEARNING" | "PARTNER_UNIVERSITY";
}) {
  const what =
    kind === "LEARNING" ? "Microsoft Learning" : "Partner University";
  return (
    <p className="directory-signin">
      <a
        className="btn btn-secondary"
        href={`/auth/directory/login?kind=${kind}`}
      >
        Sign in at {what} to associate
      </a>{" "}
      <span className="muted">
        You sign in on the directory’s own page and come back here.
      </span>
    </p>
  );
}

/**
 * Link single sign-on (L1, with an identity provider configured): the first
 * binding needs this signed-in session, which proves the account is yours;
 * afterwards "Sign in with your organization’s single sign-on" opens it.
 */
function SingleSignOnSection() {
  return (
    <section className="card" aria-labelledby="sso-title">
      <div className="card-head">
        <span className="card-icon" aria-hidden="true">
          <IconKey />
        </span>
        <h2 id="sso-title">Single sign-on</h2>
      </div>
      <p className="muted card-lead">
        Sign in with your organization’s identity provider instead of a certlink
        password. Link it once from here, signed in with your own password; the
        identity provider must confirm this account’s email address.
      </p>
      <div className="card-actions">
        <a className="btn btn-secondary" href="/auth/oidc/login?link=1">
          Link single sign-on
        </a>
      </div>
    </section>
  );
}

/** A success the address bar claims is said only when the profile shows that link. */
function confirmed(
  linked: 'LEARNING' | 'PARTNER_UNIVERSITY' | undefined,
  me: { learningAccount?: unknown; partnerUniversity?: unknown },
): boolean {
  if (linked === 'LEARNING') return me.learningAccount != null;
  if (linked === 'PARTNER_UNIVERSITY') return me.partnerUniversity != null;
  return true;
}
