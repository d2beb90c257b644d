package text_test

import (
	"errors"
	"strings"
	"testing"

	"certlink/internal/apperr"
	"certlink/internal/text"
)

func TestFieldCheck(t *testing.T) {
	name := text.Field{Name: "name", What: "A name", Max: 200, Length: "Enter a name of 1 to 200 characters."}
	body := text.Field{Name: "body", What: "The description", Max: 30, Multiline: true, Length: "1 to 30"}
	note := text.Field{Name: "note", What: "The note", Max: 5, Multiline: true, Optional: true, Length: "at most 5"}
	cases := []struct {
		f       text.Field
		in, out string
		bad     string // a fragment of the refusal, "" when accepted
	}{
		{name, "  Alex Wilber ", "Alex Wilber", ""},
		{name, strings.Repeat("日本", 100), strings.Repeat("日本", 100), ""},
		{name, strings.Repeat("日本", 34), strings.Repeat("日本", 34), ""},
		{name, strings.Repeat("é", 101), strings.Repeat("é", 101), ""},
		{name, strings.Repeat("e\u0301", 200), strings.Repeat("é", 200), ""}, // NFC: 200 characters
		{name, strings.Repeat("x", 200), strings.Repeat("x", 200), ""},
		{name, "Mahsa\u200cRezaei", "Mahsa\u200cRezaei", ""}, // zero-width non-joiner (Persian)
		{name, "👩\u200d💻 Zoë", "👩\u200d💻 Zoë", ""},
		{name, "", "", "1 to 200"},
		{name, " \t ", "", "1 to 200"},
		{name, strings.Repeat("x", 201), "", "1 to 200"},
		{name, strings.Repeat("日", 201), "", "1 to 200"},
		{name, "Alex\r\nBcc: attacker@evil.example", "", "carriage return"},
		{name, "Alex\nWilber", "", "line feed"},
		{name, "Alex\rWilber", "", "carriage return"},
		{name, "Alex\tWilber", "", "tab"},
		{name, "Alex\x00", "", "NUL"},
		{name, "Alex\a", "", "U+0007"},
		{name, "Alex\x1b[31m", "", "U+001B"},
		{name, "Alex\x7f", "", "U+007F"},
		{name, "Alex\u0085W", "", "U+0085"},
		{name, "Alex\u009b", "", "U+009B"},
		{name, "Alex\u2028W", "", "U+2028"},
		{name, "Alex\u2029W", "", "U+2029"},
		{name, "Alex\u202aW", "", "U+202A"},
		{name, "Alex\u202bW", "", "U+202B"},
		{name, "Alex\u202cW", "", "U+202C"},
		{name, "Alex\u202dW", "", "U+202D"},
		{name, "Alex\u202eW", "", "U+202E"},
		{name, "Alex\u2066W", "", "U+2066"},
		{name, "Alex\u2067W", "", "U+2067"},
		{name, "Alex\u2068W", "", "U+2068"},
		{name, "Alex\u2069W", "", "U+2069"},
		{name, "Alex\u200eW", "", "U+200E"},
		{name, "Alex\u200fW", "", "U+200F"},
		{name, "Alex\u061cW", "", "U+061C"},
		{name, "Alex\xffW", "", "valid UTF-8"},
		{name, "Alex\xc3", "", "valid UTF-8"},
		{name, "\xed\xa0\x80", "", "valid UTF-8"}, // an encoded surrogate
		{name, "Alex\ufffd", "", "valid UTF-8"},
		{body, "line one\r\nline two\tend", "line one\nline two\tend", ""},
		{body, "a\rb", "a\nb", ""},
		{body, "a\x00b", "", "NUL"},
		{body, "a\u202eb", "", "U+202E"},
		{body, "a\u2028b", "", "U+2028"},
		{body, "a\vb", "", "U+000B"},
		{body, strings.Repeat("ü", 30), strings.Repeat("ü", 30), ""},
		{body, strings.Repeat("ü", 31), "", "1 to 30"},
		{note, "", "", ""},
		{note, "  ", "", ""},
		{note, "sechs!", "", "at most 5"},
		{note, "a\u0007", "", "U+0007"},
	}
	for _, c := range cases {
		got, err := c.f.Check(c.in)
		if c.bad == "" {
			if err != nil || got != c.out {
				t.Errorf("%s %q: got %q, %v; want %q", c.f.Name, c.in, got, err, c.out)
			}
			continue
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.InvalidInput {
			t.Errorf("%s %q: got %q, %v; want INVALID_INPUT", c.f.Name, c.in, got, err)
			continue
		}
		if !strings.Contains(ae.Message, c.bad) || got != "" {
			t.Errorf("%s %q: %q, want a refusal mentioning %q", c.f.Name, c.in, ae.Message, c.bad)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"Alex's work account was deleted":              "Alex's work account was deleted",
		"Alex\r\nBcc: attacker@evil.example's account": "Alex  Bcc: attacker@evil.example's account",
		"a\nb\rc\u2028d\u2029e\u0085f\x00g\u202eh":     "a b c d e f g h",
		"日本\u200c語":                                    "日本\u200c語",
		"broken\xff":                                   "broken\ufffd",
	} {
		if got := text.OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(text.OneLine(in), "\r\n") {
			t.Errorf("OneLine(%q) keeps a line break", in)
		}
	}
}
