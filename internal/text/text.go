// Package text checks the free text people give certlink — a person's name,
// a token's name, a ticket's subject and body — and keeps a stored value out
// of a mail header's line.
package text

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"certlink/internal/apperr"
)

// Field describes one free-text input for Check and its refusals.
type Field struct {
	// Name is the input's field in an error's extensions ("name", "subject").
	Name string
	// What names it at the start of a refusal: "A name", "A token name".
	What string
	// Max is the most characters (runes, after NFC normalisation) it holds.
	Max int
	// Length is the message when it is empty or longer than Max.
	Length string
	// Optional lets it be empty ("" is returned without error).
	Optional bool
	// Multiline lets it hold line breaks and tabs (a ticket's body); a line
	// break is stored as "\n".
	Multiline bool
}

// Check returns raw trimmed and NFC-normalised, or an INVALID_INPUT error:
// empty (unless f.Optional) or longer than f.Max characters, not valid UTF-8 (or holding U+FFFD,
// what broken text decodes to), or holding a character that has no place in
// it (see Forbidden). Nothing is to be stored when it refuses.
func (f Field) Check(raw string) (string, error) {
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, utf8.RuneError) {
		return "", apperr.New(apperr.InvalidInput, "%s must be valid UTF-8 text: type it again.", f.What).With("field", f.Name)
	}
	s := norm.NFC.String(strings.TrimSpace(raw))
	if f.Multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if s == "" && f.Optional {
		return "", nil
	}
	if s == "" {
		return "", apperr.New(apperr.InvalidInput, "%s", f.Length).With("field", f.Name)
	}
	for _, r := range s {
		if f.Multiline && (r == '\n' || r == '\t') {
			continue
		}
		if Forbidden(r) {
			return "", apperr.New(apperr.InvalidInput, "%s cannot contain control characters, line breaks or direction overrides (it contains %s).", f.What, describe(r)).With("field", f.Name)
		}
	}
	if utf8.RuneCountInString(s) > f.Max {
		return "", apperr.New(apperr.InvalidInput, "%s", f.Length).With("field", f.Name)
	}
	return s, nil
}

// Forbidden reports whether r has no place in a name or a one-line title:
// C0 and C1 control characters and DEL (NUL, BEL, CR, LF, tab, escape …), the
// line and paragraph separators U+2028/U+2029, and the bidirectional controls
// that reorder what a reader sees (U+202A–U+202E embeddings and overrides,
// U+2066–U+2069 isolates, U+200E/U+200F marks, U+061C Arabic letter mark).
// Joiners (U+200C/U+200D) stay allowed: names in Persian or Indic scripts and
// emoji need them.
func Forbidden(r rune) bool {
	switch {
	case unicode.Is(unicode.Cc, r):
		return true
	case r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069',
		r == '\u200e', r == '\u200f', r == '\u061c':
		return true
	}
	return false
}

func describe(r rune) string {
	switch r {
	case '\r':
		return "a carriage return"
	case '\n':
		return "a line feed"
	case '\t':
		return "a tab"
	case 0:
		return "a NUL character"
	}
	return fmt.Sprintf("U+%04X", r)
}

// BadSearch says why s is no search text, "" when it is one: text that is
// not valid UTF-8, or holds a character no name, email or title holds
// (Forbidden). A NUL matched every row on SQLite and none on MariaDB: such
// text is refused, the same on both.
func BadSearch(s string) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8 text"
	}
	if i := strings.IndexFunc(s, Forbidden); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return "holds " + describe(r) + ", which no name, email or MCID holds"
	}
	return ""
}

// OneLine returns s with every forbidden character (CR, LF, other controls,
// line separators, bidi controls) replaced by a space: a mail subject or a
// notification title built from stored names, including names stored before
// Check, then stays one line and cannot add a header.
func OneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, Forbidden) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Forbidden(r) {
			return ' '
		}
		return r
	}, s)
}

// Quote quotes a caller's value for an error message, cut to 40 characters:
// a message never sends a large input back.
func Quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		return strconv.Quote(string(r[:40])) + "…"
	}
	return strconv.Quote(s)
}
