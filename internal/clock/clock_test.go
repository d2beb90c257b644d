package clock

import (
	"testing"
	"time"
)

func TestNow(t *testing.T) {
	at := time.Date(2026, 11, 24, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
	got := Now(func() time.Time { return at })
	if want := time.Date(2026, 11, 24, 2, 4, 5, 123456000, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", got, want)
	}
	if d := time.Since(Now(nil)); d < 0 || d > time.Second {
		t.Fatalf("wall clock off by %v", d)
	}
}
