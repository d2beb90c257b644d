package counting

import (
	"testing"
	"time"
)

func TestParseTimeReadsBothDatabasesLayouts(t *testing.T) {
	want := time.Date(2026, 11, 24, 3, 31, 14, 123456000, time.UTC)
	for _, s := range []string{
		"2026-11-24 03:31:14.123456+00:00", // SQLite, _time_format=sqlite
		"2026-11-24T03:31:14.123456Z",
		"2026-11-24 03:31:14.123456",       // MySQL DATETIME(6) as text
		"2026-11-24 05:31:14.123456+02:00", // another zone, same instant
		"2026-11-23 22:01:14.123456-05:30",
		"2026-11-24T03:31:14.123456+00:00", // ISO 8601
	} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for s, w := range map[string]time.Time{
		"2026-02-28 00:00:00":                 time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC),
		"2026-02-28 23:59:59.5":               time.Date(2026, 2, 28, 23, 59, 59, 500000000, time.UTC),
		"2026-02-28 23:59:59.000000001+00:00": time.Date(2026, 2, 28, 23, 59, 59, 1, time.UTC),
		"2027-03-31":                          time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(w) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, w)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-11-24 24:00:00",
		"2026-11-24 03:31:14.", "2026-11-24 03:31:14+0x:00", "2026-11-24 03:31:14 junk"} {
		if got, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", s, got)
		}
	}
}

// The hand-written path agrees with time.Parse wherever both read the text.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-24 03:31:14.123456+00:00", "2026-11-24 03:31:14", "2026-11-24T03:31:14Z", "2000-02-29 12:00:00-12:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseDateTime(s)
		if !ok {
			return
		}
		for _, l := range []string{"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00",
			"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if slow, err := time.Parse(l, s); err == nil {
				if !slow.Equal(fast) {
					t.Fatalf("%q: fast %v, time.Parse %v", s, fast, slow)
				}
				return
			}
		}
		t.Fatalf("%q: read by hand as %v but by no layout of time.Parse", s, fast)
	})
}

func BenchmarkParseTime(b *testing.B) {
	for b.Loop() {
		if _, err := ParseTime("2026-11-24 03:31:14.123456+00:00"); err != nil {
			b.Fatal(err)
		}
	}
}
