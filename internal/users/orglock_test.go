package users_test

import (
	"context"
	"testing"
	"time"

	"certlink/internal/linking"
	"certlink/internal/testenv"
	"certlink/internal/users"
	"certlink/internal/viewer"
)

// An invitation does not wait for an association in its organization. Both
// once held the organization's row: the invitation to take turns with other
// account changes (SELECT … FOR UPDATE), the association through the foreign
// key of every row it inserts for the organization (a shared lock). So an
// invitation waited for every link being made, and on a Galera cluster a node
// applying another node's links aborted the invitation holding it: a review
// saw 24 of 96 invitations refused CONFLICT under link traffic. Account
// changes now take turns on a lock row of their own (store.HoldOrganization).
func TestInvitationDoesNotWaitForAnAssociation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		if d == testenv.SQLite {
			t.Skip("SQLite runs one write transaction at a time (one writer by design)")
		}
		a := testenv.Open(t, d)
		ctx := context.Background()
		as := func(email string) *viewer.Viewer {
			t.Helper()
			s, err := a.Accounts.SignIn(ctx, email, "certlink-demo")
			if err != nil {
				t.Fatal(err)
			}
			v, err := a.Accounts.Authenticate(ctx, s.Secret)
			if err != nil || v == nil {
				t.Fatalf("authenticate %s: %v", email, err)
			}
			return v
		}
		grace, riley := as("grace@contoso.example"), as("riley@contoso.example")
		a.Linking.Limits = linking.Limits{Cooldown: 0, PerYear: 1 << 30}
		release := testenv.HoldLinkOpen(t, &a.Linking.Observers, riley.UserID, func() error {
			return a.Linking.AssociateLearningAccount(ctx, riley, linking.AssociateInput{Email: "riley@learn.example", Password: "learn-demo"})
		})
		inviteCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := a.Users.Invite(inviteCtx, grace, users.InviteInput{Email: "newcomer@contoso.example", Name: "New Comer"}); err != nil {
			t.Fatalf("an invitation while riley's association is open: %v", err)
		}
		if err := release(); err != nil {
			t.Fatalf("riley's association: %v", err)
		}
	})
}
