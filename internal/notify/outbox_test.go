package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/outboxmessage"
	"certlink/internal/app"
	"certlink/internal/notify"
	"certlink/internal/testenv"
)

// TestSMTPAfterCrashBeforeSend: the process that wrote the outbox stops before
// its worker ran; the next one delivers over a real SMTP conversation, one mail
// per recipient, and no more however long it runs.
func TestSMTPAfterCrashBeforeSend(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		sink := newMailSink(t)
		dsn := testenv.DSN(t, d)
		first := testenv.Open(t, d, func(c *app.Config) { c.DB, c.PublicURL = dsn, "https://certlink.example" })
		seedRequirement(t, first, nil)
		deleteAlex(t, first)
		// One mail per recipient, naming every requirement alex alone
		// carried (the demo's and TEST-104).
		written := first.DB.Client.OutboxMessage.Query().Where(outboxmessage.SubjectContains("work account was deleted")).AllX(sys())
		perRcpt := map[string]int{}
		for _, m := range written {
			perRcpt[m.ToAddress]++
		}
		want := len(written)
		if want != 2 || len(perRcpt) != 2 || perRcpt["grace@contoso.example"] != want/2 || perRcpt["mona@contoso.example"] != want/2 {
			t.Fatalf("outbox holds %d at-risk mails: %v", want, perRcpt)
		}
		first.Close()

		second := testenv.Start(t, d, func(c *app.Config) {
			c.DB = dsn
			c.SMTPURL = "smtp://" + sink.Addr + "?tls=none"
			c.SMTPFrom = "certlink <alerts@certlink.example>"
			c.PublicURL = "https://certlink.example"
		})
		c := second.App.DB.Client
		testenv.Eventually(t, 15*time.Second, func() bool { return len(atRisk(sink.all())) >= want }, "the at-risk mails over SMTP")
		time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
		got := atRisk(sink.all())
		to := map[string]int{}
		ids := map[string]bool{}
		test104 := 0
		for _, m := range got {
			to[strings.Join(m.To, ",")]++
			id := header(m.Data, "Message-Id")
			if m.From != "alerts@certlink.example" || id == "" || ids[id] {
				t.Fatalf("envelope/headers: from %q, message-id %q (seen before: %v)", m.From, id, ids[id])
			}
			ids[id] = true
			body := decoded(t, m.Data)
			for _, part := range []string{"Alex Wilber", "https://certlink.example/competencies?open=", "One person who passed an Azure administration exam"} {
				if !strings.Contains(body, part) {
					t.Fatalf("mail lacks %q:\n%s", part, body)
				}
			}
			if strings.Contains(body, "Test Cloud Platform") && strings.Contains(body, "1 person holding TEST-104") {
				test104++
			}
		}
		if len(got) != want || to["grace@contoso.example"] != want/2 || to["mona@contoso.example"] != want/2 || test104 != 2 {
			t.Fatalf("mails: %d of %d, per recipient %v, TEST-104 mails %d", len(got), want, to, test104)
		}
		testenv.Eventually(t, 5*time.Second, func() bool {
			return c.OutboxMessage.Query().Where(outboxmessage.SentAtIsNil()).CountX(sys()) == 0
		}, "the outbox marks both mails sent")
	})
}

func atRisk(ms []received) []received {
	var out []received
	for _, m := range ms {
		if strings.Contains(m.Data, "work account was deleted") {
			out = append(out, m)
		}
	}
	return out
}

// TestDevMailboxCrashAfterSend: a worker dies after delivering to the dev
// mailbox and before marking the message sent; the next worker, once the lease
// ends, delivers again — and the mailbox still holds the mail once.
func TestDevMailboxCrashAfterSend(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		seedRequirement(t, a, nil)
		deleteAlex(t, a)
		c := a.DB.Client
		// Count what the deletion wrote: one mail per recipient per
		// requirement alex alone carried.
		want := c.OutboxMessage.Query().CountX(sys())
		if want < 2 {
			t.Fatalf("the deletion wrote %d mails", want)
		}
		clock := time.Now().UTC()
		now := func() time.Time { return clock }
		crashing := &notify.Outbox{Client: c, Mailer: notify.DevMailer{Client: c}, RowLocks: !a.DB.Embedded, Now: now, Lease: time.Minute, Batch: want}
		crash := errors.New("crash")
		notify.SetAfterSend(crashing, func(*ent.OutboxMessage) error { return crash })
		if _, err := crashing.RunOnce(context.Background()); !errors.Is(err, crash) {
			t.Fatalf("first worker: %v", err)
		}
		if n := c.DevMail.Query().CountX(sys()); n != 1 {
			t.Fatalf("dev mailbox after the crash: %d, want the one delivered before it", n)
		}
		next := &notify.Outbox{Client: c, Mailer: notify.DevMailer{Client: c}, RowLocks: !a.DB.Embedded, Now: now}
		// The dead worker had claimed the messages: nothing is due until its lease ends.
		if n, err := next.RunOnce(context.Background()); err != nil || n != 0 {
			t.Fatalf("while the lease holds: claimed %d, %v", n, err)
		}
		clock = clock.Add(2 * time.Minute)
		claimed := 0
		for {
			n, err := next.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			claimed += n
		}
		if claimed != want {
			t.Fatalf("after the lease: claimed %d, want %d", claimed, want)
		}
		if n := c.DevMail.Query().CountX(sys()); n != want {
			t.Fatalf("dev mailbox holds %d mails, want %d (each once, the one delivered before the crash too)", n, want)
		}
		if n := c.OutboxMessage.Query().Where(outboxmessage.SentAtIsNil()).CountX(sys()); n != 0 {
			t.Fatalf("%d messages left unsent", n)
		}
	})
}

type flakyMailer struct {
	mu       sync.Mutex
	failures int
	sent     map[string]int
}

func (f *flakyMailer) Send(_ context.Context, m notify.Mail) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("421 try again later")
	}
	if f.sent == nil {
		f.sent = map[string]int{}
	}
	f.sent[m.DedupeKey]++
	return nil
}

func TestRetryWithBackoff(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		c := a.DB.Client
		now := time.Now().UTC().Truncate(time.Second)
		if err := notify.Enqueue(sys(), c, notify.Mail{To: "grace@contoso.example", Subject: "s", Body: "b", DedupeKey: "k1"}, now); err != nil {
			t.Fatal(err)
		}
		// Enqueueing the same key again changes nothing.
		if err := notify.Enqueue(sys(), c, notify.Mail{To: "grace@contoso.example", Subject: "s", Body: "b", DedupeKey: "k1"}, now); err != nil {
			t.Fatal(err)
		}
		m := &flakyMailer{failures: 2}
		clock := now
		o := &notify.Outbox{Client: c, Mailer: m, RowLocks: !a.DB.Embedded, Now: func() time.Time { return clock },
			Backoff: 10 * time.Second, MaxBackoff: time.Minute}
		ctx := context.Background()
		step := func(wantClaimed int) *ent.OutboxMessage {
			t.Helper()
			n, err := o.RunOnce(ctx)
			if err != nil || n != wantClaimed {
				t.Fatalf("at %s: claimed %d, %v; want %d", clock.Sub(now), n, err, wantClaimed)
			}
			return c.OutboxMessage.Query().OnlyX(sys())
		}
		msg := step(1)
		if msg.Attempts != 1 || msg.LastError == "" || !msg.NextAttemptAt.Equal(now.Add(10*time.Second)) {
			t.Fatalf("after a failure: attempts %d, error %q, next %s", msg.Attempts, msg.LastError, msg.NextAttemptAt.Sub(now))
		}
		step(0) // not due yet
		clock = now.Add(10 * time.Second)
		msg = step(1)
		if msg.Attempts != 2 || !msg.NextAttemptAt.Equal(clock.Add(20*time.Second)) {
			t.Fatalf("second failure: attempts %d, next in %s (want doubled backoff)", msg.Attempts, msg.NextAttemptAt.Sub(clock))
		}
		clock = clock.Add(20 * time.Second)
		msg = step(1)
		if msg.SentAt == nil || m.sent["k1"] != 1 {
			t.Fatalf("third attempt: sent %v, deliveries %v", msg.SentAt, m.sent)
		}
		step(0)
	})
}

func TestConcurrentWorkersDeliverOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		c := a.DB.Client
		now := time.Now().UTC()
		for i := 0; i < 30; i++ {
			k := "k" + string(rune('A'+i))
			if err := notify.Enqueue(sys(), c, notify.Mail{To: "x@contoso.example", Subject: "s", Body: "b", DedupeKey: k}, now); err != nil {
				t.Fatal(err)
			}
		}
		m := &flakyMailer{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := &notify.Outbox{Client: c, Mailer: m, RowLocks: !a.DB.Embedded, Batch: 3}
				for {
					n, err := o.RunOnce(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if len(m.sent) != 30 {
			t.Fatalf("%d distinct mails delivered, want 30", len(m.sent))
		}
		for k, n := range m.sent {
			if n != 1 {
				t.Fatalf("%s delivered %d times", k, n)
			}
		}
	})
}
