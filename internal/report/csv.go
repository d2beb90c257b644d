package report

import (
	"bufio"
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

// csvBuffer is the write buffer in front of the client: large enough that a
// row costs no write call of its own, small enough to stay constant memory.
const csvBuffer = 64 << 10

// WriteCSV streams the report to w as UTF-8 CSV with a header row, from one
// query read as it goes, flushing every ChunkSize rows, so memory stays constant
// at any size. Cells a spreadsheet would run as a formula are neutralized.
func (s *Service) WriteCSV(ctx context.Context, v *viewer.Viewer, w io.Writer, f Filter, o Order, flush func()) error {
	bw := bufio.NewWriterSize(w, csvBuffer)
	cw := csv.NewWriter(bw) // reuses bw: it is already a large enough bufio.Writer
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rec := make([]string, len(CSVHeader))
	joined := map[int]string{} // skill id → its competency labels, joined once
	return s.Each(ctx, v, f, o, func(r Row) error {
		comps, ok := joined[r.SkillID]
		if !ok {
			comps = strings.Join(r.Competencies, "; ")
			joined[r.SkillID] = comps
		}
		return cw.Write(csvRecord(rec, r, comps))
	}, func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if flush != nil {
			flush()
		}
		return nil
	})
}

// csvRecord fills rec with row r; comps is r.Competencies joined.
func csvRecord(rec []string, r Row, comps string) []string {
	rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = r.Name, r.Email, r.MCID, r.SkillType, r.SkillNumber, r.Title
	rec[6], rec[7], rec[8] = r.CompletedAt.UTC().Format("2006-01-02"), "", comps
	if r.ExpiresAt != nil {
		rec[7] = r.ExpiresAt.UTC().Format("2006-01-02")
	}
	rec[9], rec[10], rec[11], rec[12] = yesNo(r.AssociatedInPC), r.Source, r.RecognizedAt.UTC().Format(time.RFC3339), yesNo(r.NeedsAssociation)
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
