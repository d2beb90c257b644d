package notify

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/risknotice"
	"certlink/internal/clock"
)

// Risk detects "met → unmet" caused by a link ending (unlink, move, deletion,
// removal from the report, merge). It is a linking.EndingObserver: at each link
// ending in a transaction it takes the "before" state of the requirements the
// leaving person counts towards, those not taken yet; just before that
// transaction commits it computes them again and raises an alert for each
// requirement that was met and is not. Only those requirements can fall: a
// requirement nobody leaving counted towards keeps its people. Comparing whole
// transactions, not single links, keeps a move within one organization or an
// MCID merge (end one link, start another) from alarming anyone, and names
// every cause of a deletion that ended two links.
type Risk struct {
	Progress ProgressSource
	Alerts   *Alerter
	Now      func() time.Time
	// RowLocks reads the open notices with SELECT … FOR UPDATE (MySQL,
	// MariaDB): the latest committed ones, and none inserted meanwhile.
	RowLocks bool

	mu      sync.Mutex
	pending map[*ent.Tx]*txRisk
}

type txRisk struct {
	orgs   map[int]*orgRisk
	order  []int
	linkID []int
}

// orgRisk is what a transaction's link endings put at risk in one organization.
type orgRisk struct {
	// taken holds the requirements whose "before" state is in before: those
	// the people leaving so far counted towards.
	taken  map[int]bool
	before []RequirementState
	causes endCauses
}

func (r *Risk) now() time.Time { return clock.Now(r.Now) }

// LinkStarted implements linking.Observer: a new link can only help.
func (r *Risk) LinkStarted(context.Context, *ent.Tx, *ent.Association) error { return nil }

// LinkEnded implements linking.Observer; the work is done in LinkEnding and at commit.
func (r *Risk) LinkEnded(context.Context, *ent.Tx, *ent.Association, association.EndReason, int) error {
	return nil
}

// LinkEnding implements linking.EndingObserver.
func (r *Risk) LinkEnding(ctx context.Context, tx *ent.Tx, a *ent.Association, cause association.EndReason) error {
	st, fresh := r.state(tx)
	if fresh {
		tx.OnCommit(r.commitHook)
		tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
			return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
				r.forget(tx)
				return next.Rollback(ctx, tx)
			})
		})
	}
	st.linkID = append(st.linkID, a.ID)
	src := r.source()
	ids, err := src.CountsFor(ctx, tx.Client(), a.OrganizationID, a.UserID, r.now())
	if err != nil {
		return fmt.Errorf("at-risk detection, link %d: %w", a.ID, err)
	}
	o := st.orgs[a.OrganizationID]
	if o == nil {
		if len(ids) == 0 && cause != association.EndReasonMOVED {
			// This person counts for nothing here: ending the link cannot
			// make anything unmet. Another link ending later in the same
			// transaction still takes its "before" states, unaffected. (A
			// move is told whatever it costs, if it leaves the organization.)
			return nil
		}
		o = &orgRisk{taken: map[int]bool{}}
		st.orgs[a.OrganizationID] = o
		st.order = append(st.order, a.OrganizationID)
	}
	if err := r.takeBefore(ctx, tx.Client(), src, a.OrganizationID, o, ids); err != nil {
		return fmt.Errorf("at-risk detection, link %d: %w", a.ID, err)
	}
	// Described only when it may be told: someone who counted for nothing
	// costs no more reads.
	why, err := describeEnd(ctx, tx.Client(), a, cause)
	if err != nil {
		return err
	}
	o.causes = append(o.causes, why)
	return nil
}

// takeBefore takes the "before" states of the requirements among ids not taken
// yet. They are as they were when the transaction began, even after earlier
// links in it ended: those people did not count towards them.
func (r *Risk) takeBefore(ctx context.Context, c *ent.Client, src narrowSource, orgID int, o *orgRisk, ids []int) error {
	var untaken []int
	for _, id := range ids {
		if !o.taken[id] {
			untaken = append(untaken, id)
		}
	}
	if len(untaken) == 0 {
		return nil
	}
	before, err := src.MetStatesOnly(ctx, c, orgID, r.now(), untaken)
	if err != nil {
		return err
	}
	for _, id := range untaken {
		o.taken[id] = true
	}
	o.before = append(o.before, before...)
	return nil
}

// narrowSource is a ProgressSource that can name the requirements a person
// counts for in an organization (cheaply: from the kept counts) and compute the states of some
// requirements only, without projection causes, which the before/after
// comparison does not need: at-risk detection then computes what a leaver can
// make unmet, not the whole organization. EngineProgress is one.
type narrowSource interface {
	CountsFor(ctx context.Context, c *ent.Client, orgID, userID int, at time.Time) ([]int, error)
	MetStatesOnly(ctx context.Context, c *ent.Client, orgID int, at time.Time, requirementIDs []int) ([]RequirementState, error)
}

func (r *Risk) source() narrowSource {
	if n, ok := r.Progress.(narrowSource); ok {
		return n
	}
	return wholeOrg{r.Progress}
}

// wholeOrg is a ProgressSource that cannot narrow (a test's fake): anyone
// leaving may count towards anything, so it names one requirement standing for
// all of them, whose states are the whole organization's.
type wholeOrg struct{ ProgressSource }

func (w wholeOrg) CountsFor(context.Context, *ent.Client, int, int, time.Time) ([]int, error) {
	return []int{0}, nil
}

func (w wholeOrg) MetStatesOnly(ctx context.Context, c *ent.Client, orgID int, at time.Time, _ []int) ([]RequirementState, error) {
	return w.Requirements(ctx, c, orgID, at)
}

func (r *Risk) state(tx *ent.Tx) (*txRisk, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == nil {
		r.pending = map[*ent.Tx]*txRisk{}
	}
	if st, ok := r.pending[tx]; ok {
		return st, false
	}
	st := &txRisk{orgs: map[int]*orgRisk{}}
	r.pending[tx] = st
	return st, true
}

func (r *Risk) forget(tx *ent.Tx) *txRisk {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.pending[tx]
	delete(r.pending, tx)
	return st
}

func (r *Risk) commitHook(next ent.Committer) ent.Committer {
	return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
		st := r.forget(tx)
		raised := false
		if st != nil {
			n, err := r.compare(ctx, tx, st)
			if err != nil {
				return err
			}
			raised = n > 0
		}
		if err := next.Commit(ctx, tx); err != nil {
			return err
		}
		if raised && r.Alerts.Wake != nil {
			r.Alerts.Wake()
		}
		return nil
	})
}

// compare raises an alert per requirement the transaction took from met to unmet.
func (r *Risk) compare(ctx context.Context, tx *ent.Tx, st *txRisk) (int, error) {
	ids := make([]string, len(st.linkID))
	sort.Ints(st.linkID)
	for i, id := range st.linkID {
		ids[i] = fmt.Sprint(id)
	}
	causeKey := strings.Join(ids, "-")
	n := 0
	for _, org := range st.order {
		o := st.orgs[org]
		after, err := r.source().MetStatesOnly(ctx, tx.Client(), org, r.now(), o.ids())
		if err != nil {
			return n, fmt.Errorf("at-risk detection at commit: %w", err)
		}
		newly := newlyUnmet(o.before, after)
		lost, err := r.untold(ctx, tx.Client(), org, newly)
		if err != nil {
			return n, err
		}
		still := slices.DeleteFunc(slices.Clone(newly), func(s RequirementState) bool {
			return slices.ContainsFunc(lost, func(l RequirementState) bool { return l.Key == s.Key })
		})
		causes, err := o.causes.settle(ctx, tx.Client(), org)
		if err != nil {
			return n, err
		}
		if len(lost) == 0 && !causes.movedAway() {
			continue
		}
		// One event, one alert (N1): every requirement it took, one cause.
		al := lossAlert(org, groupKey(fmt.Sprintf("unmet/o%d/links-", org), causeKey), causes, lost, still)
		if err := r.Alerts.Raise(ctx, tx.Client(), al); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// untold keeps of lost the requirements with no open "no longer met" notice.
// Link endings that overlap each read their "before" states from their own
// snapshot, so each of five people leaving at once saw the requirement met
// before and unmet after, and each told the admins, blaming themselves
// (review: four warnings instead of one, two to four open notices per
// requirement). Their "after" states follow one another (each ending updates
// the requirement's kept count, one at a time), so the first to commit with
// the requirement unmet tells; the notice it records is read here, locked, by
// every later one, which does not tell again.
func (r *Risk) untold(ctx context.Context, c *ent.Client, org int, lost []RequirementState) ([]RequirementState, error) {
	var ids []int
	for _, l := range lost {
		if id, err := strconv.Atoi(l.Key); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return lost, nil // none, or not requirement ids (a test's fake source)
	}
	q := c.RiskNotice.Query().Where(risknotice.OrganizationID(org), risknotice.RequirementIDIn(ids...),
		risknotice.KindEQ(risknotice.KindUNMET), risknotice.ResolvedAtIsNil())
	if r.RowLocks {
		q.ForUpdate()
	}
	open, err := q.Select(risknotice.FieldRequirementID).Ints(ctx)
	if err != nil {
		return nil, fmt.Errorf("at-risk detection: reading the open notices: %w", err)
	}
	out := lost[:0:0]
	for _, l := range lost {
		if id, err := strconv.Atoi(l.Key); err != nil || !slices.Contains(open, id) {
			out = append(out, l)
		}
	}
	return out, nil
}

// ids returns the requirements whose "before" state was taken, ascending.
func (o *orgRisk) ids() []int {
	ids := make([]int, 0, len(o.taken))
	for id := range o.taken {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

func levelName(l string) string {
	switch l {
	case "SILVER":
		return "Silver"
	case "GOLD":
		return "Gold"
	}
	return l
}
