// Package support holds support tickets (U3): a user raises one from their
// account; their organization's admins and the operators see and answer it; the
// author sees the answers.
package support

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/predicate"
	"certlink/ent/supportticket"
	"certlink/ent/ticketreply"
	"certlink/internal/apperr"
	"certlink/internal/clock"
	"certlink/internal/linking"
	"certlink/internal/page"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// Categories a ticket can have.
var Categories = []string{"ACCOUNT", "ASSOCIATION", "COMPETENCY", "REPORT", "OTHER"}

// Service keeps support tickets.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

func person(v *viewer.Viewer) error {
	if v == nil {
		return apperr.ErrUnauthenticated
	}
	if !v.IsSession() {
		return apperr.New(apperr.Forbidden, "Support tickets are for people signed in with their work account.")
	}
	return nil
}

// staff reports whether v answers tickets of the organization orgID.
func staff(v *viewer.Viewer, orgID *int) bool {
	if v.IsOperator() {
		return true
	}
	return v.IsUserAdmin() && orgID != nil && *orgID == v.OrgID
}

// visible narrows tickets to those v may see.
func visible(v *viewer.Viewer) predicate.SupportTicket {
	switch {
	case v.IsOperator():
		return supportticket.IDGT(0)
	case v.IsUserAdmin():
		return supportticket.Or(supportticket.OrganizationID(v.OrgID), supportticket.AuthorID(v.UserID))
	default:
		return supportticket.AuthorID(v.UserID)
	}
}

// A ticket's subject is one line; its body and answers may hold line breaks and
// tabs, never other control characters or direction overrides.
var (
	ticketSubject = text.Field{Name: "subject", What: "A subject", Max: 300,
		Length: "Enter a subject of 1 to 300 characters."}
	ticketBody = text.Field{Name: "body", What: "The description", Max: 20000, Multiline: true,
		Length: "Describe the problem in 1 to 20,000 characters."}
	replyBody = text.Field{Name: "body", What: "An answer", Max: 20000, Multiline: true,
		Length: "Write an answer of 1 to 20,000 characters."}
)

// NewTicket is what the user writes. ClientKey, optional, is the key the
// client chose for it: the same key again raises nothing new.
type NewTicket struct {
	Category, Subject, Body, ClientKey string
	// KeyGiven: a ClientKey was sent, even an empty one (refused).
	KeyGiven bool
}

// clientKey is 1 to 64 letters, digits, '-' or '_' (a UUID fits).
var clientKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Create raises a ticket for the viewer's organization.
func (s *Service) Create(ctx context.Context, v *viewer.Viewer, in NewTicket) (*ent.SupportTicket, error) {
	if err := person(v); err != nil {
		return nil, err
	}
	cat := strings.ToUpper(strings.TrimSpace(in.Category))
	if !contains(Categories, cat) {
		return nil, apperr.New(apperr.InvalidInput, "Choose a category: %s.", strings.Join(Categories, ", ")).With("field", "category")
	}
	subject, err := ticketSubject.Check(in.Subject)
	if err != nil {
		return nil, err
	}
	body, err := ticketBody.Check(in.Body)
	if err != nil {
		return nil, err
	}
	if (in.KeyGiven || in.ClientKey != "") && !clientKey.MatchString(in.ClientKey) {
		return nil, apperr.New(apperr.InvalidInput, "A clientKey is 1 to 64 letters, digits, '-' or '_'.").With("field", "clientKey")
	}
	sys := viewer.System(ctx)
	var t *ent.SupportTicket
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		// The author's row first: two tickets raised at once count one
		// after the other, and a retry finds the ticket its first try raised.
		if err := linking.LockUser(sys, tx, v.UserID); err != nil {
			return err
		}
		if in.ClientKey != "" {
			// A retry after a lost answer (review: a second, identical
			// ticket) answers the ticket the key raised.
			prior, err := tx.SupportTicket.Query().
				Where(supportticket.AuthorID(v.UserID), supportticket.ClientKey(in.ClientKey)).Only(sys)
			switch {
			case err == nil && prior.Category == cat && prior.Subject == subject && prior.Body == body:
				t = prior
				return nil
			case err == nil:
				return apperr.New(apperr.Conflict, "This clientKey raised another ticket already: choose a new key for a new ticket.").With("field", "clientKey")
			case !ent.IsNotFound(err):
				return err
			}
		}
		now := s.now()
		recent, err := tx.SupportTicket.Query().
			Where(supportticket.AuthorID(v.UserID), supportticket.CreatedAtGT(now.Add(-TicketWindow))).
			Order(ent.Asc(supportticket.FieldCreatedAt)).Limit(MaxTicketsPerWindow).
			Select(supportticket.FieldCreatedAt).All(sys)
		if err != nil {
			return err
		}
		if len(recent) >= MaxTicketsPerWindow {
			at := recent[0].CreatedAt.Add(TicketWindow).UTC()
			return apperr.New(apperr.RateLimited, "You raised %d tickets in the last 24 hours, the most: add to one of them, or raise the next after %s.",
				MaxTicketsPerWindow, at.Format("January 2, 2006 15:04 UTC")).
				With("retryAt", at.Format(time.RFC3339)).With("limit", "ticketsPerDay")
		}
		c := tx.SupportTicket.Create().SetAuthorID(v.UserID).SetCategory(cat).SetSubject(subject).
			SetBody(body).SetCreatedAt(now)
		if in.ClientKey != "" {
			c.SetClientKey(in.ClientKey)
		}
		if v.OrgID != 0 {
			c.SetOrganizationID(v.OrgID)
		}
		t, err = c.Save(sys)
		return err
	})
	if err != nil {
		return nil, err
	}
	return store.Detached(t), nil
}

// One person raises at most MaxTicketsPerWindow tickets in any TicketWindow:
// each holds up to MaxTicketBytes of text, and an account raising them
// without end wrote about 320 MB an hour (outside review).
const (
	MaxTicketsPerWindow = 20
	TicketWindow        = 24 * time.Hour
)

// List returns the tickets v may see, newest first.
func (s *Service) List(ctx context.Context, v *viewer.Viewer, r page.Request) (page.Page[*ent.SupportTicket], error) {
	var p page.Page[*ent.SupportTicket]
	if err := person(v); err != nil {
		return p, err
	}
	sys := viewer.System(ctx)
	q := s.Client.SupportTicket.Query().Where(visible(v))
	total, err := q.Clone().Count(sys)
	if err != nil {
		return p, err
	}
	if r.After > 0 {
		q.Where(supportticket.IDLT(r.After))
	}
	rows, err := q.Order(ent.Desc(supportticket.FieldID)).Limit(r.Size() + 1).All(sys)
	if err != nil {
		return p, err
	}
	return page.Cut(rows, r, total), nil
}

// Replies returns a ticket's answers, oldest first; the caller has the ticket.
// A ticket holds MaxReplies at most; one filled before that bound gives its
// latest MaxReplies, so the newest answer is never the one left out.
func (s *Service) Replies(ctx context.Context, ticketID int) ([]*ent.TicketReply, error) {
	rows, err := s.Client.TicketReply.Query().Where(ticketreply.TicketID(ticketID)).
		Order(ent.Desc(ticketreply.FieldID)).Limit(MaxReplies).All(viewer.System(ctx))
	slices.Reverse(rows)
	return rows, err
}

// Get returns one ticket v may see (node(id:)); NOT_FOUND for any other id.
func (s *Service) Get(ctx context.Context, v *viewer.Viewer, id int) (*ent.SupportTicket, error) {
	if err := person(v); err != nil {
		return nil, err
	}
	return s.get(ctx, s.Client, v, id)
}

func (s *Service) get(ctx context.Context, c *ent.Client, v *viewer.Viewer, id int) (*ent.SupportTicket, error) {
	t, err := c.SupportTicket.Query().Where(supportticket.ID(id), visible(v)).Only(viewer.System(ctx))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "There is no such support ticket that you can see.")
	}
	return t, err
}

// Reply answers a ticket. Staff answers mark it ANSWERED; the author's follow-up
// reopens it. A closed ticket takes no replies.
func (s *Service) Reply(ctx context.Context, v *viewer.Viewer, id int, body string) (*ent.SupportTicket, error) {
	if err := person(v); err != nil {
		return nil, err
	}
	body, err := replyBody.Check(body)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var out *ent.SupportTicket
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		// The ticket's row first, before anything is read: the transaction's
		// snapshot then holds every reply committed before this one's turn
		// (on MariaDB a read before the lock would fix an older one).
		if err := tx.SupportTicket.Update().Where(supportticket.ID(id)).AddLockVersion(1).Exec(sys); err != nil {
			return err
		}
		t, err := s.get(ctx, tx.Client(), v, id)
		if err != nil {
			return err
		}
		isStaff := staff(v, t.OrganizationID)
		if !isStaff && t.AuthorID != v.UserID {
			return apperr.New(apperr.Forbidden, "Only the ticket's author, its organization's admins and operators can answer it.")
		}
		if t.Status == supportticket.StatusCLOSED {
			return apperr.New(apperr.Conflict, "This ticket is closed. Raise a new one.")
		}
		if err := s.roomFor(ctx, tx, t, body); err != nil {
			return err
		}
		if err := tx.TicketReply.Create().SetTicketID(t.ID).SetAuthorID(v.UserID).SetBody(body).
			SetCreatedAt(s.now()).Exec(sys); err != nil {
			return err
		}
		status := supportticket.StatusOPEN
		if isStaff && t.AuthorID != v.UserID {
			status = supportticket.StatusANSWERED
		}
		out, err = tx.SupportTicket.UpdateOne(t).SetStatus(status).Save(sys)
		return err
	})
	if err != nil {
		return nil, err
	}
	return store.Detached(out), nil
}

// A ticket holds at most MaxReplies replies and MaxTicketBytes of text (its
// body and replies, UTF-8): every answer carries a ticket's whole thread, and
// a page of tickets carries theirs (outside review: one user's 1,000 replies
// of 64 KiB made a 33 MB answer for the admins and cut their own answers
// off). A conversation that needs more goes on in a new ticket.
const (
	MaxReplies     = 100
	MaxTicketBytes = 128 << 10
)

// roomFor checks that one more reply of body fits; the caller holds the
// ticket's row.
func (s *Service) roomFor(ctx context.Context, tx *ent.Tx, t *ent.SupportTicket, body string) error {
	sys := viewer.System(ctx)
	rows, err := tx.QueryContext(sys, "SELECT COUNT(*), COALESCE(SUM(octet_length(body)), 0) FROM ticket_replies WHERE ticket_id = ?", t.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var n, size int
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("support: counting ticket %d's replies answered no row", t.ID)
	}
	if err := store.ScanCounts(rows, &n, &size); err != nil {
		return err
	}
	if n >= MaxReplies {
		return apperr.New(apperr.Conflict, "This ticket has %d replies, the most one ticket holds. Raise a new ticket to go on.", n).
			With("limit", "ticketReplies")
	}
	if used := len(t.Body) + size; used+len(body) > MaxTicketBytes {
		return apperr.New(apperr.Conflict, "This ticket holds %d KB of text and this answer would take it past %d KB, the most one ticket holds. Shorten the answer or raise a new ticket to go on.",
			(used+1023)/1024, MaxTicketBytes>>10).With("limit", "ticketBytes")
	}
	return nil
}

// Close closes a ticket: its author, its organization's admins or an operator.
func (s *Service) Close(ctx context.Context, v *viewer.Viewer, id int) (*ent.SupportTicket, error) {
	if err := person(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	t, err := s.get(ctx, s.Client, v, id)
	if err != nil {
		return nil, err
	}
	if !staff(v, t.OrganizationID) && t.AuthorID != v.UserID {
		return nil, apperr.New(apperr.Forbidden, "Only the ticket's author, its organization's admins and operators can close it.")
	}
	return s.Client.SupportTicket.UpdateOne(t).SetStatus(supportticket.StatusCLOSED).Save(sys)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
