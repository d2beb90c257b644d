package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"certlink/ent"
	"certlink/ent/organization"
)

// CatalogChanging implements catalog.Observer. An operator's catalog edit (C1)
// can take a requirement's tick away at once: a skill no longer counts towards
// it, more people are required, a retired exam's validity already ended. In
// the edit's transaction, before it applies, it takes the met requirements of
// every organization; the function it returns, called in the same transaction
// once the edit is applied, has them computed again and raises one alert per
// organization for what the edit took from met to unmet (N1), as a link
// ending does, just before the commit, and wakes the mail worker after it.
func (r *Risk) CatalogChanging(ctx context.Context, tx *ent.Tx) (func(context.Context, *ent.CatalogRevision) error, error) {
	src := r.source()
	c := tx.Client()
	reqs, err := c.Requirement.Query().IDs(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := c.Organization.Query().Order(ent.Asc(organization.FieldID)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	type orgMet struct {
		org    int
		before []RequirementState
		ids    []int
	}
	var met []orgMet
	for _, org := range orgs {
		before, err := src.MetStatesOnly(ctx, c, org, r.now(), reqs)
		if err != nil {
			return nil, fmt.Errorf("at-risk detection before the catalog edit: %w", err)
		}
		o := orgMet{org: org}
		for _, s := range before {
			if s.Met {
				o.before = append(o.before, s)
				if id, err := strconv.Atoi(s.Key); err == nil {
					o.ids = append(o.ids, id)
				}
			}
		}
		if len(o.before) > 0 {
			met = append(met, o)
		}
	}
	// The kept counts (counting) are rebuilt for the edited catalog just
	// before the commit, by a commit hook the edit's first catalog write
	// registered: the comparison is a hook registered after it, so it runs
	// next, on the rebuilt counts, still inside the transaction.
	return func(ctx context.Context, rev *ent.CatalogRevision) error {
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				raised := 0
				for _, o := range met {
					after, err := src.MetStatesOnly(ctx, c, o.org, r.now(), o.ids)
					if err != nil {
						return fmt.Errorf("at-risk detection after the catalog edit: %w", err)
					}
					lost := newlyUnmet(o.before, after)
					if len(lost) == 0 {
						continue
					}
					// One event, one alert (N1): every requirement the edit took.
					al := catalogAlert(o.org, groupKey(fmt.Sprintf("unmet/o%d/catalog-", o.org), strconv.Itoa(rev.ID)), lost)
					if err := r.Alerts.Raise(ctx, c, al); err != nil {
						return err
					}
					raised++
				}
				if err := next.Commit(ctx, tx); err != nil {
					return err
				}
				if raised > 0 && r.Alerts.Wake != nil {
					r.Alerts.Wake()
				}
				return nil
			})
		})
		return nil
	}, nil
}

// catalogAlert is the one alert of a catalog edit in one organization: lost
// are the requirements it took from met to unmet.
func catalogAlert(org int, key string, lost []RequirementState) Alert {
	var body strings.Builder
	body.WriteString("The competency catalog changed: results that counted towards these requirements no longer do, or more are required.\n\nNo longer met:\n")
	for _, r := range lost {
		body.WriteString(requirementLine(r) + "\n")
	}
	body.WriteString("\nThey are met again as soon as enough people pass the exams the catalog now asks for.")
	return Alert{OrgID: org, Key: key,
		Title:        fmt.Sprintf("The competency catalog changed: %s of %s no longer met", plural(len(lost), "requirement", "requirements"), competencyNames(lost)),
		Body:         body.String(),
		Link:         competenciesLink(lost),
		Requirements: lost, Cause: "the competency catalog changed",
	}
}
