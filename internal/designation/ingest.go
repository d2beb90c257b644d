package designation

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/metricvalue"
	"certlink/ent/organization"
	"certlink/ent/token"
	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/ingest"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Metric ingest bounds: one transaction stores MetricBatchSize values; one
// request carries at most MaxMetricRecords (the rest is refused, named by
// line) and lists at most ingest.MaxErrors line errors.
const (
	MetricBatchSize  = 500
	MaxMetricRecords = 100_000
)

// RawMetric is one metric value as received. Pos is its index (GraphQL, from
// 0) or line number (POST /ingest/metrics, from 1).
type RawMetric struct {
	Pos    int
	MPNID  string
	Area   string
	Metric string
	Month  string
	// Value is the text received ("12", "12.5").
	Value string
}

// MetricOutcome counts what a metric ingest did.
type MetricOutcome struct {
	// Accepted values were stored: new, or a month's value corrected (Updated).
	Accepted, Updated int
	// Duplicates were held already with the same value.
	Duplicates    int
	Errors        []ingest.LineError
	ErrorsOmitted int
	// NotRead is the position from which records were not read (over
	// MaxMetricRecords); 0 when everything was read.
	NotRead int
}

func (o *MetricOutcome) fail(pos int, format string, args ...any) {
	o.failCode(pos, apperr.InvalidInput, fmt.Sprintf(format, args...))
}

func (o *MetricOutcome) failCode(pos int, code apperr.Code, msg string) {
	if len(o.Errors) >= ingest.MaxErrors {
		o.ErrorsOmitted++
		return
	}
	o.Errors = append(o.Errors, ingest.LineError{Pos: pos, Code: code, Message: msg})
}

// Ingest stores ingested metric values (issue 15 item 2).
type Ingest struct {
	Client *ent.Client
	Now    func() time.Time
	// Changed is called with the organizations whose values changed.
	Changed func(orgIDs ...int)
}

// MetricBatch is a metric ingest in progress: Add each value, then Finish.
type MetricBatch struct {
	s       *Ingest
	ctx     context.Context
	source  string
	cat     *catalogView
	orgs    map[string]int
	pending []RawMetric
	out     MetricOutcome
	changed map[int]bool
	read    int
}

// Begin checks the viewer (provider tokens and operators) and prepares an ingest.
func (s *Ingest) Begin(ctx context.Context, v *viewer.Viewer) (*MetricBatch, error) {
	if err := ingest.Authorize(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	source := "operator:" + v.Email
	if v.Kind == viewer.KindProvider {
		source = "ingest"
		if t, err := s.Client.Token.Query().Where(token.ID(v.TokenID)).Only(sys); err == nil && t.Name != "" {
			source = "ingest:" + t.Name
		}
	}
	source = ingest.Clip(source, 100)
	cat, err := readCatalog(sys, s.Client)
	if err != nil {
		return nil, err
	}
	return &MetricBatch{s: s, ctx: sys, source: source, cat: cat, orgs: map[string]int{}, changed: map[int]bool{}}, nil
}

// Fail records a value that could not even be read.
func (b *MetricBatch) Fail(pos int, message string) { b.out.fail(pos, "%s", message) }

// Add queues a value; a full batch is stored at once. It returns errTooMany
// once MaxMetricRecords were read.
func (b *MetricBatch) Add(r RawMetric) error {
	if b.read >= MaxMetricRecords {
		b.out.NotRead = r.Pos
		return errTooMany
	}
	b.read++
	b.pending = append(b.pending, r)
	if len(b.pending) >= MetricBatchSize {
		return b.flush()
	}
	return nil
}

var errTooMany = errors.New("too many records")

// Finish stores what is queued and returns the outcome.
func (b *MetricBatch) Finish() (*MetricOutcome, error) {
	if err := b.flush(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(b.out.Errors, func(x, y ingest.LineError) int { return x.Pos - y.Pos })
	if len(b.changed) > 0 && b.s.Changed != nil {
		ids := make([]int, 0, len(b.changed))
		for id := range b.changed {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		b.s.Changed(ids...)
	}
	return &b.out, nil
}

var (
	mpnPattern   = regexp.MustCompile(`^[0-9]{7}$`)
	monthPattern = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})$`)
)

type checkedMetric struct {
	pos          int
	orgID        int
	area, metric string
	month        string
	value        float64
}

func (b *MetricBatch) check(r RawMetric, now time.Time) (checkedMetric, apperr.Code, string) {
	c := checkedMetric{pos: r.Pos}
	mpn := strings.TrimSpace(r.MPNID)
	switch {
	case mpn == "":
		return c, apperr.InvalidInput, "mpnId is required"
	case !mpnPattern.MatchString(mpn):
		return c, apperr.InvalidInput, fmt.Sprintf("mpnId %q is not an MPN ID (7 digits)", echo(mpn))
	}
	org, ok := b.orgs[mpn]
	if !ok {
		return c, apperr.NotFound, fmt.Sprintf("no organization has MPN ID %s", mpn)
	}
	c.orgID = org
	c.area, c.metric = strings.TrimSpace(r.Area), strings.TrimSpace(r.Metric)
	switch {
	case c.area == "":
		return c, apperr.InvalidInput, "area is required"
	case c.metric == "":
		return c, apperr.InvalidInput, "metric is required"
	}
	if msg := b.cat.checkIngested(c.area, c.metric); msg != "" {
		return c, apperr.InvalidInput, msg
	}
	month := strings.TrimSpace(r.Month)
	m := monthPattern.FindStringSubmatch(month)
	if m == nil {
		return c, apperr.InvalidInput, fmt.Sprintf("month %q is not a month YYYY-MM", echo(month))
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if mo < 1 || mo > 12 || y < 2000 {
		return c, apperr.InvalidInput, fmt.Sprintf("month %q is not a month from 2000-01 on", month)
	}
	if month > MonthOf(now) {
		return c, apperr.InvalidInput, fmt.Sprintf("month %s is in the future (this month is %s)", month, MonthOf(now))
	}
	c.month = month
	text := strings.TrimSpace(r.Value)
	if text == "" {
		return c, apperr.InvalidInput, "value is required"
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return c, apperr.InvalidInput, fmt.Sprintf("value %q is not a number", echo(text))
	}
	if v < 0 || v > maxValue {
		return c, apperr.InvalidInput, fmt.Sprintf("value %s is outside 0 to %g", text, maxValue)
	}
	c.value = v
	return c, "", ""
}

// flush checks and stores the pending values in one transaction: a value
// already held unchanged is a duplicate, a changed one replaces it.
func (b *MetricBatch) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	raws := b.pending
	b.pending = nil
	if err := b.lookupOrgs(raws); err != nil {
		return err
	}
	now := clock.Now(b.s.Now)
	var checked []checkedMetric
	for _, r := range raws {
		c, code, msg := b.check(r, now)
		if msg != "" {
			b.out.failCode(r.Pos, code, msg)
			continue
		}
		checked = append(checked, c)
	}
	if len(checked) == 0 {
		return nil
	}
	var accepted, updated, dups int
	changed := map[int]bool{}
	err := store.InTx(b.ctx, b.s.Client, func(tx *ent.Tx) error {
		accepted, updated, dups = 0, 0, 0
		clear(changed)
		for _, c := range checked {
			cur, err := tx.MetricValue.Query().Where(metricvalue.OrganizationID(c.orgID), metricvalue.AreaKey(c.area),
				metricvalue.MetricKey(c.metric), metricvalue.Month(c.month)).Only(b.ctx)
			switch {
			case ent.IsNotFound(err):
				err = tx.MetricValue.Create().SetOrganizationID(c.orgID).SetAreaKey(c.area).SetMetricKey(c.metric).
					SetMonth(c.month).SetValue(c.value).SetSource(b.source).SetRecordedAt(now).Exec(b.ctx)
				accepted++
				changed[c.orgID] = true
			case err != nil:
			case cur.Value == c.value:
				dups++
			default:
				err = cur.Update().SetValue(c.value).SetSource(b.source).SetRecordedAt(now).Exec(b.ctx)
				accepted++
				updated++
				changed[c.orgID] = true
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.out.Accepted += accepted
	b.out.Updated += updated
	b.out.Duplicates += dups
	for id := range changed {
		b.changed[id] = true
	}
	return nil
}

// lookupOrgs resolves the batch's MPN IDs not seen yet.
func (b *MetricBatch) lookupOrgs(raws []RawMetric) error {
	var want []string
	for _, r := range raws {
		mpn := strings.TrimSpace(r.MPNID)
		if _, ok := b.orgs[mpn]; !ok && mpnPattern.MatchString(mpn) && !slices.Contains(want, mpn) {
			want = append(want, mpn)
		}
	}
	if len(want) == 0 {
		return nil
	}
	orgs, err := b.s.Client.Organization.Query().Where(organization.MpnIDIn(want...)).All(b.ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		b.orgs[o.MpnID] = o.ID
	}
	return nil
}

// ReadMetricsNDJSON feeds one JSON object per line to b, numbering lines from
// 1: {"mpnId":"4100001","area":"modern-work","metric":"deployments","month":"2026-11","value":12}.
func ReadMetricsNDJSON(b *MetricBatch, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), ingest.MaxLine)
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
			MPNID  json.RawMessage `json:"mpnId"`
			Area   string          `json:"area"`
			Metric string          `json:"metric"`
			Month  string          `json:"month"`
			Value  json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(text, &in); err != nil {
			b.Fail(line, "not a JSON metric object: "+strings.TrimPrefix(err.Error(), "json: "))
			continue
		}
		err := b.Add(RawMetric{Pos: line, MPNID: scalarText(in.MPNID), Area: in.Area, Metric: in.Metric,
			Month: in.Month, Value: scalarText(in.Value)})
		if errors.Is(err, errTooMany) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return apperr.New(apperr.InvalidInput, "Line %d is longer than %d bytes; nothing after it was read.", line+1, ingest.MaxLine)
		}
		return readError(err)
	}
	return nil
}

// scalarText accepts a JSON string or number as text.
func scalarText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	t := strings.TrimSpace(string(raw))
	if t == "null" {
		return ""
	}
	return t
}

var metricColumns = map[string]string{
	"mpnid": "mpnId", "mpn_id": "mpnId", "mpn id": "mpnId",
	"area": "area", "solution area": "area", "solution_area": "area",
	"metric": "metric", "month": "month", "value": "value",
}

// ReadMetricsCSV feeds a CSV file with a header row (mpnId, area, metric,
// month, value, in any order) to b. Errors carry the file's line numbers.
func ReadMetricsCSV(b *MetricBatch, r io.Reader) error {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return apperr.New(apperr.InvalidInput, "The CSV file is empty: it needs a header row (mpnId,area,metric,month,value).")
	}
	if err != nil {
		return apperr.New(apperr.InvalidInput, "Line 1: the header row is not valid CSV.")
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := metricColumns[h]; ok {
			cols[f] = i
		}
	}
	for _, need := range []string{"mpnId", "area", "metric", "month", "value"} {
		if _, ok := cols[need]; !ok {
			return apperr.New(apperr.InvalidInput, "Line 1: the header row has no %s column (want mpnId,area,metric,month,value).", need)
		}
	}
	get := func(rec []string, f string) string {
		if i := cols[f]; i < len(rec) {
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
			b.Fail(pe.StartLine, "not valid CSV: "+pe.Err.Error())
			continue
		}
		if err != nil {
			return readError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		err = b.Add(RawMetric{Pos: line, MPNID: get(rec, "mpnId"), Area: get(rec, "area"), Metric: get(rec, "metric"),
			Month: get(rec, "month"), Value: get(rec, "value")})
		if errors.Is(err, errTooMany) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func readError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return apperr.New(apperr.RequestTooLarge, "The file is larger than the metric ingest limit; split it.")
	}
	return fmt.Errorf("reading the ingest body: %w", err)
}

// echo clips a caller's text quoted back in an error: a thousand refused
// lines of 64 KiB each must not make a 64 MiB answer.
func echo(s string) string {
	const max = 64
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}
