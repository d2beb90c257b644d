package demo

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/organization"
	"certlink/ent/solutionarea"
)

// seedDesignations gives Contoso the ingested metrics of three months for
// Infrastructure (Azure) and Modern Work, and a recorded history: with alex
// as its one intermediate certification and no advanced one, Infrastructure
// scores 65 today (advanced certifications at zero); it qualified on a
// fortnight of days two months ago (when the ingested months were stronger
// and a since-departed architect counted), so its qualification window
// holds. The What if… of alex passing the Solutions Architect Expert
// certification qualifies it again — until his Azure Administrator Associate
// expires. Areas missing from a custom catalog are skipped.
func seedDesignations(ctx context.Context, tx *ent.Tx, now time.Time) error {
	contoso, err := tx.Organization.Query().Where(organization.MpnID("4100001")).Only(ctx)
	if err != nil {
		return err
	}
	values := []struct {
		area, metric string
		value        float64
	}{
		{"infrastructure-azure", "net-customer-adds", 4},
		{"infrastructure-azure", "usage-growth", 31500},
		{"infrastructure-azure", "deployments", 12},
		{"modern-work", "net-customer-adds", 6},
		{"modern-work", "usage-growth", 240},
		{"modern-work", "deployments", 5},
	}
	for _, v := range values {
		if ok, err := tx.SolutionArea.Query().Where(solutionarea.Key(v.area)).Exist(ctx); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		for m := -2; m <= 0; m++ {
			month := time.Date(now.Year(), now.Month()+time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			// The older months were a little weaker: the score grew.
			factor := 1 + 0.1*float64(m)
			if err := tx.MetricValue.Create().SetOrganizationID(contoso.ID).SetAreaKey(v.area).SetMetricKey(v.metric).
				SetMonth(month.Format("2006-01")).SetValue(float64(int(v.value * factor))).SetSource("demo").
				SetRecordedAt(month.AddDate(0, 0, 3)).Exec(ctx); err != nil {
				return err
			}
		}
	}
	if ok, err := tx.SolutionArea.Query().Where(solutionarea.Key("infrastructure-azure")).Exist(ctx); err != nil || !ok {
		return err
	}
	for back := 75; back >= 1; back-- {
		day := now.AddDate(0, 0, -back)
		qualified := back >= 61
		score, reason := 65.0, "65 points, below 70; at zero: Advanced certifications"
		if qualified {
			score, reason = 75.0, "75 points"
		}
		if err := tx.QualificationDay.Create().SetOrganizationID(contoso.ID).SetAreaKey("infrastructure-azure").
			SetDay(day.Format("2006-01-02")).SetQualified(qualified).SetScore(score).SetTrackKey("standard").
			SetReason(reason).SetRecordedAt(time.Date(day.Year(), day.Month(), day.Day(), 2, 0, 0, 0, time.UTC)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
