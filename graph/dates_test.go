package graph_test

import (
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// TestTimeArgumentsTakeDates: a Time argument takes a plain date, as a person
// writes one (the day's start, UTC), as well as a date and time; anything else
// is refused as INVALID_INPUT in a sentence, inline or as a variable.
func TestTimeArgumentsTakeDates(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		year := time.Now().UTC().Year() + 3
		date := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
		for _, arg := range []string{date.Format("2006-01-02"), date.Format(time.RFC3339), date.Add(5 * time.Hour).Format("2006-01-02T15:04:05-07:00")} {
			var out struct{ Forecast struct{ Until time.Time } }
			must(t, e, mona, `query($u:Time){forecast(until:$u){until}}`, map[string]any{"u": arg}, &out)
			if arg == date.Format("2006-01-02") && !out.Forecast.Until.Equal(date) {
				t.Fatalf("until %q: forecast until %s, want %s", arg, out.Forecast.Until, date)
			}
			r := e.Do(mona, `{forecast(until:"`+arg+`"){until}}`, nil)
			if r.Code() != "" {
				t.Fatalf("inline until %q: %+v", arg, r.Errors)
			}
		}
		for _, bad := range []string{"31/12/2030", "", "2030-13-01", "tomorrow"} {
			r := e.Do(mona, `query($u:Time){forecast(until:$u){until}}`, map[string]any{"u": bad})
			if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "2030-12-31") {
				t.Fatalf("until %q: %+v", bad, r.Errors)
			}
		}
	})
}

// TestForecastLooksFiveYearsAhead: until may be five calendar years from now,
// not a day more (review: 5 × 366 days let 5 years and 4 days through).
func TestForecastLooksFiveYearsAhead(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	q := `query($u:Time){forecast(until:$u){until}}`
	now := time.Now().UTC()
	if r := e.Do(mona, q, map[string]any{"u": now.AddDate(5, 0, 0).Format(time.RFC3339)}); r.Code() != "" {
		t.Fatalf("five years ahead: %+v", r.Errors)
	}
	for _, past := range []time.Duration{time.Minute, 24 * time.Hour, 4 * 24 * time.Hour} {
		r := e.Do(mona, q, map[string]any{"u": now.AddDate(5, 0, 0).Add(past).Format(time.RFC3339)})
		if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "5 years") {
			t.Fatalf("five years and %s ahead: %+v", past, r.Errors)
		}
	}
}
