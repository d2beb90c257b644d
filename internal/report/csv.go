package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"certlink/ent"
	"certlink/internal/viewer"
)

// CSVHeader is the report's header row.
// The last three say what counts now (C3): partner tools reading columns by
// position find the earlier ones where they were.
var CSVHeader = []string{"Name", "Email", "MCID", "Skill type", "Skill number", "Title", "Completed",
	"Expires", "Competencies", "Associated in PC", "Source", "Recognized", "Needs association",
	"Counting now", "Counts until", "Retired on"}

// Filename is the download's file name: skills-report-<MPN ID>-<YYYY-MM-DD>.csv.
func Filename(org *ent.Organization, now time.Time) string {
	return fmt.Sprintf("skills-report-%s-%s.csv", org.MpnID, now.UTC().Format("2006-01-02"))
}

// csvBuffer is the write buffer in front of the client: large enough that a
// row costs no write call of its own, small enough to stay constant memory.
const csvBuffer = 64 << 10

// WriteCSV streams the report to w as UTF-8 CSV (RFC 4180 quoting, as
// encoding/csv writes it) with a header row, from one query read as it goes,
// flushing every ChunkSize rows, so memory stays constant at any size. Cells a
// spreadsheet would run as a formula are neutralized. Rows are encoded into one
// reused buffer: a million rows allocate nothing per cell.
func (s *Service) WriteCSV(ctx context.Context, v *viewer.Viewer, w io.Writer, f Filter, o Order, flush func()) error {
	bw := bufio.NewWriterSize(w, csvBuffer)
	line := make([]byte, 0, 512)
	for i, h := range CSVHeader {
		line = appendCell(line, i, h)
	}
	if _, err := bw.Write(append(line, '\n')); err != nil {
		return err
	}
	joined := map[int]string{}     // skill id → its competency labels, joined once
	sources := map[string]string{} // source → SourceLabel
	return s.Each(ctx, v, f, o, func(r Row) error {
		comps, ok := "", true
		if r.Counting {
			if comps, ok = joined[r.SkillID]; !ok {
				comps = strings.Join(r.Competencies, "; ")
				joined[r.SkillID] = comps
			}
		}
		source, ok := sources[r.Source]
		if !ok {
			source = SourceLabel(r.Source)
			sources[r.Source] = source
		}
		line = appendCSVRow(line[:0], r, comps, source)
		_, err := bw.Write(line)
		return err
	}, func() error {
		if err := bw.Flush(); err != nil {
			return err
		}
		if flush != nil {
			flush()
		}
		return nil
	})
}

// appendCSVRow appends row r, ending in a newline; comps is r.Competencies
// joined, source r.Source in words.
func appendCSVRow(b []byte, r Row, comps, source string) []byte {
	b = appendCell(b, 0, r.Name)
	b = appendCell(b, 1, r.Email)
	b = appendCell(b, 2, r.MCID)
	b = appendCell(b, 3, r.SkillType)
	b = appendCell(b, 4, r.SkillNumber)
	b = appendCell(b, 5, r.Title)
	b = append(b, ',')
	b = r.CompletedAt.UTC().AppendFormat(b, time.DateOnly)
	b = append(b, ',')
	if r.ExpiresAt != nil {
		b = r.ExpiresAt.UTC().AppendFormat(b, time.DateOnly)
	}
	b = appendCell(b, 8, comps)
	b = appendCell(b, 9, yesNo(r.AssociatedInPC))
	b = appendCell(b, 10, source)
	b = append(b, ',')
	b = r.RecognizedAt.UTC().AppendFormat(b, time.RFC3339)
	b = appendCell(b, 12, yesNo(r.NeedsAssociation))
	b = appendCell(b, 13, yesNo(r.Counting))
	b = append(b, ',')
	if r.CountsUntil != nil {
		// The moment, not the day: a result stops counting at its time of
		// day, and on that day "Counting now" turns from Yes to No.
		b = r.CountsUntil.UTC().AppendFormat(b, time.RFC3339)
	}
	b = append(b, ',')
	if r.RetiredOn != nil {
		b = r.RetiredOn.UTC().AppendFormat(b, time.DateOnly)
	}
	return append(b, '\n')
}

// appendCell appends the i-th cell of a line: a comma before all but the
// first, the formula prefix of Neutralize, and quotes where encoding/csv would
// put them (a comma, quote or line break inside, or a leading space).
func appendCell(b []byte, i int, cell string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	prefix := cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0
	if !needsQuotes(cell, prefix) {
		if prefix {
			b = append(b, '\'')
		}
		return append(b, cell...)
	}
	b = append(b, '"')
	if prefix {
		b = append(b, '\'')
	}
	for {
		q := strings.IndexByte(cell, '"')
		if q < 0 {
			break
		}
		b = append(append(b, cell[:q+1]...), '"')
		cell = cell[q+1:]
	}
	return append(append(b, cell...), '"')
}

// formulaStarts are the first characters that make a spreadsheet read a cell
// as a formula (S2).
const formulaStarts = "=+-@\t\r"

// needsQuotes is encoding/csv's rule for a cell (with the formula prefix when
// prefixed: it then never starts with a space).
func needsQuotes(cell string, prefixed bool) bool {
	if cell == "" {
		return false
	}
	if cell == `\.` {
		return true
	}
	for i := 0; i < len(cell); i++ {
		switch cell[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	if prefixed {
		return false
	}
	r, _ := utf8.DecodeRuneInString(cell)
	return unicode.IsSpace(r)
}

// Neutralize prefixes a cell that a spreadsheet would read as a formula (one
// starting with = + - @, a tab or a carriage return) with an apostrophe (S2).
func Neutralize(cell string) string {
	if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
