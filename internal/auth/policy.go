package auth

import (
	"bufio"
	_ "embed"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"certlink/internal/apperr"
)

// The password policy follows NIST SP 800-63B §5.1.1.2: a minimum length, no
// composition rules, and a check against passwords attackers try first —
// the most common ones, repetitive or sequential characters, and words specific
// to the person and the service.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the bundled list of the 10,000 most common passwords
// (common_passwords.txt says where it comes from), lower-cased.
var commonPasswords = func() map[string]bool {
	m := make(map[string]bool, 10000)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// contextWords are specific to the service: NIST names "the name of the service".
var contextWords = []string{"certlink"}

// CheckNewPassword refuses a password a guesser would try early, saying why,
// with INVALID_INPUT and field newPassword. email is the account's own.
func CheckNewPassword(password, email string) error {
	refuse := func(format string, args ...any) error {
		return apperr.New(apperr.InvalidInput, format, args...).With("field", "newPassword")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength || n > MaxPasswordLength {
		return refuse("Choose a new password of %d to %d characters.", MinPasswordLength, MaxPasswordLength)
	}
	lower := strings.ToLower(password)
	if commonPasswords[lower] {
		return refuse("This is one of the most common passwords, which attackers try first. Choose another.")
	}
	if core := strings.TrimFunc(lower, notLetter); utf8.RuneCountInString(core) >= 4 && commonPasswords[core] {
		return refuse("This is a common password with digits or symbols added, which attackers try early. Choose another.")
	}
	if repeats(lower) {
		return refuse("The password repeats the same characters. Choose one that does not.")
	}
	if sequential(lower) {
		return refuse("The password is a sequence of consecutive characters. Choose one that is not.")
	}
	if distinct(lower) < 5 {
		return refuse("The password uses fewer than 5 different characters. Choose one with more variety.")
	}
	for _, w := range personalWords(email) {
		if strings.Contains(lower, w) {
			return refuse("The password contains your email's name (%q). Choose one that does not.", w)
		}
	}
	for _, w := range contextWords {
		if strings.Contains(lower, w) {
			return refuse("The password contains the name of this service. Choose one that does not.")
		}
	}
	return nil
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// repeats reports whether s is a shorter unit repeated: "aaaaaaaaaaaa",
// "passwordpassword", "abcabcabcab".
func repeats(s string) bool {
	r := []rune(s)
	for p := 1; p <= len(r)/2; p++ {
		same := true
		for i := p; i < len(r) && same; i++ {
			same = r[i] == r[i-p]
		}
		if same {
			return true
		}
	}
	return false
}

// sequential reports whether every character follows the previous one up or
// down by one ("abcdefghijkl", "987654321098": digits wrap around).
func sequential(s string) bool {
	r := []rune(s)
	step := func(a, b rune) int {
		switch {
		case b == a+1 || (a == '9' && b == '0'):
			return 1
		case b == a-1 || (a == '0' && b == '9'):
			return -1
		}
		return 0
	}
	dir := step(r[0], r[1])
	if dir == 0 {
		return false
	}
	for i := 2; i < len(r); i++ {
		if step(r[i-1], r[i]) != dir {
			return false
		}
	}
	return true
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// personalWords are the email's local part and its parts ("grace.hopper" →
// grace.hopper, grace, hopper), of 3 characters or more, lower-cased.
func personalWords(email string) []string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	var out []string
	add := func(w string) {
		if utf8.RuneCountInString(w) >= 3 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	add(local)
	for _, w := range strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		add(w)
	}
	return out
}
