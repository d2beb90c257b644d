package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/internal/people"
)

// endCause is one link ending, in words for the organization it left.
type endCause struct {
	who       string // the person's name
	email     string
	account   string // "Learning account (MCID 9900001)"
	kind      association.Kind
	reason    association.EndReason
	profileID int
	// away: a move whose new link is in another organization (settle).
	away bool
}

type endCauses []endCause

// describeEnd says who left and why.
func describeEnd(ctx context.Context, c *ent.Client, a *ent.Association, reason association.EndReason) (endCause, error) {
	p, err := people.PartyOf(ctx, c, a.UserID, a.ProfileID)
	if err != nil {
		return endCause{}, err
	}
	account := "Microsoft Learning account (MCID " + p.MCID + ")"
	if a.Kind == association.KindPARTNER_UNIVERSITY {
		account = "Partner University account " + p.MCID
	}
	return endCause{who: p.Name, email: p.Email, account: account, kind: a.Kind, reason: reason, profileID: a.ProfileID}, nil
}

// settle finds, once the transaction's links are in place, which moves left
// the organization org: the profile's new link is elsewhere. It never names
// where, nor who holds it now.
func (cs endCauses) settle(ctx context.Context, c *ent.Client, org int) (endCauses, error) {
	out := slices.Clone(cs)
	for i, e := range out {
		if e.reason != association.EndReasonMOVED {
			continue
		}
		now, err := c.Association.Query().
			Where(association.ProfileID(e.profileID), association.ActiveProfileIDNotNil()).Only(ctx)
		if ent.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i].away = now.OrganizationID != org
	}
	return out, nil
}

func (cs endCauses) movedAway() bool {
	return slices.ContainsFunc(cs, func(e endCause) bool { return e.away })
}

// accountWord is what the person unlinked, in a headline.
func (e endCause) accountWord() string {
	if e.kind == association.KindPARTNER_UNIVERSITY {
		return "Partner University access"
	}
	return "Learning account"
}

// otherAccountWord is the person's other kind of account, in words.
func (e endCause) otherAccountWord() string {
	if e.kind == association.KindPARTNER_UNIVERSITY {
		return "Learning account"
	}
	return "Partner University access"
}

// headline names the cause in a few words, for a subject line.
func (cs endCauses) headline() string {
	people := cs.people()
	if len(people) > 1 {
		names := make([]string, len(people))
		for i, p := range people {
			names[i] = p.who
		}
		if len(names) > 3 {
			names = append(names[:3], fmt.Sprintf("%d others", len(people)-3))
		}
		return joinWords(names) + " stopped counting"
	}
	e := people[0]
	switch e.reason {
	case association.EndReasonUSER_DELETED:
		return e.who + "'s work account was deleted"
	case association.EndReasonREPORT_REMOVED:
		return e.who + " was removed from the skills report"
	case association.EndReasonMOVED:
		if e.away {
			return e.who + "'s " + e.accountWord() + " moved to another organization"
		}
		return e.who + "'s " + e.accountWord() + " was associated with another work account"
	case association.EndReasonMERGED:
		return e.who + "'s certification profile was merged into another"
	case association.EndReasonOTHER_ACCOUNT_LINKED:
		return e.who + "'s " + e.accountWord() + " stopped counting: their " + e.otherAccountWord() + " was associated with another work account"
	}
	return e.who + " removed their " + e.accountWord()
}

// people are the causes once per person and reason (a deletion ending two
// links is one cause), in order.
func (cs endCauses) people() endCauses {
	var out endCauses
	for _, e := range cs {
		if !slices.ContainsFunc(out, func(o endCause) bool { return o.email == e.email && o.reason == e.reason }) {
			out = append(out, e)
		}
	}
	return out
}

// sentences say every cause in full.
func (cs endCauses) sentences() string {
	var out []string
	for _, e := range cs {
		who := fmt.Sprintf("%s (%s)", e.who, e.email)
		var s string
		switch e.reason {
		case association.EndReasonMOVED:
			if e.away {
				s = fmt.Sprintf("%s's %s was associated with a work account in another organization: it no longer counts for yours.", who, e.account)
			} else {
				s = fmt.Sprintf("%s's %s was associated with another work account of your organization.", who, e.account)
			}
		case association.EndReasonUSER_DELETED:
			s = fmt.Sprintf("%s left: the work account was deleted, ending the link of the %s.", who, e.account)
		case association.EndReasonREPORT_REMOVED:
			s = fmt.Sprintf("%s was removed from the skills report (%s).", who, e.account)
		case association.EndReasonMERGED:
			s = fmt.Sprintf("The %s of %s was merged into another certification profile.", e.account, who)
		case association.EndReasonOTHER_ACCOUNT_LINKED:
			s = fmt.Sprintf("%s's %s no longer counts: the same person's %s was associated with another work account, and one person's accounts count with one work account.", who, e.account, e.otherAccountWord())
		default:
			s = fmt.Sprintf("%s removed the association of their %s.", who, e.account)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}
