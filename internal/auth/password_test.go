package auth

import (
	"strings"
	"testing"
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
