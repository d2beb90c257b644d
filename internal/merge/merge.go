// Package merge merges two certification profiles of one person (U4): an
// operator names the survivor and the duplicate; results and the link move to the
// survivor, nothing is counted twice, and the history records it.
package merge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/results"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Service merges profiles.
type Service struct {
	Client    *ent.Client
	Observers []linking.Observer
	RowLocks  bool
	Now       func() time.Time
	Changed   func(orgIDs ...int)
}

// Outcome says what a merge did.
type Outcome struct {
	Survivor, Duplicate *ent.Profile
	ResultsMoved        int
	ResultsDropped      int // already held by the survivor: counted once
	LinkMoved           bool
	LinkEnded           bool
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Merge merges duplicate into survivor in one transaction:
//   - each result of the duplicate moves to the survivor, unless the survivor
//     holds the same (skill, completion date) already — then it is dropped, as
//     the unique index (profile, skill, completed_at) requires;
//   - the duplicate's active link ends (MERGED); when the survivor has no link of
//     its own, the link moves to it — started anew for the same work account,
//     using no L6 quota; when it has one, the survivor's link wins;
//   - the duplicate is marked merged into the survivor and can no longer be linked.
func (s *Service) Merge(ctx context.Context, v *viewer.Viewer, survivorMCID, duplicateMCID string) (*Outcome, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if !v.IsSession() || !v.IsOperator() {
		return nil, apperr.New(apperr.Forbidden, "Only an operator can merge certification profiles.")
	}
	survivorMCID, duplicateMCID = strings.TrimSpace(survivorMCID), strings.TrimSpace(duplicateMCID)
	for _, f := range []struct{ name, mcid string }{{"survivorMcid", survivorMCID}, {"duplicateMcid", duplicateMCID}} {
		if f.mcid == "" {
			return nil, apperr.New(apperr.InvalidInput, "Give the MCID of both profiles: %s is empty.", f.name).With("field", f.name)
		}
	}
	if survivorMCID == duplicateMCID {
		return nil, apperr.New(apperr.InvalidInput, "Name two different MCIDs.")
	}
	sys := viewer.System(ctx)
	var out *Outcome
	var touched []int
	// The person the merge makes one: every live profile of the two MCIDs'
	// directory accounts and of the accounts earlier merges joined to them
	// (linking.ReadPerson), read before each attempt and held in it (Hold: a
	// merge that changed that person meanwhile starts this one over).
	var person []linking.PersonProfile // live
	err := store.InTxAfter(sys, s.Client, func() error {
		accounts, err := s.Client.Profile.Query().Where(profile.McidIn(survivorMCID, duplicateMCID)).
			Select(profile.FieldAccountID).Ints(sys)
		if err != nil {
			return err
		}
		p, err := linking.ReadPerson(sys, s.Client, accounts...)
		person = p.Live
		return err
	}, func(tx *ent.Tx) error {
		out, touched = &Outcome{}, touched[:0]
		sv, err := s.load(sys, tx, survivorMCID)
		if err != nil {
			return err
		}
		dup, err := s.load(sys, tx, duplicateMCID)
		if err != nil {
			return err
		}
		if sv.Kind != dup.Kind {
			return apperr.New(apperr.InvalidInput, "MCID %s and %s are not the same kind of profile.", survivorMCID, duplicateMCID)
		}
		out.Survivor, out.Duplicate = sv, dup
		// The profiles whose links may change here: hold them as every link
		// change does (on a Galera cluster FOR UPDATE above is node-local).
		if err := linking.Hold(sys, tx, person); err != nil {
			return err
		}
		// The person's other live profiles (their Partner University access):
		// one person's, whose links go to one work account (see onePerson).
		var siblings []int
		for _, p := range person {
			if p.ID != sv.ID && p.ID != dup.ID {
				siblings = append(siblings, p.ID)
			}
		}
		// The time of the merge, read after the lock and never before either
		// profile's latest link event, as every link change takes it.
		now := s.now()
		for _, id := range []int{sv.ID, dup.ID} {
			if now, err = linking.EventTime(sys, tx, id, now); err != nil {
				return err
			}
		}
		// The links first, while the duplicate still holds its results: the
		// at-risk detection (notify.Risk, an EndingObserver) takes the "before"
		// state of what the duplicate counts towards as the link ends, and
		// compares at commit (N1). Moving the results first made the
		// duplicate count for nothing and the loss went untold.
		org, survivorOrg, err := s.moveLink(sys, tx, v, sv, dup, now, out)
		if err != nil {
			return err
		}
		if org != 0 {
			touched = append(touched, org)
		}
		// The survivor's organization gains the duplicate's results.
		if survivorOrg != 0 {
			touched = append(touched, survivorOrg)
		}
		ended, err := s.onePerson(sys, tx, v, sv, siblings, now)
		if err != nil {
			return err
		}
		touched = append(touched, ended...)
		if err := s.moveResults(sys, tx, sv, dup, out); err != nil {
			return err
		}
		if out.Duplicate, err = tx.Profile.UpdateOne(dup).SetMergedIntoID(sv.ID).Save(sys); err != nil {
			return err
		}
		// The profiles merged into the duplicate before are the survivor's
		// now too: every merged profile names the live one its results and
		// link went to, so an MCID resolves in one step however long the
		// chain of merges (ingest, linking.Lineage).
		if err := tx.Profile.Update().Where(profile.MergedIntoID(dup.ID)).SetMergedIntoID(sv.ID).Exec(sys); err != nil {
			return err
		}
		// The survivor's person grew: a transaction that read it before holds
		// it with the old version and starts over (linking.Hold).
		if err := tx.Profile.Update().Where(profile.ID(sv.ID)).AddMergeVersion(1).Exec(sys); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s merged MCID %s into %s: %d results moved, %d already held, link %s.",
			history.ActorName(v), duplicateMCID, survivorMCID, out.ResultsMoved, out.ResultsDropped, linkWord(out))
		// The duplicate's organization, when the survivor is linked to
		// another one, is not told which MCID that is: like a move out, the
		// loss is told without naming who holds the person now (review).
		dupDetail := detail
		if org != 0 && survivorOrg != 0 && survivorOrg != org {
			dupDetail = fmt.Sprintf("%s merged MCID %s into another certification profile, linked to another organization: %d results moved, link ended.",
				history.ActorName(v), duplicateMCID, out.ResultsMoved)
		}
		// One event per MCID, each in the history of the organization its
		// link was in; an organization that held both sees the merge once.
		if survivorOrg == org {
			survivorOrg = 0
		}
		for _, ev := range []struct {
			mcid, detail string
			org          int
		}{{duplicateMCID, dupDetail, org}, {survivorMCID, detail, survivorOrg}} {
			if err := history.Record(sys, tx.Client(), history.Event{Action: history.ProfilesMerged, ActorID: v.UserID,
				OrgID: ev.org, MCID: ev.mcid, Detail: ev.detail, At: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.Changed != nil && len(touched) > 0 {
		s.Changed(touched...)
	}
	return out, nil
}

func linkWord(o *Outcome) string {
	switch {
	case o.LinkMoved:
		return "moved to the survivor"
	case o.LinkEnded:
		return "ended (the survivor's link wins)"
	}
	return "none to move"
}

func (s *Service) load(ctx context.Context, tx *ent.Tx, mcid string) (*ent.Profile, error) {
	q := tx.Profile.Query().Where(profile.Mcid(mcid))
	if s.RowLocks {
		q.ForUpdate()
	}
	p, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "There is no certification profile with MCID %s.", mcid)
	}
	if err != nil {
		return nil, err
	}
	if p.MergedIntoID != nil {
		return nil, apperr.New(apperr.Conflict, "MCID %s was already merged into another profile.", mcid)
	}
	return p, nil
}

func (s *Service) moveResults(ctx context.Context, tx *ent.Tx, sv, dup *ent.Profile, out *Outcome) error {
	held, err := tx.Result.Query().Where(result.ProfileID(sv.ID)).All(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range held {
		have[resultKey(r)] = true
	}
	rows, err := tx.Result.Query().Where(result.ProfileID(dup.ID)).All(ctx)
	if err != nil {
		return err
	}
	// A result the survivor already holds (same skill, same completion) is
	// dropped, every other one moves; both in statements of mergeChunk rows, so
	// a profile with thousands of results merges in a few statements.
	var drop, move []int
	for _, r := range rows {
		if k := resultKey(r); have[k] {
			drop = append(drop, r.ID)
		} else {
			have[k] = true
			move = append(move, r.ID)
		}
	}
	for ids := range slices.Chunk(drop, mergeChunk) {
		if _, err := tx.Result.Delete().Where(result.IDIn(ids...)).Exec(ctx); err != nil {
			return err
		}
	}
	for ids := range slices.Chunk(move, mergeChunk) {
		if err := tx.Result.Update().Where(result.IDIn(ids...)).SetProfileID(sv.ID).Exec(ctx); err != nil {
			return err
		}
	}
	out.ResultsDropped, out.ResultsMoved = len(drop), len(move)
	return results.MarkLatest(ctx, tx.Client(), s.RowLocks, sv.ID)
}

// mergeChunk is how many results one statement of a merge deletes or moves.
const mergeChunk = 500

func resultKey(r *ent.Result) string {
	return fmt.Sprintf("%d/%d", r.SkillID, r.CompletedAt.UTC().UnixMicro())
}

// onePerson keeps the merged person's accounts with one work account, as an
// association does (package linking): the two directory accounts are one
// person's now, so a link of their other profiles (Partner University
// access) to another work account than the survivor MCID's ends
// (linking.EndOtherAccounts). A review merged riley's MCID into alex's while
// alex's Partner University access was linked in another organization: one
// person counted in two. With the survivor unlinked, the latest of those
// links stays. It returns the organizations whose links ended.
func (s *Service) onePerson(ctx context.Context, tx *ent.Tx, v *viewer.Viewer, sv *ent.Profile, siblings []int, now time.Time) ([]int, error) {
	if len(siblings) == 0 {
		return nil, nil
	}
	links, err := tx.Association.Query().
		Where(association.ActiveProfileIDIn(append([]int{sv.ID}, siblings...)...)).
		Order(ent.Desc(association.FieldStartedAt), ent.Desc(association.FieldID)).
		All(ctx)
	if err != nil || len(links) == 0 {
		return nil, err
	}
	holder := links[0].UserID
	for _, a := range links {
		if a.ProfileID == sv.ID {
			holder = a.UserID
		}
	}
	// Their own profiles were not merged: they end because the person's
	// other account is with another work account (the notice says so).
	return linking.EndOtherAccounts(ctx, tx, links, holder, v.UserID, now, s.Observers)
}

// moveLink ends the duplicate's active link and, when the survivor has none,
// starts it anew on the survivor. It returns the organization of the
// duplicate's link and that of the survivor's own link (0: none).
func (s *Service) moveLink(ctx context.Context, tx *ent.Tx, v *viewer.Viewer, sv, dup *ent.Profile, now time.Time, out *Outcome) (int, int, error) {
	survivorOrg := 0
	survivorLink, err := tx.Association.Query().Where(association.ActiveProfileID(sv.ID)).Only(ctx)
	switch {
	case err == nil:
		survivorOrg = survivorLink.OrganizationID
	case !ent.IsNotFound(err):
		return 0, 0, err
	}
	link, err := tx.Association.Query().Where(association.ActiveProfileID(dup.ID)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, survivorOrg, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if err := linking.EndInTx(ctx, tx, link, association.EndReasonMERGED, v.UserID, now, s.Observers); err != nil {
		return 0, 0, err
	}
	if survivorLink != nil {
		out.LinkEnded = true
		return link.OrganizationID, survivorOrg, nil
	}
	_, err = linking.StartInTx(ctx, tx, linking.NewLink{
		Kind: link.Kind, ProfileID: sv.ID, UserID: link.UserID, OrgID: link.OrganizationID, CountsQuota: false,
	}, now, s.Observers)
	if err != nil {
		return 0, 0, err
	}
	out.LinkMoved = true
	return link.OrganizationID, survivorOrg, nil
}
