package designation

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/qualificationday"
)

// WindowMonths is how many full calendar months before the current one the
// qualification window covers: the current month and the previous five.
const WindowMonths = 5

// Day is one recorded day of an area's qualification (the periodic job's
// record), or today's live state when Live.
type Day struct {
	Day        time.Time
	Qualified  bool
	Score      float64
	TrackKey   string
	Reason     string
	RecordedAt time.Time
	// Live: computed now, not (yet) recorded.
	Live bool
}

// Window is an area's qualification window at one moment: to enroll or renew,
// the organization must have been qualified on at least one day of it.
type Window struct {
	OpensOn, ClosesOn time.Time
	// Days are the recorded days within the window, in order, and today's
	// live state last when today is not recorded qualified yet.
	Days []*Day
	// QualifiedDays counts the days qualified in the window (today included
	// when qualified now).
	QualifiedDays int
	Holds         bool
	// LastQualifiedOn is the latest qualified day in the window.
	LastQualifiedOn *time.Time
	// HoldsUntil is the last day a window would still contain
	// LastQualifiedOn as it rolls forward: the end of the fifth month after it.
	HoldsUntil *time.Time
}

// monthStart is the first day of t's month, plus n months.
func monthStart(t time.Time, n int) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}

// WindowBounds returns the first and last day of the window holding at.
func WindowBounds(at time.Time) (opens, closes time.Time) {
	return monthStart(at, -WindowMonths), monthStart(at, 1).AddDate(0, 0, -1)
}

// HoldsUntil is the last day of the last window that contains day.
func HoldsUntil(day time.Time) time.Time {
	return monthStart(day, WindowMonths+1).AddDate(0, 0, -1)
}

func dayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// readDays reads the recorded days of an organization between two days
// (inclusive), per area key, in order.
func readDays(ctx context.Context, c *ent.Client, orgID int, areaKey string, from, to time.Time) ([]*Day, map[string][]*Day, error) {
	q := c.QualificationDay.Query().Where(qualificationday.OrganizationID(orgID),
		qualificationday.DayGTE(DayOf(from)), qualificationday.DayLTE(DayOf(to)))
	if areaKey != "" {
		q.Where(qualificationday.AreaKey(areaKey))
	}
	rows, err := q.Order(ent.Asc(qualificationday.FieldDay)).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	all := make([]*Day, 0, len(rows))
	by := map[string][]*Day{}
	for _, r := range rows {
		d, err := time.Parse("2006-01-02", r.Day)
		if err != nil {
			continue
		}
		day := &Day{Day: d, Qualified: r.Qualified, Score: r.Score, TrackKey: r.TrackKey, Reason: r.Reason, RecordedAt: r.RecordedAt.UTC()}
		all = append(all, day)
		by[r.AreaKey] = append(by[r.AreaKey], day)
	}
	return all, by, nil
}

// window builds an area's window at from its recorded days (within the
// window) and its live state now.
func window(at time.Time, recorded []*Day, live *TrackScore) *Window {
	opens, closes := WindowBounds(at)
	w := &Window{OpensOn: opens, ClosesOn: closes}
	today := dayStart(at)
	var last *time.Time
	todayQualified := false
	for _, d := range recorded {
		if d.Day.Before(opens) || d.Day.After(today) {
			continue
		}
		w.Days = append(w.Days, d)
		if d.Qualified {
			w.QualifiedDays++
			day := d.Day
			last = &day
			if day.Equal(today) {
				todayQualified = true
			}
		}
	}
	if live != nil && !todayQualified {
		w.Days = append(w.Days, &Day{Day: today, Qualified: live.Qualified, Score: live.Score, TrackKey: live.Key,
			Reason: live.Explain(), RecordedAt: at.UTC(), Live: true})
		if live.Qualified {
			w.QualifiedDays++
			last = &today
		}
	}
	w.Holds = w.QualifiedDays > 0
	if last != nil {
		w.LastQualifiedOn = last
		h := HoldsUntil(*last)
		w.HoldsUntil = &h
	}
	return w
}
