package linking_test

import (
	"context"
	"errors"
	"github.com/go-sql-driver/mysql"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/directoryaccount"
	"certlink/ent/profile"
	"certlink/internal/apperr"
	"certlink/internal/demo"
	"certlink/internal/linking"
	"certlink/internal/merge"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

type fixture struct {
	svc   *linking.Service
	c     *ent.Client
	db    *store.DB
	clock time.Time
	users map[string]*viewer.Viewer
}

func setup(t *testing.T, d testenv.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t, d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
	f := &fixture{c: db.Client, db: db, clock: time.Now().UTC().Truncate(time.Microsecond), users: map[string]*viewer.Viewer{}}
	f.svc = &linking.Service{
		Client: db.Client, Directory: linking.BuiltinDirectory{Client: db.Client},
		Limits: linking.DefaultLimits, Now: func() time.Time { return f.clock }, RowLocks: !db.Embedded,
	}
	us, err := db.Client.User.Query().All(viewer.System(ctx))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		v := &viewer.Viewer{Kind: viewer.KindUser, UserID: u.ID, Email: u.Email}
		if u.OrganizationID != nil {
			v.OrgID = *u.OrganizationID
		}
		for _, r := range u.Roles {
			v.Roles = append(v.Roles, viewer.Role(r))
		}
		f.users[u.Email] = v
	}
	return f
}

func code(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

// merger returns an operator's MCID merge (U4) on f's database and clock.
func (f *fixture) merger() func(ctx context.Context, survivor, duplicate string) (*merge.Outcome, error) {
	ops := &viewer.Viewer{Kind: viewer.KindUser, UserID: f.users["ops@certlink.example"].UserID,
		Email: "ops@certlink.example", Roles: []viewer.Role{viewer.Operator}}
	m := &merge.Service{Client: f.c, RowLocks: f.svc.RowLocks, Now: func() time.Time { return f.clock }}
	return func(ctx context.Context, survivor, duplicate string) (*merge.Outcome, error) {
		return m.Merge(ctx, ops, survivor, duplicate)
	}
}

func (f *fixture) activeLinks(t *testing.T, mcid string) []*ent.Association {
	t.Helper()
	ctx := viewer.System(context.Background())
	as, err := f.c.Association.Query().
		Where(association.EndedAtIsNil(), association.HasProfileWith(profileMcid(mcid))).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestAssociateAndRemove(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		lee := f.users["lee@fabrikam.example"]

		err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "jordan@learn.example", Password: "wrong"})
		if code(err) != apperr.InvalidCredentials {
			t.Fatalf("wrong directory password: got %v", err)
		}
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: " Jordan@Learn.example ", Password: "learn-demo"}); err != nil {
			t.Fatalf("associate: %v", err)
		}
		st, err := f.svc.StatusOf(ctx, lee.UserID)
		if err != nil || st.Learning == nil || st.Learning.MCID != "9900003" {
			t.Fatalf("status after associate: %+v %v", st, err)
		}
		if a, err := f.svc.AllowanceOf(ctx, lee.UserID, linking.Learning, st.Learning); err != nil || a.Remaining != 2 || !a.NextAllowedAt.Equal(f.clock.Add(30*24*time.Hour)) {
			t.Fatalf("allowance after one association: %+v %v", a, err)
		}
		// Re-linking where it already is: idempotent, no quota.
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatalf("idempotent re-link: %v", err)
		}
		st, _ = f.svc.StatusOf(ctx, lee.UserID)
		if a, _ := f.svc.AllowanceOf(ctx, lee.UserID, linking.Learning, st.Learning); a.Remaining != 2 {
			t.Fatalf("re-link used quota: %+v", a)
		}
		if err := f.svc.RemoveLearningAccount(ctx, lee); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if err := f.svc.RemoveLearningAccount(ctx, lee); code(err) != apperr.NotFound {
			t.Fatalf("second remove: got %v", err)
		}
		if n := len(f.activeLinks(t, "9900003")); n != 0 {
			t.Fatalf("%d active links after remove", n)
		}
		// History is kept: the ended row is still there.
		all, _ := f.c.Association.Query().Where(association.UserID(lee.UserID)).All(viewer.System(ctx))
		if len(all) != 1 || all[0].EndedAt == nil || *all[0].EndReason != association.EndReasonREMOVED {
			t.Fatalf("ended association not kept: %+v", all)
		}
		// L6: 10 days later the cooldown still holds, and the error names the date.
		f.clock = f.clock.Add(10 * 24 * time.Hour)
		err = f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.AssociationLimited || ae.Extensions["nextAssociationAllowedAt"] == nil {
			t.Fatalf("cooldown: got %v", err)
		}
		f.clock = f.clock.Add(21 * 24 * time.Hour)
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatalf("after cooldown: %v", err)
		}
	})
}

func TestMoveBetweenOrganizations(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		f.clock = f.clock.Add(24 * time.Hour) // the demo link is months old
		lee := f.users["lee@fabrikam.example"]
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "alex@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatalf("move: %v", err)
		}
		links := f.activeLinks(t, "9900001")
		if len(links) != 1 || links[0].UserID != lee.UserID || links[0].OrganizationID != lee.OrgID {
			t.Fatalf("after move: %+v", links)
		}
		old, _ := f.c.Association.Query().
			Where(association.UserID(f.users["alex@contoso.example"].UserID)).Only(viewer.System(ctx))
		if old.EndedAt == nil || *old.EndReason != association.EndReasonMOVED {
			t.Fatalf("old link not ended as MOVED: %+v", old)
		}
	})
}

func TestOnlyTheUserThemself(t *testing.T) {
	f := setup(t, testenv.SQLite)
	ctx := context.Background()
	cases := map[string]*viewer.Viewer{
		"anonymous": nil,
		"operator":  f.users["ops@certlink.example"],
		"api token": {Kind: viewer.KindAPIToken, UserID: f.users["grace@contoso.example"].UserID, OrgID: f.users["grace@contoso.example"].OrgID, Roles: []viewer.Role{viewer.GlobalAdmin}},
		"provider":  {Kind: viewer.KindProvider},
	}
	for name, v := range cases {
		err := f.svc.AssociateLearningAccount(ctx, v, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"})
		want := apperr.Forbidden
		if v == nil {
			want = apperr.Unauthenticated
		}
		if code(err) != want {
			t.Errorf("%s associate: got %v, want %s", name, err, want)
		}
		if err := f.svc.RemoveLearningAccount(ctx, v); code(err) != want {
			t.Errorf("%s remove: got %v, want %s", name, err, want)
		}
	}
}

func TestSameCredentials(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		riley := f.users["riley@contoso.example"]
		if err := f.svc.AssociateLearningAccount(ctx, riley, linking.AssociateInput{UseSameCredentials: true}); code(err) != apperr.InvalidInput {
			t.Fatalf("same credentials without PU access: %v", err)
		}
		if err := f.svc.AssociatePartnerUniversity(ctx, riley, "riley@learn.example", "learn-demo"); err != nil {
			t.Fatalf("PU: %v", err)
		}
		st, _ := f.svc.StatusOf(ctx, riley.UserID)
		if st.PartnerUniversity == nil || !st.PartnerUniversity.SameCredentialsAvailable {
			t.Fatalf("PU status: %+v", st.PartnerUniversity)
		}
		// A typed sign-in beside useSameCredentials is refused, not ignored
		// (an outside review: the typed account was silently passed over).
		typed := linking.AssociateInput{UseSameCredentials: true, Email: "jordan@learn.example", Password: "learn-demo"}
		if err := f.svc.AssociateLearningAccount(ctx, riley, typed); code(err) != apperr.InvalidInput {
			t.Fatalf("same credentials and a typed sign-in: %v", err)
		}
		if _, err := f.svc.PreviewAssociation(ctx, riley, linking.Learning, typed); code(err) != apperr.InvalidInput {
			t.Fatalf("preview, same credentials and a typed sign-in: %v", err)
		}
		if _, err := f.svc.PreviewAssociation(ctx, riley, linking.PartnerUniversity, linking.AssociateInput{UseSameCredentials: true}); code(err) != apperr.InvalidInput {
			t.Fatalf("preview of Partner University access with useSameCredentials: %v", err)
		}
		if st, _ := f.svc.StatusOf(ctx, riley.UserID); st.Learning != nil {
			t.Fatalf("a refused association linked %+v", st.Learning)
		}
		if err := f.svc.AssociateLearningAccount(ctx, riley, linking.AssociateInput{UseSameCredentials: true}); err != nil {
			t.Fatalf("same credentials: %v", err)
		}
		st, _ = f.svc.StatusOf(ctx, riley.UserID)
		if st.Learning == nil || st.Learning.MCID != "9900002" {
			t.Fatalf("learning after same credentials: %+v", st.Learning)
		}
		if err := f.svc.RemovePartnerUniversityAccess(ctx, riley); err != nil {
			t.Fatal(err)
		}
	})
}

// AssociateDirectoryAccount is the path of an ownership proved elsewhere (the
// OIDC certification directory, L3): the rules are the password flow's.
func TestAssociateDirectoryAccount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		sys := viewer.System(ctx)
		lee, mona := f.users["lee@fabrikam.example"], f.users["mona@contoso.example"]
		jordan, err := f.c.DirectoryAccount.Query().Where(directoryaccount.Email("jordan@learn.example")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AssociateDirectoryAccount(ctx, nil, jordan.ID, linking.Learning); code(err) != apperr.Unauthenticated {
			t.Fatalf("anonymous: %v", err)
		}
		if err := f.svc.AssociateDirectoryAccount(ctx, f.users["ops@certlink.example"], jordan.ID, linking.Learning); code(err) != apperr.Forbidden {
			t.Fatalf("operator: %v", err)
		}
		if err := f.svc.AssociateDirectoryAccount(ctx, lee, jordan.ID, linking.PartnerUniversity); code(err) != apperr.NotFound {
			t.Fatalf("jordan has no Partner University profile: %v", err)
		}
		if err := f.svc.AssociateDirectoryAccount(ctx, lee, jordan.ID, linking.Learning); err != nil {
			t.Fatalf("associate: %v", err)
		}
		st, err := f.svc.StatusOf(ctx, lee.UserID)
		if err != nil || st.Learning == nil || st.Learning.MCID != "9900003" {
			t.Fatalf("status: %+v %v", st, err)
		}
		if a, err := f.svc.AllowanceOf(ctx, lee.UserID, linking.Learning, st.Learning); err != nil || a.Remaining != 2 {
			t.Fatalf("allowance: %+v %v", a, err)
		}
		// L6 holds for the MCID whoever asks next, by whichever proof.
		if err := f.svc.AssociateDirectoryAccount(ctx, mona, jordan.ID, linking.Learning); code(err) != apperr.AssociationLimited {
			t.Fatalf("within the cooldown: %v", err)
		}
		f.clock = f.clock.Add(31 * 24 * time.Hour)
		if err := f.svc.AssociateDirectoryAccount(ctx, mona, jordan.ID, linking.Learning); err != nil {
			t.Fatalf("after the cooldown: %v", err)
		}
		if links := f.activeLinks(t, "9900003"); len(links) != 1 || links[0].UserID != mona.UserID {
			t.Fatalf("active links: %+v", links)
		}
	})
}

// TestLimitMessageNamesOnlyTheRulesInForce: with the cooldown off, a refusal
// for the spent yearly quota speaks of the quota, not of a wait of 0 days.
func TestLimitMessageNamesOnlyTheRulesInForce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		f.svc.Limits = linking.Limits{Cooldown: 0, PerYear: 1}
		ctx := context.Background()
		lee, riley := f.users["lee@fabrikam.example"], f.users["riley@contoso.example"]
		// jordan's MCID: lee links it (its one association of the year),
		// then riley's organization is refused.
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatal(err)
		}
		err := f.svc.AssociateLearningAccount(ctx, riley, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"})
		if code(err) != apperr.AssociationLimited {
			t.Fatalf("second organization: %v", err)
		}
		if msg := err.Error(); strings.Contains(msg, "period") || !strings.Contains(msg, "We allow 1 association per year.") {
			t.Fatalf("message: %s", msg)
		}
	})
}

// A merge that commits between the association's look-up of the profile and
// its transaction made the profile a duplicate: the association is refused
// (CONFLICT), not a link of a profile whose results are the survivor's (an
// outside review linked one in 2 rounds of 10 on MariaDB, using a quota slot
// and counting the person for nothing).
func TestAssociationRefusesAProfileMergedMeanwhile(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		sys := viewer.System(context.Background())
		stale := f.c.Profile.Query().Where(profile.Mcid("9900002")).OnlyX(sys)
		survivor := f.c.Profile.Query().Where(profile.Mcid("9900003")).OnlyX(sys)
		f.c.Profile.UpdateOneID(stale.ID).SetMergedIntoID(survivor.ID).ExecX(sys)
		riley := f.users["riley@contoso.example"]
		err := f.svc.AssociateProfile(context.Background(), riley, stale)
		if e, _ := apperr.As(err); e == nil || e.Code != apperr.Conflict {
			t.Fatalf("associating a profile merged meanwhile: %v", err)
		}
		if n := f.c.Association.Query().Where(association.ProfileID(stale.ID), association.EndedAtIsNil()).CountX(sys); n != 0 {
			t.Fatalf("%d active links of the merged profile", n)
		}
	})
}

// One person is every directory account MCID merges joined. A merge that
// commits between an association's read of the person and its transaction
// changes whom the association must hold: it starts over and sees them. Lee
// associates a Partner University access while an operator merges riley's
// MCID into alex's (alex@contoso holds it); without the start-over, the
// person ended up counted at two work accounts (C2):
//   - riley's access: the merge made riley's MCID, read as its sibling, a
//     duplicate (it is no longer live);
//   - alex's access, with riley's own access linked to alex@contoso: the
//     merge joined riley's account to the survivor (its merge version).
func TestAssociationSeesAMergeThatJoinedThePersonMeanwhile(t *testing.T) {
	for _, c := range []struct {
		name, email, pu string
		before          func(t *testing.T, f *fixture)
		unlinked        []string
	}{
		{name: "duplicate read", email: "riley@learn.example", pu: "8800002", unlinked: []string{"9900001"}},
		{name: "survivor read", email: "alex@learn.example", pu: "8800001", unlinked: []string{"9900001", "8800002"},
			before: func(t *testing.T, f *fixture) {
				if err := f.svc.AssociatePartnerUniversity(context.Background(), f.users["alex@contoso.example"], "riley@learn.example", "learn-demo"); err != nil {
					t.Fatal(err)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
				f := setup(t, d)
				ctx := context.Background()
				if c.before != nil {
					c.before(t, f)
				}
				mergeMCIDs := f.merger()
				merged := false
				f.svc.AfterPersonRead(func() {
					if merged {
						return
					}
					merged = true
					if _, err := mergeMCIDs(ctx, "9900001", "9900002"); err != nil {
						t.Errorf("merge: %v", err)
					}
				})
				lee := f.users["lee@fabrikam.example"]
				if err := f.svc.AssociatePartnerUniversity(ctx, lee, c.email, "learn-demo"); err != nil {
					t.Fatal(err)
				}
				if !merged {
					t.Fatal("the merge did not run between the read and the transaction")
				}
				if as := f.activeLinks(t, c.pu); len(as) != 1 || as[0].UserID != lee.UserID {
					t.Fatalf("%s: %d active links, want 1 to lee", c.pu, len(as))
				}
				for _, mcid := range c.unlinked {
					if as := f.activeLinks(t, mcid); len(as) != 0 {
						t.Fatalf("%s, the same person's, is still linked to user %d: one person at two work accounts", mcid, as[0].UserID)
					}
				}
			})
		})
	}
}

// A directory account whose Learning profile an operator merged into
// another MCID (U4) holds the survivor: the same person's profile, where the
// duplicate's results and link went. My profile's "Use <email>" (L4) and the
// account's own email and password link the survivor, and My profile's
// allowance of a work account whose last link was the duplicate is the
// survivor's, as previewAssociation says. Before, the sign-in met NOT_FOUND
// ("holds no Microsoft Learning profile") and the allowance was the
// duplicate's alone.
func TestMergedProfilesSignInHoldsTheSurvivor(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		riley, lee := f.users["riley@contoso.example"], f.users["lee@fabrikam.example"]
		// Riley links jordan's Learning profile (9900003) at Contoso, lee
		// riley's (9900002) at Fabrikam; then 9900002 is merged into 9900003:
		// lee's link ends, riley's holds the person.
		if err := f.svc.AssociateLearningAccount(ctx, riley, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "riley@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatal(err)
		}
		mergeMCIDs := f.merger()
		if _, err := mergeMCIDs(ctx, "9900003", "9900002"); err != nil {
			t.Fatal(err)
		}
		allowance, err := f.svc.AllowanceOf(ctx, lee.UserID, linking.Learning, nil)
		if err != nil {
			t.Fatal(err)
		}
		preview, err := f.svc.PreviewAssociation(ctx, lee, linking.Learning, linking.AssociateInput{Email: "jordan@learn.example", Password: "learn-demo"})
		if err != nil {
			t.Fatal(err)
		}
		if allowance.Remaining != preview.Allowance.Remaining || !allowance.NextAllowedAt.Equal(preview.Allowance.NextAllowedAt) {
			t.Fatalf("My profile's allowance %+v, the preview's for the same person %+v", allowance, preview.Allowance)
		}

		// Riley's Partner University sign-in is the merged profile's account.
		if err := f.svc.AssociatePartnerUniversity(ctx, riley, "riley@learn.example", "learn-demo"); err != nil {
			t.Fatal(err)
		}
		st, err := f.svc.StatusOf(ctx, riley.UserID)
		if err != nil || st.PartnerUniversity == nil || !st.PartnerUniversity.SameCredentialsAvailable {
			t.Fatalf("status after riley's MCID was merged: %+v, %v", st.PartnerUniversity, err)
		}
		if err := f.svc.AssociateLearningAccount(ctx, riley, linking.AssociateInput{UseSameCredentials: true}); err != nil {
			t.Fatalf("same credentials after the merge: %v", err)
		}
		if as := f.activeLinks(t, "9900003"); len(as) != 1 || as[0].UserID != riley.UserID {
			t.Fatalf("9900003: %d active links, want 1 to riley", len(as))
		}
	})
}

// TestAssociationSurvivesAFailedReadAgain: an association whose attempt
// starts over (here: a merge joined the person meanwhile) reads the person
// again; when that read fails for a moment (the database gone: a review's
// kill -9 of MariaDB), the next attempt reads again against the profile
// first read. It panicked on the nil profile the failed read had left
// (INTERNAL, "invalid memory address").
func TestAssociationSurvivesAFailedReadAgain(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		mergeMCIDs := f.merger()
		merged, failed := false, 0
		f.svc.AfterPersonRead(func() {
			if !merged {
				merged = true
				if _, err := mergeMCIDs(ctx, "9900001", "9900002"); err != nil {
					t.Errorf("merge: %v", err)
				}
			}
		})
		f.svc.ReadAgainFails(func() error {
			if failed == 0 {
				failed++
				return &mysql.MySQLError{Number: 1040, Message: "Too many connections"} // "unavailable": run again
			}
			return nil
		})
		lee := f.users["lee@fabrikam.example"]
		if err := f.svc.AssociatePartnerUniversity(ctx, lee, "riley@learn.example", "learn-demo"); err != nil {
			t.Fatal(err)
		}
		if !merged || failed != 1 {
			t.Fatalf("merged %v, reads failed %d: the attempt did not start over through a failed read", merged, failed)
		}
		if as := f.activeLinks(t, "8800002"); len(as) != 1 || as[0].UserID != lee.UserID {
			t.Fatalf("8800002: %d active links, want 1 to lee", len(as))
		}
	})
}

// An association whose profile a merge makes a duplicate between its read
// and its transaction links the survivor, as a sign-in of a merged profile
// does afterwards (review: two processes, 2 of 20 such races answered
// CONFLICT "merged into another MCID a moment ago"). Lee signs in with
// riley's Learning account (9900002), merged meanwhile into 9900001.
func TestAssociationRacingAMergeOfItsProfileLinksTheSurvivor(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		f := setup(t, d)
		ctx := context.Background()
		mergeMCIDs := f.merger()
		merged := false
		f.svc.AfterPersonRead(func() {
			if !merged {
				merged = true
				if _, err := mergeMCIDs(ctx, "9900001", "9900002"); err != nil {
					t.Errorf("merge: %v", err)
				}
			}
		})
		lee := f.users["lee@fabrikam.example"]
		if err := f.svc.AssociateLearningAccount(ctx, lee, linking.AssociateInput{Email: "riley@learn.example", Password: "learn-demo"}); err != nil {
			t.Fatalf("association racing the merge of its profile: %v", err)
		}
		if !merged {
			t.Fatal("the merge did not run between the read and the transaction")
		}
		if as := f.activeLinks(t, "9900001"); len(as) != 1 || as[0].UserID != lee.UserID {
			t.Fatalf("9900001 (the survivor): %d active links, want 1 to lee", len(as))
		}
		if as := f.activeLinks(t, "9900002"); len(as) != 0 {
			t.Fatalf("9900002 (merged away) is linked: %+v", as[0])
		}
		testenv.CheckInvariants(t, f.db.SQL)
	})
}
