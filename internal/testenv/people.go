package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/organization"
	"certlink/ent/profile"
	"certlink/ent/skill"
	"certlink/internal/counting"
	"certlink/internal/linking"
	"certlink/internal/viewer"
)

// AddPeople adds n linked work accounts to the organization, each with a
// Learning profile holding the skills; rows are written in bulk. The large
// organizations of the report and at-risk benchmarks are made of them.
func AddPeople(t testing.TB, c *ent.Client, mpnID string, n int, skills []string) {
	t.Helper()
	ctx := counting.Unkept(viewer.System(context.Background()))
	defer func() {
		if err := counting.Rebuild(ctx, c); err != nil {
			t.Fatal(err)
		}
	}()
	org, err := c.Organization.Query().Where(organization.MpnID(mpnID)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.Skill.Query().Where(skill.NumberIn(skills...)).IDs(ctx)
	if err != nil || len(ids) != len(skills) {
		t.Fatalf("skills %v: %v", skills, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	const step = 200
	for start := 0; start < n; start += step {
		end := min(start+step, n)
		var users []*ent.UserCreate
		var accounts []*ent.DirectoryAccountCreate
		for i := start; i < end; i++ {
			users = append(users, c.User.Create().SetEmail(fmt.Sprintf("p%05d@%s.example", i, mpnID)).
				SetName(fmt.Sprintf("Person %05d", i)).SetOrganizationID(org.ID))
			accounts = append(accounts, c.DirectoryAccount.Create().SetEmail(fmt.Sprintf("p%05d-%s@learn.example", i, mpnID)).
				SetName(fmt.Sprintf("Person %05d", i)))
		}
		us := c.User.CreateBulk(users...).SaveX(ctx)
		as := c.DirectoryAccount.CreateBulk(accounts...).SaveX(ctx)
		var profiles []*ent.ProfileCreate
		for i := range us {
			profiles = append(profiles, c.Profile.Create().SetKind(profile.KindLEARNING).
				SetMcid(fmt.Sprintf("7%s%05d", mpnID[4:], start+i)).SetAccountID(as[i].ID))
		}
		ps := c.Profile.CreateBulk(profiles...).SaveX(ctx)
		var links []*ent.AssociationCreate
		var results []*ent.ResultCreate
		for i, p := range ps {
			links = append(links, c.Association.Create().SetKind(association.KindLEARNING).SetProfileID(p.ID).
				SetUserID(us[i].ID).SetOrganizationID(org.ID).SetStartedAt(now.AddDate(0, -1, 0)).
				SetActiveProfileID(p.ID).SetActiveUserSlot(linking.UserSlot(us[i].ID, association.KindLEARNING)))
			for k, sid := range ids {
				rc := c.Result.Create().SetProfileID(p.ID).SetSkillID(sid).
					SetCompletedAt(now.AddDate(0, 0, -(start+i)%300-k)).SetSource("bench")
				if k%2 == 1 {
					rc.SetExpiresAt(now.AddDate(0, 0, 30+(start+i)%400))
				}
				results = append(results, rc)
			}
		}
		c.Association.CreateBulk(links...).ExecX(ctx)
		c.Result.CreateBulk(results...).ExecX(ctx)
	}
}
