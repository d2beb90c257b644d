package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/competency"
	"certlink/ent/competencyoption"
	"certlink/ent/organization"
	"certlink/ent/profile"
	"certlink/ent/skill"
	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/progress"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// MaxPage is the largest page the connection serves; the CSV streams from one
// query and flushes to the client every DefaultChunkSize rows.
const (
	MaxPage          = 100
	DefaultChunkSize = 5000
)

// Row is one line of the report (S1).
type Row struct {
	ID          int // the result's id
	ProfileID   int // the row's key is (ProfileID, SkillID)
	Name, Email string
	MCID        string
	SkillType   string
	SkillNumber string
	Title       string
	SkillID     int
	CompletedAt time.Time
	ExpiresAt   *time.Time
	// Competencies are the options the result counts towards now ("Cloud
	// Platform: Silver (Standard)"); none when it does not count.
	Competencies     []string
	AssociatedInPC   bool
	NeedsAssociation bool // credited through the legacy path only (S3)
	Source           string
	RecognizedAt     time.Time
	// UserID is the row's work account; 0 for the legacy path.
	UserID int
	// Counting: the result counts now (associated, and progress.CountsAt).
	Counting bool
	// CountsUntil is when it stops or stopped counting (progress.CountsUntil).
	CountsUntil *time.Time
	// RetiredOn is the skill's retirement date, if retired.
	RetiredOn *time.Time
	// Account is the kind of directory account MCID numbers (LEARNING or
	// PARTNER_UNIVERSITY: then it is that account's number). Read for a page
	// (PageAndCount, one statement for its profiles), not for the CSV.
	Account string
}

// Cursor marks a row in an ordering: the rows after it come next. A row is
// named by its key (profile, skill), which stays while newer results of the
// skill arrive.
type Cursor struct {
	Profile, Skill int
	Field          OrderField
	Value          string
}

// Page is one page of rows.
type Page struct {
	Rows    []Row
	HasNext bool
	Order   Order
}

// CursorOf returns the cursor of row r in order o.
func CursorOf(r Row, o Order) Cursor {
	c := Cursor{Profile: r.ProfileID, Skill: r.SkillID, Field: field(o)}
	switch c.Field {
	case ByEmail:
		c.Value = r.Email
	case ByMCID:
		c.Value = r.MCID
	case BySkillNumber:
		c.Value = r.SkillNumber
	case ByCompletedAt:
		c.Value = r.CompletedAt.UTC().Format(time.RFC3339Nano)
	case ByExpiresAt:
		// No expiry is the empty value: any moment would be a real one, and
		// one expiry at that moment read as none (review: 9999-12-31, the
		// stand-in, paged forever descending and skipped rows ascending).
		if r.ExpiresAt != nil {
			c.Value = r.ExpiresAt.UTC().Format(time.RFC3339Nano)
		}
	default:
		c.Value = r.Name
	}
	return c
}

func field(o Order) OrderField {
	if o.Field == "" {
		return ByName
	}
	return o.Field
}

// Service reads the report with C7's permissions.
type Service struct {
	Client *ent.Client
	// Now is the clock for the "valid only" filter; nil means time.Now.
	Now func() time.Time
	// ChunkSize is how many rows Each streams between flushes; 0 means DefaultChunkSize.
	ChunkSize int
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Org returns the viewer's organization after checking C7; the CSV handler
// calls it before writing any header.
func (s *Service) Org(ctx context.Context, v *viewer.Viewer) (*ent.Organization, error) {
	if err := progress.Authorize(v, viewer.ScopeReportRead); err != nil {
		return nil, err
	}
	return s.Client.Organization.Query().Where(organization.ID(v.OrgID)).Only(viewer.System(ctx))
}

// Check answers what Each would refuse — the viewer (C7), a bad filter or
// order, an unknown competency (NOT_FOUND) — before anything is streamed: the
// CSV download checks first, then sends its headers.
func (s *Service) Check(ctx context.Context, v *viewer.Viewer, f Filter, o Order) error {
	if err := progress.Authorize(v, viewer.ScopeReportRead); err != nil {
		return err
	}
	_, err := s.reader(ctx, v.OrgID, f, o)
	return err
}

// PageAndCount returns a page of up to first rows the filter keeps after
// the cursor (nil: from the first) in order o and, when withCount, how many
// rows it keeps in all, read in one snapshot (store.ReadSnapshot): a page
// and its totalCount agree however links and results change meanwhile (two
// reads, they differed under churn).
func (s *Service) PageAndCount(ctx context.Context, v *viewer.Viewer, f Filter, o Order, after *Cursor, first int, withCount bool) (*Page, int, error) {
	if err := progress.Authorize(v, viewer.ScopeReportRead); err != nil {
		return nil, 0, err
	}
	if first < 0 || first > MaxPage {
		return nil, 0, apperr.New(apperr.InvalidInput, "first must be between 0 and %d.", MaxPage).With("argument", "first")
	}
	r, err := s.reader(ctx, v.OrgID, f, o)
	if err != nil {
		return nil, 0, err
	}
	var (
		page *Page
		n    int
	)
	err = store.ReadSnapshot(viewer.System(ctx), s.Client, func(c *ent.Client) (err error) {
		r.client = c
		if page, err = r.page(ctx, after, first); err != nil {
			return err
		}
		if err = accounts(ctx, c, page.Rows); err != nil || !withCount {
			return err
		}
		n, err = r.count(ctx)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return page, n, nil
}

// accounts sets each row's Account from its profile, in one statement.
func accounts(ctx context.Context, c *ent.Client, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.ProfileID
	}
	ps, err := c.Profile.Query().Where(profile.IDIn(ids...)).Select(profile.FieldKind).All(viewer.System(ctx))
	if err != nil {
		return fmt.Errorf("reading the report rows' accounts: %w", err)
	}
	kind := make(map[int]string, len(ps))
	for _, p := range ps {
		kind[p.ID] = string(p.Kind)
	}
	for i := range rows {
		rows[i].Account = kind[rows[i].ProfileID]
	}
	return nil
}

// Each calls fn for every row in order and flush after every ChunkSize rows
// (the CSV writer streams through it). The rows come from one statement read as
// it goes: memory stays constant at any size, and the database builds the row
// set once (in the default order, by name, without sorting it: see rowsSQL). (Paging with a keyset instead rebuilt and re-sorted the
// whole set for every chunk — quadratic: a 1,000,000-row export took minutes.)
//
// Reading and writing overlap: one goroutine steps through the statement and
// fills batches of rows while the caller's fn encodes and sends the previous
// ones, so the database's time and the writer's add up to the larger of the
// two, not their sum. A few batches circulate; memory stays constant.
func (s *Service) Each(ctx context.Context, v *viewer.Viewer, f Filter, o Order, fn func(Row) error, flush func() error) error {
	if err := progress.Authorize(v, viewer.ScopeReportRead); err != nil {
		return err
	}
	r, err := s.reader(ctx, v.OrgID, f, o)
	if err != nil {
		return err
	}
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	b := r.rows()
	b.add(orderBy(field(r.order), r.order.Desc))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full, free := make(chan []Row, batches), make(chan []Row, batches)
	for range batches {
		free <- make([]Row, 0, batchRows)
	}
	read := make(chan error, 1)
	go func() {
		defer close(full)
		read <- r.read(ctx, b.sb.String(), b.args, full, free)
	}()
	n := 0
	for batch := range full {
		for _, row := range batch {
			if err := fn(row); err != nil {
				return err // the deferred cancel stops the reader
			}
			if n++; n%chunk == 0 && flush != nil {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		free <- batch[:0]
	}
	if err := <-read; err != nil {
		return err
	}
	if flush != nil {
		return flush()
	}
	return nil
}

// Each's reader and writer pass batches of batchRows rows; batches of them
// circulate.
const (
	batches   = 4
	batchRows = 256
)

// read runs the query and sends its rows in batches to full, taking empty
// batches from free, until the rows end, an error, or ctx is done.
func (r *reader) read(ctx context.Context, query string, args []any, full, free chan []Row) error {
	rows, err := r.client.QueryContext(viewer.System(ctx), query, args...)
	if err != nil {
		return fmt.Errorf("reading report rows: %w", err)
	}
	defer rows.Close()
	batch := <-free
	for rows.Next() {
		batch = batch[:len(batch)+1]
		if err := r.scan(ctx, rows, &batch[len(batch)-1]); err != nil {
			return err
		}
		if len(batch) == cap(batch) {
			select {
			case full <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case batch = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading report rows: %w", err)
	}
	if len(batch) > 0 {
		select {
		case full <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// reader is one report query: its organization, filter, order and catalog index.
type reader struct {
	client   *ent.Client
	orgID    int
	filter   Filter
	order    Order
	now      time.Time
	labels   map[int][]string
	skills   map[int]*ent.Skill // the catalog's skills by id
	skillIDs []int              // the skill filters, resolved; nil when none
}

func (s *Service) reader(ctx context.Context, orgID int, f Filter, o Order) (*reader, error) {
	if err := f.Validate(o); err != nil {
		return nil, apperr.New(apperr.InvalidInput, "%s", err.Error())
	}
	sys := viewer.System(ctx)
	labels, byKey, err := catalogIndex(sys, s.Client)
	if err != nil {
		return nil, err
	}
	skills, err := s.Client.Skill.Query().Select(skill.FieldNumber, skill.FieldTitle, skill.FieldType, skill.FieldValidUntil, skill.FieldRetiredOn).All(sys)
	if err != nil {
		return nil, err
	}
	r := &reader{client: s.Client, orgID: orgID, filter: f, order: o, now: s.now(), labels: labels,
		skills: make(map[int]*ent.Skill, len(skills))}
	for _, sk := range skills {
		r.skills[sk.ID] = sk
	}
	var competencySkills []int
	if f.Competency != "" {
		ids, ok := byKey[f.Competency]
		if !ok {
			return nil, apperr.New(apperr.NotFound, "No competency has the key %q.", f.Competency).With("argument", "competency")
		}
		competencySkills = append([]int{}, ids...)
	}
	r.skillIDs = f.skillIDs(r.skills, competencySkills, r.now)
	return r, nil
}

// rows starts the statement reading the filtered rows; the caller adds the
// order (and a page's cursor and limit).
func (r *reader) rows() *builder {
	var b builder
	b.add("SELECT "+rowColumns+" FROM ("+rowsSQL(field(r.order) == BySkillNumber)+") t", r.orgID, r.orgID)
	r.filter.where(&b, r.skillIDs, r.now)
	return &b
}

func (r *reader) count(ctx context.Context) (int, error) {
	var b builder
	b.add("SELECT COUNT(*) FROM ("+rowsSQL(false)+") t", r.orgID, r.orgID)
	r.filter.where(&b, r.skillIDs, r.now)
	var n int
	rows, err := r.client.QueryContext(viewer.System(ctx), b.sb.String(), b.args...)
	if err != nil {
		return 0, fmt.Errorf("counting report rows: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

func (r *reader) page(ctx context.Context, after *Cursor, limit int) (*Page, error) {
	p := &Page{Order: r.order}
	if limit == 0 {
		return p, nil
	}
	b := r.rows()
	if after != nil {
		if after.Field != field(r.order) {
			return nil, apperr.New(apperr.InvalidInput, "This cursor belongs to another ordering: start again without after.").With("argument", "after")
		}
		v, err := cursorValue(*after)
		if err != nil {
			return nil, err
		}
		keyset(b, field(r.order), r.order.Desc, v, after.Profile, after.Skill)
	}
	b.add(orderBy(field(r.order), r.order.Desc)+" LIMIT ?", limit+1)
	rows, err := r.client.QueryContext(viewer.System(ctx), b.sb.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("reading report rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(p.Rows) == limit {
			p.HasNext = true
			break
		}
		var row Row
		if err := r.scan(ctx, rows, &row); err != nil {
			return nil, err
		}
		p.Rows = append(p.Rows, row)
	}
	return p, rows.Err()
}

// scan reads one row of rowColumns into row.
func (r *reader) scan(ctx context.Context, rows *sql.Rows, row *Row) error {
	var (
		completed, recog string
		expires          sql.NullString
		associated       int
	)
	if err := rows.Scan(&row.ID, &row.ProfileID, &row.Name, &row.Email, &row.MCID, &row.SkillID,
		&completed, &expires, &row.Source, &recog, &associated, &row.UserID); err != nil {
		return err
	}
	c, err := progress.ParseTime(completed)
	if err != nil {
		return fmt.Errorf("reading completed_at: %w", err)
	}
	row.CompletedAt = c
	row.ExpiresAt = nil
	if expires.Valid {
		e, err := progress.ParseTime(expires.String)
		if err != nil {
			return fmt.Errorf("reading expires_at: %w", err)
		}
		row.ExpiresAt = &e
	}
	row.RecognizedAt = time.Time{}
	if t, err := progress.ParseTime(recog); err == nil {
		row.RecognizedAt = t
	}
	sk, err := r.skill(ctx, row.SkillID)
	if err != nil {
		return err
	}
	row.SkillType, row.SkillNumber, row.Title = string(sk.Type), sk.Number, sk.Title
	row.AssociatedInPC = associated == 1
	row.NeedsAssociation = !row.AssociatedInPC
	row.RetiredOn = sk.RetiredOn
	row.CountsUntil = progress.CountsUntil(row.ExpiresAt, sk.ValidUntil)
	// Only a linked person's valid result counts (C2, C3): the report says
	// what counts now, not what once did or would once associated.
	row.Counting = row.AssociatedInPC && progress.CountsAt(row.CompletedAt, row.ExpiresAt, sk.ValidUntil, r.now)
	row.Competencies = nil
	if row.Counting {
		row.Competencies = r.labels[row.SkillID]
	}
	return nil
}

// skill returns a skill of the catalog; one added since the report began is
// read on first sight.
func (r *reader) skill(ctx context.Context, id int) (*ent.Skill, error) {
	if sk, ok := r.skills[id]; ok {
		return sk, nil
	}
	sk, err := r.client.Skill.Query().Where(skill.ID(id)).
		Select(skill.FieldNumber, skill.FieldTitle, skill.FieldType, skill.FieldValidUntil, skill.FieldRetiredOn).Only(viewer.System(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading skill %d: %w", id, err)
	}
	r.skills[id] = sk
	return sk, nil
}

// cursorValue turns a cursor's value back into the sort key's type.
func cursorValue(c Cursor) (any, error) {
	switch c.Field {
	case ByCompletedAt, ByExpiresAt:
		if c.Field == ByExpiresAt && c.Value == "" {
			return nil, nil // the cursor row has no expiry
		}
		t, err := time.Parse(time.RFC3339Nano, c.Value)
		if err != nil {
			return nil, apperr.New(apperr.InvalidInput, "The cursor is not valid.").With("argument", "after")
		}
		return t.UTC(), nil
	}
	return c.Value, nil
}

// catalogIndex maps each skill to the options it counts towards, and each
// competency key to its skills. The catalog is small.
func catalogIndex(ctx context.Context, c *ent.Client) (map[int][]string, map[string][]int, error) {
	comps, err := c.Competency.Query().Order(competency.ByPosition(), competency.ByID()).
		WithOptions(func(q *ent.CompetencyOptionQuery) {
			q.Order(competencyoption.ByPosition(), competencyoption.ByID()).
				WithRequirements(func(q *ent.RequirementQuery) { q.WithSkills() })
		}).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	labels := map[int][]string{}
	byKey := map[string][]int{}
	for _, comp := range comps {
		byKey[comp.Key] = []int{}
		for _, op := range comp.Edges.Options {
			label := fmt.Sprintf("%s: %s (%s)", comp.Name, titleCase(string(op.Level)), op.Name)
			for _, req := range op.Edges.Requirements {
				for _, sk := range req.Edges.Skills {
					if !slices.Contains(labels[sk.ID], label) {
						labels[sk.ID] = append(labels[sk.ID], label)
					}
					if !slices.Contains(byKey[comp.Key], sk.ID) {
						byKey[comp.Key] = append(byKey[comp.Key], sk.ID)
					}
				}
			}
		}
	}
	return labels, byKey, nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return s[:1] + strings.ToLower(s[1:])
}

// ParseBool reads a yes/no filter value from a query string.
func ParseBool(name, s string) (*bool, error) {
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, fmt.Errorf("%s: want true or false, got %q", name, s)
	}
	return &b, nil
}
