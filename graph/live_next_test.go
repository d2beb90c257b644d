package graph

import (
	"context"
	"testing"
	"time"

	"certlink/ent"
	"certlink/graph/model"
	"certlink/internal/progress"
)

// The live progress feed's moments other than a span's end (those need the
// database: internal/app's TestLiveProgressAfterAnExpiry): an offer's
// anniversary, a no-offer competency's entry into the at-risk window, a
// listed skill's validity end; none in the past, the earliest wins.
func TestNextProgressChangeMoments(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	r := &Resolver{Progress: &progress.Service{Engine: &progress.Engine{AtRiskWindow: 24 * time.Hour}}}
	ptr := func(t time.Time) *time.Time { return &t }
	attested := func(skills ...*ent.Skill) []*model.RequirementProgress {
		return []*model.RequirementProgress{{Kind: model.RequirementKindAttested, Skills: skills}}
	}
	withOffer := &model.CompetencyProgress{
		Offer: &model.CompetencyOffer{AnniversaryAt: at.AddDate(0, 2, 0)},
		// An offer in force: the at-risk window does not apply.
		Levels: []*model.LevelProgress{{Options: []*model.OptionProgress{{Met: true, UnmetOn: ptr(at.Add(25 * time.Hour)),
			Requirements: attested()}}}},
	}
	noOffer := func(unmetOn time.Time, validUntil *time.Time) *model.CompetencyProgress {
		return &model.CompetencyProgress{Levels: []*model.LevelProgress{{Options: []*model.OptionProgress{{Met: true, UnmetOn: ptr(unmetOn),
			Requirements: attested(&ent.Skill{ValidUntil: validUntil}, &ent.Skill{})}}}}}
	}
	for _, c := range []struct {
		name string
		list []*model.CompetencyProgress
		want time.Time
	}{
		{"nothing ahead", nil, time.Time{}},
		{"anniversary", []*model.CompetencyProgress{withOffer}, at.AddDate(0, 2, 0)},
		{"at-risk window", []*model.CompetencyProgress{withOffer, noOffer(at.Add(72*time.Hour), nil)},
			at.Add(48*time.Hour + time.Nanosecond)},
		{"already at risk; a skill's validity end", []*model.CompetencyProgress{withOffer, noOffer(at.Add(time.Hour), ptr(at.AddDate(0, 1, 0)))},
			at.AddDate(0, 1, 0)},
		{"a validity end passed", []*model.CompetencyProgress{noOffer(at.Add(time.Hour), ptr(at.Add(-time.Hour)))}, time.Time{}},
	} {
		got, err := r.nextProgressChange(context.Background(), 1, c.list, at)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
}
