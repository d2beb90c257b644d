package notify

import "certlink/ent"

// SetAfterSend installs a hook between delivery and marking sent: an error there
// is a crash at the worst moment.
func SetAfterSend(o *Outbox, f func(*ent.OutboxMessage) error) { o.afterSend = f }

// SetAfterCheck installs a hook that runs after each of Run's checks.
func SetAfterCheck(p *Periodic, f func()) { p.afterCheck = f }
