package linking

import (
	"context"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/predicate"
)

// profileLinks is what an association of a profile to a work account reads of
// the links, after LockProfiles: the profile's active link, the account's of
// the same kind, the time of the association (EventTime) and the L6 quota
// (of the profile's lineage: the profiles merged into it count too).
type profileLinks struct {
	// current is the profile's active link, mine the account's slot's (the
	// same link when the profile is linked to the account already).
	current, mine *ent.Association
	// now is the association's time: the clock, but never before the
	// profile's latest link event.
	now time.Time
	// starts are the quota-using starts of the profile's lineage that may
	// still weigh on L6 at now.
	starts []time.Time
	// siblings are the active links of the directory account's other
	// profiles (its Partner University access beside its Learning profile).
	siblings []*ent.Association
	// latest is the profile's latest link (nil: never linked).
	latest *ent.Association
}

// readProfileLinks reads profileLinks in one statement: the active links of
// the profile, of the slot and of the profile's siblings (the person's other
// live profiles), the quota-using links of the profile's lineage (it and the
// profiles merged into it) started since the clock's L6 horizon, and its
// latest link (a UNION ALL, each part on its
// own index). Without the statement count it is EventTime, the slot lookup
// and quotaStarts.
func (s *Service) readProfileLinks(ctx context.Context, tx *ent.Tx, profileID int, lineage, siblings []int, slot string, clockNow time.Time) (profileLinks, error) {
	horizon := s.horizon(clockNow)
	active := []predicate.Association{association.ActiveProfileID(profileID), association.ActiveUserSlot(slot)}
	if len(siblings) > 0 {
		active = append(active, association.ActiveProfileIDIn(siblings...))
	}
	rows, err := tx.Association.Query().
		Where(association.Or(active...)).
		Modify(func(sel *sql.Selector) {
			cols := sel.SelectedColumns()
			t := sql.Table(association.Table)
			quota := sql.Select(cols...).From(t).Where(sql.And(
				sql.InInts(t.C(association.FieldProfileID), lineage...),
				sql.EQ(t.C(association.FieldCountsQuota), true),
				sql.GT(t.C(association.FieldStartedAt), horizon)))
			latestStart := sql.Select(sql.Max(association.FieldStartedAt)).From(sql.Table(association.Table)).
				Where(sql.EQ(association.FieldProfileID, profileID))
			latest := sql.Select(cols...).From(t).Where(sql.And(
				sql.EQ(t.C(association.FieldProfileID), profileID),
				sql.In(t.C(association.FieldStartedAt), latestStart)))
			sel.UnionAll(quota).UnionAll(latest)
		}).
		All(ctx)
	if err != nil {
		return profileLinks{}, err
	}
	out := profileLinks{now: clockNow}
	seen := map[int]bool{}
	uniq := rows[:0]
	for _, a := range rows {
		if !seen[a.ID] {
			seen[a.ID] = true
			uniq = append(uniq, a)
		}
	}
	for _, a := range uniq {
		if a.ActiveProfileID != nil && *a.ActiveProfileID == profileID {
			out.current = a
		}
		if a.ActiveUserSlot != nil && *a.ActiveUserSlot == slot {
			out.mine = a
		}
		if a.ActiveProfileID != nil && slices.Contains(siblings, *a.ActiveProfileID) {
			out.siblings = append(out.siblings, a)
		}
		if a.ProfileID == profileID {
			out.now = latestOf(out.now, a)
			if out.latest == nil || a.StartedAt.After(out.latest.StartedAt) || (a.StartedAt.Equal(out.latest.StartedAt) && a.ID > out.latest.ID) {
				out.latest = a
			}
		}
	}
	// The quota's horizon moves with the association's time, which the
	// profile's latest event may have put after the clock.
	horizon = s.horizon(out.now)
	for _, a := range uniq {
		if slices.Contains(lineage, a.ProfileID) && a.CountsQuota && a.StartedAt.After(horizon) {
			out.starts = append(out.starts, a.StartedAt)
		}
	}
	return out, nil
}

// horizon is the earliest start of a quota-using association that can still
// weigh on L6 at now.
func (s *Service) horizon(now time.Time) time.Time { return now.Add(-Window - s.Limits.Cooldown) }

// latestOf is now, or a's start or end when later: link events of one
// profile are recorded in order, whatever two servers' clocks say.
func latestOf(now time.Time, a *ent.Association) time.Time {
	if now.Before(a.StartedAt) {
		now = a.StartedAt
	}
	if a.EndedAt != nil && now.Before(*a.EndedAt) {
		now = *a.EndedAt
	}
	return now
}

// rejoining reports whether linking a profile to organization orgID takes
// it back where the person is: its latest link (latest) ended only because
// the person's other account was associated with another work account of
// orgID (OTHER_ACCOUNT_LINKED), and an account of theirs is linked in orgID
// still (siblings: the person's other profiles' active links). That is no
// new association for the organization (L6), as a move within it is not,
// whichever of the person's accounts a colleague associated first.
func rejoining(latest *ent.Association, siblings []*ent.Association, orgID int) bool {
	if latest == nil || latest.EndReason == nil || *latest.EndReason != association.EndReasonOTHER_ACCOUNT_LINKED || latest.OrganizationID != orgID {
		return false
	}
	for _, a := range siblings {
		if a.EndedAt == nil && a.OrganizationID == orgID {
			return true
		}
	}
	return false
}

// rejoins is rejoining read from the database, for the preview and My
// profile: the profile's latest link and its siblings' active links.
func (s *Service) rejoins(ctx context.Context, c *ent.Client, profileID int, siblings []int, orgID int) (bool, error) {
	if len(siblings) == 0 {
		return false, nil
	}
	latest, err := c.Association.Query().Where(association.ProfileID(profileID)).
		Order(ent.Desc(association.FieldStartedAt), ent.Desc(association.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	active, err := c.Association.Query().Where(association.ActiveProfileIDIn(siblings...), association.OrganizationID(orgID)).All(ctx)
	if err != nil {
		return false, err
	}
	return rejoining(latest, active, orgID), nil
}
