package linking

import "testing"

// An issuer's verified email is the address certlink compares only when it
// differs from its normal form in ASCII letter case alone.
func TestVerifiedEmail(t *testing.T) {
	for claim, want := range map[string]string{
		"alex@learn.example":     "alex@learn.example",
		"Alex@LEARN.example":     "alex@learn.example",
		"ａlex@learn.example":     "",
		" alex@learn.example":    "",
		"alex@learn.example\t":   "",
		"alex@ｌearn.example":     "",
		"\u212Aim@learn.example": "", // KELVIN SIGN lower-cases to k
		"ÄLEX@learn.example":     "", // non-ASCII case
		"älex@learn.example":     "älex@learn.example",
		"":                       "",
	} {
		got, ok := VerifiedEmail(claim)
		if (want == "") == ok || (ok && got != want) {
			t.Errorf("VerifiedEmail(%q) = %q, %v; want %q", claim, got, ok, want)
		}
	}
}
