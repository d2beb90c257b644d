// Package demo seeds the demo of SPEC.md into an empty database.
package demo

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/user"
	"certlink/internal/auth"
	"certlink/internal/domains"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Passwords of the demo accounts.
const (
	WorkPassword      = "certlink-demo"
	DirectoryPassword = "learn-demo"
)

// SignIn is a demo sign-in, for the start-up banner and the README.
type SignIn struct{ Email, Role string }

// Present reports whether the database holds the demo's sign-ins (every
// work account SignIns lists): a database made before without the demo, or
// prepared with add-organization, is not seeded, and its start must not
// print sign-ins that do not work (review).
func Present(ctx context.Context, client *ent.Client) (bool, error) {
	emails := make([]string, len(SignIns))
	for i, s := range SignIns {
		emails[i] = s.Email
	}
	n, err := client.User.Query().Where(user.EmailIn(emails...), user.DeletedAtIsNil()).Count(viewer.System(ctx))
	return n == len(emails), err
}

// SignIns lists the demo work accounts.
var SignIns = []SignIn{
	{"grace@contoso.example", "GLOBAL_ADMIN, Contoso Ltd"},
	{"mona@contoso.example", "MPN_PARTNER_ADMIN, Contoso Ltd"},
	{"alex@contoso.example", "user, Contoso Ltd (MCID 9900001 linked)"},
	{"riley@contoso.example", "user, Contoso Ltd"},
	{"sam@fabrikam.example", "GLOBAL_ADMIN, Fabrikam Inc"},
	{"lee@fabrikam.example", "user, Fabrikam Inc"},
	{"ops@certlink.example", "OPERATOR"},
}

type person struct {
	email, name string
	roles       []string
}

// Seed writes the demo when the database holds no organization yet; it returns
// false when there was something already (seeding is idempotent).
func Seed(ctx context.Context, client *ent.Client) (bool, error) {
	return SeedAt(ctx, client, time.Now())
}

// SeedAt is Seed with the demo's dates counted from now (a test's clock).
func SeedAt(ctx context.Context, client *ent.Client, now time.Time) (bool, error) {
	now = now.UTC()
	sys := viewer.System(ctx)
	n, err := client.Organization.Query().Count(sys)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	workHash, err := auth.HashPassword(WorkPassword)
	if err != nil {
		return false, err
	}
	dirHash, err := auth.HashPassword(DirectoryPassword)
	if err != nil {
		return false, err
	}
	err = store.InTx(sys, client, func(tx *ent.Tx) error {
		if n, err := tx.Organization.Query().Count(sys); err != nil || n > 0 {
			return err // another process seeded first
		}
		users := map[string]*ent.User{}
		orgs := []struct {
			mpn, name string
			people    []person
		}{
			{"4100001", "Contoso Ltd", []person{
				{"grace@contoso.example", "Grace Hopper", []string{string(viewer.GlobalAdmin)}},
				{"mona@contoso.example", "Mona Kane", []string{string(viewer.MPNPartnerAdmin)}},
				{"alex@contoso.example", "Alex Wilber", nil},
				{"riley@contoso.example", "Riley Chen", nil},
			}},
			{"4100002", "Fabrikam Inc", []person{
				{"sam@fabrikam.example", "Sam Patel", []string{string(viewer.GlobalAdmin)}},
				{"lee@fabrikam.example", "Lee Gu", nil},
			}},
		}
		for _, o := range orgs {
			org, err := tx.Organization.Create().SetMpnID(o.mpn).SetName(o.name).Save(sys)
			if err != nil {
				return err
			}
			// Each organization has verified the domain of its people's addresses.
			if err := tx.Domain.Create().SetName(domains.Of(o.people[0].email)).SetOrganization(org).Exec(sys); err != nil {
				return err
			}
			for _, p := range o.people {
				u, err := tx.User.Create().SetEmail(p.email).SetName(p.name).SetPasswordHash(workHash).
					SetRoles(append([]string{}, p.roles...)).SetOrganization(org).Save(sys)
				if err != nil {
					return err
				}
				users[p.email] = u
			}
		}
		if _, err := tx.User.Create().SetEmail("ops@certlink.example").SetName("Certlink Operations").
			SetPasswordHash(workHash).SetRoles([]string{string(viewer.Operator)}).Save(sys); err != nil {
			return err
		}
		dir := []struct {
			email, name, mcid, pu string
		}{
			{"alex@learn.example", "Alex Wilber", "9900001", "8800001"},
			{"riley@learn.example", "Riley Chen", "9900002", "8800002"},
			{"jordan@learn.example", "Jordan Reyes", "9900003", ""},
		}
		for _, d := range dir {
			acc, err := tx.DirectoryAccount.Create().SetEmail(d.email).SetName(d.name).SetPasswordHash(dirHash).Save(sys)
			if err != nil {
				return err
			}
			if _, err := tx.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(d.mcid).SetAccount(acc).Save(sys); err != nil {
				return err
			}
			if d.pu != "" {
				if _, err := tx.Profile.Create().SetKind(profile.KindPARTNER_UNIVERSITY).SetMcid(d.pu).SetAccount(acc).Save(sys); err != nil {
					return err
				}
			}
		}
		// alex@contoso.example linked MCID 9900001 some months ago.
		alex := users["alex@contoso.example"]
		p, err := tx.Profile.Query().Where(profile.Mcid("9900001")).Only(sys)
		if err != nil {
			return err
		}
		// Through the linking service's start, so its history has the event.
		_, err = linking.StartInTx(sys, tx, linking.NewLink{Kind: association.KindLEARNING, ProfileID: p.ID,
			UserID: alex.ID, OrgID: *alex.OrganizationID, CountsQuota: true},
			now.AddDate(0, -5, 0), []linking.Observer{history.LinkObserver{}})
		if err != nil {
			return err
		}
		if err := seedResults(sys, tx, now); err != nil {
			return err
		}
		return seedDesignations(sys, tx, now)
	})
	return err == nil, err
}
