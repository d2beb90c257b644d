package auth

import (
	"context"
	"strings"
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
	h.slots <- struct{}{} // the one slot is busy
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
	<-h.slots
	if ok, err := h.Check(context.Background(), "", "x"); ok || err != nil {
		t.Fatalf("free again: %v %v", ok, err)
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
