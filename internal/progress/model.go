// Package progress computes an organization's competency progress (SPEC C2–C6):
// per competency → level → option → requirement, the people who count, whether
// each requirement is met, when it would stop being met, and the competency's
// status. Counting is done by aggregate SQL in the database, never by loading
// every person.
package progress

import (
	"time"

	"certlink/ent"
)

// Status is a competency's C5 status.
type Status string

const (
	NotStarted Status = "NOT_STARTED"
	InProgress Status = "IN_PROGRESS"
	// Qualified: every requirement of at least one option is met.
	Qualified Status = "QUALIFIED"
	// Active: an offer was purchased and its option stays met until the anniversary.
	Active Status = "ACTIVE"
	// AtRisk: met today, projected to fall below a requirement before the
	// anniversary (purchased), or within AtRiskWindow (not purchased); see Engine.
	AtRisk Status = "AT_RISK"
	// RequirementsUnmet: an offer is in force and its option is unmet now —
	// the present, not a forecast.
	RequirementsUnmet Status = "REQUIREMENTS_UNMET"
)

// Requirement kinds.
const (
	KindSkill    = "SKILL"
	KindAttested = "ATTESTED"
)

// Org is the progress of one organization at one moment.
type Org struct {
	OrgID        int
	At           time.Time
	Competencies []*Competency
}

// Competency is one competency's progress.
type Competency struct {
	ID          int
	Key, Name   string
	Description string
	Status      Status
	// Offer is the purchased offer in force at Org.At, if any (C6).
	Offer  *Offer
	Levels []*Level
}

// Offer is a purchased competency offer.
type Offer struct {
	OptionID      int
	Level, Option string
	PurchasedAt   time.Time
	AnniversaryAt time.Time
	ByUserID      int
}

// FallsBefore reports whether a met option projected to become unmet on
// unmetOn (nil: never) falls before the offer's anniversary: what makes the
// competency AT_RISK (C5).
func (o *Offer) FallsBefore(unmetOn *time.Time) bool {
	return unmetOn != nil && unmetOn.Before(o.AnniversaryAt)
}

// Level is SILVER or GOLD with its options; attained when one option is met.
type Level struct {
	Level    string
	Attained bool
	Options  []*Option
}

// Option is one way to attain a level; met when all its requirements are.
type Option struct {
	ID           int
	Level, Name  string
	Met          bool
	Requirements []*Requirement
	// UnmetOn is the earliest moment a met option would stop being met as
	// results expire and retired skills lose validity; nil when not projected.
	UnmetOn *time.Time
}

// Requirement is one requirement's progress.
type Requirement struct {
	ID          int
	Key         string
	Kind        string
	Description string
	Required    int
	// Current is the number of distinct people who count (SKILL), or 1 when an
	// admin attested the requirement met (ATTESTED).
	Current  int
	Met      bool
	SkillIDs []int
	// UnmetOn is the earliest future moment at which this met SKILL requirement
	// would become unmet (results expiring, retired skills reaching their
	// validity end), assuming nobody leaves or passes anything; nil when it is
	// not projected to fall (or is unmet already).
	UnmetOn *time.Time
	// Attestation is the one in force (newest), for ATTESTED requirements.
	Attestation *Attestation
	// PeopleIDs, when not nil, are the work accounts who count, by name, read
	// with the progress itself (a what-if, whose world is gone afterwards).
	// Nil means "ask Engine.People".
	PeopleIDs []int
	// Pages are the pages of its people (SKILL) read with the progress, in
	// the same snapshot (Service.Progress with asks): an answer showing them
	// beside Current never mixes two moments.
	Pages map[PageAsk]*PeoplePage
}

// PageAsk is a page of a requirement's people an answer shows: up to Limit
// people after the cursor After (when HasAfter), by name.
type PageAsk struct {
	Limit    int
	HasAfter bool
	After    PersonCursor
}

// PeoplePage is one page of a requirement's people: the work accounts with
// their cursors, and whether more follow.
type PeoplePage struct {
	Users   []*ent.User
	Cursors []PersonCursor
	More    bool
}

// Attestation is an admin's statement that an ATTESTED requirement is met or not.
type Attestation struct {
	ID       int
	Met      bool
	Note     string
	At       time.Time
	ByUserID int
}

// Requirement finds a requirement by id.
func (o *Org) Requirement(id int) (*Competency, *Option, *Requirement) {
	for _, c := range o.Competencies {
		for _, l := range c.Levels {
			for _, op := range l.Options {
				for _, r := range op.Requirements {
					if r.ID == id {
						return c, op, r
					}
				}
			}
		}
	}
	return nil, nil, nil
}

// Competency finds a competency by id.
func (o *Org) Competency(id int) *Competency {
	for _, c := range o.Competencies {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Option finds a competency's option by level and name.
func (c *Competency) Option(level, name string) *Option {
	for _, l := range c.Levels {
		for _, op := range l.Options {
			if op.Level == level && op.Name == name {
				return op
			}
		}
	}
	return nil
}

// each calls f for every requirement of every option.
func (o *Org) each(f func(*Competency, *Option, *Requirement)) {
	for _, c := range o.Competencies {
		for _, l := range c.Levels {
			for _, op := range l.Options {
				for _, r := range op.Requirements {
					f(c, op, r)
				}
			}
		}
	}
}
