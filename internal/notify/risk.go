package notify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/internal/clock"
)

// Risk detects "met → unmet" caused by a link ending (unlink, move, deletion,
// removal from the report, merge). It is a linking.EndingObserver: at the first
// link ending for an organization in a transaction it computes the
// organization's requirements; just before that transaction commits it computes
// them again and raises an alert for each requirement that was met and is not.
// Comparing whole transactions, not single links, keeps a move within one
// organization or an MCID merge (end one link, start another) from alarming
// anyone, and names every cause of a deletion that ended two links.
type Risk struct {
	Progress ProgressSource
	Alerts   *Alerter
	Now      func() time.Time

	mu      sync.Mutex
	pending map[*ent.Tx]*txRisk
}

type txRisk struct {
	orgs   map[int]*orgRisk
	order  []int
	linkID []int
}

type orgRisk struct {
	before []RequirementState
	causes []string
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
	why, err := describeEnd(ctx, tx.Client(), a, cause)
	if err != nil {
		return err
	}
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
	o := st.orgs[a.OrganizationID]
	if o == nil {
		if cc, ok := r.Progress.(carrierChecker); ok {
			counts, err := cc.Counts(ctx, tx.Client(), a.OrganizationID, a.ProfileID, r.now())
			if err != nil {
				return err
			}
			if !counts {
				// This person counts for nothing here: ending the link cannot
				// make anything unmet. Another link ending later in the same
				// transaction still takes the "before" picture, unaffected.
				return nil
			}
		}
		before, err := r.states(ctx, tx.Client(), a.OrganizationID)
		if err != nil {
			return err
		}
		o = &orgRisk{before: before}
		st.orgs[a.OrganizationID] = o
		st.order = append(st.order, a.OrganizationID)
	}
	o.causes = append(o.causes, why)
	return nil
}

// carrierChecker is a ProgressSource that can tell cheaply whether a profile
// counts towards any requirement of an organization.
type carrierChecker interface {
	Counts(ctx context.Context, c *ent.Client, orgID, profileID int, at time.Time) (bool, error)
}

// metOnly is a ProgressSource that can skip naming projection causes, which the
// before/after comparison does not need.
type metOnly interface {
	MetStates(ctx context.Context, c *ent.Client, orgID int, at time.Time) ([]RequirementState, error)
}

func (r *Risk) states(ctx context.Context, c *ent.Client, orgID int) ([]RequirementState, error) {
	if m, ok := r.Progress.(metOnly); ok {
		return m.MetStates(ctx, c, orgID, r.now())
	}
	return r.Progress.Requirements(ctx, c, orgID, r.now())
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
		after, err := r.states(ctx, tx.Client(), org)
		if err != nil {
			return n, err
		}
		cause := strings.Join(o.causes, " ")
		for _, req := range newlyUnmet(o.before, after) {
			al := Alert{
				OrgID: org,
				Key:   fmt.Sprintf("unmet/o%d/r%s/links-%s", org, req.Key, causeKey),
				Title: fmt.Sprintf("Competency at risk: %s (%s)", req.Competency, levelName(req.Level)),
				Body: fmt.Sprintf("The requirement %q of %s, %s, %s is no longer met: %d of %d required. Cause: %s",
					req.Requirement, req.Competency, levelName(req.Level), req.Option, req.Current, req.Required, cause),
			}
			if err := r.Alerts.Raise(ctx, tx.Client(), al); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
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

// describeEnd says in words who left and why.
func describeEnd(ctx context.Context, c *ent.Client, a *ent.Association, cause association.EndReason) (string, error) {
	u, err := c.User.Get(ctx, a.UserID)
	if err != nil {
		return "", err
	}
	p, err := c.Profile.Get(ctx, a.ProfileID)
	if err != nil {
		return "", err
	}
	what := "Microsoft Learning account (MCID " + p.Mcid + ")"
	if a.Kind == association.KindPARTNER_UNIVERSITY {
		what = "Partner University account " + p.Mcid
	}
	who := fmt.Sprintf("%s (%s)", u.Name, u.Email)
	switch cause {
	case association.EndReasonMOVED:
		return fmt.Sprintf("%s of %s was associated with another work account, possibly in another organization.", what, who), nil
	case association.EndReasonUSER_DELETED:
		return fmt.Sprintf("%s left: the work account was deleted, ending the link of %s.", who, what), nil
	case association.EndReasonREPORT_REMOVED:
		return fmt.Sprintf("%s was removed from the skills report (%s).", who, what), nil
	case association.EndReasonMERGED:
		return fmt.Sprintf("%s of %s was merged into another profile.", what, who), nil
	default:
		return fmt.Sprintf("%s removed the association of their %s.", who, what), nil
	}
}
