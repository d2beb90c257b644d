package notify_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"certlink/ent/profile"
	"certlink/ent/requirement"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/viewer"
)

func sys() context.Context { return viewer.System(context.Background()) }

// seedRequirement: one requirement (1 person holding TEST-104) met by alex's MCID
// 9900001 alone; expires, when set, is the result's expiry.
func seedRequirement(t *testing.T, a *app.App, expires *time.Time) {
	t.Helper()
	c, ctx := a.DB.Client, sys()
	sk := c.Skill.Create().SetNumber("TEST-104").SetTitle("Test Azure Administrator").SetType("EXAM").SaveX(ctx)
	comp := c.Competency.Create().SetKey("test-cloud").SetName("Test Cloud Platform").SaveX(ctx)
	opt := c.CompetencyOption.Create().SetCompetencyID(comp.ID).SetLevel("SILVER").SetName("Standard option").SaveX(ctx)
	c.Requirement.Create().SetOptionID(opt.ID).SetKey("admins").SetKind(requirement.KindSKILL).
		SetDescription("1 person holding TEST-104").SetRequired(1).AddSkills(sk).SaveX(ctx)
	p := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(ctx)
	r := c.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(time.Now().UTC().AddDate(0, -2, 0)).SetSource("test")
	if expires != nil {
		r.SetExpiresAt(*expires)
	}
	r.SaveX(ctx)
}

// deleteAlex deletes alex@contoso.example as grace, through the domain service.
func deleteAlex(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	s, err := a.Accounts.SignIn(ctx, "grace@contoso.example", "certlink-demo")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Accounts.Authenticate(ctx, s.Secret)
	if err != nil || v == nil {
		t.Fatalf("authenticate: %v", err)
	}
	alex := a.DB.Client.User.Query().Where(user.Email("alex@contoso.example")).OnlyX(sys())
	if err := a.Users.Delete(ctx, v, alex.ID); err != nil {
		t.Fatalf("deleting alex: %v", err)
	}
}

// mailSink is an in-process SMTP server that keeps what it receives.
type mailSink struct {
	mu   sync.Mutex
	msgs []received
	Addr string
}

type received struct {
	From string
	To   []string
	Data string
}

func newMailSink(t *testing.T) *mailSink {
	t.Helper()
	sink := &mailSink{}
	s := smtp.NewServer(sink)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.Addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return sink
}

func (m *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: m}, nil }

func (m *mailSink) all() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.msgs...)
}

type sinkSession struct {
	sink *mailSink
	cur  received
}

func (s *sinkSession) Reset()        { s.cur = received{} }
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.From = from
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.cur)
	s.sink.mu.Unlock()
	return nil
}

// decoded is a received mail with its quoted-printable body decoded.
func decoded(t *testing.T, data string) string {
	t.Helper()
	head, body, _ := strings.Cut(data, "\r\n\r\n")
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatalf("decoding the body: %v", err)
	}
	return head + "\n\n" + string(b)
}

func header(data, name string) string {
	for _, line := range strings.Split(data, "\r\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
		if line == "" {
			break
		}
	}
	return ""
}
