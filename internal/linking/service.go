package linking

import (
	"context"
	"fmt"
	"slices"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/counting"
	"certlink/internal/store"
	"certlink/internal/throttle"
	"certlink/internal/viewer"
)

// Kind is what is linked: a Learning profile (MCID) or Partner University access.
type Kind = association.Kind

const (
	Learning          = association.KindLEARNING
	PartnerUniversity = association.KindPARTNER_UNIVERSITY
)

// Cause says why a link ended, for history and for at-risk notifications.
type Cause = association.EndReason

// Observer hears about links inside the transaction that makes or ends them, so
// what it writes (history, outbox mail) commits or rolls back with the cause.
type Observer interface {
	LinkStarted(ctx context.Context, tx *ent.Tx, a *ent.Association) error
	LinkEnded(ctx context.Context, tx *ent.Tx, a *ent.Association, cause Cause, actorID int) error
}

// EndingObserver is an Observer that also hears about a link just before it
// ends, while the transaction still shows it active: at-risk detection (N1)
// compares the organization's progress before and after.
type EndingObserver interface {
	LinkEnding(ctx context.Context, tx *ent.Tx, a *ent.Association, cause Cause) error
}

// Service applies the linking rules.
type Service struct {
	Client    *ent.Client
	Directory Directory
	Limits    Limits
	// Throttle meters directory password attempts (throttle.go). Nil: none.
	Throttle  *throttle.Limiter
	Now       func() time.Time
	Observers []Observer
	// Changed is called after a commit that changed who counts for an organization.
	Changed func(orgIDs ...int)
	// RowLocks takes SELECT … FOR UPDATE locks (MySQL/MariaDB). SQLite has none
	// and needs none: its transactions are serialized (_txlock=immediate).
	RowLocks bool

	// turns admits this process's link transactions one per row (turns.go).
	turns turns
	// afterPersonRead, set by tests only, runs between an association's
	// first read of the person and its transaction: a racing merge there.
	afterPersonRead func()
	// readAgainFails, set by tests only, runs as an association reads the
	// person again for another attempt: its error is that read's.
	readAgainFails func() error
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Time is the clock the linking rules read (L6).
func (s *Service) Time() time.Time { return s.now() }

func (s *Service) changed(orgs ...int) {
	if s.Changed != nil {
		s.Changed(orgs...)
	}
}

// self checks L2: only a signed-in work account acts on its own links. API
// tokens, providers and operators (who belong to no organization) cannot.
func self(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.Kind != viewer.KindUser || v.UserID == 0 || v.OrgID == 0 {
		return apperr.New(apperr.Forbidden, "Only the person themself, signed in with their work account, can associate or remove their accounts.")
	}
	return nil
}

// AssociateInput is what the user typed on "Associate Microsoft Learning account".
type AssociateInput struct {
	Email, Password string
	// UseSameCredentials: use the sign-in of the associated Partner University
	// account instead of typing the Learning account's (L4).
	UseSameCredentials bool
}

// AssociateLearningAccount links the Learning profile whose credentials the
// viewer proved to the viewer's work account (L3–L6).
func (s *Service) AssociateLearningAccount(ctx context.Context, v *viewer.Viewer, in AssociateInput) error {
	if err := self(v); err != nil {
		return err
	}
	id, notFound, err := s.learningAccount(ctx, v, in)
	if err != nil {
		return err
	}
	return s.associateAccount(ctx, v, id, Learning, notFound)
}

// learningAccount is the directory account whose Learning profile in names:
// proved by its credentials, or the associated Partner University sign-in
// (L4), with the refusal to give when it holds no Learning profile.
func (s *Service) learningAccount(ctx context.Context, v *viewer.Viewer, in AssociateInput) (int, string, error) {
	if in.UseSameCredentials && (in.Email != "" || in.Password != "") {
		// Which account was meant is unclear: refuse rather than pick one.
		return 0, "", apperr.New(apperr.InvalidInput, "Either type the Learning account's email and password or use your Partner University sign-in (useSameCredentials), not both.")
	}
	if in.UseSameCredentials {
		sys := viewer.System(ctx)
		pu, err := s.activeLink(sys, s.Client, v.UserID, PartnerUniversity)
		if err != nil {
			return 0, "", err
		}
		if pu == nil {
			return 0, "", apperr.New(apperr.InvalidInput, "You have no Partner University access to reuse. Enter your Learning account's email and password instead.")
		}
		p, err := s.Client.Profile.Get(sys, pu.ProfileID)
		if err != nil {
			return 0, "", err
		}
		return p.AccountID, "Your Partner University sign-in holds no Microsoft Learning profile. Enter your Learning account's email and password instead.", nil
	}
	id, err := s.authenticate(ctx, v, in.Email, in.Password)
	return id, "", err
}

// AssociatePartnerUniversity links the Partner University profile whose
// credentials the viewer proved (L8).
func (s *Service) AssociatePartnerUniversity(ctx context.Context, v *viewer.Viewer, email, password string) error {
	if err := self(v); err != nil {
		return err
	}
	accountID, err := s.authenticate(ctx, v, email, password)
	if err != nil {
		return err
	}
	return s.associateAccount(ctx, v, accountID, PartnerUniversity, "")
}

// AssociateDirectoryAccount links the profile of kind held by directory account
// accountID to the viewer's work account. The caller has proved that the viewer
// owns that account some other way than a password — a sign-in at the OIDC
// certification directory (L3). The rules are those of the password flow.
func (s *Service) AssociateDirectoryAccount(ctx context.Context, v *viewer.Viewer, accountID int, kind Kind) error {
	if err := self(v); err != nil {
		return err
	}
	if kind != Learning && kind != PartnerUniversity {
		return apperr.New(apperr.InvalidInput, "Choose LEARNING or PARTNER_UNIVERSITY.")
	}
	return s.associateAccount(ctx, v, accountID, kind, "")
}

// CheckSelf reports whether v may associate or remove its own accounts (L2):
// nil for a signed-in work account of an organization, else the refusal.
func CheckSelf(v *viewer.Viewer) error { return self(v) }

// associateAccount links the live profile of kind held by a directory account
// whose ownership the viewer proved. notFound overrides the NOT_FOUND message.
// L6 applies per profile, for both kinds: L8 says Partner University access
// is associated "the same way", so its account has the same cooldown and
// yearly quota as an MCID (counted apart: they are different profiles).
func (s *Service) associateAccount(ctx context.Context, v *viewer.Viewer, accountID int, kind Kind, notFound string) error {
	return s.associate(ctx, v, accountID, kind, 0, notFound, true)
}

// errMergedMeanwhile refuses to link a profile that an MCID merge made a
// duplicate since it was looked up: its results and link are the survivor's,
// and linking it would count a person for nothing while using a quota slot.
var errMergedMeanwhile = apperr.New(apperr.Conflict, "This profile was merged into another MCID a moment ago. Associate again: the merged profile is the one to link.")

// personOf reads the person of a directory account (ReadPerson) and picks the
// account's live profile of kind and the ids of the person's other live
// profiles (its siblings: one person's Learning profile and Partner
// University access, those of accounts merges joined to it included). pinned,
// when not 0, is the profile an earlier read picked: gone, it was merged.
func (s *Service) personOf(ctx context.Context, accountID int, kind Kind, pinned int, notFound string) (Person, *PersonProfile, []int, error) {
	person, err := ReadPerson(ctx, s.Client, accountID)
	if err != nil {
		return Person{}, nil, nil, err
	}
	p, siblings := pick(person, accountID, kind)
	switch {
	case pinned != 0 && (p == nil || p.ID != pinned):
		return Person{}, nil, nil, errMergedMeanwhile
	case p != nil:
		return person, p, siblings, nil
	case notFound != "":
		return Person{}, nil, nil, apperr.New(apperr.NotFound, "%s", notFound)
	case kind == PartnerUniversity:
		return Person{}, nil, nil, apperr.New(apperr.NotFound, "That sign-in holds no Partner University account.")
	default:
		return Person{}, nil, nil, apperr.New(apperr.NotFound, "That sign-in holds no Microsoft Learning (certification) profile.")
	}
}

// associate is the one place a link starts: in one transaction it ends the
// profile's link elsewhere (L5) and the links of its siblings to other work
// accounts (one person's profiles go to one work account, so one person
// never counts twice, C2), and starts the new one, under the database's
// unique constraints. It links directory account accountID's live profile of
// kind (pinned: that profile, whose id the caller read already). limited
// applies L6.
func (s *Service) associate(ctx context.Context, v *viewer.Viewer, accountID int, kind Kind, pinned int, notFound string, limited bool) error {
	sys := viewer.System(ctx)
	person, p, siblings, err := s.personOf(sys, accountID, kind, pinned, notFound)
	if err != nil {
		return err
	}
	if s.afterPersonRead != nil {
		s.afterPersonRead()
	}
	// Wait in memory, not in the database's lock queues, for this process's
	// other transactions on the work account and the profile (turns.go).
	release, err := s.turns.take(ctx, userTurn(v.UserID), profileTurn(p.ID))
	if err != nil {
		return err
	}
	defer release()
	var touched []int
	// owners are the other work accounts whose links this association ends
	// (the profile's, on a move; a sibling's): learnt in the transaction,
	// which then starts over to hold those accounts before the profiles.
	// Moves are rare; the usual association holds only its own account.
	var owners []int
	first := true // the person was read just now
	// The person is read before each attempt, outside its transaction (its
	// profiles are what the transaction holds first); Hold then checks that
	// no merge changed it meanwhile, or the attempt starts over.
	// A read again that fails (the database gone for a moment) leaves the
	// profile of the read before, and the next attempt reads again (a
	// review's database kill found the read again pinning to the nil profile
	// its failure left). It picks the directory account's live profile anew:
	// when a merge made the one first read a duplicate meanwhile, the
	// account's is now the survivor, which a sign-in of a merged profile
	// links (review: such a race was refused CONFLICT). Only a caller that
	// named the profile (pinned) is refused when it was merged.
	// At READ COMMITTED (MySQL/MariaDB): every row this transaction decides
	// on is held by key first, and its locking reads (the kept counts') then
	// lock rows, not the index gaps beside them, where another person's link
	// is written (TestAssociationsOfTwoPeopleDoNotWaitForEachOther).
	err = store.InTxAfterReadCommitted(sys, s.Client, func() error {
		if first {
			first = false
			return nil
		}
		if s.readAgainFails != nil {
			if err := s.readAgainFails(); err != nil {
				return err
			}
		}
		again, ap, sib, err := s.personOf(sys, accountID, kind, pinned, notFound)
		if err != nil {
			return err
		}
		person, p, siblings = again, ap, sib
		return nil
	}, func(tx *ent.Tx) error {
		touched = touched[:0]
		// Hold the work accounts first, in ascending id order: the viewer's
		// (LockUser: a deleteUser racing this association either ends the
		// link it starts or comes first and makes it refused, L9) and those
		// whose links end here — ending a link takes that account's row (the
		// foreign key of the link's user_id), and taken after the profile it
		// closes a cycle with that account's own association, which holds its
		// row and waits for the profile. Then hold the person's live profiles
		// in ascending id order (Hold: started over if a merge changed the
		// person since it was read; refused if the profile linked here was
		// merged), so two associations of one person's two profiles run one
		// after the other: every read below is of rows no other transaction
		// can change before this one ends, and on a Galera cluster a racing
		// association through another node fails at commit instead of both
		// committing.
		for _, id := range slices.Sorted(slices.Values(append([]int{v.UserID}, owners...))) {
			hold := s.holdOwner
			if id == v.UserID {
				hold = LockUser
			}
			if err := hold(sys, tx, id); err != nil {
				return err
			}
		}
		if err := Hold(sys, tx, person.Live); err != nil {
			return err
		}
		// The profile's active link, the viewer's of this kind, the
		// siblings', the time of this association and the L6 quota, in one
		// read after the locks: a transaction that waited for the locks
		// records its events after the one it waited for.
		links, err := s.readProfileLinks(sys, tx, p.ID, person.Lineage(p.ID), siblings, UserSlot(v.UserID, kind), s.now())
		if err != nil {
			return err
		}
		current, mine, now := links.current, links.mine, links.now
		if s.RowLocks {
			// Links of accounts this transaction does not hold end here: start
			// over holding them first (see above). SQLite's transactions are
			// serialized: nothing to hold.
			need := owners
			if current != nil && current.UserID != v.UserID {
				need = append(need, current.UserID)
			}
			for _, a := range links.siblings {
				if a.UserID != v.UserID {
					need = append(need, a.UserID)
				}
			}
			need = slices.Compact(slices.Sorted(slices.Values(need)))
			if len(need) != len(owners) {
				owners = need
				return store.ErrRetry
			}
		}
		if current != nil && current.UserID == v.UserID {
			return nil // L6: re-linking to where it already is uses no quota.
		}
		if mine != nil {
			what := "a Microsoft Learning account"
			if kind == PartnerUniversity {
				what = "a Partner University account"
			}
			return apperr.New(apperr.Conflict, "You already have %s associated. Remove access to it first.", what)
		}
		quota := limited && newAssociation(current, v) && !rejoining(links.latest, links.siblings, v.OrgID)
		if quota {
			if err := s.checkLimit(links.starts, now); err != nil {
				return err
			}
		}
		ended, err := EndOtherAccounts(sys, tx, links.siblings, v.UserID, v.UserID, now, s.Observers)
		if err != nil {
			return err
		}
		touched = append(touched, ended...)
		if current != nil {
			if err := EndInTx(sys, tx, current, association.EndReasonMOVED, v.UserID, now, s.Observers); err != nil {
				return err
			}
			touched = append(touched, current.OrganizationID)
		}
		link := NewLink{Kind: kind, ProfileID: p.ID, UserID: v.UserID, OrgID: v.OrgID, CountsQuota: quota}
		if _, err := StartInTx(sys, tx, link, now, s.Observers); err != nil {
			return err
		}
		touched = append(touched, v.OrgID)
		return nil
	})
	if err != nil {
		return err
	}
	s.changed(touched...)
	return nil
}

// holdOwner holds the row of the work account a profile is linked to, which
// the end of that link takes too (the shared lock of its foreign key), but
// before the profile: see associate. (MariaDB has no FOR SHARE.)
func (s *Service) holdOwner(ctx context.Context, tx *ent.Tx, userID int) error {
	if !s.RowLocks {
		return nil
	}
	_, err := tx.User.Query().Where(user.ID(userID)).ForUpdate().IDs(ctx)
	return err
}

// newAssociation is L6's rule of what counts: linking a profile whose active
// link is current (nil: none) to v's work account is a new association of it
// unless it is linked to v's organization already — v's own link (a no-op),
// or a colleague's, which moves to v.
func newAssociation(current *ent.Association, v *viewer.Viewer) bool {
	return current == nil || current.OrganizationID != v.OrgID
}

func (s *Service) checkLimit(starts []time.Time, now time.Time) error {
	allow := s.Limits.Allow(starts, now)
	if allow.Allowed(now) {
		return nil
	}
	date := allow.NextAllowedAt.UTC()
	return (&apperr.Error{Code: apperr.AssociationLimited, Message: s.LimitMessage(date)}).
		With("nextAssociationAllowedAt", date.Format(time.RFC3339Nano)) // to the microsecond, as My profile and the preview say it
}

// LimitMessage is L6's refusal of an association that may start at next at
// the earliest: the rule, the date and its moment in UTC. The preview gives
// it before the association is tried.
func (s *Service) LimitMessage(next time.Time) string {
	date := next.UTC()
	rule := fmt.Sprintf("We require a period of %s between associations and allow %d per year.", humanDuration(s.Limits.Cooldown), s.Limits.PerYear)
	if s.Limits.Cooldown <= 0 {
		rule = fmt.Sprintf("We allow %d associations per year.", s.Limits.PerYear)
		if s.Limits.PerYear == 1 {
			rule = "We allow 1 association per year."
		}
	}
	// The date, as L6 words it, and the moment (UTC): an attempt on that
	// date before it is refused again (a review was told "today").
	return fmt.Sprintf("Your association is limited. %s Your next available date for a subsequent association is %s (from %s UTC).",
		rule, date.Format("January 2, 2006"), date.Format("15:04"))
}

func humanDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		days := int(d / (24 * time.Hour))
		if days == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", days)
	}
	return d.String()
}

// allowance computes L6 for a profile from its quota-using associations.
func (s *Service) allowance(ctx context.Context, c *ent.Client, profileID int, now time.Time) (Allowance, error) {
	starts, err := s.quotaStarts(ctx, c, profileID, now)
	if err != nil {
		return Allowance{}, err
	}
	return s.Limits.Allow(starts, now), nil
}

// quotaStarts are the starts of a profile's quota-using associations that can
// still weigh on L6 at now.
func (s *Service) quotaStarts(ctx context.Context, c *ent.Client, profileID int, now time.Time) ([]time.Time, error) {
	ids, err := lineage(ctx, c, profileID)
	if err != nil {
		return nil, err
	}
	rows, err := c.Association.Query().
		Where(association.ProfileIDIn(ids...), association.CountsQuota(true),
			association.StartedAtGT(s.horizon(now))).
		Select(association.FieldStartedAt).
		All(ctx)
	if err != nil {
		return nil, err
	}
	starts := make([]time.Time, len(rows))
	for i, r := range rows {
		starts[i] = r.StartedAt
	}
	return starts, nil
}

// RemoveLearningAccount ends the viewer's Learning link (L7).
func (s *Service) RemoveLearningAccount(ctx context.Context, v *viewer.Viewer) error {
	return s.remove(ctx, v, Learning, "You have no Microsoft Learning account associated.")
}

// RemovePartnerUniversityAccess ends the viewer's Partner University link (L8).
func (s *Service) RemovePartnerUniversityAccess(ctx context.Context, v *viewer.Viewer) error {
	return s.remove(ctx, v, PartnerUniversity, "You have no Partner University account associated.")
}

func (s *Service) remove(ctx context.Context, v *viewer.Viewer, kind Kind, none string) error {
	if err := self(v); err != nil {
		return err
	}
	sys := viewer.System(ctx)
	var (
		org int
		a   *ent.Association
	)
	// This process's other transactions on the work account and the linked
	// profile go first, waited for in memory (turns.go).
	a, err := s.activeLink(sys, s.Client, v.UserID, kind)
	if err != nil {
		return err
	}
	if a == nil {
		return apperr.New(apperr.NotFound, "%s", none)
	}
	release, err := s.turns.take(ctx, userTurn(v.UserID), profileTurn(a.ProfileID))
	if err != nil {
		return err
	}
	defer release()
	first := true // a was read just now
	// Which profile is linked, read before the transaction: its first acts
	// must be holding the work account (LockUser: ending the link takes its
	// row, the foreign key of the link's user_id, and the account's own
	// association holds it before the profile) and then that profile
	// (LockProfiles), and its reads must all come after.
	err = store.InTxAfterReadCommitted(sys, s.Client, func() (err error) {
		if first {
			first = false
			return nil
		}
		if a, err = s.activeLink(sys, s.Client, v.UserID, kind); err == nil && a == nil {
			err = apperr.New(apperr.NotFound, "%s", none)
		}
		return err
	}, func(tx *ent.Tx) error {
		if err := LockUser(sys, tx, v.UserID); err != nil {
			return err
		}
		if err := LockProfiles(sys, tx, a.ProfileID); err != nil {
			return err
		}
		held, err := s.activeLink(sys, tx.Client(), v.UserID, kind)
		if err != nil {
			return err
		}
		if held == nil {
			return apperr.New(apperr.NotFound, "%s", none)
		}
		if held.ProfileID != a.ProfileID {
			return store.ErrRetry // replaced meanwhile by a link of another profile: start over
		}
		org = held.OrganizationID
		// The profile's latest link event is this active link's start: every
		// other link of the profile ended before it started (L5).
		now := latestOf(s.now(), held)
		return EndInTx(sys, tx, held, association.EndReasonREMOVED, v.UserID, now, s.Observers)
	})
	if err != nil {
		return err
	}
	s.changed(org)
	return nil
}

// EndOtherAccounts keeps one person's accounts with one work account (C2):
// of links, the active links of one person's profiles, it ends those of
// another work account than keep (OTHER_ACCOUNT_LINKED), in order, and
// returns their organizations. An association calls it for the directory
// account's other profiles, an MCID merge for the two merged accounts'. The
// caller holds the profiles and the work accounts whose links end.
func EndOtherAccounts(ctx context.Context, tx *ent.Tx, links []*ent.Association, keep, actorID int, now time.Time, observers []Observer) ([]int, error) {
	var orgs []int
	for _, a := range links {
		if a.UserID == keep {
			continue
		}
		if err := EndInTx(ctx, tx, a, association.EndReasonOTHER_ACCOUNT_LINKED, actorID, now, observers); err != nil {
			return nil, err
		}
		orgs = append(orgs, a.OrganizationID)
	}
	return orgs, nil
}

// EndInTx ends an active link for cause and tells the observers. Lifecycle code
// (deleting a work account, removing a person from the report, merges) ends links
// through here so every end is recorded the same way.
func EndInTx(ctx context.Context, tx *ent.Tx, a *ent.Association, cause Cause, actorID int, now time.Time, observers []Observer) error {
	for _, o := range observers {
		if eo, ok := o.(EndingObserver); ok {
			if err := eo.LinkEnding(ctx, tx, a, cause); err != nil {
				return err
			}
		}
	}
	ended, err := endLink(ctx, tx, a, cause, now)
	if err != nil {
		return err
	}
	for _, o := range observers {
		if err := o.LinkEnded(ctx, tx, ended, cause, actorID); err != nil {
			return err
		}
	}
	return nil
}

// NewLink is a link to start.
type NewLink struct {
	Kind          Kind
	ProfileID     int
	UserID, OrgID int
	CountsQuota   bool // false: uses no L6 quota (a link moved by an MCID merge)
}

// StartInTx starts a link and tells the observers: the one place a link starts,
// for an association by its owner and for an MCID merge (U4). The caller has
// applied the rules and holds the work account (LockUser; a merge moves a
// link deleteUser's endLinks finds again: endLink of the moved link fails and
// the deletion runs again); the unique indexes still hold L5.
func StartInTx(ctx context.Context, tx *ent.Tx, l NewLink, now time.Time, observers []Observer) (*ent.Association, error) {
	a, err := tx.Association.Create().
		SetKind(l.Kind).
		SetProfileID(l.ProfileID).
		SetUserID(l.UserID).
		SetOrganizationID(l.OrgID).
		SetStartedAt(now).
		SetActiveProfileID(l.ProfileID).
		SetActiveUserSlot(UserSlot(l.UserID, l.Kind)).
		SetCountsQuota(l.CountsQuota).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range observers {
		if err := o.LinkStarted(ctx, tx, a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// endLink ends a, once: the UPDATE matches only while the row is still
// active, so a link that another transaction ended meanwhile (a removal
// racing a move) is never ended a second time with its end overwritten; the
// transaction runs again from the start and sees the link as it is now.
func endLink(ctx context.Context, tx *ent.Tx, a *ent.Association, cause Cause, now time.Time) (*ent.Association, error) {
	if now.Before(a.StartedAt) {
		now = a.StartedAt // a link never ends before it started, whatever the clocks of two servers say
	}
	// The row is ended only if it is still the active link a says it is, so
	// the ended link is a with its end, not read again; the kept counts are
	// refreshed for a's person (counting.Concerning).
	n, err := tx.Association.Update().
		Where(association.ID(a.ID), association.EndedAtIsNil(), association.UserID(a.UserID),
			association.ProfileID(a.ProfileID), association.OrganizationID(a.OrganizationID)).
		SetEndedAt(now).
		SetEndReason(cause).
		ClearActiveProfileID().
		ClearActiveUserSlot().
		Save(counting.Concerning(ctx, a.UserID))
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, store.ErrRetry
	}
	ended := *a
	ended.EndedAt, ended.EndReason = &now, &cause
	ended.ActiveProfileID, ended.ActiveUserSlot = nil, nil
	return &ended, nil
}

// EventTime is now, or the latest start or end of a link of the profile when
// that is later. Lifecycle code that ends links calls it after LockProfiles.
func EventTime(ctx context.Context, tx *ent.Tx, profileID int, now time.Time) (time.Time, error) {
	last, err := tx.Association.Query().Where(association.ProfileID(profileID)).
		Order(ent.Desc(association.FieldStartedAt)).First(ctx)
	if ent.IsNotFound(err) {
		return now, nil
	}
	if err != nil {
		return now, err
	}
	return latestOf(now, last), nil
}

// UserSlot is the value of active_user_slot: one active link of each kind per work account.
func UserSlot(userID int, kind Kind) string { return fmt.Sprintf("%d/%s", userID, kind) }

func (s *Service) activeLink(ctx context.Context, c *ent.Client, userID int, kind Kind) (*ent.Association, error) {
	a, err := c.Association.Query().Where(association.ActiveUserSlot(UserSlot(userID, kind))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return a, err
}
