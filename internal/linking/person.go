package linking

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"certlink/ent"
	"certlink/ent/profile"
	"certlink/internal/apperr"
	"certlink/internal/store"
)

// PersonProfile is a live profile of a person as ReadPerson read it.
type PersonProfile struct {
	ID, AccountID int
	Kind          Kind
	MCID          string
	// MergeVersion is the profile's merge_version when it was read: holding
	// the profile (Hold) checks that no merge went into it since.
	MergeVersion int64
}

// maxPersonAccounts bounds the directory accounts one person may gather
// through MCID merges (operators merge duplicates, a handful at most).
const maxPersonAccounts = 1000

// Person is one person as ReadPerson read it.
type Person struct {
	// Live are the person's live profiles, in ascending id order.
	Live []PersonProfile
	// mergedInto maps each merged profile of the person to the profile it
	// was merged into.
	mergedInto map[int]int
	// merged are the person's merged profiles.
	merged []PersonProfile
}

// Lineage is profile id and every profile merged into it, directly or
// through a chain of merges: one MCID's history, whose associations count
// towards its L6 limit (a merge moves the link, not the limit: a review
// reset the 30 days by merging an MCID linked the same day).
func (p Person) Lineage(id int) []int {
	out := []int{id}
	for grew := true; grew; {
		grew = false
		for m, into := range p.mergedInto {
			if slices.Contains(out, into) && !slices.Contains(out, m) {
				out = append(out, m)
				grew = true
			}
		}
	}
	return out
}

// ReadPerson reads one person: the profiles of the directory accounts given
// and of every account MCID merges joined to them, either way and in chains
// (a merged profile's account is its survivor's person, and so on). One
// person is counted once (C2), so all of their live profiles go to one work
// account (associate, merge.Merge).
//
// Each round is one statement: the profiles of the accounts found last, the
// profiles merged into them and those they were merged into; a round that
// finds no new account ends it. A person no merge touched is one round.
func ReadPerson(ctx context.Context, c *ent.Client, accountIDs ...int) (Person, error) {
	seen := map[int]bool{}
	var frontier []int
	for _, id := range accountIDs {
		if !seen[id] {
			seen[id] = true
			frontier = append(frontier, id)
		}
	}
	rows := map[int]personRow{}
	for len(frontier) > 0 {
		found, err := personRound(ctx, c, frontier)
		if err != nil {
			return Person{}, err
		}
		frontier = frontier[:0]
		for _, r := range found {
			rows[r.ID] = r
			if !seen[r.AccountID] {
				seen[r.AccountID] = true
				frontier = append(frontier, r.AccountID)
			}
		}
		if len(seen) > maxPersonAccounts {
			return Person{}, apperr.New(apperr.Conflict, "MCID merges have joined more than %d directory accounts into this person; ask an operator to check the merges.", maxPersonAccounts)
		}
	}
	out := Person{mergedInto: map[int]int{}}
	for _, r := range rows {
		if r.mergedInto != 0 {
			out.mergedInto[r.ID] = r.mergedInto
			out.merged = append(out.merged, r.PersonProfile)
		} else {
			out.Live = append(out.Live, r.PersonProfile)
		}
	}
	slices.SortFunc(out.Live, func(a, b PersonProfile) int { return a.ID - b.ID })
	slices.SortFunc(out.merged, func(a, b PersonProfile) int { return a.ID - b.ID })
	return out, nil
}

// lineage is Person.Lineage read from the database: profile id and every
// profile merged into it, one statement per link of the longest chain (one
// when none was merged into it).
func lineage(ctx context.Context, c *ent.Client, id int) ([]int, error) {
	out, frontier := []int{id}, []int{id}
	for len(frontier) > 0 && len(out) <= maxPersonAccounts {
		ids, err := c.Profile.Query().Where(profile.MergedIntoIDIn(frontier...)).IDs(ctx)
		if err != nil {
			return nil, err
		}
		out, frontier = append(out, ids...), ids
	}
	return out, nil
}

type personRow struct {
	PersonProfile
	mergedInto int // 0: live
}

func personRound(ctx context.Context, c *ent.Client, accounts []int) ([]personRow, error) {
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(accounts)), ",") + ")"
	cols := func(t string) string {
		return t + ".id, " + t + ".account_id, " + t + ".kind, " + t + ".mcid, " + t + ".merged_into_id, " + t + ".merge_version"
	}
	q := "SELECT " + cols("p") + " FROM profiles p WHERE p.account_id IN " + in +
		" UNION SELECT " + cols("m") + " FROM profiles m JOIN profiles q ON m.merged_into_id = q.id WHERE q.account_id IN " + in +
		" UNION SELECT " + cols("t") + " FROM profiles t JOIN profiles q ON t.id = q.merged_into_id WHERE q.account_id IN " + in
	args := make([]any, 0, 3*len(accounts))
	for range 3 {
		for _, id := range accounts {
			args = append(args, id)
		}
	}
	rs, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []personRow
	for rs.Next() {
		var (
			r      personRow
			kind   string
			merged sql.NullInt64
		)
		if err := rs.Scan(&r.ID, &r.AccountID, &kind, &r.MCID, &merged, &r.MergeVersion); err != nil {
			return nil, err
		}
		r.Kind, r.mergedInto = Kind(kind), int(merged.Int64)
		out = append(out, r)
	}
	return out, rs.Err()
}

// pick is the profile of kind that directory account accountID holds in a
// person (the first by id), and the ids of the person's other live profiles.
//
// An account whose profile of kind an MCID merge made a duplicate holds its
// survivor: the same person's profile, where the duplicate's results and
// link went (U4), whichever account holds it now. Signing in with the
// duplicate's account proves the person, as before the merge.
func pick(person Person, accountID int, kind Kind) (*PersonProfile, []int) {
	want := 0
	for _, q := range person.Live {
		if q.AccountID == accountID && q.Kind == kind {
			want = q.ID
			break
		}
	}
	if want == 0 {
		for _, m := range person.merged {
			if m.AccountID == accountID && m.Kind == kind {
				want = person.survivor(m.ID)
				break
			}
		}
	}
	var (
		p        *PersonProfile
		siblings []int
	)
	for i, q := range person.Live {
		if q.ID == want && q.Kind == kind {
			p = &person.Live[i]
			continue
		}
		siblings = append(siblings, q.ID)
	}
	return p, siblings
}

// survivor is the live profile merged profile id went into, through a chain
// of merges (0: none found).
func (p Person) survivor(id int) int {
	for range len(p.mergedInto) + 1 {
		into, ok := p.mergedInto[id]
		if !ok {
			return id
		}
		id = into
	}
	return 0
}

// errPersonChanged starts a transaction over: a merge changed the person it
// read (Hold).
var errPersonChanged = fmt.Errorf("linking: an MCID merge changed the person meanwhile: %w", store.ErrRetry)

// Hold is LockProfiles for a person read before the transaction began (its
// Live profiles): each
// live profile, in ascending id order, is written only while it is still
// live and no merge went into it since it was read. When one is not, a merge
// has changed the person meanwhile (joined another account to it, or made
// one of its profiles a duplicate), and the transaction must start over from
// a new read (store.ErrRetry, with store.InTxAfter).
func Hold(ctx context.Context, tx *ent.Tx, person []PersonProfile) error {
	for _, p := range person {
		n, err := tx.Profile.Update().
			Where(profile.ID(p.ID), profile.MergedIntoIDIsNil(), profile.MergeVersion(p.MergeVersion)).
			AddLockVersion(1).Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errPersonChanged
		}
	}
	return nil
}
