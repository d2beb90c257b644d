package gid

import (
	"context"
	"crypto/rand"
	"errors"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"entgo.io/contrib/entgql"
)

func codec(t *testing.T) *Codec {
	t.Helper()
	k := make([]byte, KeySize)
	_, _ = rand.Read(k)
	c, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every row ID comes back from its API ID, and no two rows share one.
func TestEncodeDecodeIsAPermutation(t *testing.T) {
	c := codec(t)
	seen := map[string]int{}
	ids := []int{1, 2, 3, 1 << 32, 1<<32 + 1, 81604378624, 81604378625, math.MaxInt64}
	for range 20000 {
		ids = append(ids, mrand.IntN(math.MaxInt64)+1)
	}
	for _, id := range ids {
		s := c.Encode(id)
		if len(s) != 11 || strings.ContainsAny(s, "+/=.") {
			t.Fatalf("%d encodes to %q: want 11 URL-safe characters", id, s)
		}
		if strings.Contains(s, strconv.Itoa(id)) && id > 999 {
			t.Fatalf("%d shows in its API ID %q", id, s)
		}
		got, err := c.Decode(s)
		if err != nil || got != id {
			t.Fatalf("%d → %q → %d, %v", id, s, got, err)
		}
		if other, ok := seen[s]; ok && other != id {
			t.Fatalf("%d and %d share the API ID %q", id, other, s)
		}
		seen[s] = id
	}
}

// Consecutive rows get unrelated IDs: about half of the 64 bits differ, so
// the order and the gap of two rows cannot be read from them.
func TestConsecutiveRowsLookUnrelated(t *testing.T) {
	c := codec(t)
	total := 0
	const n = 2000
	for i := 1; i <= n; i++ {
		a, b := c.encrypt(uint64(81604378624+i)), c.encrypt(uint64(81604378624+i+1))
		x := a ^ b
		for ; x != 0; x &= x - 1 {
			total++
		}
	}
	if mean := float64(total) / n; mean < 28 || mean > 36 {
		t.Fatalf("consecutive rows' IDs differ in %.1f bits on average, want about 32", mean)
	}
}

// Two installations' keys give different IDs to the same row.
func TestKeysDiffer(t *testing.T) {
	a, b := codec(t), codec(t)
	if a.Encode(81604378625) == b.Encode(81604378625) {
		t.Fatal("two random keys wrote the same ID")
	}
	if _, err := New(make([]byte, 8)); err == nil {
		t.Fatal("an 8-byte key was taken")
	}
}

func TestDecodeRefusesWhatNoCodecWrote(t *testing.T) {
	c := codec(t)
	for _, s := range []string{"", "1", "81604378625", "AAAAAAAAAAAA", "AAAAAAAAAA+", "AAAAAAAAAA=", "ÄAAAAAAAAA", "AAAAAAAAAA\x00"} {
		if _, err := c.Decode(s); !errors.Is(err, ErrNotAnID) {
			t.Errorf("%q: %v, want ErrNotAnID", s, err)
		}
	}
	// Well-formed: 0 and the top half of the 64-bit range are no row.
	for _, v := range []uint64{0, 1 << 63, math.MaxUint64} {
		s := c.Encode(int(v))
		if _, err := c.Decode(s); !errors.Is(err, ErrNoRow) {
			t.Errorf("the API ID of %d: %v, want ErrNoRow", v, err)
		}
	}
}

func TestCursorCarriesTheEncryptedID(t *testing.T) {
	c := codec(t)
	ctx := With(context.Background(), c)
	var b strings.Builder
	if err := MarshalCursor(entgql.Cursor[int]{ID: 81604378625, Value: "name|Alex"}).MarshalGQLContext(ctx, &b); err != nil {
		t.Fatal(err)
	}
	plain := new(strings.Builder)
	entgql.Cursor[int]{ID: 81604378625, Value: "name|Alex"}.MarshalGQL(plain)
	if b.String() == plain.String() {
		t.Fatal("the cursor carries the row ID as it is")
	}
	got, err := UnmarshalCursor(ctx, strings.Trim(b.String(), `"`))
	if err != nil || got.ID != 81604378625 || got.Value != "name|Alex" {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := UnmarshalID(context.Background(), c.Encode(5)); err == nil {
		t.Fatal("an ID was read without a codec")
	}
}

// A cursor is read only as this installation wrote it: one changed by a byte,
// one written under another key, or one made by hand around another row's ID
// (which would place that row among one's own) is not a cursor.
func TestCursorsCannotBeMade(t *testing.T) {
	c, other := codec(t), codec(t)
	write := func(c *Codec, id int) string {
		var b strings.Builder
		if err := MarshalCursor(entgql.Cursor[int]{ID: id, Value: "name|Alex"}).MarshalGQLContext(With(context.Background(), c), &b); err != nil {
			t.Fatal(err)
		}
		return strings.Trim(b.String(), `"`)
	}
	ctx := With(context.Background(), c)
	good := write(c, 81604378625)
	if _, err := UnmarshalCursor(ctx, good); err != nil {
		t.Fatalf("its own cursor: %v", err)
	}
	body, _, _ := strings.Cut(good, ".")
	var handMade strings.Builder
	entgql.Cursor[int]{ID: int(c.encrypt(81604378999)), Value: "name|Alex"}.MarshalGQL(&handMade)
	for name, s := range map[string]string{
		"another key's":       write(other, 81604378625),
		"unsigned":            body,
		"signature cut":       good[:len(good)-1],
		"body changed":        "A" + good[1:],
		"made around an ID":   strings.Trim(handMade.String(), `"`),
		"made, with a suffix": strings.Trim(handMade.String(), `"`) + "." + strings.Repeat("A", 22),
	} {
		if _, err := UnmarshalCursor(ctx, s); !errors.Is(err, ErrNotACursor) {
			t.Errorf("%s cursor %q: %v, want ErrNotACursor", name, s, err)
		}
	}
}
