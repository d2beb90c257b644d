package progress_test

import (
	"testing"
	"time"

	"certlink/internal/testenv"
)

const forecastQuery = `query($until: Time){forecast(until:$until){at until requirements{competency{key} level option
  requirement{key current required met unmetOn} unmetOn
  carriers{user{email} skillNumber until ends}
  changes{at count met stopCounting{user{email} skillNumber ends}}}}}`

type forecastView struct {
	At, Until    time.Time
	Requirements []struct {
		Competency  struct{ Key string }
		Level       string
		Option      string
		Requirement struct {
			Key               string
			Current, Required int
			Met               bool
			UnmetOn           *time.Time
		}
		UnmetOn  *time.Time
		Carriers []struct {
			User        struct{ Email string }
			SkillNumber string
			Until       *time.Time
			Ends        string
		}
		Changes []struct {
			At           time.Time
			Count        int
			Met          bool
			StopCounting []struct {
				User        struct{ Email string }
				SkillNumber string
				Ends        string
			}
		}
	}
}

// B2: DP-203 (retired) keeps alex counting for data-engineers until its
// validity end; the forecast names him, the date and why, and agrees with
// competencyProgress's unmetOn for every requirement.
func TestForecast(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		until := time.Now().UTC().AddDate(3, 0, 0)
		var out struct{ Forecast forecastView }
		e.Do(mona, forecastQuery, map[string]any{"until": until}).Decode(t, &out)
		f := out.Forecast
		validEnd := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
		found := false
		for _, r := range f.Requirements {
			if r.Requirement.Met && r.Requirement.UnmetOn != nil && !r.Requirement.UnmetOn.After(until) &&
				(r.UnmetOn == nil || !r.UnmetOn.Equal(*r.Requirement.UnmetOn)) {
				t.Errorf("%s/%s: forecast unmetOn %v, progress %v", r.Competency.Key, r.Requirement.Key, r.UnmetOn, r.Requirement.UnmetOn)
			}
			if r.Competency.Key != "data-analytics" || r.Level != "SILVER" || r.Requirement.Key != "data-engineers" {
				continue
			}
			found = true
			if r.UnmetOn == nil || !r.UnmetOn.Equal(validEnd) {
				t.Fatalf("data-engineers unmetOn %v, want %v", r.UnmetOn, validEnd)
			}
			if len(r.Carriers) != 1 || r.Carriers[0].User.Email != "alex@contoso.example" || r.Carriers[0].SkillNumber != "DP-203" ||
				r.Carriers[0].Ends != "VALIDITY_ENDS" || !r.Carriers[0].Until.Equal(validEnd) {
				t.Fatalf("carriers: %+v", r.Carriers)
			}
			if len(r.Changes) != 1 || r.Changes[0].Count != 0 || r.Changes[0].Met || !r.Changes[0].At.Equal(validEnd) ||
				len(r.Changes[0].StopCounting) != 1 {
				t.Fatalf("changes: %+v", r.Changes)
			}
		}
		if !found {
			t.Fatal("no forecast for data-engineers")
		}

		// A horizon before the validity end foresees nothing for it.
		e.Do(mona, forecastQuery, map[string]any{"until": validEnd.Add(-time.Hour)}).Decode(t, &out)
		for _, r := range out.Forecast.Requirements {
			if r.Requirement.Key == "data-engineers" && r.Competency.Key == "data-analytics" && (r.UnmetOn != nil || len(r.Changes) != 0) {
				t.Fatalf("beyond until: %+v", r)
			}
		}
		for _, c := range []struct {
			tok   string
			until any
			code  string
		}{
			{mona, time.Now().UTC().Add(-time.Hour), "INVALID_INPUT"},
			{mona, time.Now().UTC().AddDate(10, 0, 0), "INVALID_INPUT"},
			{e.Demo("riley@contoso.example"), nil, "FORBIDDEN"},
		} {
			if r := e.Do(c.tok, forecastQuery, map[string]any{"until": c.until}); r.Code() != c.code {
				t.Errorf("until %v: want %s, got %+v", c.until, c.code, r.Errors)
			}
		}
	})
}
