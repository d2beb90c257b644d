package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/notification"
	"certlink/ent/outboxmessage"
	"certlink/ent/user"
	"certlink/internal/clock"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// Alert is one at-risk warning to an organization's competency admins.
type Alert struct {
	OrgID int
	// Key makes the alert once-only: the same cause seen twice (a retried
	// transaction, a periodic check run again) writes nothing new.
	Key   string
	Title string
	Body  string
	// Link is the page the alert opens, a path within certlink
	// ("/competencies?open=…"); empty: the progress page.
	Link string
	// Requirements are those the alert is about. Each is recorded as an open
	// risk (a RiskNotice) so that the admins hear when it resolves.
	Requirements []RequirementState
	// Projected: the requirements are met today and projected to become
	// unmet on their ProjectedUnmetAt, announced at NoticeDays.
	Projected  bool
	NoticeDays int
	// Cause is the cause in a few words, repeated in the follow-up.
	Cause string
}

// Alerter writes alerts as in-app notifications and outbox mail, through the
// client of the transaction that found the cause (N2).
type Alerter struct {
	// PublicURL is where people reach certlink; mail links to its progress page.
	PublicURL string
	Now       func() time.Time
	// Wake, when set, is told after a commit that mail is waiting.
	Wake func()
}

func (a *Alerter) now() time.Time { return clock.Now(a.Now) }

// ProgressLink is the page an alert points to.
func (a *Alerter) ProgressLink() string { return a.URL("/competencies") }

// URL is the address of a path within certlink, for mail.
func (a *Alerter) URL(path string) string { return strings.TrimRight(a.PublicURL, "/") + path }

// Recipients are the organization's live Global Admins and MPN Partner Admins (N1).
func Recipients(ctx context.Context, c *ent.Client, orgID int) ([]*ent.User, error) {
	users, err := c.User.Query().
		Where(user.OrganizationID(orgID), user.DeletedAtIsNil()).
		Order(ent.Asc(user.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	var out []*ent.User
	for _, u := range users {
		if slices.Contains(u.Roles, string(viewer.GlobalAdmin)) || slices.Contains(u.Roles, string(viewer.MPNPartnerAdmin)) {
			out = append(out, u)
		}
	}
	return out, nil
}

// Raise writes one notification and one outbox mail per recipient, and
// records the alert's requirements as open risks. Raising an alert whose key
// was raised before writes nothing.
func (a *Alerter) Raise(ctx context.Context, c *ent.Client, al Alert) error {
	rcpts, err := Recipients(ctx, c, al.OrgID)
	if err != nil {
		return err
	}
	path := al.Link
	if path == "" {
		path = "/competencies"
	}
	link := a.URL(path)
	fresh := true
	for _, u := range rcpts {
		key := fmt.Sprintf("%s/u%d", al.Key, u.ID)
		created, err := a.notifyOnce(ctx, c, u.ID, key, al.Title, al.Body, link)
		if err != nil {
			return err
		}
		fresh = fresh && created
		body := fmt.Sprintf("Hello %s,\n\n%s\n\nOpen it in certlink: %s\n\n— certlink", u.Name, al.Body, link)
		m := Mail{To: u.Email, Subject: al.Title, Body: body, DedupeKey: "mail/" + key, RecipientID: u.ID}
		if u.OrganizationID != nil {
			m.OrgID = *u.OrganizationID
		}
		if err := Enqueue(ctx, c, m, a.now()); err != nil {
			return err
		}
	}
	if !fresh {
		return nil
	}
	return recordRisks(ctx, c, al, a.now())
}

func (a *Alerter) notifyOnce(ctx context.Context, c *ent.Client, userID int, key, title, body, link string) (bool, error) {
	exists, err := c.Notification.Query().Where(notification.DedupeKey(key)).Exist(ctx)
	if err != nil || exists {
		return false, err
	}
	return true, c.Notification.Create().SetUserID(userID).SetTitle(clip(text.OneLine(title), 300)).SetBody(body).
		SetLink(link).SetDedupeKey(key).SetCreatedAt(a.now()).Exec(ctx)
}

// Mail is one email to deliver.
type Mail struct {
	To, Subject, Body string
	// RecipientID is the work account the mail is for (0: someone with no
	// work account, such as a directory account's owner); OrgID the
	// organization whose mail it is: the recipient's, or the sender's.
	// Mailboxes show mail by these, never by address.
	RecipientID, OrgID int
	// DedupeKey is the message's identity: the outbox holds it once, the dev
	// mailbox stores it once, and SMTP mail carries it as its Message-ID.
	DedupeKey string
}

// Enqueue writes mail to the outbox through c, once per dedupe key. Call it with
// a transaction's client so the mail commits or rolls back with its cause.
func Enqueue(ctx context.Context, c *ent.Client, m Mail, now time.Time) error {
	exists, err := c.OutboxMessage.Query().Where(outboxmessage.DedupeKey(m.DedupeKey)).Exist(ctx)
	if err != nil || exists {
		return err
	}
	q := c.OutboxMessage.Create().SetToAddress(m.To).SetSubject(clip(text.OneLine(m.Subject), 300)).SetBody(m.Body).
		SetDedupeKey(m.DedupeKey).SetCreatedAt(now).SetNextAttemptAt(now)
	if m.RecipientID != 0 {
		q.SetRecipientUserID(m.RecipientID)
	}
	if m.OrgID != 0 {
		q.SetOrganizationID(m.OrgID)
	}
	return q.Exec(ctx)
}

// clip cuts s to at most n characters, never inside one.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}
