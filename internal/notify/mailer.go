package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"certlink/ent"
	"certlink/ent/devmail"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// DevMailer keeps mail in the database's dev mailbox: the embedded default when
// no SMTP server is configured, readable by admins in the web app.
type DevMailer struct {
	Client *ent.Client
	Now    func() time.Time
}

// Send implements Mailer. A dedupe key already in the mailbox means the mail was
// delivered before a crash: nothing is written again.
func (d DevMailer) Send(ctx context.Context, m Mail) error {
	sys := viewer.System(ctx)
	exists, err := d.Client.DevMail.Query().Where(devmail.DedupeKey(m.DedupeKey)).Exist(sys)
	if err != nil || exists {
		return err
	}
	now := time.Now().UTC()
	if d.Now != nil {
		now = d.Now().UTC()
	}
	q := d.Client.DevMail.Create().SetToAddress(m.To).SetSubject(text.OneLine(m.Subject)).SetBody(m.Body).
		SetDedupeKey(m.DedupeKey).SetCreatedAt(now)
	if m.RecipientID != 0 {
		q.SetRecipientUserID(m.RecipientID)
	}
	if m.OrgID != 0 {
		q.SetOrganizationID(m.OrgID)
	}
	err = q.Exec(sys)
	if err != nil && store.IsUniqueViolation(err) {
		return nil // a racing delivery of the same message won
	}
	return err
}

// SMTPMailer sends mail through an SMTP server with go-mail.
type SMTPMailer struct {
	From    string
	Host    string
	Domain  string // the Message-ID's right-hand side
	options []mail.Option
}

// NewSMTPMailer reads --smtp-url:
//
//	smtp://user:pass@host:587   STARTTLS required (the default port is 587)
//	smtps://user:pass@host:465  TLS from the first byte (the default port is 465)
//
// with optional query settings: tls=none (plain text, for local relays and
// tests) or tls=opportunistic (STARTTLS when offered), and timeout=10s.
func NewSMTPMailer(raw, from string) (*SMTPMailer, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("--smtp-url: want smtp://user:pass@host:port or smtps://…, got %q", redact(raw))
	}
	var opts []mail.Option
	port := 0
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("--smtp-url: bad port %q", p)
		}
	}
	switch u.Scheme {
	case "smtp":
		if port == 0 {
			port = 587
		}
		policy := mail.TLSMandatory
		switch u.Query().Get("tls") {
		case "", "starttls", "mandatory":
		case "none":
			policy = mail.NoTLS
		case "opportunistic":
			policy = mail.TLSOpportunistic
		default:
			return nil, fmt.Errorf("--smtp-url: tls must be none, opportunistic or starttls")
		}
		opts = append(opts, mail.WithTLSPortPolicy(policy), mail.WithPort(port))
	case "smtps":
		if port == 0 {
			port = 465
		}
		opts = append(opts, mail.WithSSL(), mail.WithPort(port))
	default:
		return nil, fmt.Errorf("--smtp-url: the scheme must be smtp or smtps, got %q", u.Scheme)
	}
	timeout := 15 * time.Second
	if t := u.Query().Get("timeout"); t != "" {
		if timeout, err = time.ParseDuration(t); err != nil {
			return nil, fmt.Errorf("--smtp-url: bad timeout %q", t)
		}
	}
	opts = append(opts, mail.WithTimeout(timeout))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	domain := "certlink.local"
	if _, addr, ok := strings.Cut(from, "@"); ok {
		domain = strings.Trim(addr, "> ")
	}
	return &SMTPMailer{From: from, Host: u.Hostname(), Domain: domain, options: opts}, nil
}

// Send implements Mailer: one connection per mail keeps a failed mail from
// holding up the others and needs no connection management.
func (s *SMTPMailer) Send(ctx context.Context, m Mail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("--smtp-from %q: %w", s.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	// A subject stored before names were checked may hold a line break: it
	// never reaches the header as one.
	msg.Subject(text.OneLine(m.Subject))
	msg.SetMessageIDWithValue(MessageID(m.DedupeKey, s.Domain))
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	c, err := mail.NewClient(s.Host, s.options...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// MessageID is the Message-ID a dedupe key is sent with: the same mail sent
// twice (at-least-once SMTP) carries the same id.
func MessageID(dedupeKey, domain string) string {
	h := sha256.Sum256([]byte(dedupeKey))
	return hex.EncodeToString(h[:16]) + "@" + domain
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return raw
}
