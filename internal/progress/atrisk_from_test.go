package progress

import (
	"testing"
	"time"
)

// AtRiskFrom is the status's own boundary (C5): QUALIFIED until it, AT_RISK
// from it — the live feed arms its timer there.
func TestAtRiskFromIsTheStatusBoundary(t *testing.T) {
	unmetOn := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	c := &Competency{Levels: []*Level{{Options: []*Option{{Met: true, UnmetOn: &unmetOn}}}}}
	for _, e := range []*Engine{{}, {AtRiskWindow: time.Hour}} {
		from := e.AtRiskFrom(unmetOn)
		if s := e.status(c, from.Add(-time.Nanosecond)); s != Qualified {
			t.Fatalf("window %v: just before AtRiskFrom: %s", e.window(), s)
		}
		if s := e.status(c, from); s != AtRisk {
			t.Fatalf("window %v: at AtRiskFrom: %s", e.window(), s)
		}
	}
}
