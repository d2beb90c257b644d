package notify_test

import (
	"strings"
	"testing"
	"time"

	"certlink/ent/devmail"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/notify"
	"certlink/internal/testenv"
)

// TestSubjectsStayOneLine: a name stored before names were checked, holding
// CR LF and a header after them, reaches no mail as a line break: the outbox
// subjects and the notification titles built from it hold a space there; an
// outbox message stored with a line break in its subject goes out over SMTP,
// and into the dev mailbox, as one Subject header and no Bcc.
func TestSubjectsStayOneLine(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		sink := newMailSink(t)
		dsn := testenv.DSN(t, d)
		first := testenv.Open(t, d, func(c *app.Config) { c.DB, c.PublicURL = dsn, "https://certlink.example" })
		c := first.DB.Client
		const evil = "Alex\r\nBcc: attacker@evil.example"
		c.User.Update().Where(user.Email("alex@contoso.example")).SetName(evil).ExecX(sys())
		seedRequirement(t, first, nil)
		deleteAlex(t, first)
		subjects := c.OutboxMessage.Query().Select("subject").StringsX(sys())
		titles := c.Notification.Query().Select("title").StringsX(sys())
		named := 0
		for _, s := range append(subjects, titles...) {
			if strings.ContainsAny(s, "\r\n") {
				t.Fatalf("a line break in %q", s)
			}
			if strings.Contains(s, "Alex  Bcc: attacker@evil.example") {
				named++
			}
		}
		if named == 0 {
			t.Fatalf("no subject or title names the deleted account: %q %q", subjects, titles)
		}
		// A subject stored with a line break (before this rule) is sent as one line.
		now := time.Now().UTC()
		c.OutboxMessage.Create().SetToAddress("grace@contoso.example").SetSubject("Old\r\nBcc: attacker@evil.example").
			SetBody("b").SetDedupeKey("old/crlf").SetCreatedAt(now).SetNextAttemptAt(now).ExecX(sys())
		first.Close()

		testenv.Start(t, d, func(c *app.Config) {
			c.DB = dsn
			c.SMTPURL = "smtp://" + sink.Addr + "?tls=none"
			c.SMTPFrom = "certlink <alerts@certlink.example>"
			c.PublicURL = "https://certlink.example"
		})
		var old *received
		testenv.Eventually(t, 15*time.Second, func() bool {
			for _, m := range sink.all() {
				if strings.Contains(header(m.Data, "Subject"), "Old") {
					old = &m
					return true
				}
			}
			return false
		}, "the stored mail over SMTP")
		for _, m := range sink.all() {
			if header(m.Data, "Bcc") != "" || strings.Contains(strings.Join(m.To, ","), "evil") {
				t.Fatalf("a mail carries a Bcc: %q to %v", m.Data, m.To)
			}
		}
		if got := header(old.Data, "Subject"); got != "Old  Bcc: attacker@evil.example" {
			t.Fatalf("Subject header %q", got)
		}

		a := testenv.Open(t, d)
		dev := notify.DevMailer{Client: a.DB.Client}
		if err := dev.Send(sys(), notify.Mail{To: "grace@contoso.example", Subject: "Dev\r\nBcc: x@evil.example", Body: "b", DedupeKey: "dev/crlf"}); err != nil {
			t.Fatal(err)
		}
		if got := a.DB.Client.DevMail.Query().Where(devmail.DedupeKey("dev/crlf")).OnlyX(sys()).Subject; got != "Dev  Bcc: x@evil.example" {
			t.Fatalf("dev mailbox subject %q", got)
		}
	})
}
