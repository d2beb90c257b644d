package designation

import (
	"context"
	"time"

	"certlink/internal/counting"
	"certlink/internal/viewer"
)

// NextChange is the first moment after at at which time alone, no writer,
// changes the organization's areas as OrgAreas computed them at at (or
// later): someone stops counting for a skilling metric (a kept area span
// ends: an expiry, a validity end), a drop enters the forecast's horizon
// (a span ending a horizon later), or a day begins (the qualification
// window's live day and bounds, the month an ingested value is read from).
// Never zero: a day always comes.
func (s *Service) NextChange(ctx context.Context, orgID int, areas []*Area, at time.Time) (time.Time, error) {
	at = at.UTC()
	next := dayStart(at).AddDate(0, 0, 1)
	consider := func(t time.Time) {
		if t.After(at) && t.Before(next) {
			next = t
		}
	}
	levels := make([]int, 0, 2*len(areas))
	for _, a := range areas {
		levels = append(levels, counting.AreaLevel(a.ID, counting.Intermediate), counting.AreaLevel(a.ID, counting.Advanced))
	}
	sys := viewer.System(ctx)
	end, err := counting.NextAreaEnd(sys, s.Client, orgID, levels, at)
	if err != nil {
		return time.Time{}, err
	}
	if !end.IsZero() {
		consider(end)
	}
	h := s.horizon()
	if end, err = counting.NextAreaEnd(sys, s.Client, orgID, levels, at.Add(h)); err != nil {
		return time.Time{}, err
	}
	if !end.IsZero() {
		consider(end.Add(-h))
	}
	return next, nil
}
