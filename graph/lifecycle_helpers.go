package graph

import (
	"context"

	"certlink/ent"
	"certlink/graph/model"
	"certlink/internal/apperr"
	"certlink/internal/history"
	"certlink/internal/page"
	"certlink/internal/people"
	"certlink/internal/viewer"
)

// pageRequest reads first/after (ConnectionBounds has bounded first already).
func pageRequest(first *int, after *ent.Cursor) page.Request {
	r := page.Request{First: page.Max}
	if first != nil {
		r.First = *first
	}
	if after != nil {
		r.After = after.ID
	}
	return r
}

// pageInfo builds the Relay page info and each row's cursor for a keyset page.
func pageInfo[T any](p page.Page[T], id func(T) int) (*ent.PageInfo, []ent.Cursor) {
	info := &ent.PageInfo{HasNextPage: p.HasNext}
	cursors := make([]ent.Cursor, len(p.Items))
	for i, it := range p.Items {
		cursors[i] = ent.Cursor{ID: id(it)}
	}
	if n := len(cursors); n > 0 {
		info.StartCursor, info.EndCursor = &cursors[0], &cursors[n-1]
	}
	return info, cursors
}

// auditConnection is a page of history (auditLog, linkHistoryEvents) as a
// connection.
func auditConnection(p page.Page[*ent.AuditEvent]) *model.AuditEventConnection {
	info, cursors := pageInfo(p, func(e *ent.AuditEvent) int { return e.ID })
	c := &model.AuditEventConnection{PageInfo: info, TotalCount: p.Total, Edges: []*model.AuditEventEdge{}}
	for i, e := range p.Items {
		c.Edges = append(c.Edges, &model.AuditEventEdge{Node: e, Cursor: cursors[i]})
	}
	return c
}

// person names a work account for history, tickets and tokens, as the viewer
// may see it (people.As): people of another organization are not named.
// Deleted accounts of one's own are: history outlives them.
func (r *Resolver) person(ctx context.Context, id *int) (*model.PersonRef, error) {
	if id == nil || *id == 0 {
		return nil, nil
	}
	u, err := r.Client.User.Get(viewer.System(ctx), *id)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ref := people.As(viewer.From(ctx), u)
	p := &model.PersonRef{Name: ref.Name, Deleted: ref.Deleted, Outside: ref.Outside}
	if ref.Email != "" {
		p.Email = &ref.Email
	}
	return p, nil
}

// auditFilter reads the audit log's where.
func auditFilter(w *model.AuditLogWhere) history.Filter {
	if w == nil {
		return history.Filter{}
	}
	f := history.Filter{Actions: w.Actions, MCID: deref(w.Mcid), From: w.From, To: w.To, Search: deref(w.Search)}
	if w.Actor != nil {
		f.ActorID = *w.Actor
	}
	if w.User != nil {
		f.UserID = *w.User
	}
	return f
}

// viewerIsPerson refuses anonymous callers.
func viewerIsPerson(ctx context.Context) error {
	if viewer.From(ctx) == nil {
		return apperr.ErrUnauthenticated
	}
	return nil
}

func roleStrings(rs []model.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// mayListOrganizationUsers refuses operators Organization.users: in no
// organization, they list no organization's people, as the top-level users
// refuses them (a review reached every account, with its roles and MCID,
// through Organization.users). The one account a ticket or a merge names
// stays readable to them (ent's privacy).
func mayListOrganizationUsers(v *viewer.Viewer) error {
	if v != nil && v.IsOperator() {
		return apperr.New(apperr.Forbidden, "Only an organization's admins can list its users.")
	}
	return nil
}
