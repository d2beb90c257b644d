// Package catalog parses, validates and applies the competency catalog (SPEC
// C1–C3): a JSON document described in catalog/README.md.
package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"certlink/ent/schema/skilling"
)

// Document is a catalog file.
type Document struct {
	Comment      string       `json:"comment,omitempty"`
	Skills       []Skill      `json:"skills"`
	Competencies []Competency `json:"competencies"`
	// Capabilities are the second catalog kind: capability areas scored by the
	// Skilling metric (points per certified person, prerequisites, caps).
	Capabilities []Capability `json:"capabilities,omitempty"`
	// SolutionAreas are the third kind: Solutions Partner solution areas
	// scored by the partner capability score (metrics, weights, tracks).
	SolutionAreas []SolutionArea `json:"solutionAreas,omitempty"`
}

// Capability is a capability area, e.g. "Azure Infrastructure".
type Capability struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// MaxPoints caps the area's score.
	MaxPoints     int                     `json:"maxPoints"`
	Prerequisites []skilling.Prerequisite `json:"prerequisites,omitempty"`
	Rules         []skilling.Rule         `json:"rules"`
}

// Skill is an exam, certification or assessment.
type Skill struct {
	Number     string `json:"number"`
	Title      string `json:"title"`
	Type       string `json:"type"`
	RetiredOn  *Date  `json:"retiredOn,omitempty"`
	ValidUntil *Date  `json:"validUntil,omitempty"`
}

// Competency is e.g. "Cloud Platform" with its options.
type Competency struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Options     []Option `json:"options"`
}

// Option is one way to attain a level.
type Option struct {
	Level        string        `json:"level"`
	Name         string        `json:"name"`
	Requirements []Requirement `json:"requirements"`
}

// Requirement is one condition of an option (C2).
type Requirement struct {
	Key         string   `json:"key"`
	Kind        string   `json:"kind"`
	Description string   `json:"description"`
	Required    int      `json:"required,omitempty"`
	Skills      []string `json:"skills,omitempty"`
}

// Kinds, levels and skill types the format accepts.
const (
	KindSkill    = "SKILL"
	KindAttested = "ATTESTED"
)

var (
	levels     = []string{"SILVER", "GOLD"}
	kinds      = []string{KindSkill, KindAttested}
	skillTypes = []string{"EXAM", "CERTIFICATION", "ASSESSMENT"}
	tiers      = []string{skilling.Intermediate, skilling.Advanced}
)

// Date is a catalog date: YYYY-MM-DD (midnight UTC) or an RFC 3339 time.
type Date struct{ time.Time }

// ParseDate reads a catalog date, one of years 1 to 9999 in UTC (InRange).
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, fmt.Errorf("want a date YYYY-MM-DD or an RFC 3339 time, got %q", s)
		}
	}
	t = t.UTC()
	if err := InRange(t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// InRange accepts the moments both databases store: years 1 to 9999 in UTC,
// after 0001-01-01T00:00:00Z. Go reads year 0 ("0000-01-01") and an offset can
// carry a time past either end; SQLite would keep such a time and MariaDB
// refuse it. 0001-01-01T00:00:00Z itself is Go's zero time, which the MySQL
// driver writes as 0000-00-00 and certlink reads as "no date".
func InRange(t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("0001-01-01T00:00:00Z is not a date certlink keeps: give a later one")
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%s is outside the years 1 to 9999", t.UTC().Format(time.RFC3339))
	}
	return nil
}

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a date string such as \"2027-03-31\"")
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

func (d Date) MarshalJSON() ([]byte, error) {
	t := d.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return json.Marshal(t.Format("2006-01-02"))
	}
	return json.Marshal(t.Format(time.RFC3339Nano))
}

// Problem is one thing wrong with a document, located by entry and field.
type Problem struct {
	Entry   string `json:"entry"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	switch {
	case p.Entry == "" && p.Field == "":
		return p.Message
	case p.Field == "":
		return p.Entry + ": " + p.Message
	case p.Entry == "":
		return p.Field + ": " + p.Message
	}
	return p.Entry + " → " + p.Field + ": " + p.Message
}

// Error lists every problem of a document named File.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		if i == 20 {
			fmt.Fprintf(&b, "and %d more", len(e.Problems)-20)
			break
		}
		b.WriteString(e.File + ": " + p.String())
	}
	return b.String()
}

// Parse decodes and validates a document named name (a file path, or "loadCatalog"
// for an operator's edit). known lists skill numbers already loaded, which a
// partial document may refer to.
func Parse(name string, data []byte, known map[string]bool) (*Document, error) {
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{File: name, Problems: []Problem{decodeProblem(data, err)}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Problems: []Problem{{Message: "unexpected data after the catalog object"}}}
	}
	if probs := Validate(&doc, known); len(probs) > 0 {
		return nil, &Error{File: name, Problems: probs}
	}
	return &doc, nil
}

// decodeProblem locates a JSON error by line and column, and names the field.
func decodeProblem(data []byte, err error) Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return Problem{Entry: position(data, syn.Offset), Message: "invalid JSON: " + syn.Error()}
	case errors.As(err, &typ):
		return Problem{Entry: position(data, typ.Offset), Field: typ.Field,
			Message: fmt.Sprintf("want %s, got JSON %s", typ.Type, typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Problem{Field: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`),
			Message: "unknown field (check its spelling against catalog/README.md)"}
	case errors.Is(err, io.EOF):
		return Problem{Message: "the document is empty"}
	}
	return Problem{Message: strings.TrimPrefix(err.Error(), "json: ")}
}

func position(data []byte, offset int64) string {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:offset] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}
