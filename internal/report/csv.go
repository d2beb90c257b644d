package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"certlink/ent"
	"certlink/internal/viewer"
)

// CSVHeader is the report's header row.
var CSVHeader = []string{"Name", "Email", "MCID", "Skill type", "Skill number", "Title", "Completed",
	"Expires", "Competencies", "Associated in PC", "Source", "Recognized", "Needs association"}

// Filename is the download's file name: skills-report-<MPN ID>-<YYYY-MM-DD>.csv.
func Filename(org *ent.Organization, now time.Time) string {
	return fmt.Sprintf("skills-report-%s-%s.csv", org.MpnID, now.UTC().Format("2006-01-02"))
}

// WriteCSV streams the report to w as UTF-8 CSV with a header row, reading it in
// keyset chunks and calling flush after each chunk, so memory stays constant at
// any size. Cells a spreadsheet would run as a formula are neutralized.
func (s *Service) WriteCSV(ctx context.Context, v *viewer.Viewer, w io.Writer, f Filter, o Order, flush func()) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	return s.Each(ctx, v, f, o, func(r Row) error {
		return cw.Write(csvRecord(r))
	}, func() error {
		cw.Flush()
		if flush != nil {
			flush()
		}
		return cw.Error()
	})
}

func csvRecord(r Row) []string {
	rec := []string{r.Name, r.Email, r.MCID, r.SkillType, r.SkillNumber, r.Title,
		r.CompletedAt.UTC().Format("2006-01-02"), "", strings.Join(r.Competencies, "; "),
		yesNo(r.AssociatedInPC), r.Source, r.RecognizedAt.UTC().Format(time.RFC3339), yesNo(r.NeedsAssociation)}
	if r.ExpiresAt != nil {
		rec[7] = r.ExpiresAt.UTC().Format("2006-01-02")
	}
	for i, c := range rec {
		rec[i] = Neutralize(c)
	}
	return rec
}

// Neutralize prefixes a cell that a spreadsheet would read as a formula (one
// starting with = + - @, a tab or a carriage return) with an apostrophe (S2).
func Neutralize(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
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
