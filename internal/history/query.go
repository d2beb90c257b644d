package history

import (
	"context"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/ent/predicate"
	"certlink/ent/profile"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/page"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// Service serves the history to the people allowed to read it.
type Service struct{ Client *ent.Client }

// MaxLinkHistory is the most events linkHistory lists at once. A longer
// history is refused, naming linkHistoryEvents, rather than cut: replaying a
// cut history gives the wrong holder.
const MaxLinkHistory = 1000

// linkEvents is the query of an MCID's history as far as v may see it: its
// owner (a work account that linked it) sees the entries about themself, the
// admins of an organization see their organization's part, operators all. An
// MCID with no entry v may see is NOT_FOUND (noHistory), so its existence does
// not leak.
func (s *Service) linkEvents(ctx context.Context, v *viewer.Viewer, mcid string) (*ent.AuditEventQuery, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	mcid = strings.TrimSpace(mcid)
	if mcid == "" {
		// Events that concern no MCID are stored with an empty one: asking
		// for "" would list them — an organization's whole audit log, to
		// people barred from it.
		return nil, apperr.New(apperr.InvalidInput, "Give the MCID whose history you want.").With("argument", "mcid")
	}
	sys := viewer.System(ctx)
	var visible []predicate.AuditEvent
	switch {
	case v.IsOperator() && v.Kind == viewer.KindUser:
		visible = append(visible, auditevent.McidEQ(mcid))
	default:
		if v.UserID != 0 && v.Kind == viewer.KindUser {
			owner, err := s.Client.Association.Query().
				Where(association.UserID(v.UserID), association.HasProfileWith(profile.Mcid(mcid))).Exist(sys)
			if err != nil {
				return nil, err
			}
			if owner {
				visible = append(visible, auditevent.UserID(v.UserID))
			}
		}
		if v.OrgID != 0 && (v.IsUserAdmin() || v.IsCompetencyAdmin()) && v.HasScope(viewer.ScopeAuditRead) {
			visible = append(visible, auditevent.OrganizationID(v.OrgID))
		}
	}
	if len(visible) == 0 {
		return nil, noHistory(mcid)
	}
	return s.Client.AuditEvent.Query().Where(auditevent.McidEQ(mcid), auditevent.Or(visible...)), nil
}

// noHistory is the answer for an MCID with no history the viewer may see.
func noHistory(mcid string) error {
	return apperr.New(apperr.NotFound, "There is no history you can see for MCID %q.", strings.TrimSpace(mcid))
}

// oldestFirst is the order of an MCID's history: by time, then as recorded.
var oldestFirst = []auditevent.OrderOption{ent.Asc(auditevent.FieldAt), ent.Asc(auditevent.FieldID)}

// LinkHistory returns an MCID's whole history, oldest first, as far as v may
// see it (linkEvents). A history longer than MaxLinkHistory is refused
// INVALID_INPUT, naming the limit and linkHistoryEvents, never cut.
func (s *Service) LinkHistory(ctx context.Context, v *viewer.Viewer, mcid string) ([]*ent.AuditEvent, error) {
	q, err := s.linkEvents(ctx, v, mcid)
	if err != nil {
		return nil, err
	}
	events, err := q.Order(oldestFirst...).Limit(MaxLinkHistory + 1).All(viewer.System(ctx))
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, noHistory(mcid)
	}
	if len(events) > MaxLinkHistory {
		return nil, apperr.New(apperr.InvalidInput,
			"MCID %q has more than %d history events, more than linkHistory lists at once: read them page by page, oldest first, with linkHistoryEvents(mcid, first, after).",
			strings.TrimSpace(mcid), MaxLinkHistory).
			With("argument", "mcid").With("limit", MaxLinkHistory).With("use", "linkHistoryEvents")
	}
	return events, nil
}

// LinkHistoryPage is one page of an MCID's history, oldest first (as
// LinkHistory), as far as v may see it. The cursor is the id of the last
// event seen; the page goes on from that event's (time, id), so events
// recorded with an earlier time than an already stored one are neither
// skipped nor repeated.
func (s *Service) LinkHistoryPage(ctx context.Context, v *viewer.Viewer, mcid string, r page.Request) (page.Page[*ent.AuditEvent], error) {
	var p page.Page[*ent.AuditEvent]
	q, err := s.linkEvents(ctx, v, mcid)
	if err != nil {
		return p, err
	}
	sys := viewer.System(ctx)
	total, err := q.Clone().Count(sys)
	if err != nil {
		return p, err
	}
	if total == 0 {
		return p, noHistory(mcid)
	}
	if r.After > 0 {
		last, err := q.Clone().Where(auditevent.ID(r.After)).Only(sys)
		if ent.IsNotFound(err) {
			return p, apperr.New(apperr.InvalidInput,
				"The after cursor is not an event of MCID %q's history: take it from a page of linkHistoryEvents for this MCID.",
				strings.TrimSpace(mcid)).With("argument", "after")
		}
		if err != nil {
			return p, err
		}
		q.Where(auditevent.Or(auditevent.AtGT(last.At),
			auditevent.And(auditevent.AtEQ(last.At), auditevent.IDGT(last.ID))))
	}
	rows, err := q.Order(oldestFirst...).Limit(r.Size() + 1).All(sys)
	if err != nil {
		return p, err
	}
	return page.Cut(rows, r, total), nil
}

// Filter narrows the audit log; zero values do not filter.
type Filter struct {
	Actions         []string
	ActorID, UserID int
	MCID            string
	From, To        *time.Time
	Search          string
}

// maxActions bounds a filter's action list.
const maxActions = 50

func (f Filter) predicates() ([]predicate.AuditEvent, error) {
	var ps []predicate.AuditEvent
	if len(f.Actions) > maxActions {
		return nil, apperr.New(apperr.InvalidInput, "Filter by at most %d actions.", maxActions).With("field", "actions")
	}
	if err := CheckActions(f.Actions, "actions"); err != nil {
		return nil, err
	}
	if len(f.Actions) > 0 {
		ps = append(ps, auditevent.ActionIn(f.Actions...))
	}
	if f.ActorID != 0 {
		ps = append(ps, auditevent.ActorUserID(f.ActorID))
	}
	if f.UserID != 0 {
		ps = append(ps, auditevent.UserID(f.UserID))
	}
	if m := strings.TrimSpace(f.MCID); m != "" {
		ps = append(ps, auditevent.McidEQ(m))
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return nil, apperr.New(apperr.InvalidInput, "from must be before to.").With("field", "from")
	}
	if f.From != nil {
		ps = append(ps, auditevent.AtGTE(f.From.UTC()))
	}
	if f.To != nil {
		ps = append(ps, auditevent.AtLT(f.To.UTC()))
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		if len(s) > 200 {
			return nil, apperr.New(apperr.InvalidInput, "Search for at most 200 characters.").With("field", "search")
		}
		if why := text.BadSearch(s); why != "" {
			return nil, apperr.New(apperr.InvalidInput, "The search %s.", why).With("field", "search")
		}
		ps = append(ps, auditevent.DetailContainsFold(norm.NFC.String(s)))
	}
	return ps, nil
}

// predicates are f's, with the actor and user filters kept to the reader's
// organization's people: the log names no one else (people.As), so a filter
// on another organization's account id must not say whether they acted here
// (issue 11 item 10b). It then matches nothing, as a filter on an unknown id.
func (s *Service) predicates(ctx context.Context, v *viewer.Viewer, f Filter) ([]predicate.AuditEvent, error) {
	ps, err := f.predicates()
	if err != nil {
		return nil, err
	}
	for _, id := range []int{f.ActorID, f.UserID} {
		if id == 0 {
			continue
		}
		ours, err := s.Client.User.Query().Where(user.ID(id), user.OrganizationID(v.OrgID)).Exist(viewer.System(ctx))
		if err != nil {
			return nil, err
		}
		if !ours {
			ps = append(ps, auditevent.IDEQ(0))
		}
	}
	return ps, nil
}

// canReadLog applies who reads the audit log: Global Admins (and their
// partner tools holding AUDIT_READ).
func canReadLog(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if v.OrgID == 0 || !v.Has(viewer.GlobalAdmin) {
		return apperr.New(apperr.Forbidden, "Only a Global Admin can read the organization's audit log.")
	}
	if !v.HasScope(viewer.ScopeAuditRead) {
		return apperr.ScopeMissing(viewer.ScopeAuditRead)
	}
	return nil
}

// AuditLog is the organization's history, newest first, as f narrows it, for
// its Global Admins (and their partner tools holding AUDIT_READ).
func (s *Service) AuditLog(ctx context.Context, v *viewer.Viewer, r page.Request, f Filter) (page.Page[*ent.AuditEvent], error) {
	var p page.Page[*ent.AuditEvent]
	if err := canReadLog(v); err != nil {
		return p, err
	}
	ps, err := s.predicates(ctx, v, f)
	if err != nil {
		return p, err
	}
	sys := viewer.System(ctx)
	q := s.Client.AuditEvent.Query().Where(auditevent.OrganizationID(v.OrgID)).Where(ps...)
	total, err := q.Clone().Count(sys)
	if err != nil {
		return p, err
	}
	if r.After > 0 {
		last, err := q.Clone().Where(auditevent.ID(r.After)).Only(sys)
		if ent.IsNotFound(err) {
			return p, apperr.New(apperr.InvalidInput,
				"The after cursor is not an event of this audit log: take it from a page of auditLog asked with the same filters.").With("argument", "after")
		}
		if err != nil {
			return p, err
		}
		q.Where(before(last))
	}
	rows, err := q.Order(newestFirst...).Limit(r.Size() + 1).All(sys)
	if err != nil {
		return p, err
	}
	return page.Cut(rows, r, total), nil
}

// newestFirst is the audit log's order: by the moment of the event, newest
// first, then by record. By record alone, events that raced each other came
// out of their moments' order (an outside review saw 12 such inversions).
var newestFirst = []auditevent.OrderOption{ent.Desc(auditevent.FieldAt), ent.Desc(auditevent.FieldID)}

// before keeps the events that come after last in newestFirst's order.
func before(last *ent.AuditEvent) predicate.AuditEvent {
	return auditevent.Or(auditevent.AtLT(last.At), auditevent.And(auditevent.AtEQ(last.At), auditevent.IDLT(last.ID)))
}

// exportChunk is how many events Each reads at a time.
const exportChunk = 500

// Each calls fn for every event of the organization's history that f keeps,
// newest first, reading it in keyset chunks: memory stays constant however
// long the history (the CSV export).
func (s *Service) Each(ctx context.Context, v *viewer.Viewer, f Filter, fn func(*ent.AuditEvent) error) error {
	if err := canReadLog(v); err != nil {
		return err
	}
	ps, err := s.predicates(ctx, v, f)
	if err != nil {
		return err
	}
	sys := viewer.System(ctx)
	var after *ent.AuditEvent
	for {
		q := s.Client.AuditEvent.Query().Where(auditevent.OrganizationID(v.OrgID)).Where(ps...)
		if after != nil {
			q.Where(before(after))
		}
		rows, err := q.Order(newestFirst...).Limit(exportChunk).All(sys)
		if err != nil {
			return err
		}
		for _, e := range rows {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(rows) < exportChunk {
			return nil
		}
		after = rows[len(rows)-1]
	}
}

// CheckActions refuses an action the log never records — a typo, the wrong
// letter case — as INVALID_INPUT naming the actions, with field as the
// input's name: a mistake, not a filter of nothing (review: a partner tool
// read "no events"). The GraphQL filter and the CSV download both check
// here.
func CheckActions(actions []string, field string) error {
	for _, a := range actions {
		if !slices.Contains(Actions(), a) {
			return apperr.New(apperr.InvalidInput, "%s is not an action of the audit log (%s).", text.Quote(a), strings.Join(Actions(), ", ")).With("field", field)
		}
	}
	return nil
}
