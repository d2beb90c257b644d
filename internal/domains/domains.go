// Package domains holds the email domains each organization proved it controls
// (U2, issue 11 item 9). An organization's work accounts are created and
// corrected to addresses in its verified domains only, and single sign-on binds
// only accounts whose address is in one: no organization's admins can create
// accounts that claim another organization's people. Operators (platform staff)
// record a domain once the organization proved it controls it — in production
// by a DNS TXT record — and a domain belongs to one organization at most.
package domains

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"certlink/ent"
	"certlink/ent/domain"
	"certlink/ent/organization"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Service records organizations' verified domains.
type Service struct{ Client *ent.Client }

var label = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Normalize returns the domain lower-cased without a trailing dot, or an
// INVALID_INPUT error when it is not a host name of two labels or more.
func Normalize(raw string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(raw)), ".")
	labels := strings.Split(d, ".")
	ok := len(d) <= 253 && len(labels) >= 2
	for _, l := range labels {
		ok = ok && label.MatchString(l)
	}
	if !ok {
		return "", apperr.New(apperr.InvalidInput, "%q is not a domain name such as contoso.com.", clip(raw)).With("field", "domain")
	}
	// A punycode label ("xn--…") whose letters mix scripts, "cоntoso" with a
	// Cyrillic о, looks like another domain: the work emails in it would too.
	if part, mixed := linking.MixedScriptInEmail("x@" + d); mixed {
		return "", apperr.New(apperr.InvalidInput, "%q mixes letters of different scripts in %q (such as Latin and Cyrillic), so it looks like another domain.", clip(raw), part).With("field", "domain")
	}
	return d, nil
}

// Of returns the domain of an email address.
func Of(email string) string { return email[strings.LastIndex(email, "@")+1:] }

// Claims checks that the organization may hold a work account with email: its
// domain is one the organization verified. c may be a transaction's client.
func Claims(ctx context.Context, c *ent.Client, orgID int, email string) error {
	d := Of(email)
	ok, err := c.Domain.Query().Where(domain.Name(d), domain.OrganizationID(orgID)).Exist(viewer.System(ctx))
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	names, err := List(ctx, c, orgID)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return apperr.New(apperr.Forbidden, "Your organization has no verified email domain yet, so it cannot hold work accounts at %s. Ask certlink support to verify your domain.", d).
			With("field", "email")
	}
	return apperr.New(apperr.Forbidden, "%s is not one of your organization's verified email domains (%s). Ask certlink support to verify it.", d, strings.Join(names, ", ")).
		With("field", "email").With("verifiedDomains", names)
}

// List returns an organization's verified domains, sorted.
func List(ctx context.Context, c *ent.Client, orgID int) ([]string, error) {
	return c.Domain.Query().Where(domain.OrganizationID(orgID)).Order(ent.Asc(domain.FieldName)).
		Select(domain.FieldName).Strings(viewer.System(ctx))
}

// Verify records that the organization with mpnID controls domain (operators).
func (s *Service) Verify(ctx context.Context, v *viewer.Viewer, mpnID, raw string) (*ent.Organization, error) {
	return s.change(ctx, v, mpnID, raw, true)
}

// Remove forgets a verified domain (operators). Accounts already there stay;
// new ones can no longer be made there, nor bound to single sign-on.
func (s *Service) Remove(ctx context.Context, v *viewer.Viewer, mpnID, raw string) (*ent.Organization, error) {
	return s.change(ctx, v, mpnID, raw, false)
}

func (s *Service) change(ctx context.Context, v *viewer.Viewer, mpnID, raw string, add bool) (*ent.Organization, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if !v.IsSession() || !v.IsOperator() {
		return nil, apperr.New(apperr.Forbidden, "Only certlink operators verify organizations' email domains.")
	}
	d, err := Normalize(raw)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var org *ent.Organization
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		org, err = tx.Organization.Query().Where(organization.MpnID(strings.TrimSpace(mpnID))).Only(sys)
		if ent.IsNotFound(err) {
			return apperr.New(apperr.NotFound, "There is no organization with MPN ID %q.", clip(mpnID)).With("field", "mpnId")
		}
		if err != nil {
			return err
		}
		action := "verified"
		if add {
			added, err := Add(sys, tx.Client(), org, d, &v.UserID)
			if err != nil || !added {
				return err
			}
		} else {
			cur, err := tx.Domain.Query().Where(domain.Name(d)).Only(sys)
			if err != nil && !ent.IsNotFound(err) {
				return err
			}
			if cur == nil || cur.OrganizationID != org.ID {
				return apperr.New(apperr.NotFound, "%s is not a verified domain of %s.", d, org.Name).With("field", "domain")
			}
			action = "removed"
			if err := tx.Domain.DeleteOne(cur).Exec(sys); err != nil {
				return err
			}
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.DomainChanged, ActorID: v.UserID, OrgID: org.ID,
			Detail: fmt.Sprintf("%s %s the email domain %s for %s.", history.ActorName(v), action, d, org.Name)})
	})
	if err != nil {
		return nil, err
	}
	// Read again outside the transaction: the answer's fields query through it.
	return s.Client.Organization.Get(sys, org.ID)
}

// Add verifies domain d (Normalize's) for org, through c (a transaction's
// client), verifiedBy the operator who recorded it (nil: certlink
// add-organization). A domain belongs to one organization, and is not
// verified for one while another organization's work accounts sign in
// there (noOtherHolders). added is false when org holds it already.
func Add(ctx context.Context, c *ent.Client, org *ent.Organization, d string, verifiedBy *int) (added bool, err error) {
	cur, err := c.Domain.Query().Where(domain.Name(d)).Only(ctx)
	switch {
	case err != nil && !ent.IsNotFound(err):
		return false, err
	case cur != nil && cur.OrganizationID == org.ID:
		return false, nil
	case cur != nil:
		return false, apperr.New(apperr.Conflict, "%s is already verified for another organization: a domain belongs to one organization.", d).With("field", "domain")
	}
	if err := noOtherHolders(ctx, c, org, d); err != nil {
		return false, err
	}
	return true, c.Domain.Create().SetName(d).SetOrganizationID(org.ID).SetNillableVerifiedBy(verifiedBy).Exec(ctx)
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// noOtherHolders keeps a verified domain's addresses its organization's alone:
// a domain is not verified for an organization while another organization's
// live work accounts sign in there (they keep working after a domain is
// removed). So an admin correcting or inviting an address in their own
// domains never meets another organization's account, and no answer can tell
// whether one exists (issue 11 item 10d). Deleted accounts released their
// addresses (people.DeletedEmail).
func noOtherHolders(ctx context.Context, c *ent.Client, org *ent.Organization, d string) error {
	n, err := c.User.Query().Where(user.EmailHasSuffix("@"+d), user.DeletedAtIsNil(),
		user.Or(user.OrganizationIDIsNil(), user.OrganizationIDNEQ(org.ID))).Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "%d work account(s) outside %s sign in at %s: delete them, or correct their addresses, before the domain can be verified for %s.",
			n, org.Name, d, org.Name).With("field", "domain")
	}
	return nil
}
