package users_test

import (
	"context"
	"testing"

	"certlink/internal/apperr"
	"certlink/internal/testenv"
	"certlink/internal/users"
	"certlink/internal/viewer"
)

// An installation without the demo starts with `certlink add-organization`
// (review: nothing created an organization or its first admin): the admin
// signs in with the temporary password, must choose their own first, and is
// the organization's Global Admin. What would clash or is malformed is
// refused with a code, and adds nothing.
func TestAddOrganizationGivesItsFirstAdmin(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		in := users.NewOrganization{MpnID: "4100009", Name: "Northwind Traders", Domain: "northwind.example",
			AdminEmail: "Ana@Northwind.example", AdminName: "Ana Trujillo"}
		temp, err := users.AddOrganization(context.Background(), c, in)
		if err != nil {
			t.Fatal(err)
		}
		tok := e.SignIn("ana@northwind.example", temp)
		var me struct {
			Me struct {
				MustChangePassword bool
				Roles              []string
				Organization       struct{ MpnId, Name string }
			}
		}
		e.Do(tok, `{me{mustChangePassword roles organization{mpnId name}}}`, nil).Decode(t, &me)
		if !me.Me.MustChangePassword || len(me.Me.Roles) != 1 || me.Me.Roles[0] != "GLOBAL_ADMIN" || me.Me.Organization.MpnId != "4100009" {
			t.Fatalf("the first admin: %+v", me.Me)
		}
		orgs := c.Organization.Query().CountX(viewer.System(context.Background()))
		for name, bad := range map[string]users.NewOrganization{
			"the same MPN ID":        {MpnID: "4100009", Name: "X", Domain: "x.example", AdminEmail: "a@x.example", AdminName: "A"},
			"a domain taken":         {MpnID: "4100010", Name: "X", Domain: "contoso.example", AdminEmail: "a@contoso.example", AdminName: "A"},
			"an address elsewhere":   {MpnID: "4100010", Name: "X", Domain: "x.example", AdminEmail: "a@y.example", AdminName: "A"},
			"an MPN ID of 2 digits":  {MpnID: "12", Name: "X", Domain: "x.example", AdminEmail: "a@x.example", AdminName: "A"},
			"an account that exists": {MpnID: "4100010", Name: "X", Domain: "northwind.example", AdminEmail: "ana@northwind.example", AdminName: "A"},
		} {
			_, err := users.AddOrganization(context.Background(), c, bad)
			if code := apperr.CodeOf(err); code != apperr.Conflict && code != apperr.InvalidInput {
				t.Errorf("%s: %v", name, err)
			}
		}
		if n := c.Organization.Query().CountX(viewer.System(context.Background())); n != orgs {
			t.Fatalf("refusals added organizations: %d, want %d", n, orgs)
		}
		optemp, err := users.AddOperator(context.Background(), c, "ops2@certlink.example", "Second Operator")
		if err != nil {
			t.Fatal(err)
		}
		var op struct{ Me struct{ Roles []string } }
		e.Do(e.SignIn("ops2@certlink.example", optemp), `{me{roles}}`, nil).Decode(t, &op)
		if len(op.Me.Roles) != 1 || op.Me.Roles[0] != "OPERATOR" {
			t.Fatalf("the operator: %+v", op.Me)
		}
	})
}
