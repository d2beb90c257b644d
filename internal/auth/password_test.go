package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/internal/apperr"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected PHC string %q", h)
	}
	if !CheckPassword(h, "correct horse") {
		t.Fatal("right password refused")
	}
	if CheckPassword(h, "correct horsE") {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestCheckPasswordRejectsMalformedAndEmpty(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$!!$!!", "$bcrypt$x$y$z$w"} {
		if CheckPassword(h, "") || CheckPassword(h, "x") {
			t.Fatalf("hash %q accepted a password", h)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, _ := NewSecret("cls_")
	b, _ := NewSecret("cls_")
	if a == b || !strings.HasPrefix(a, "cls_") || len(a) < 40 {
		t.Fatalf("weak secrets %q %q", a, b)
	}
	if string(HashSecret(a)) == string(HashSecret(b)) || len(HashSecret(a)) != 32 {
		t.Fatal("secret hashes collide or have the wrong size")
	}
}

func TestCheckCostsOneComputationWhateverTheHash(t *testing.T) {
	h := NewHasher(2, 10)
	real, _ := h.Hash(context.Background(), "correct horse")
	for _, stored := range []string{real, "", "plain", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA"} {
		before := h.Runs()
		if ok, err := h.Check(context.Background(), stored, "wrong"); ok || err != nil {
			t.Fatalf("%q: %v %v", stored, ok, err)
		}
		if n := h.Runs() - before; n != 1 {
			t.Fatalf("checking against %q ran %d computations, want 1", stored, n)
		}
	}
}

func TestHasherQueueIsBounded(t *testing.T) {
	h := NewHasher(1, 1)
	if err := h.acquire(context.Background()); err != nil { // the one slot is busy
		t.Fatal(err)
	}
	// One caller may wait; it gives up at its deadline with a coded error.
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond) // 200 ms of wait: a second is left for the work after it
	defer cancel()
	waited := make(chan error, 1)
	go func() { _, err := h.Check(ctx, "", "x"); waited <- err }()
	testWaiting(t, h, 1)
	// A second caller finds the queue full and is refused at once.
	if _, err := h.Check(context.Background(), "", "x"); err != ErrBusy {
		t.Fatalf("queue full: %v", err)
	}
	if err := <-waited; err != ErrBusy {
		t.Fatalf("past the deadline: %v", err)
	}
	if h.Runs() != 0 {
		t.Fatalf("refused callers ran %d computations", h.Runs())
	}
	h.release()
	if ok, err := h.Check(context.Background(), "", "x"); ok || err != nil {
		t.Fatalf("free again: %v %v", ok, err)
	}
}

type partyKey struct{}

func inParty(name string) context.Context {
	return context.WithValue(context.Background(), partyKey{}, name)
}

// A flood from one party waits behind itself: a freed slot goes to the
// parties in turn, so another party's caller is served after one of the
// flood's, not after all of them; and one party cannot fill the queue.
func TestHasherServesPartiesInTurn(t *testing.T) {
	h := NewHasher(1, 100)
	h.PartyShare = 10
	h.Party = func(ctx context.Context) string { s, _ := ctx.Value(partyKey{}).(string); return s }
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		order []string
		wg    sync.WaitGroup
	)
	wait := func(name string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(inParty(name)); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			h.release()
		}()
	}
	for i := 0; i < 10; i++ {
		wait("flood")
	}
	testWaiting(t, h, 10)
	// The flood's share is full: an eleventh caller of it is refused at once,
	// while another party still gets in line.
	if err := h.acquire(inParty("flood")); err != ErrBusy {
		t.Fatalf("over the party's share: %v, want ErrBusy", err)
	}
	wait("other")
	testWaiting(t, h, 11)
	h.release()
	wg.Wait()
	if len(order) != 11 || order[0] != "flood" || order[1] != "other" {
		t.Fatalf("served in the order %v; want the other party second", order)
	}
	// Every slot came back.
	if h.free != 1 || len(h.turn) != 0 || len(h.parties) != 0 || h.waiting.Load() != 0 {
		t.Fatalf("left: free %d, turn %d, parties %d, waiting %d", h.free, len(h.turn), len(h.parties), h.waiting.Load())
	}
}

// Callers that give up (deadline, cancel) leave no slot behind, even when a
// slot was granted to them while they gave up.
func TestHasherGivingUpLosesNoSlot(t *testing.T) {
	h := NewHasher(2, 1000)
	h.PartyShare = 1000
	h.Party = func(ctx context.Context) string { s, _ := ctx.Value(partyKey{}).(string); return s }
	var wg sync.WaitGroup
	for i := 0; i < 400; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(inParty(fmt.Sprint(i%7)), time.Duration(i%5)*time.Millisecond+time.Second)
			defer cancel()
			if i%3 == 0 {
				go cancel()
			}
			if h.acquire(ctx) == nil {
				time.Sleep(100 * time.Microsecond)
				h.release()
			}
		}()
	}
	wg.Wait()
	if h.free != 2 || len(h.turn) != 0 || len(h.parties) != 0 || h.waiting.Load() != 0 {
		t.Fatalf("left: free %d, turn %d, parties %d, waiting %d", h.free, len(h.turn), len(h.parties), h.waiting.Load())
	}
}

func testWaiting(t *testing.T, h *Hasher, n int64) {
	t.Helper()
	for i := 0; i < 1000 && h.waiting.Load() != n; i++ {
		time.Sleep(time.Millisecond)
	}
	if h.waiting.Load() != n {
		t.Fatalf("%d waiting, want %d", h.waiting.Load(), n)
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct{ pw, email, why string }{
		{"short", "kim@contoso.example", "characters"},
		{"aaaaaaaaaaaa", "kim@contoso.example", "repeats"},
		{"passwordpassword", "kim@contoso.example", "repeats"},
		{"abcabcabcabcab", "kim@contoso.example", "repeats"},
		{"QazWsxEdcRfv", "x@contoso.example", "most common"}, // in the list
		{"1q2w3e4r5t6y", "x@contoso.example", "common"},
		{"Password123456!", "x@contoso.example", "digits or symbols added"},
		{"iloveyou2026!!", "x@contoso.example", "digits or symbols added"},
		{"abcdefghijklmn", "x@contoso.example", "sequence"},
		{"987654321098", "x@contoso.example", "sequence"},
		{"aabbaabbaabbab", "x@contoso.example", "different characters"},
		{"aabbccddaabbccdd", "x@contoso.example", "repeats"},
		{"abababbabababba", "x@contoso.example", "repeats"},
		{"grace-likes-tea-1", "grace.hopper@contoso.example", "grace"},
		{"my-HOPPER-secret", "grace.hopper@contoso.example", "hopper"},
		{"my-certlink-pass-x", "x@contoso.example", "service"},
	} {
		err := CheckNewPassword(c.pw, c.email)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.InvalidInput || !strings.Contains(e.Message, c.why) || e.Extensions["field"] != "newPassword" {
			t.Errorf("%q (%s): %v, want INVALID_INPUT saying %q", c.pw, c.email, err, c.why)
		}
	}
	for _, pw := range []string{"a-password-of-mine", "correct horse battery", "Tr0ub4dor&3-xyz", "nina-chose-this-1"} {
		if err := CheckNewPassword(pw, "kim@contoso.example"); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
	if len(commonPasswords) < 9900 {
		t.Fatalf("the bundled list has %d passwords", len(commonPasswords))
	}
}

// A flood from many addresses (many parties, the whole queue) does not delay
// a priority caller (a recognized device): it is let in over the full queue
// and served at the next free slot, before every stranger waiting.
func TestHasherServesPriorityFirst(t *testing.T) {
	h := NewHasher(1, 20)
	h.Party = func(ctx context.Context) string { s, _ := ctx.Value(partyKey{}).(string); return s }
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		order []string
		wg    sync.WaitGroup
	)
	wait := func(name string, ctx context.Context) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(ctx); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			h.release()
		}()
	}
	for i := 0; i < 20; i++ {
		wait("stranger", inParty(fmt.Sprint("address-", i)))
	}
	testWaiting(t, h, 20)
	if err := h.acquire(inParty("address-99")); err != ErrBusy {
		t.Fatalf("a stranger over the full queue: %v, want ErrBusy", err)
	}
	wait("owner", WithPriority(inParty("address-99")))
	testWaiting(t, h, 21)
	h.release()
	wg.Wait()
	if len(order) != 21 || order[0] != "owner" {
		t.Fatalf("served in the order %v; want the owner first", order)
	}
	if h.free != 1 || len(h.turn) != 0 || len(h.first) != 0 || len(h.parties) != 0 || h.waiting.Load() != 0 {
		t.Fatalf("left: free %d, turn %d, first %d, parties %d, waiting %d", h.free, len(h.turn), len(h.first), len(h.parties), h.waiting.Load())
	}
}
