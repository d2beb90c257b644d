package people

import (
	"testing"
	"time"

	"certlink/ent"
)

func TestEmail(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		u    ent.User
		want string
	}{
		{ent.User{ID: 7, Email: "alex@contoso.example"}, "alex@contoso.example"},
		{ent.User{ID: 7, Email: DeletedEmail(7, "alex@contoso.example"), DeletedAt: &now}, "alex@contoso.example"},
		// Another account's prefix, or a live account whose address merely looks so, stays.
		{ent.User{ID: 8, Email: DeletedEmail(7, "alex@contoso.example"), DeletedAt: &now}, "deleted-7-alex@contoso.example"},
		{ent.User{ID: 7, Email: "deleted-7-alex@contoso.example"}, "deleted-7-alex@contoso.example"},
	} {
		if got := Email(&c.u); got != c.want {
			t.Fatalf("Email(%+v) = %q, want %q", c.u, got, c.want)
		}
	}
	if got := RolesText([]string{"GLOBAL_ADMIN", "MPN_PARTNER_ADMIN"}); got != "Global Admin, MPN Partner Admin" {
		t.Fatal(got)
	}
	if got := RolesText(nil); got != "default user" {
		t.Fatal(got)
	}
}
