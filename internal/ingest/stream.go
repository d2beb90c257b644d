package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"certlink/internal/apperr"
)

// MaxLine is the longest line a bulk file may hold.
const MaxLine = 64 << 10

// ReadNDJSON feeds one JSON object per line to b, numbering lines from 1.
// Blank lines are skipped; a line that is not a result object is reported and
// the rest go on.
func ReadNDJSON(b *Batch, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
		}
		if len(text) == 0 {
			continue
		}
		var in struct {
			MCID        json.RawMessage `json:"mcid"`
			SkillNumber string          `json:"skillNumber"`
			CompletedAt string          `json:"completedAt"`
			ExpiresAt   *string         `json:"expiresAt"`
		}
		if err := json.Unmarshal(text, &in); err != nil {
			b.Fail(line, "not a JSON result object: "+jsonMessage(err))
			continue
		}
		raw := Raw{Pos: line, MCID: mcidText(in.MCID), SkillNumber: in.SkillNumber, CompletedAt: in.CompletedAt}
		if in.ExpiresAt != nil {
			raw.ExpiresAt = *in.ExpiresAt
		}
		if err := b.Add(raw); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return apperr.New(apperr.InvalidInput, "Line %d is longer than %d bytes; nothing after it was read.", line+1, MaxLine)
		}
		return readError(err)
	}
	return nil
}

// mcidText accepts an MCID as a JSON string or number.
func mcidText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

func jsonMessage(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("%s must be a %s", typ.Field, typ.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// csvColumns maps accepted header names (lower case) to fields.
var csvColumns = map[string]string{
	"mcid": "mcid", "skillnumber": "skillNumber", "skill_number": "skillNumber", "skill number": "skillNumber",
	"completedat": "completedAt", "completed_at": "completedAt", "completed": "completedAt",
	"expiresat": "expiresAt", "expires_at": "expiresAt", "expires": "expiresAt",
}

// ReadCSV feeds a CSV file with a header row (mcid, skillNumber, completedAt,
// expiresAt, in any order) to b. Errors carry the file's line numbers.
func ReadCSV(b *Batch, r io.Reader) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return apperr.New(apperr.InvalidInput, "The CSV file is empty: it needs a header row (mcid,skillNumber,completedAt,expiresAt).")
	}
	if err != nil {
		return apperr.New(apperr.InvalidInput, "Line 1: the header row is not valid CSV: %s.", csvMessage(err))
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := csvColumns[h]; ok {
			cols[f] = i
		}
	}
	for _, need := range []string{"mcid", "skillNumber", "completedAt"} {
		if _, ok := cols[need]; !ok {
			return apperr.New(apperr.InvalidInput, "Line 1: the header row has no %s column (want mcid,skillNumber,completedAt,expiresAt).", need)
		}
	}
	get := func(rec []string, f string) string {
		if i, ok := cols[f]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			b.Fail(pe.StartLine, "not valid CSV: "+csvMessage(err))
			continue
		}
		if err != nil {
			return readError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if err := b.Add(Raw{Pos: line, MCID: get(rec, "mcid"), SkillNumber: get(rec, "skillNumber"),
			CompletedAt: get(rec, "completedAt"), ExpiresAt: get(rec, "expiresAt")}); err != nil {
			return err
		}
	}
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readError reports a body that could not be read (too large, cut off).
func readError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return apperr.New(apperr.RequestTooLarge, "The file is larger than the ingest limit; split it.")
	}
	return fmt.Errorf("reading the ingest body: %w", err)
}
