// Package ingest receives results from the certification directory (SPEC L10):
// single results through GraphQL, bulk NDJSON or CSV through POST /ingest.
// Each result is checked on its own: valid ones are kept, invalid ones reported
// by position. Re-sending a result changes nothing (the database's unique index
// on profile, skill and completion time).
package ingest

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/clock"
	"certlink/internal/counting"
	"certlink/internal/results"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// BatchSize is the most results one transaction stores. A transaction that
// took longer than BatchTime halves the next one (down to MinBatch): on SQLite,
// with its one writer, other people's writes wait at most about one batch.
const (
	BatchSize = 500
	MinBatch  = 100
	BatchTime = 200 * time.Millisecond
)

// MaxErrors is how many per-line errors a response lists; the rest are counted.
const MaxErrors = 1000

// Raw is one result as received, before validation. Pos is its index (GraphQL,
// from 0) or line number (POST /ingest, from 1).
type Raw struct {
	Pos         int
	MCID        string
	SkillNumber string
	CompletedAt string
	ExpiresAt   string
}

// LineError is a refused result: Code is NOT_FOUND when the line names an
// MCID or a skill number that does not exist, INVALID_INPUT otherwise, so a
// feed can tell the two apart without reading the message.
type LineError struct {
	Pos     int
	Code    apperr.Code
	Message string
}

// Outcome counts what an ingest did.
type Outcome struct {
	// Accepted results were stored: new, or an expiry corrected (Updated).
	Accepted int
	Updated  int
	// Duplicates were held already, unchanged.
	Duplicates    int
	Errors        []LineError
	ErrorsOmitted int
}

func (o *Outcome) fail(pos int, format string, args ...any) {
	o.add(LineError{Pos: pos, Code: apperr.InvalidInput, Message: fmt.Sprintf(format, args...)})
}

func (o *Outcome) add(e LineError) {
	if len(o.Errors) >= MaxErrors {
		o.ErrorsOmitted++
		return
	}
	o.Errors = append(o.Errors, e)
}

// Service stores results.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
	// Changed is called with the organizations whose people got new results.
	Changed func(orgIDs ...int)
	// RowLocks locks the batch's profiles (MySQL): batches for the same
	// people take turns, and their latest flags stay right.
	RowLocks bool
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Authorize allows provider tokens and signed-in operators (L10, U1).
func Authorize(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.Kind == viewer.KindProvider || (v.Kind == viewer.KindUser && v.IsOperator()) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "Only the certification directory (a provider token) and operators can send results.")
}

// Batch is an ingest in progress: it stores results in batches and keeps the
// outcome. Use Service.Begin, Add each result, then Finish.
type Batch struct {
	s       *Service
	ctx     context.Context
	source  string
	skills  map[string]int
	pending []Raw
	out     Outcome
	orgs    map[int]bool
	limit   int // results per transaction, adapted to BatchTime
	// read is the last line (or index) read whole: everything up to it is
	// stored, queued or refused; done is the last one whose batch committed.
	read, done int
	// failed is the batch the database did not store: nothing after it is
	// queued or stored (Add and Finish return it).
	failed *StoreError
	// Progress, when set, is told after every committed batch.
	Progress func(Progress)
	// tokenID is the credential the ingest came with (a provider token, an
	// operator's session): looked at again before every batch, so revoking
	// it stops an upload already under way (stillValid).
	tokenID int
}

// Progress is what an ingest has done so far.
type Progress struct {
	// LinesRead: every line up to it was read whole; LinesDone: every line up
	// to it is stored (or refused, with its error).
	LinesRead, LinesDone          int
	Accepted, Updated, Duplicates int
	Errors                        int
}

// Read records that every line up to pos was read whole (ReadNDJSON, ReadCSV).
func (b *Batch) Read(pos int) {
	if pos > b.read {
		b.read = pos
	}
}

// Snapshot returns what the ingest has done so far.
func (b *Batch) Snapshot() Progress {
	return Progress{LinesRead: b.read, LinesDone: b.done, Accepted: b.out.Accepted, Updated: b.out.Updated,
		Duplicates: b.out.Duplicates, Errors: len(b.out.Errors) + b.out.ErrorsOmitted}
}

// Begin checks the viewer and prepares an ingest.
func (s *Service) Begin(ctx context.Context, v *viewer.Viewer) (*Batch, error) {
	if err := Authorize(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	source := "operator:" + v.Email
	if v.Kind == viewer.KindProvider {
		source = "ingest"
		if t, err := s.Client.Token.Get(sys, v.TokenID); err == nil && t.Name != "" {
			source = "ingest:" + t.Name
		}
	}
	source = Clip(source, 100)
	all, err := s.Client.Skill.Query().Select(skill.FieldID, skill.FieldNumber).All(sys)
	if err != nil {
		return nil, err
	}
	skills := make(map[string]int, len(all))
	for _, k := range all {
		// A number stored before catalog.SkillNumber was the rule may share
		// its spelling with another: the one already in that spelling wins.
		n := catalog.SkillNumber(k.Number)
		if _, taken := skills[n]; !taken || k.Number == n {
			skills[n] = k.ID
		}
	}
	return &Batch{s: s, ctx: sys, source: source, skills: skills, orgs: map[int]bool{}, limit: BatchSize, tokenID: v.TokenID}, nil
}

// Fail records a result that could not even be read (bad JSON, bad CSV).
func (b *Batch) Fail(pos int, message string) { b.out.fail(pos, "%s", message) }

// MaxField is the longest value a result's field may have: the longest valid
// one (an RFC 3339 time with nanoseconds and a zone) is 35 bytes.
const MaxField = 256

// Clip cuts s to at most n bytes on a character boundary: a name cut inside
// a UTF-8 character is refused by MariaDB (and stored by SQLite).
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Whole stores everything added in one transaction, at Finish: all or
// nothing, for a call that answers once (the GraphQL ingestResults, at most
// 1,000 results).
func (b *Batch) Whole() { b.limit = math.MaxInt }

// StoreError is a batch the database did not store (a conflict that kept
// coming back, the database unavailable): every line up to Stored was handled
// — stored, a duplicate, or listed in the errors — and none after it was, the
// failed batch's lines included. Send again from line Stored+1.
type StoreError struct {
	Stored int
	Err    error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("ingest: the lines after %d were not stored: %v", e.Stored, e.Err)
}

func (e *StoreError) Unwrap() error { return e.Err }

// Add queues a result; a full batch is stored at once. A field longer than
// MaxField is refused at once, so a queued batch stays small.
func (b *Batch) Add(r Raw) error {
	if b.failed != nil {
		return b.failed
	}
	for _, f := range []struct{ name, value string }{{"mcid", r.MCID}, {"skillNumber", r.SkillNumber}, {"completedAt", r.CompletedAt}, {"expiresAt", r.ExpiresAt}} {
		if len(f.value) > MaxField {
			b.out.fail(r.Pos, "%s is longer than %d bytes", f.name, MaxField)
			return nil
		}
	}
	b.pending = append(b.pending, r)
	if len(b.pending) >= b.limit {
		return b.flush()
	}
	return nil
}

// Finish stores what is queued and returns the outcome. After a body was cut
// it stores the lines read whole before the cut.
//
// When a batch was not stored (StoreError), the outcome is that of the
// batches stored before it.
func (b *Batch) Finish() (*Outcome, error) {
	if b.failed == nil {
		_ = b.flush() // a failure is b.failed
	}
	if b.failed != nil {
		slices.SortStableFunc(b.out.Errors, func(x, y LineError) int { return x.Pos - y.Pos })
		return &b.out, b.failed
	}
	b.done = b.read
	b.report()
	slices.SortStableFunc(b.out.Errors, func(x, y LineError) int { return x.Pos - y.Pos })
	if len(b.orgs) > 0 && b.s.Changed != nil {
		ids := make([]int, 0, len(b.orgs))
		for id := range b.orgs {
			ids = append(ids, id)
		}
		b.s.Changed(ids...)
	}
	return &b.out, nil
}

var mcidPattern = regexp.MustCompile(`^[0-9]{4,12}$`)

// valid is a checked result.
type valid struct {
	pos       int
	mcid      string
	skillID   int
	completed time.Time
	expires   *time.Time
}

func (b *Batch) check(r Raw, now time.Time) (valid, apperr.Code, string) {
	v := valid{pos: r.Pos, mcid: strings.TrimSpace(r.MCID)}
	switch {
	case v.mcid == "":
		return v, apperr.InvalidInput, "mcid is required"
	case !mcidPattern.MatchString(v.mcid):
		return v, apperr.InvalidInput, fmt.Sprintf("mcid %s is not an MCID (4 to 12 digits)", text.Quote(v.mcid))
	}
	num := catalog.SkillNumber(r.SkillNumber)
	if num == "" {
		return v, apperr.InvalidInput, "skillNumber is required"
	}
	id, ok := b.skills[num]
	if !ok {
		return v, apperr.NotFound, fmt.Sprintf("skillNumber %s is not in the catalog", text.Quote(r.SkillNumber))
	}
	v.skillID = id
	if strings.TrimSpace(r.CompletedAt) == "" {
		return v, apperr.InvalidInput, "completedAt is required"
	}
	c, err := parseTime(r.CompletedAt)
	if err != nil {
		return v, apperr.InvalidInput, "completedAt: " + err.Error()
	}
	if c.After(now) {
		// A result counts from when it was completed, and progress keeps its
		// counts on the rule that none starts later (package counting): a
		// completion still to come is refused, not stored to count early.
		return v, apperr.InvalidInput, fmt.Sprintf("completedAt %s is in the future (now is %s): send a result once it is completed (a date is midnight UTC)",
			c.Format(time.RFC3339), now.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	v.completed = c
	if strings.TrimSpace(r.ExpiresAt) != "" {
		e, err := parseTime(r.ExpiresAt)
		if err != nil {
			return v, apperr.InvalidInput, "expiresAt: " + err.Error()
		}
		if !e.After(c) {
			return v, apperr.InvalidInput, "expiresAt must be after completedAt"
		}
		v.expires = &e
	}
	return v, "", ""
}

// parseTime reads RFC 3339 or YYYY-MM-DD, in UTC, to the microsecond (what
// MySQL keeps), so that a re-sent result matches the stored one exactly.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return time.Time{}, fmt.Errorf("want an RFC 3339 time (2026-05-04T10:00:00Z) or a date (2026-05-04), got %s", text.Quote(s))
		}
	}
	if catalog.InRange(t) != nil {
		return time.Time{}, fmt.Errorf("want a time in the years 1 to 9999 (UTC), after 0001-01-01T00:00:00Z, got %s", text.Quote(s))
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

type key struct {
	profile, skill int
	completed      int64
}

func keyOf(profileID, skillID int, completed time.Time) key {
	return key{profileID, skillID, completed.UTC().UnixMicro()}
}

func (b *Batch) report() {
	if b.Progress != nil {
		b.Progress(b.Snapshot())
	}
}

// flush checks and stores the pending results in one transaction, and sizes
// the next batch by how long this one took.
func (b *Batch) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	last := b.pending[len(b.pending)-1].Pos
	start := time.Now()
	err := b.stillValid()
	if err == nil {
		err = b.store()
	}
	if err != nil {
		b.failed = &StoreError{Stored: b.done, Err: err}
		b.report()
		return b.failed
	}
	switch took := time.Since(start); {
	case took > BatchTime && b.limit > MinBatch:
		b.limit = max(MinBatch, b.limit/2)
	case took < BatchTime/4 && b.limit < BatchSize:
		b.limit = min(BatchSize, b.limit*2)
	}
	b.done = max(b.done, last)
	b.report()
	return nil
}

// stillValid refuses the next batch when the credential the ingest came with
// was revoked or has expired since the upload began: an upload may run for
// hours, and "revoked" must stop it at once, not at its end.
func (b *Batch) stillValid() error {
	if b.tokenID == 0 {
		return nil
	}
	t, err := b.s.Client.Token.Get(b.ctx, b.tokenID)
	switch {
	case ent.IsNotFound(err):
	case err != nil:
		return err
	case t.RevokedAt == nil && (t.ExpiresAt == nil || t.ExpiresAt.After(b.s.now())):
		return nil
	}
	return apperr.New(apperr.Unauthenticated, "The token this upload came with was revoked or has expired since it began.")
}

func (b *Batch) store() error {
	raws := b.pending
	b.pending = nil
	now := b.s.now()
	var (
		checked []valid
		refused []LineError // told only with the batch: a batch not stored is sent again whole
	)
	mcids := map[string]bool{}
	for _, r := range raws {
		v, code, msg := b.check(r, now)
		if msg != "" {
			refused = append(refused, LineError{r.Pos, code, msg})
			continue
		}
		checked = append(checked, v)
		mcids[v.mcid] = true
	}
	if len(checked) == 0 {
		b.refuse(refused)
		return nil
	}
	var (
		accepted, updated, dups int
		failed                  []LineError
		orgs                    []int
		skillIDs                []int
		times                   []time.Time
	)
	for _, v := range checked {
		skillIDs = append(skillIDs, v.skillID)
		times = append(times, v.completed)
	}
	slices.Sort(skillIDs)
	skillIDs = slices.Compact(skillIDs)
	// The batch's rows are written without the kept progress counts' refresh
	// per row; its people are refreshed once, in the same transaction.
	unkept := counting.Unkept(b.ctx)
	err := store.InTx(b.ctx, b.s.Client, func(tx *ent.Tx) error {
		accepted, updated, dups, failed, orgs = 0, 0, 0, nil, nil
		profiles, err := resolveProfiles(b.ctx, tx, mcids)
		if err != nil {
			return err
		}
		ids := make([]int, 0, len(profiles))
		for _, p := range profiles {
			ids = append(ids, p.id)
		}
		if b.s.RowLocks && len(ids) > 0 {
			// In id order, as every batch does: no deadlock between batches.
			// The locking read sees merges committed since this transaction
			// began (an MCID merge locks both profiles too): a profile merged
			// meanwhile sends the batch round again, to resolve to its survivor.
			locked, err := tx.Profile.Query().Where(profile.IDIn(ids...)).Order(profile.ByID()).ForUpdate().
				Select(profile.FieldID, profile.FieldMergedIntoID).All(b.ctx)
			if err != nil {
				return err
			}
			for _, p := range locked {
				if p.MergedIntoID != nil {
					return store.ErrRetry
				}
			}
		}
		// The type of each skill sent for a Partner University account, read
		// in the transaction and held (MySQL/MariaDB: the skill's row, which
		// a catalog change of its type writes first): the check below and
		// a racing change of the type to EXAM come one after the other.
		types, err := b.heldTypes(tx, checked, profiles)
		if err != nil {
			return err
		}
		// Only the rows this batch may meet (its skills and completion
		// times), not every result of its people: a batch's work does not
		// grow with their history.
		held, err := tx.Result.Query().Where(result.ProfileIDIn(ids...), result.SkillIDIn(skillIDs...), result.CompletedAtIn(times...)).
			Select(result.FieldID, result.FieldProfileID, result.FieldSkillID, result.FieldCompletedAt, result.FieldExpiresAt).All(b.ctx)
		if err != nil {
			return err
		}
		have := make(map[key]*ent.Result, len(held))
		for _, r := range held {
			have[keyOf(r.ProfileID, r.SkillID, r.CompletedAt)] = r
		}
		var (
			creates []*ent.ResultCreate
			added   []results.Added
		)
		fresh := map[key]int{} // results created in this batch → index in creates
		for _, v := range checked {
			p, ok := profiles[v.mcid]
			if !ok {
				failed = append(failed, LineError{v.pos, apperr.NotFound, fmt.Sprintf("no certification profile has MCID %s", v.mcid)})
				continue
			}
			// A Partner University account contributes assessments (L8):
			// an exam or a certification there would count for a person
			// whose Learning profile does not hold it.
			if t := types[v.skillID]; p.kind == profile.KindPARTNER_UNIVERSITY && t != skill.TypeASSESSMENT {
				what := "an exam"
				if t == skill.TypeCERTIFICATION {
					what = "a certification"
				}
				failed = append(failed, LineError{v.pos, apperr.InvalidInput, fmt.Sprintf("%s is a Partner University account, which holds assessments only (L8), and this skill is %s: send it for the person's Learning MCID",
					v.mcid, what)})
				continue
			}
			pid := p.id
			k := keyOf(pid, v.skillID, v.completed)
			create := func() *ent.ResultCreate {
				return tx.Result.Create().SetProfileID(pid).SetSkillID(v.skillID).
					SetCompletedAt(v.completed).SetNillableExpiresAt(v.expires).SetSource(b.source).SetRecognizedAt(now)
			}
			cur, seen := have[k]
			switch {
			case !seen:
				fresh[k] = len(creates)
				creates = append(creates, create())
				added = append(added, results.Added{ProfileID: pid, SkillID: v.skillID})
				have[k] = &ent.Result{ExpiresAt: v.expires}
				accepted++
			case sameExpiry(cur.ExpiresAt, v.expires):
				dups++
			case cur.ID == 0:
				// The same result twice in this batch with another expiry: the later wins.
				creates[fresh[k]] = create()
				cur.ExpiresAt = v.expires
				accepted++
				updated++
			default:
				u := tx.Result.UpdateOneID(cur.ID).SetSource(b.source).SetRecognizedAt(now)
				if v.expires != nil {
					u.SetExpiresAt(*v.expires)
				} else {
					u.ClearExpiresAt()
				}
				if err := u.Exec(unkept); err != nil {
					return err
				}
				cur.ExpiresAt = v.expires
				accepted++
				updated++
			}
		}
		if len(creates) > 0 {
			made, err := tx.Result.CreateBulk(creates...).Save(unkept)
			if err != nil {
				return err
			}
			for i := range added {
				added[i].ID = made[i].ID
			}
			if err := results.MarkLatestAdded(b.ctx, tx.Client(), b.s.RowLocks, added); err != nil {
				return err
			}
		}
		if accepted > 0 {
			people, err := tx.Association.Query().
				Where(association.EndedAtIsNil(), association.ProfileIDIn(ids...)).
				Unique(true).Select(association.FieldUserID).Ints(b.ctx)
			if err != nil {
				return err
			}
			dn := dialect.SQLite
			if b.s.RowLocks {
				dn = dialect.MySQL
			}
			if err := counting.Refresh(b.ctx, tx.Client(), dn, people); err != nil {
				return err
			}
		}
		orgs, err = tx.Association.Query().
			Where(association.EndedAtIsNil(), association.ProfileIDIn(ids...)).
			Unique(true).Select(association.FieldOrganizationID).Ints(b.ctx)
		return err
	})
	if err != nil {
		return err
	}
	b.refuse(refused)
	b.out.Accepted += accepted
	b.out.Updated += updated
	b.out.Duplicates += dups
	b.refuse(failed)
	for _, o := range orgs {
		b.orgs[o] = true
	}
	return nil
}

// refuse lists lines of a stored batch in the outcome's errors.
func (b *Batch) refuse(lines []LineError) {
	for _, f := range lines {
		b.out.add(f)
	}
}

// heldTypes reads, in tx, the types of the skills that checked sends for
// Partner University accounts, holding their rows on MySQL/MariaDB (in id
// order, as every batch does).
func (b *Batch) heldTypes(tx *ent.Tx, checked []valid, profiles map[string]resolved) (map[int]skill.Type, error) {
	var ids []int
	for _, v := range checked {
		if p, ok := profiles[v.mcid]; ok && p.kind == profile.KindPARTNER_UNIVERSITY {
			ids = append(ids, v.skillID)
		}
	}
	types := map[int]skill.Type{}
	if len(ids) == 0 {
		return types, nil
	}
	slices.Sort(ids)
	q := tx.Skill.Query().Where(skill.IDIn(slices.Compact(ids)...)).Order(skill.ByID()).Select(skill.FieldID, skill.FieldType)
	if b.s.RowLocks {
		q.ForUpdate()
	}
	rows, err := q.All(b.ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range rows {
		types[k.ID] = k.Type
	}
	return types, nil
}

// resolved is the profile a result of an MCID goes to, and its kind.
type resolved struct {
	id   int
	kind profile.Kind
}

// resolveProfiles maps MCIDs to profiles, following merges (U4) to the
// surviving profile.
func resolveProfiles(ctx context.Context, tx *ent.Tx, mcids map[string]bool) (map[string]resolved, error) {
	list := make([]string, 0, len(mcids))
	for m := range mcids {
		list = append(list, m)
	}
	ps, err := tx.Profile.Query().Where(profile.McidIn(list...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]resolved, len(ps))
	for _, p := range ps {
		id, into := p.ID, p.MergedIntoID
		// One step since merges name the live profile; a chain an earlier
		// version left is followed to its end (merges make no cycle: a
		// merged profile is never a survivor; bounded all the same).
		for hops := 0; into != nil; hops++ {
			if hops == 1000 {
				return nil, fmt.Errorf("MCID %s: more than 1000 merges in a chain", p.Mcid)
			}
			next, err := tx.Profile.Get(ctx, *into)
			if err != nil {
				return nil, err
			}
			id, into = next.ID, next.MergedIntoID
		}
		out[p.Mcid] = resolved{id, p.Kind}
	}
	return out, nil
}

func sameExpiry(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.UTC().UnixMicro() == b.UTC().UnixMicro()
}
