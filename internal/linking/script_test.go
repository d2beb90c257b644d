package linking

import "testing"

func TestMixedScriptInEmail(t *testing.T) {
	for _, c := range []struct {
		email string
		bad   string // the part reported; "" when the address is single-script
	}{
		{"mona@contoso.example", ""},
		{"mona.lee-2@contoso.example", ""},
		{"m\u043ena@contoso.example", "m\u043ena"}, // Cyrillic о in a Latin name
		{"mona@c\u043entoso.example", "c\u043entoso"},
		{"mona@contoso.\u0435xample", "\u0435xample"},
		{"\u043c\u043e\u043d\u0430@contoso.example", ""},                                   // мона: wholly Cyrillic
		{"\u043c\u043e\u043d\u0430@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", ""}, // мона@пример.рф
		{"\u03b1\u03bb\u03b5\u03be@contoso.example", ""},                                   // αλεξ: wholly Greek
		{"\u03b1lex@contoso.example", "\u03b1lex"},                                         // Greek α + Latin
		{"1234@5678.example", ""},                                                          // digits are Common
		{"\u043c\u043e\u043d\u04301@contoso.example", ""},                                  // Cyrillic + digit
		{"m\u0301ona@contoso.example", ""},                                                 // combining mark: Inherited
		{"mona@xn--e1afmkfd.example", ""},                                                  // пример
		{"mona@xn--bcher-kva.example", ""},                                                 // bücher: Latin
		{"mona@xn--cntoso-wqf.example", "xn--cntoso-wqf"},                                  // cоntoso, Cyrillic о
		{"mona@xn--80axdd.example", ""},                                                    // мона
		{"mona@xn--.example", "xn--"},                                                      // nothing encoded
		{"mona@xn--a-%.example", "xn--a-%"},                                                // not punycode
		{"\u65e5\u672c\u3072\u3089\u30ab\u30bf@contoso.example", ""},                       // Japanese: Han+Hiragana+Katakana
		{"\u30c6\u30b9\u30c8\u30fc@contoso.example", ""},                                   // Katakana + prolonged sound mark (Common)
		{"\ud55c\uad6d\u8a9e@contoso.example", ""},                                         // Korean: Hangul+Han
		{"\u4e2d\u6587\u3105@contoso.example", ""},                                         // Chinese: Han+Bopomofo
		{"mona@xn--wgv71a119e.example", ""},                                                // 日本語
		{"mona@xn--3e0b707e.example", ""},                                                  // 한국
		{"mona@xn--5ek909fo6p.example", ""},                                                // 中文ㄅ
		{"\u3072\ud55c@contoso.example", "\u3072\ud55c"},                                   // Hiragana+Hangul: no one writing system
		{"\u3105\u30ab@contoso.example", "\u3105\u30ab"},                                   // Bopomofo+Katakana
		{"\u65e5mona@contoso.example", "\u65e5mona"},                                       // Han+Latin
		{"\u043c\u03b1@contoso.example", "\u043c\u03b1"},                                   // Cyrillic+Greek
	} {
		got, bad := MixedScriptInEmail(c.email)
		if bad != (c.bad != "") || got != c.bad {
			t.Errorf("MixedScriptInEmail(%q) = %q, %v; want %q", c.email, got, bad, c.bad)
		}
	}
}

func TestPunyDecode(t *testing.T) {
	for in, want := range map[string]string{
		"e1afmkfd":   "\u043f\u0440\u0438\u043c\u0435\u0440",
		"bcher-kva":  "b\u00fccher",
		"wgv71a119e": "\u65e5\u672c\u8a9e",
		"cntoso-wqf": "c\u043entoso",
	} {
		if got, err := punyDecode(in); err != nil || got != want {
			t.Errorf("punyDecode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a-", "%%", "99999999999"} {
		if got, err := punyDecode(in); err == nil {
			t.Errorf("punyDecode(%q) = %q, want an error", in, got)
		}
	}
}
