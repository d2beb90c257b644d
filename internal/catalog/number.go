package catalog

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// SkillNumber is the one spelling of a skill number: trimmed, its
// compatibility forms folded (a full-width "ＡＺ-104" is "AZ-104") and in
// capitals. Skills are stored under it and every lookup (ingest, the report's
// filter) goes through it, so "az-104" always means AZ-104 and never becomes
// a second skill that the real one's results are filed under.
func SkillNumber(s string) string {
	return strings.ToUpper(norm.NFKC.String(strings.TrimSpace(s)))
}

// checkSkillNumber says what is wrong with a skill number as a catalog
// writes it ("" when nothing): it is its own SkillNumber, of capital letters
// A–Z, digits and hyphens only (an "AZ_104" or "AZ.104" beside AZ-104 would
// be a look-alike second skill).
func checkSkillNumber(n string) string {
	if c := SkillNumber(n); c != n && isCode(c) {
		return fmt.Sprintf("write it %q: skill numbers are in capitals, and a second spelling would be a second skill", c)
	}
	if !isCode(n) {
		return "use capital letters A–Z, digits and hyphens only"
	}
	return ""
}

func isCode(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
