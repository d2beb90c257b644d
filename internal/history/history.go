// Package history records and serves B3: every link, unlink, move, merge,
// deletion and role change, with who did it and when. Rows are only appended.
package history

import (
	"context"
	"fmt"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/auditevent"
	"certlink/internal/people"
)

// Actions recorded in the audit log.
const (
	Linked           = "LINKED"
	Unlinked         = "UNLINKED"
	MovedOut         = "MOVED_OUT"
	LinkEndedDeleted = "LINK_ENDED_USER_DELETED"
	ReportRemoved    = "REMOVED_FROM_REPORT"
	LinkEndedMerged  = "LINK_ENDED_MERGED"
	LinkEndedOther   = "LINK_ENDED_OTHER_ACCOUNT" // the person's other account was associated elsewhere
	ProfilesMerged   = "PROFILES_MERGED"
	UserInvited      = "USER_INVITED"
	InviteResent     = "INVITE_RESENT"
	SSOBound         = "SSO_BOUND"
	DomainChanged    = "DOMAIN_CHANGED"
	UserUpdated      = "USER_UPDATED"
	UserDeleted      = "USER_DELETED"
	RolesChanged     = "ROLES_CHANGED"
	TokenCreated     = "API_TOKEN_CREATED"
	TokenRevoked     = "API_TOKEN_REVOKED"
	OfferPurchased   = "OFFER_PURCHASED"
	AttestationSet   = "ATTESTATION_SET"
	ReminderSent     = "ASSOCIATION_REMINDER_SENT"
	LegacyRemoved    = "LEGACY_RECOGNITION_REMOVED"
)

// actionLabels are the actions in words, as the audit log shows them.
var actionLabels = map[string]string{
	Linked:           "Account associated",
	Unlinked:         "Access removed",
	MovedOut:         "Moved to another work account",
	LinkEndedDeleted: "Link ended: user deleted",
	ReportRemoved:    "Removed from the report",
	LinkEndedMerged:  "Link ended: profiles merged",
	LinkEndedOther:   "Link ended: the person's other account associated elsewhere",
	ProfilesMerged:   "Profiles merged",
	UserInvited:      "User invited",
	InviteResent:     "Invitation sent again",
	SSOBound:         "Single sign-on bound",
	DomainChanged:    "Verified domain changed",
	UserUpdated:      "User updated",
	UserDeleted:      "User deleted",
	RolesChanged:     "Roles changed",
	TokenCreated:     "API token created",
	TokenRevoked:     "API token revoked",
	OfferPurchased:   "Offer purchased",
	AttestationSet:   "Requirement attested",
	ReminderSent:     "Reminder to associate sent",
	LegacyRemoved:    "Legacy recognition removed",
}

// ActionLabel is an action in words ("User deleted"); an unknown one as is.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// Actions lists every action, in the order above.
func Actions() []string {
	return []string{Linked, Unlinked, MovedOut, LinkEndedDeleted, ReportRemoved, LinkEndedMerged, LinkEndedOther, ProfilesMerged,
		UserInvited, InviteResent, SSOBound, DomainChanged, UserUpdated, UserDeleted, RolesChanged, TokenCreated,
		TokenRevoked, OfferPurchased, AttestationSet, ReminderSent, LegacyRemoved}
}

// Event is one history entry to record. Zero ids are stored as NULL.
type Event struct {
	Action  string
	ActorID int // who did it; 0 for the system
	OrgID   int // whose history it belongs to
	UserID  int // the work account concerned
	MCID    string
	// Kind is the directory account MCID numbers: a Learning account's MCID
	// or a Partner University account's number (empty with no MCID).
	Kind   association.Kind
	Detail string
	At     time.Time // zero: now
}

// Record appends e through c (a transaction's client, so it commits with its cause).
func Record(ctx context.Context, c *ent.Client, e Event) error {
	q := c.AuditEvent.Create().SetAction(e.Action).SetMcid(e.MCID).SetDetail(truncate(e.Detail, 2000))
	if !e.At.IsZero() {
		q.SetAt(e.At)
	}
	switch {
	case e.Kind != "":
		q.SetLinkKind(auditevent.LinkKind(e.Kind))
	case e.MCID != "":
		q.SetLinkKind(auditevent.LinkKindLEARNING)
	}
	if e.ActorID != 0 {
		q.SetActorUserID(e.ActorID)
	}
	if e.OrgID != 0 {
		q.SetOrganizationID(e.OrgID)
	}
	if e.UserID != 0 {
		q.SetUserID(e.UserID)
	}
	return q.Exec(ctx)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// LinkObserver records links and their ends (a linking.Observer).
type LinkObserver struct{}

// LinkStarted implements linking.Observer.
func (LinkObserver) LinkStarted(ctx context.Context, tx *ent.Tx, a *ent.Association) error {
	mcid, who, err := names(ctx, tx.Client(), a)
	if err != nil {
		return err
	}
	return Record(ctx, tx.Client(), Event{
		Action: Linked, ActorID: a.UserID, OrgID: a.OrganizationID, UserID: a.UserID, MCID: mcid, Kind: a.Kind, At: a.StartedAt,
		Detail: fmt.Sprintf("%s %s associated with %s.", kindName(a.Kind), mcid, who),
	})
}

// LinkEnded implements linking.Observer.
func (LinkObserver) LinkEnded(ctx context.Context, tx *ent.Tx, a *ent.Association, cause association.EndReason, actorID int) error {
	mcid, who, err := names(ctx, tx.Client(), a)
	if err != nil {
		return err
	}
	action, why := endAction(cause)
	e := Event{Action: action, ActorID: actorID, OrgID: a.OrganizationID, UserID: a.UserID, MCID: mcid, Kind: a.Kind,
		Detail: fmt.Sprintf("%s %s of %s: %s.", kindName(a.Kind), mcid, who, why)}
	if a.EndedAt != nil {
		e.At = *a.EndedAt
	}
	return Record(ctx, tx.Client(), e)
}

func endAction(cause association.EndReason) (action, why string) {
	switch cause {
	case association.EndReasonMOVED:
		return MovedOut, "association moved to another work account"
	case association.EndReasonUSER_DELETED:
		return LinkEndedDeleted, "link ended because the work account was deleted"
	case association.EndReasonREPORT_REMOVED:
		return ReportRemoved, "removed from the skills report by an admin"
	case association.EndReasonMERGED:
		return LinkEndedMerged, "link ended by an MCID merge"
	case association.EndReasonOTHER_ACCOUNT_LINKED:
		return LinkEndedOther, "link ended because the same person's other account was associated with another work account"
	default:
		return Unlinked, "access removed"
	}
}

func kindName(k association.Kind) string {
	if k == association.KindPARTNER_UNIVERSITY {
		return "Partner University account"
	}
	return "Microsoft Learning account (MCID)"
}

func names(ctx context.Context, c *ent.Client, a *ent.Association) (mcid, who string, err error) {
	p, err := people.PartyOf(ctx, c, a.UserID, a.ProfileID)
	if err != nil {
		return "", "", fmt.Errorf("history of link %d: %w", a.ID, err)
	}
	return p.MCID, fmt.Sprintf("%s (%s)", p.Name, p.Email), nil
}
