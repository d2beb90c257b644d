package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"certlink/ent"
	"certlink/ent/outboxmessage"
	"certlink/ent/predicate"
	"certlink/internal/clock"
	"certlink/internal/metrics"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Mailer delivers one mail. Send must be safe to call again for a mail it has
// already delivered (a crash after delivery, before the outbox marked it sent):
// the dev mailbox ignores a dedupe key it holds; SMTP sends the same Message-ID.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Outbox delivers the outbox (N2). Any number of workers, in any number of
// processes, may run: each claims messages for a lease before sending them.
//
// Effect: with the dev mailbox, exactly once — the mailbox row carries the
// message's dedupe key under a unique index, so a redelivery after a crash
// changes nothing. With SMTP, at least once: a crash after the server accepted
// the mail and before the outbox marked it sent (one UPDATE, milliseconds) sends
// it again after the lease, with the same Message-ID so mail clients can fold
// the copies. No mail is lost: a message stays in the outbox until marked sent.
type Outbox struct {
	Client *ent.Client
	Mailer Mailer
	// RowLocks claims with SELECT … FOR UPDATE SKIP LOCKED (MySQL/MariaDB);
	// otherwise a conditional UPDATE per message claims it (SQLite).
	RowLocks bool
	Now      func() time.Time
	Log      *slog.Logger
	// Lease is how long a claim lasts; a worker that died holding it loses it then.
	Lease time.Duration
	// Backoff is the wait after the first failure; it doubles up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	MaxAttempts         int
	Batch               int

	// afterSend, in tests, runs between delivery and marking sent: returning an
	// error there is a crash at the worst moment.
	afterSend func(m *ent.OutboxMessage) error

	wake chan struct{}
}

func (o *Outbox) now() time.Time { return clock.Now(o.Now) }

func (o *Outbox) defaults() {
	if o.Lease == 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Backoff == 0 {
		o.Backoff = 30 * time.Second
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = time.Hour
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = 12
	}
	if o.Batch == 0 {
		o.Batch = 20
	}
}

// Wake asks a running worker to look at the outbox now rather than at its next tick.
func (o *Outbox) Wake() {
	if o.wake == nil {
		return
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Prepare readies Wake before Run starts (so commits before Run are not missed).
func (o *Outbox) Prepare() {
	if o.wake == nil {
		o.wake = make(chan struct{}, 1)
	}
}

// Run delivers until ctx ends, looking every interval and when woken.
func (o *Outbox) Run(ctx context.Context, interval time.Duration) {
	o.Prepare()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			n, err := o.RunOnce(ctx)
			if err != nil && ctx.Err() == nil && o.Log != nil {
				o.Log.Error("outbox", "err", err)
			}
			if err != nil || n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.wake:
		}
	}
}

// RunOnce claims one batch of due messages and delivers it; it returns how many
// it claimed.
func (o *Outbox) RunOnce(ctx context.Context) (int, error) {
	o.defaults()
	sys := viewer.System(ctx)
	claimed, err := o.claim(sys)
	if err != nil {
		return 0, err
	}
	for _, m := range claimed {
		if err := o.deliver(sys, m); err != nil {
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

func (o *Outbox) due(now time.Time) []predicate.OutboxMessage {
	return []predicate.OutboxMessage{
		outboxmessage.SentAtIsNil(),
		outboxmessage.NextAttemptAtLTE(now),
		outboxmessage.AttemptsLT(o.MaxAttempts),
		outboxmessage.Or(outboxmessage.LockedUntilIsNil(), outboxmessage.LockedUntilLT(now)),
	}
}

// claim takes a lease on up to Batch due messages. Each claim adds one to the
// message's attempts, which makes the new count the claim's token: only the
// worker holding that count may mark the message, so a worker whose lease ran
// out and was taken over cannot touch it (time columns may keep whole seconds
// only, so the lease's end is no token).
func (o *Outbox) claim(ctx context.Context) ([]*ent.OutboxMessage, error) {
	now := o.now()
	lease := now.Add(o.Lease)
	var out []*ent.OutboxMessage
	err := store.InTx(ctx, o.Client, func(tx *ent.Tx) error {
		out = out[:0]
		q := tx.OutboxMessage.Query().Where(o.due(now)...).
			Order(ent.Asc(outboxmessage.FieldNextAttemptAt), ent.Asc(outboxmessage.FieldID)).Limit(o.Batch)
		if o.RowLocks {
			q.ForUpdate(entsql.WithLockAction(entsql.SkipLocked))
		}
		cands, err := q.All(ctx)
		if err != nil {
			return err
		}
		for _, m := range cands {
			// On SQLite the condition is the claim; under SKIP LOCKED it holds anyway.
			n, err := tx.OutboxMessage.Update().
				Where(append(o.due(now), outboxmessage.ID(m.ID))...).
				SetLockedUntil(lease).AddAttempts(1).Save(ctx)
			if err != nil {
				return err
			}
			if n == 1 {
				m.Attempts++
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

func (o *Outbox) deliver(ctx context.Context, m *ent.OutboxMessage) error {
	mail := Mail{To: m.ToAddress, Subject: m.Subject, Body: m.Body, DedupeKey: m.DedupeKey}
	if m.RecipientUserID != nil {
		mail.RecipientID = *m.RecipientUserID
	}
	if m.OrganizationID != nil {
		mail.OrgID = *m.OrganizationID
	}
	err := o.Mailer.Send(ctx, mail)
	if err != nil {
		metrics.MailFailed()
		return o.failed(ctx, m, err)
	}
	metrics.MailSent()
	if o.afterSend != nil {
		if err := o.afterSend(m); err != nil {
			return err
		}
	}
	return o.Client.OutboxMessage.Update().
		Where(outboxmessage.ID(m.ID), outboxmessage.Attempts(m.Attempts), outboxmessage.SentAtIsNil()).
		SetSentAt(o.now()).ClearLockedUntil().SetLastError("").Exec(ctx)
}

// failed schedules the next attempt with exponential backoff.
func (o *Outbox) failed(ctx context.Context, m *ent.OutboxMessage, cause error) error {
	wait := o.Backoff
	for i := 1; i < m.Attempts && wait < o.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, o.MaxBackoff)
	if o.Log != nil {
		o.Log.Warn("outbox: delivery failed", "id", m.ID, "attempt", m.Attempts, "retry_in", wait, "err", cause)
	}
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	err := o.Client.OutboxMessage.Update().
		Where(outboxmessage.ID(m.ID), outboxmessage.Attempts(m.Attempts), outboxmessage.SentAtIsNil()).
		SetNextAttemptAt(o.now().Add(wait)).ClearLockedUntil().SetLastError(msg).Exec(ctx)
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return err
}
