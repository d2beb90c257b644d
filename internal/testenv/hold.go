package testenv

import (
	"context"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/internal/linking"
)

// linkHold is a linking.Observer that keeps the transaction starting
// userID's first link open, its rows held, until release is closed.
type linkHold struct {
	userID           int
	once             *sync.Once
	started, release chan struct{}
}

func (h linkHold) LinkStarted(_ context.Context, _ *ent.Tx, a *ent.Association) error {
	if a.UserID == h.userID {
		h.once.Do(func() { close(h.started) })
		<-h.release
	}
	return nil
}

func (linkHold) LinkEnded(context.Context, *ent.Tx, *ent.Association, association.EndReason, int) error {
	return nil
}

// HoldLinkOpen runs associate, which starts a link of work account userID,
// in the background, and returns once that link's transaction has started
// it and holds its rows, kept open by an observer it appends to observers
// (the linking service's). The returned release lets the transaction commit
// and returns associate's error; it runs at the test's end if not before.
func HoldLinkOpen(t testing.TB, observers *[]linking.Observer, userID int, associate func() error) (release func() error) {
	t.Helper()
	h := linkHold{userID: userID, once: new(sync.Once), started: make(chan struct{}), release: make(chan struct{})}
	*observers = append(*observers, h)
	done := make(chan error, 1)
	go func() { done <- associate() }()
	var once sync.Once
	var err error
	release = func() error {
		once.Do(func() {
			close(h.release)
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { _ = release() })
	select {
	case <-h.started:
	case err := <-done:
		t.Fatalf("the association ended before its link started: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the association never started its link")
	}
	return release
}
