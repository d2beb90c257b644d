package report

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"
)

// reference encodes a row the slow, obvious way: every cell neutralized,
// then encoding/csv.
func reference(r Row, comps, source string) string {
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	}
	moment := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	rec := []string{r.Name, r.Email, r.MCID, r.SkillType, r.SkillNumber, r.Title,
		r.CompletedAt.UTC().Format("2006-01-02"), date(r.ExpiresAt), comps, yesNo(r.AssociatedInPC), source,
		r.RecognizedAt.UTC().Format(time.RFC3339), yesNo(r.NeedsAssociation),
		yesNo(r.Counting), moment(r.CountsUntil), date(r.RetiredOn)}
	for i, c := range rec {
		rec[i] = Neutralize(c)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(rec)
	w.Flush()
	return buf.String()
}

func TestCSVRowIsWhatEncodingCSVWrites(t *testing.T) {
	exp := time.Date(2027, 3, 31, 23, 0, 0, 0, time.FixedZone("x", -5*3600))
	for _, name := range []string{"Ada Lovelace", "", " leading space", "\ttab", "=HYPERLINK(\"x\")", "+1", "-1", "@sum",
		"\rreturn", "comma, inside", "quote \" inside", "line\nbreak", "crlf\r\ninside", `\.`, "Zoë Ünïcode", "\u00a0nbsp",
		"\u2003em space", "=a,\"b\"\nc", "''already"} {
		r := Row{Name: name, Email: name + "@x.example", MCID: "7001", SkillType: "EXAM", SkillNumber: "AZ-104",
			Title: name, CompletedAt: time.Date(2026, 1, 2, 23, 30, 0, 0, time.FixedZone("y", 3600)),
			Source: name, RecognizedAt: time.Date(2026, 11, 24, 3, 31, 14, 123456000, time.UTC), AssociatedInPC: true}
		if len(name)%2 == 0 {
			r.ExpiresAt, r.AssociatedInPC, r.NeedsAssociation = &exp, false, true
			r.CountsUntil, r.RetiredOn = &exp, &r.CompletedAt
		} else {
			r.Counting = true
		}
		comps := name + "; Cloud Platform: Silver (Standard)"
		got, want := string(appendCSVRow(nil, r, comps, "="+name)), reference(r, comps, "="+name)
		if got != want {
			t.Errorf("%q:\n got %q\nwant %q", name, got, want)
		}
	}
}

func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"", " a", "=1", "a,b", "\"", "\n", `\.`, "\u00a0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{Neutralize(cell), "x"})
		w.Flush()
		got := string(append(appendCell(appendCell(nil, 0, cell), 1, "x"), '\n'))
		if got != buf.String() {
			t.Fatalf("%q: got %q, encoding/csv %q", cell, got, buf.String())
		}
	})
}
