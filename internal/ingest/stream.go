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
	"unicode/utf8"

	"certlink/internal/apperr"
	"certlink/internal/text"
)

// MaxLine is the longest line (NDJSON) or record (CSV) a bulk file may hold.
const MaxLine = 64 << 10

// ReadNDJSON feeds one JSON object per line to b, numbering lines from 1.
// Blank lines are skipped; a line that is not a result object, or is longer
// than MaxLine (skipped without being held in memory), is reported and the
// rest go on.
func ReadNDJSON(b *Batch, r io.Reader) error {
	br := bufio.NewReaderSize(r, MaxLine)
	line := 0
	for {
		text, tooLong, err := readLine(br)
		if err != nil && err != io.EOF {
			// The body was cut: a line without its end is not read.
			return readError(err)
		}
		if len(text) == 0 && err == io.EOF {
			return nil
		}
		line++
		b.Read(line)
		if tooLong {
			b.Fail(line, fmt.Sprintf("the line is longer than %d bytes", MaxLine))
			continue
		}
		text = bytes.TrimSpace(text)
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
		}
		if len(text) == 0 {
			continue
		}
		if !utf8.Valid(text) {
			// Read as JSON, the bytes would turn into U+FFFD and be answered
			// as an unknown MCID or skill (review).
			b.Fail(line, notUTF8)
			continue
		}
		var in struct {
			MCID        json.RawMessage `json:"mcid"`
			SkillNumber string          `json:"skillNumber"`
			CompletedAt string          `json:"completedAt"`
			ExpiresAt   *string         `json:"expiresAt"`
		}
		if err := json.Unmarshal(text, &in); err != nil {
			b.Fail(line, jsonMessage(err))
			continue
		}
		if msg := keyProblem(text); msg != "" {
			b.Fail(line, msg)
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
}

// ndjsonKeys are the keys a result line has (compared in any case, as
// encoding/json matches them to fields).
var ndjsonKeys = map[string]bool{"mcid": true, "skillnumber": true, "completedat": true, "expiresat": true}

// keyProblem says what is wrong with the top-level keys of a valid JSON
// object ("" when nothing): a key given twice — encoding/json keeps the last
// value, so which was meant? — or one that is not a field of a result, which
// encoding/json would drop: a misspelt "expires_at" would store a
// certification that never expires.
func keyProblem(obj []byte) string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	seen := map[string]bool{}
	depth, key := 0, true
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
			} else {
				depth--
			}
			if depth == 1 && (t == '}' || t == ']') {
				key = true // a nested value ended: a key comes next
			}
			if depth == 0 {
				return ""
			}
			continue
		case string:
			if depth == 1 && key {
				k := strings.ToLower(t)
				switch {
				case !ndjsonKeys[k]:
					return fmt.Sprintf("%s is not a field of a result (want mcid, skillNumber, completedAt, expiresAt)", text.Quote(t))
				case seen[k]:
					return fmt.Sprintf("the line gives %s twice: keep one", text.Quote(t))
				}
				seen[k] = true
				key = false
				continue
			}
		}
		if depth == 1 {
			key = true // a value at the top level: a key comes next
		}
	}
}

// readLine returns the next line of br (at most MaxLine bytes, held in br's
// buffer); a longer line is read to its end and dropped, tooLong set. err is
// io.EOF (or a read error) once nothing is left.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	line, err = br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, false, err
	}
	for err == bufio.ErrBufferFull {
		_, err = br.ReadSlice('\n')
	}
	if err == io.EOF {
		err = nil
	}
	return []byte{'x'}, true, err
}

// mcidText accepts an MCID as a JSON string or number.
func mcidText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// resultShape is how a line should look, quoted in errors.
const resultShape = `{"mcid": "9900001", "skillNumber": "AZ-104", "completedAt": "2026-05-04T10:00:00Z", "expiresAt": "2027-05-04T10:00:00Z"}`

// jsonMessage says in words why a line is not a result object, naming the
// field; never Go's own error text.
func jsonMessage(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			return fmt.Sprintf("the line is a JSON %s, not an object; each line is one result like %s", jsonKind(typ.Value), resultShape)
		}
		return fmt.Sprintf("%s must be text in quotes (a JSON string), not a JSON %s", typ.Field, jsonKind(typ.Value))
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("the line is not valid JSON (at character %d); each line is one result like %s", syn.Offset, resultShape)
	}
	return "the line is not valid JSON; each line is one result like " + resultShape
}

func jsonKind(v string) string {
	switch v {
	case "bool":
		return "true/false"
	case "":
		return "value"
	}
	return v
}

// unread is the first column of rec that holds a value certlink does not
// read (named[i] false: its heading is empty, or the row is longer than the
// header), or -1.
func unread(rec []string, named []bool) int {
	for i, v := range rec {
		if (i >= len(named) || !named[i]) && strings.TrimSpace(v) != "" {
			return i
		}
	}
	return -1
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
	lim := &recordLimit{r: r, allowed: MaxLine + csvReadAhead}
	cr := csv.NewReader(bufio.NewReaderSize(lim, csvReadAhead))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return apperr.New(apperr.InvalidInput, "The CSV file is empty: it needs a header row (mcid,skillNumber,completedAt,expiresAt).")
	}
	if errors.Is(err, errRecordTooLong) {
		return apperr.New(apperr.InvalidInput, "Line 1: the header row is longer than %d bytes.", MaxLine)
	}
	if err != nil {
		return apperr.New(apperr.InvalidInput, "Line 1: the header row is not valid CSV: %s.", csvMessage(err))
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		f, ok := csvColumns[h]
		switch {
		case h == "":
			continue // an empty heading (a spreadsheet's trailing comma): a value under it is a line error
		case !ok:
			// A misspelt "expiresAtt" dropped silently would store a
			// certification that never expires.
			return apperr.New(apperr.InvalidInput, "Line 1: the header row's column %d, %s, is not a field of a result (want mcid,skillNumber,completedAt,expiresAt).", i+1, text.Quote(header[i]))
		}
		if j, twice := cols[f]; twice {
			// Which one was meant? Neither is taken silently.
			return apperr.New(apperr.InvalidInput, "Line 1: the header row has two %s columns (columns %d and %d): keep one.", f, j+1, i+1)
		}
		cols[f] = i
	}
	for _, need := range []string{"mcid", "skillNumber", "completedAt"} {
		if _, ok := cols[need]; !ok {
			return apperr.New(apperr.InvalidInput, "Line 1: the header row has no %s column (want mcid,skillNumber,completedAt,expiresAt).", need)
		}
	}
	named := make([]bool, len(header))
	for _, i := range cols {
		named[i] = true
	}
	get := func(rec []string, f string) string {
		if i, ok := cols[f]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		lim.allowed = cr.InputOffset() + MaxLine + csvReadAhead
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, errRecordTooLong) {
			// A quoted field may hold line breaks, so there is no safe place to
			// resume: the results before it are kept and the upload ends here,
			// cut (error, notReadFromLine, the job CUT), not DONE — a client
			// that resumes from where reading stopped loses nothing.
			return apperr.New(apperr.InvalidInput, "A record is longer than %d bytes (a quoted field may hold line breaks, so nothing after it can be read safely): shorten it.", MaxLine)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && pe.Line > pe.StartLine {
			// A quote opened on StartLine and not closed there took the lines
			// after it (up to the end of the file, when it never closes) into
			// one broken field: they were never read as results. The upload is
			// cut at StartLine, as for a record too long (review: an unclosed
			// quote was answered as one line error, and the rest of the file
			// was silently not stored).
			return apperr.New(apperr.InvalidInput, "Line %d: a quoted field opened on this line is not closed on it (%s, found on line %d), so the lines from %d on could not be read as results: fix the quote and send them again.",
				pe.StartLine, csvMessage(err), pe.Line, pe.StartLine)
		}
		if errors.As(err, &pe) {
			b.Fail(pe.StartLine, "not valid CSV: "+csvMessage(err))
			continue
		}
		if err != nil {
			return readError(err)
		}
		line, _ := cr.FieldPos(0)
		// Every line of the record is read: a quoted field may span lines.
		end, _ := cr.FieldPos(len(rec) - 1)
		b.Read(end + strings.Count(rec[len(rec)-1], "\n"))
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if i := notValidUTF8(rec); i >= 0 {
			b.Fail(line, fmt.Sprintf("column %d: %s", i+1, notUTF8))
			continue
		}
		if i := unread(rec, named); i >= 0 {
			b.Fail(line, fmt.Sprintf("column %d holds a value but has no heading (want mcid,skillNumber,completedAt,expiresAt)", i+1))
			continue
		}
		if err := b.Add(Raw{Pos: line, MCID: get(rec, "mcid"), SkillNumber: get(rec, "skillNumber"),
			CompletedAt: get(rec, "completedAt"), ExpiresAt: get(rec, "expiresAt")}); err != nil {
			return err
		}
	}
}

// csvReadAhead is the buffer between recordLimit and the CSV reader: the
// reader may have read that much past the record it is in.
const csvReadAhead = 4096

var errRecordTooLong = errors.New("record too long")

// recordLimit lets the CSV reader read at most allowed bytes in all: ReadCSV
// moves the bound after every record, so no record (even one quoted field of
// 100 MB) grows past MaxLine in memory.
type recordLimit struct {
	r          io.Reader
	n, allowed int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n >= l.allowed {
		return 0, errRecordTooLong
	}
	if int64(len(p)) > l.allowed-l.n {
		p = p[:l.allowed-l.n]
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	return k, err
}

// csvMessage says in words what the CSV reader found wrong (its own text,
// "extraneous or missing \" in quoted-field", reads as code).
func csvMessage(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return `a quote (") is missing or extra in a quoted field`
	case errors.Is(err, csv.ErrBareQuote):
		return `a quote (") stands inside a field that does not start with one: quote the field and double the quote`
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// notUTF8 is the error of a line or field whose bytes are not UTF-8.
const notUTF8 = "not valid UTF-8 (certlink reads UTF-8 only: save the file as UTF-8)"

// notValidUTF8 is the index of rec's first field that is not UTF-8, or -1.
func notValidUTF8(rec []string) int {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return i
		}
	}
	return -1
}

// readError reports a body that could not be read (too large, cut off).
func readError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return apperr.New(apperr.RequestTooLarge, "The file is larger than the ingest limit; split it.")
	}
	return fmt.Errorf("reading the ingest body: %w", err)
}
