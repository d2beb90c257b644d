// Package catalogrev lets a process keep what it reads of the competency
// catalog (competencies, options, requirements, skills, solution and
// capability areas) in memory, exactly: every transaction that changes a
// catalog table records a catalog revision in that same transaction (Hook),
// and a cached value is used only by a transaction that sees the same
// revisions as the one that read it (Cache). A change committed by another
// process — two processes on one MariaDB — is seen by the very next
// transaction, which finds a new revision and reads the catalog again.
package catalogrev

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"certlink/ent"
	"certlink/internal/viewer"
)

// State identifies the committed revisions a transaction sees: how many and
// the newest id. Revisions are only ever added, each in the transaction of
// its change, so the committed sets form one growing chain and Count alone
// tells two of them apart; Max guards against rows removed by hand. (Max
// alone would not do: on MariaDB two transactions may commit out of the
// order of their auto-increment ids.)
type State struct{ Count, Max int64 }

// stateSQL is the one statement a cached read costs.
const stateSQL = "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM catalog_revisions"

// Read returns the revisions c (a transaction's client, or the plain client)
// sees now.
func Read(ctx context.Context, c *ent.Client) (State, error) {
	rows, err := c.QueryContext(ctx, stateSQL)
	if err != nil {
		return State{}, fmt.Errorf("reading the catalog revision: %w", err)
	}
	defer rows.Close()
	var s State
	if rows.Next() {
		if err := rows.Scan(&s.Count, &s.Max); err != nil {
			return State{}, err
		}
	}
	return s, rows.Err()
}

// writing counts this process's transactions that have changed a catalog
// table and not yet ended. While there is one, caches are bypassed: such a
// transaction sees its own uncommitted catalog, which no cached value (and no
// revision state yet) describes, and what it reads must not be kept.
var writing atomic.Int64

// Cache holds one value computed from the catalog, for the latest revision
// state it was read at. Values are shared by every reader: they must never
// be changed after load returns them.
type Cache[T any] struct {
	mu    sync.Mutex
	state State
	val   T
	ok    bool
}

// Get returns the value for the catalog c sees: the cached one when c sees
// the revisions it was read at, else load's (load reads through c), which is
// kept when no catalog change ran meanwhile.
func (k *Cache[T]) Get(ctx context.Context, c *ent.Client, load func() (T, error)) (T, error) {
	if writing.Load() > 0 {
		return load()
	}
	st, err := Read(ctx, c)
	if err != nil {
		var zero T
		return zero, err
	}
	k.mu.Lock()
	if k.ok && k.state == st {
		v := k.val
		k.mu.Unlock()
		return v, nil
	}
	k.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	// Outside a transaction load's statements each see the latest commit:
	// the value is of st only if no revision was committed meanwhile.
	again, err := Read(ctx, c)
	if err != nil || again != st || writing.Load() > 0 {
		return v, err
	}
	k.mu.Lock()
	if !k.ok || st.Count >= k.state.Count {
		k.state, k.val, k.ok = st, v, true
	}
	k.mu.Unlock()
	return v, nil
}

// EditSource marks the revisions Hook records for a change made without one
// (catalog code records its own: "operator", "file:…").
const EditSource = "edit"

// catalogTypes are the ent types whose rows are the catalog.
var catalogTypes = map[string]bool{
	"Skill": true, "Requirement": true, "Competency": true, "CompetencyOption": true,
	"SolutionArea": true, "CapabilityArea": true,
}

type recordsKey struct{}

// Recording marks a context whose catalog writes are recorded by their
// writer: it creates a catalog revision in the same transaction (the
// catalog service does, with its source and summary), so Hook adds none.
func Recording(ctx context.Context) context.Context {
	return context.WithValue(ctx, recordsKey{}, true)
}

type hook struct {
	// committing holds the transactions whose commit is under way, so that
	// of the commit hooks one transaction's mutations registered only the
	// outermost records. (ent makes a new *Tx for each mutation's Tx(); the
	// one being committed is the same through the whole chain.)
	committing sync.Map // *ent.Tx → struct{}
}

// Hook makes every change of a catalog table come with a catalog revision in
// its transaction. A writer marked Recording records its own; for any other
// (a test's fixture, a future writer) a revision of source EditSource is
// recorded just before the transaction commits, and a write outside a
// transaction is followed by its revision at once. While the transaction is
// open, caches are bypassed in this process (writing).
func Hook() ent.Hook {
	h := &hook{}
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !catalogTypes[m.Type()] {
				return next.Mutate(ctx, m)
			}
			return h.catalog(ctx, next, m)
		})
	}
}

type txMutation interface {
	Tx() (*ent.Tx, error)
}

type clientMutation interface {
	Client() *ent.Client
}

func (h *hook) catalog(ctx context.Context, next ent.Mutator, m ent.Mutation) (ent.Value, error) {
	recorded := ctx.Value(recordsKey{}) != nil
	tx, err := m.(txMutation).Tx()
	if err != nil {
		writing.Add(1)
		defer writing.Add(-1)
		v, err := next.Mutate(ctx, m)
		if err != nil || recorded {
			return v, err
		}
		return v, record(ctx, m.(clientMutation).Client())
	}
	// Each mutation registers its own pair of hooks; whichever of commit or
	// rollback comes (a failed commit is rolled back too) ends it once.
	writing.Add(1)
	var ended atomic.Bool
	end := func() {
		if ended.CompareAndSwap(false, true) {
			writing.Add(-1)
		}
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			defer end()
			if _, inner := h.committing.LoadOrStore(tx, struct{}{}); inner {
				return next.Commit(ctx, tx)
			}
			defer h.committing.Delete(tx)
			if !recorded {
				if err := record(ctx, tx.Client()); err != nil {
					return err
				}
			}
			return next.Commit(ctx, tx)
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			defer end()
			return next.Rollback(ctx, tx)
		})
	})
	return next.Mutate(ctx, m)
}

func record(ctx context.Context, c *ent.Client) error {
	err := c.CatalogRevision.Create().SetSource(EditSource).SetDigest("-").
		SetSummary("catalog tables changed outside the catalog service").Exec(viewer.System(ctx))
	if err != nil {
		return fmt.Errorf("recording the catalog revision: %w", err)
	}
	return nil
}
