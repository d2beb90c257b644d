package live_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"certlink/internal/live"
)

func woken(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(3 * time.Second):
		return false
	}
}

func quiet(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return false
	case <-time.After(100 * time.Millisecond):
		return true
	}
}

// In-process: subscribers of the changed organization are woken, others not;
// a burst is one wake-up; "all" wakes everyone; unsubscribing stops it.
func TestInProcessHub(t *testing.T) {
	h, err := live.New("", "", "i1", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, stopA := h.Subscribe(1)
	b, stopB := h.Subscribe(2)
	defer stopB()
	h.Publish(1)
	h.Publish(1)
	if !woken(a) || !quiet(a) || !quiet(b) {
		t.Fatal("org 1's change: want one wake-up of org 1's subscriber only")
	}
	h.Publish()
	if !quiet(a) || !quiet(b) {
		t.Fatal("a change of no organization woke someone")
	}
	h.PublishAll()
	if !woken(a) || !woken(b) {
		t.Fatal("a change to all organizations woke too few")
	}
	stopA()
	if h.Subscribers() != 1 {
		t.Fatalf("%d subscribers after one left", h.Subscribers())
	}
}

func topic() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "certlink.test." + hex.EncodeToString(b)
}

// BrokerURLs are the brokers of this machine the tests use, unless the
// environment names others.
func BrokerURLs() map[string]string {
	urls := map[string]string{"nats": "nats://127.0.0.1:4222", "redis": "redis://127.0.0.1:6379"}
	if u := os.Getenv("CERTLINK_TEST_NATS"); u != "" {
		urls["nats"] = u
	}
	if u := os.Getenv("CERTLINK_TEST_REDIS"); u != "" {
		urls["redis"] = u
	}
	return urls
}

// With a broker, a change published by one process wakes subscribers of every
// process, the publisher's own included.
func TestBrokerHubs(t *testing.T) {
	for name, url := range BrokerURLs() {
		t.Run(name, func(t *testing.T) {
			tp := topic()
			a, err := live.New(url, tp, "i1", nil)
			if err != nil {
				t.Skipf("no %s broker at %s: %v", name, url, err)
			}
			defer a.Close()
			b, err := live.New(url, tp, "i1", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			onA, stop := a.Subscribe(7)
			defer stop()
			onB, stop2 := b.Subscribe(7)
			defer stop2()
			other, stop3 := b.Subscribe(8)
			defer stop3()
			a.Publish(7)
			if !woken(onB) || !woken(onA) {
				t.Fatal("a change published on A did not reach both processes")
			}
			if !quiet(other) {
				t.Fatal("another organization's subscriber was woken")
			}
		})
	}
}

// Two installations (two databases) on one broker and topic hear only their
// own changes: their organization ids coincide (review: every demo database
// numbers its organizations alike, and one's ingest woke the other's pages).
func TestInstallationsShareABrokerApart(t *testing.T) {
	for name, url := range BrokerURLs() {
		t.Run(name, func(t *testing.T) {
			tp := topic()
			a, err := live.New(url, tp, "install-a", nil)
			if err != nil {
				t.Skipf("no %s broker at %s: %v", name, url, err)
			}
			defer a.Close()
			a2, err := live.New(url, tp, "install-a", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a2.Close()
			b, err := live.New(url, tp, "install-b", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			onA2, stop := a2.Subscribe(7)
			defer stop()
			onB, stop2 := b.Subscribe(7)
			defer stop2()
			a.Publish(7)
			if !woken(onA2) {
				t.Fatal("a change did not reach the other process of its installation")
			}
			if !quiet(onB) {
				t.Fatal("another installation's subscriber was woken")
			}
			b.Publish(7)
			if !woken(onB) || !quiet(onA2) {
				t.Fatal("the second installation's change went astray")
			}
		})
	}
}

func TestBadBrokerURL(t *testing.T) {
	if _, err := live.New("kafka://x", "", "i1", nil); err == nil {
		t.Fatal("an unknown broker scheme was accepted")
	}
}
