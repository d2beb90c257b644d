package guard

import (
	"testing"
	"time"
)

func TestBucketsLeak(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &Buckets{Capacity: 100, Period: time.Hour, Now: func() time.Time { return now }}
	if q := b.Take("a", 60); !q.Allowed || q.Remaining != 40 {
		t.Fatalf("first charge: %+v", q)
	}
	if q := b.Take("a", 50); q.Allowed || q.Remaining != 40 {
		t.Fatalf("overflow must be refused and charge nothing: %+v", q)
	}
	if q := b.Take("b", 100); !q.Allowed {
		t.Fatalf("keys are independent: %+v", q)
	}
	now = now.Add(30 * time.Minute) // 50 points leak away
	if q := b.Take("a", 50); !q.Allowed || q.Remaining != 40 {
		t.Fatalf("after leaking: %+v", q)
	}
	if q := b.Peek("a"); q.Reset != now.Add(36*time.Minute) {
		t.Fatalf("reset: %v", q.Reset.Sub(now))
	}
}
