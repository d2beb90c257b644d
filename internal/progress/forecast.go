package progress

import (
	"context"
	"fmt"
	"sort"
	"time"

	"certlink/ent"
	"certlink/internal/apperr"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// MaxForecastYears is how many calendar years ahead a forecast looks at
// most: until may be now plus that many years to the second, not a day more
// (review: 5 × 366 days let 5 years and 4 days through).
const MaxForecastYears = 5

// Why a person stops counting for a requirement.
const (
	EndExpires      = "EXPIRES"       // their certification expires
	EndValidityEnds = "VALIDITY_ENDS" // their exam was retired and its validity ends
	EndNever        = "NEVER"         // a result without end
)

// Forecast is B2: for each SKILL requirement, who carries it until when, and
// the dates on which its count falls, assuming nobody joins, leaves or passes
// anything.
type Forecast struct {
	OrgID        int
	At, Until    time.Time
	Requirements []*RequirementForecast
}

// RequirementForecast is one SKILL requirement's future.
type RequirementForecast struct {
	Competency  *Competency
	Option      *Option
	Requirement *Requirement
	// UnmetOn is when the requirement, met now, becomes unmet (within Until);
	// nil when it stays met until then or is unmet already.
	UnmetOn *time.Time
	// Carriers are the people who count now, those who stop counting first first.
	Carriers []Carrier
	// Changes are the moments up to Until at which the count falls.
	Changes []CountChange
}

// Carrier is a person who counts for a requirement, and until when.
type Carrier struct {
	UserID int
	Name   string
	// SkillNumber is the skill that keeps them counting the longest.
	SkillNumber string
	// Until is when they stop counting; nil: not foreseen.
	Until *time.Time
	// Ends is EndExpires, EndValidityEnds or EndNever.
	Ends string
}

// CountChange is a moment the count of a requirement falls.
type CountChange struct {
	At time.Time
	// Count is the number of people counting from At on.
	Count int
	Met   bool
	// StopCounting are the carriers who stop counting at At.
	StopCounting []Carrier
}

// Forecast returns the viewer's organization's forecast up to until (C7).
func (s *Service) Forecast(ctx context.Context, v *viewer.Viewer, until time.Time) (*Forecast, error) {
	if err := Authorize(v, viewer.ScopeProgressRead); err != nil {
		return nil, err
	}
	now := s.Engine.Time()
	until = until.UTC()
	if !until.After(now) {
		return nil, apperr.New(apperr.InvalidInput, "until must be in the future.").With("argument", "until")
	}
	if until.After(now.AddDate(MaxForecastYears, 0, 0)) {
		return nil, apperr.New(apperr.InvalidInput, "A forecast looks at most 5 years ahead.").With("argument", "until")
	}
	// The counts and who carries them are read in one snapshot.
	var f *Forecast
	err := store.ReadSnapshot(viewer.System(ctx), s.Client, func(c *ent.Client) (err error) {
		f, err = s.Engine.Forecast(viewer.System(ctx), c, v.OrgID, now, until)
		return err
	})
	return f, err
}

// carriersSQL lists, per SKILL requirement and counting person, each counting
// result's skill and its two possible ends.
const carriersSQL = `SELECT rs.requirement_id, u.id, u.name, s.number, r.expires_at, s.valid_until ` + countingFrom

// Forecast computes the forecast of orgID from at up to until. It checks no
// permissions.
func (e *Engine) Forecast(ctx context.Context, c *ent.Client, orgID int, at, until time.Time) (*Forecast, error) {
	org, err := e.Compute(ctx, c, orgID, at)
	if err != nil {
		return nil, err
	}
	carriers, err := e.carriers(ctx, c, orgID, org.At)
	if err != nil {
		return nil, err
	}
	f := &Forecast{OrgID: orgID, At: org.At, Until: until}
	org.each(func(comp *Competency, op *Option, r *Requirement) {
		if r.Kind != KindSkill {
			return
		}
		rf := &RequirementForecast{Competency: comp, Option: op, Requirement: r, Carriers: carriers[r.ID]}
		if rf.Carriers == nil {
			rf.Carriers = []Carrier{}
		}
		rf.Changes = changes(rf.Carriers, r.Required, until)
		if r.Met {
			for _, ch := range rf.Changes {
				if !ch.Met {
					t := ch.At
					rf.UnmetOn = &t
					break
				}
			}
		}
		f.Requirements = append(f.Requirements, rf)
	})
	return f, nil
}

// carriers reads who counts per requirement, each with their longest-lasting
// result, ordered by when they stop counting (never last), then by name.
func (e *Engine) carriers(ctx context.Context, c *ent.Client, orgID int, at time.Time) (map[int][]Carrier, error) {
	rows, err := c.QueryContext(ctx, carriersSQL, countingArgs(orgID, at)...)
	if err != nil {
		return nil, fmt.Errorf("listing who carries each requirement: %w", err)
	}
	defer rows.Close()
	type key struct{ rid, uid int }
	best := map[key]Carrier{}
	for rows.Next() {
		var (
			rid, uid             int
			name, number         string
			expiresRaw, validRaw any
		)
		if err := rows.Scan(&rid, &uid, &name, &number, &expiresRaw, &validRaw); err != nil {
			return nil, err
		}
		expires, err := ScanTime(expiresRaw)
		if err != nil {
			return nil, err
		}
		valid, err := ScanTime(validRaw)
		if err != nil {
			return nil, err
		}
		cand := Carrier{UserID: uid, Name: name, SkillNumber: number, Ends: EndNever}
		switch {
		case expires != nil && (valid == nil || expires.Before(*valid)):
			cand.Until, cand.Ends = expires, EndExpires
		case valid != nil:
			cand.Until, cand.Ends = valid, EndValidityEnds
		}
		k := key{rid, uid}
		if cur, ok := best[k]; !ok || lasts(cand, cur) {
			best[k] = cand
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int][]Carrier{}
	for k, cr := range best {
		out[k.rid] = append(out[k.rid], cr)
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			switch {
			case a.Until == nil && b.Until != nil:
				return false
			case a.Until != nil && b.Until == nil:
				return true
			case a.Until != nil && !a.Until.Equal(*b.Until):
				return a.Until.Before(*b.Until)
			case a.Name != b.Name:
				return a.Name < b.Name
			}
			return a.UserID < b.UserID
		})
	}
	return out, nil
}

// lasts reports whether a keeps its person counting longer than b (ties: the
// lower skill number, so the answer is stable).
func lasts(a, b Carrier) bool {
	switch {
	case a.Until == nil || b.Until == nil:
		if (a.Until == nil) != (b.Until == nil) {
			return a.Until == nil
		}
	case !a.Until.Equal(*b.Until):
		return a.Until.After(*b.Until)
	}
	return a.SkillNumber < b.SkillNumber
}

// changes groups carriers (ordered by end) into the moments the count falls.
func changes(carriers []Carrier, required int, until time.Time) []CountChange {
	out := []CountChange{}
	count := len(carriers)
	for i := 0; i < len(carriers); {
		cr := carriers[i]
		if cr.Until == nil || cr.Until.After(until) {
			break
		}
		ch := CountChange{At: *cr.Until}
		for i < len(carriers) && carriers[i].Until != nil && carriers[i].Until.Equal(ch.At) {
			ch.StopCounting = append(ch.StopCounting, carriers[i])
			i++
		}
		count -= len(ch.StopCounting)
		ch.Count, ch.Met = count, count >= required
		out = append(out, ch)
	}
	return out
}
