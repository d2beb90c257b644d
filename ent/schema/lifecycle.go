package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Token is a bearer credential: a web session (also sent as the session cookie),
// an API token an admin made for a partner tool, or an ingest provider token.
// Only the SHA-256 of the secret is stored.
type Token struct{ ent.Schema }

func (Token) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (Token) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("SESSION", "API", "PROVIDER"),
		field.String("name").Default("").MaxRuneLen(200),
		// A fixed-size binary on MySQL/MariaDB: MariaDB keeps a unique index
		// on a BLOB as a "long unique" hash that enforces uniqueness but
		// answers no lookup, so every request's token look-up read the whole
		// table.
		field.Bytes("secret_hash").Unique().Sensitive().SchemaType(map[string]string{dialect.MySQL: "varbinary(32)"}),
		field.Strings("scopes").Default([]string{}),
		field.Int("user_id").Optional().Nillable(),
		field.Int("organization_id").Optional().Nillable(),
		field.Time("expires_at").SchemaType(mysqlTime).Optional().Nillable(),
		field.Time("last_used_at").SchemaType(mysqlTime).Optional().Nillable(),
		field.Time("revoked_at").SchemaType(mysqlTime).Optional().Nillable(),
	}
}

func (Token) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id"), index.Fields("organization_id")}
}
func (Token) Policy() ent.Policy { return systemOnly() }
func (Token) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AuditEvent is the history of B3: every link, unlink, move, merge and deletion.
type AuditEvent struct{ ent.Schema }

func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("at").SchemaType(mysqlTime).Default(time.Now).Immutable(),
		field.String("action").NotEmpty().MaxLen(64),
		field.Int("actor_user_id").Optional().Nillable(),
		field.Int("organization_id").Optional().Nillable(),
		field.Int("user_id").Optional().Nillable(),
		field.String("mcid").Default(""),
		// link_kind says which directory account mcid numbers: a Microsoft
		// Learning MCID or a Partner University account's number (unset for
		// events about no account).
		field.Enum("link_kind").Values("LEARNING", "PARTNER_UNIVERSITY").Optional().Nillable(),
		field.String("detail").Default("").MaxLen(2000),
	}
}

func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "at"), index.Fields("mcid", "at")}
}
func (AuditEvent) Policy() ent.Policy { return systemOnly() }
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Notification is an in-app message to one user (N1).
type Notification struct{ ent.Schema }

func (Notification) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (Notification) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.String("title").MaxRuneLen(300),
		field.Text("body"),
		field.String("link").Default(""),
		field.Time("read_at").SchemaType(mysqlTime).Optional().Nillable(),
		// One notification per cause and recipient, even if the cause is seen twice.
		field.String("dedupe_key").Unique(),
	}
}

func (Notification) Indexes() []ent.Index { return []ent.Index{index.Fields("user_id", "created_at")} }
func (Notification) Policy() ent.Policy   { return systemOnly() }
func (Notification) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// OutboxMessage is an email waiting to be sent (N2): written in the same
// transaction as its cause, delivered by a worker with retries.
type OutboxMessage struct{ ent.Schema }

func (OutboxMessage) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.String("to_address").MaxLen(254),
		// Whose mail it is: the recipient's work account and organization (or,
		// for mail to someone with no work account, the sending organization).
		// Addresses are corrected and reused; these never are.
		field.Int("recipient_user_id").Optional().Nillable(),
		field.Int("organization_id").Optional().Nillable(),
		field.String("subject").MaxRuneLen(300),
		field.Text("body"),
		field.String("dedupe_key").Unique(),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_at").SchemaType(mysqlTime).Default(time.Now),
		field.Time("locked_until").SchemaType(mysqlTime).Optional().Nillable(),
		field.Time("sent_at").SchemaType(mysqlTime).Optional().Nillable(),
		field.String("last_error").Default("").MaxLen(1000),
	}
}

func (OutboxMessage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("sent_at", "next_attempt_at")}
}
func (OutboxMessage) Policy() ent.Policy { return systemOnly() }
func (OutboxMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// DevMail is the embedded default's mailbox: mail "sent" when no SMTP is set.
type DevMail struct{ ent.Schema }

func (DevMail) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (DevMail) Fields() []ent.Field {
	return []ent.Field{
		field.String("to_address").MaxLen(254),
		// The mailbox shows mail by these, never by address (issue 11 item
		// 10a): an address freed by a correction or a deletion and given to
		// someone else does not bring the old mail with it.
		field.Int("recipient_user_id").Optional().Nillable(),
		field.Int("organization_id").Optional().Nillable(),
		field.String("subject").MaxRuneLen(300),
		field.Text("body"),
		field.String("dedupe_key").Unique(),
	}
}
func (DevMail) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id"), index.Fields("recipient_user_id")}
}
func (DevMail) Policy() ent.Policy { return systemOnly() }
func (DevMail) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// SupportTicket is raised by a user (U3) and answered by its org's admins or operators.
type SupportTicket struct{ ent.Schema }

func (SupportTicket) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (SupportTicket) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Optional().Nillable(),
		field.Int("author_id"),
		field.String("category").MaxLen(64),
		field.String("subject").MaxRuneLen(300),
		field.Text("body"),
		field.Enum("status").Values("OPEN", "ANSWERED", "CLOSED").Default("OPEN"),
		// The key the author's client chose for this ticket: the same key
		// again (a retry after a lost answer) answers this ticket instead of
		// raising another.
		field.String("client_key").MaxLen(64).Optional().Nillable().Immutable(),
		// Raised by every reply before it checks the ticket's room: the write
		// holds the row (and on a Galera cluster two replies through two
		// nodes conflict), so the check and the insert are one step.
		field.Int("lock_version").Default(0),
	}
}
func (SupportTicket) Indexes() []ent.Index {
	return []ent.Index{index.Fields("author_id", "client_key").Unique()}
}
func (SupportTicket) Policy() ent.Policy { return systemOnly() }
func (SupportTicket) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// TicketReply is one answer on a support ticket.
type TicketReply struct{ ent.Schema }

func (TicketReply) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (TicketReply) Fields() []ent.Field {
	return []ent.Field{
		field.Int("ticket_id"),
		field.Int("author_id"),
		field.Text("body"),
	}
}
func (TicketReply) Indexes() []ent.Index { return []ent.Index{index.Fields("ticket_id")} }
func (TicketReply) Policy() ent.Policy   { return systemOnly() }
func (TicketReply) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// RiskNotice is one requirement an at-risk alert (N1) told an organization's
// admins about: unmet now (UNMET) or projected to become unmet on a date
// (PROJECTED, announced at a notice threshold). It stays open until the risk
// resolves — the requirement is met again, or no longer projected to fall by
// that date — and then the admins get one follow-up. A projected notice is
// also closed, silently, when the requirement does become unmet: the UNMET
// notice that follows takes over.
type RiskNotice struct{ ent.Schema }

func (RiskNotice) Mixin() []ent.Mixin { return []ent.Mixin{CreatedAt{}} }

func (RiskNotice) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id"),
		field.Int("requirement_id"),
		field.Enum("kind").Values("UNMET", "PROJECTED"),
		field.Time("projected_on").SchemaType(mysqlTime).Optional().Nillable(),
		// NoticeDays is the threshold (90, 60, 30…) a PROJECTED notice was sent at.
		field.Int("notice_days").Default(0),
		// Cause is the alert's cause in a few words, for the follow-up.
		field.String("cause").Default("").MaxLen(500),
		field.Time("resolved_at").SchemaType(mysqlTime).Optional().Nillable(),
	}
}

func (RiskNotice) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "resolved_at"), index.Fields("organization_id", "requirement_id")}
}
func (RiskNotice) Policy() ent.Policy { return systemOnly() }
func (RiskNotice) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
