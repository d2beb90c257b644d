package notify_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/organization"
	"certlink/ent/profile"
	"certlink/ent/requirement"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/linking"
	"certlink/internal/notify"
	"certlink/internal/store"
	"certlink/internal/testenv"
)

// TestMetStatesOnlyMatchesMetStates: the states of some requirements computed
// alone are those of the whole computation, for the requirements a person
// counts towards and for arbitrary sets, now and after results expired.
func TestMetStatesOnlyMatchesMetStates(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		now := time.Now().UTC().Truncate(time.Second)
		exp := now.Add(48 * time.Hour)
		seedRequirement(t, a, &exp)
		c := a.DB.Client
		src := notify.EngineProgress{Engine: a.Progress.Engine}
		contoso := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
		alex := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyIDX(sys())
		alexLink := c.Association.Query().Where(association.ProfileID(alex), association.EndedAtIsNil()).OnlyX(sys())
		if n := c.Association.Query().Where(association.UserID(alexLink.UserID), association.EndedAtIsNil()).CountX(sys()); n != 1 {
			t.Fatalf("alex's work account has %d links, want 1", n)
		}
		for _, at := range []time.Time{now, exp.Add(time.Second)} {
			all, err := src.MetStates(sys(), c, contoso, at)
			if err != nil {
				t.Fatal(err)
			}
			var every, everyOther []int
			for i, s := range all {
				id, err := strconv.Atoi(s.Key)
				if err != nil {
					t.Fatal(err)
				}
				every = append(every, id)
				if i%2 == 0 {
					everyOther = append(everyOther, id)
				}
			}
			// From the kept counts, and as the source tables say it (the
			// person has one link: the same requirements).
			carried, err := src.CountsFor(sys(), c, contoso, alexLink.UserID, at)
			if err != nil {
				t.Fatal(err)
			}
			fromSource, err := a.Progress.Engine.CountsTowards(sys(), c, contoso, alex, at)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(carried, fromSource) {
				t.Fatalf("at %s the kept counts say alex counts for %v, the source tables %v", at, carried, fromSource)
			}
			if at.Equal(now) && len(carried) < 2 { // a demo requirement and TEST-104
				t.Fatalf("alex counts towards %v", carried)
			}
			for _, ids := range [][]int{carried, everyOther, every, every[len(every)-1:]} {
				only, err := src.MetStatesOnly(sys(), c, contoso, at, ids)
				if err != nil {
					t.Fatal(err)
				}
				if want := statesOf(all, ids); !reflect.DeepEqual(only, want) {
					t.Fatalf("at %s, requirements %v alone:\n%+v\nin the whole computation:\n%+v", at, ids, only, want)
				}
			}
		}
	})
}

// statesOf keeps the states of the requirements ids, in their order.
func statesOf(states []notify.RequirementState, ids []int) []notify.RequirementState {
	var out []notify.RequirementState
	for _, s := range states {
		id, _ := strconv.Atoi(s.Key)
		if slices.Contains(ids, id) {
			out = append(out, s)
		}
	}
	return out
}

// TestRiskSecondLeaverCountsElsewhere: a transaction ends the links of two
// people, the second counting towards a requirement the first did not. Each
// requirement's "before" state is taken when its first carrier leaves, both
// are compared at commit, and the alerts are those the whole organization's
// before/after comparison raises: same keys, titles, bodies and causes.
func TestRiskSecondLeaverCountsElsewhere(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		narrow := &spySource{}
		got := endTwoCarriers(t, d, func(a *app.App) notify.ProgressSource {
			narrow.EngineProgress = notify.EngineProgress{Engine: a.Progress.Engine}
			return narrow
		})
		whole := endTwoCarriers(t, d, func(a *app.App) notify.ProgressSource {
			return notify.ProgressFunc(notify.EngineProgress{Engine: a.Progress.Engine}.Requirements)
		})
		if !reflect.DeepEqual(got, whole) {
			t.Fatalf("narrowed alerts:\n%s\nwhole-organization alerts:\n%s", strings.Join(got, "\n"), strings.Join(whole, "\n"))
		}
		for _, want := range []string{"1 person holding TEST-A1", "1 person holding TEST-B1"} {
			n := 0
			for _, al := range got {
				if strings.Contains(al, want) && strings.Contains(al, "Pat First") && strings.Contains(al, "Sam Second") {
					n++
				}
			}
			if n != 2 { // grace and mona
				t.Fatalf("%d alerts about %q naming both leavers in:\n%s", n, want, strings.Join(got, "\n"))
			}
		}
		// Before: the first leaver's requirement, then the second's; after: both.
		if calls := narrow.calls(); len(calls) != 3 || len(calls[0]) != 1 || len(calls[1]) != 1 ||
			!reflect.DeepEqual(calls[2], sorted(calls[0][0], calls[1][0])) {
			t.Fatalf("requirements computed: %v", calls)
		}
	})
}

// endTwoCarriers seeds two requirements, TEST-A1 carried by Pat alone and
// TEST-B1 by Sam alone, ends both links in one transaction watched by a Risk
// reading src, and returns the notifications written (dedupe key, which names
// the recipient, title, body), sorted.
func endTwoCarriers(t *testing.T, d testenv.Dialect, src func(*app.App) notify.ProgressSource) []string {
	t.Helper()
	a := testenv.Open(t, d)
	c := a.DB.Client
	contoso := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
	seedPair(t, a)
	pat := linkPerson(t, a, contoso, "Pat First", "TEST-A1")
	sam := linkPerson(t, a, contoso, "Sam Second", "TEST-B1")
	risk := &notify.Risk{Progress: src(a), Alerts: &notify.Alerter{PublicURL: "https://c.example"}}
	endLinks(t, a, risk, pat, sam)
	var out []string
	for _, n := range c.Notification.Query().AllX(sys()) { // the key names the recipient
		out = append(out, fmt.Sprintf("%s %s: %s", n.DedupeKey, n.Title, n.Body))
	}
	sort.Strings(out)
	return out
}

// TestRiskLeaverCountingForNothing: ending the link of someone who counts for
// nothing computes no requirement and raises nothing.
func TestRiskLeaverCountingForNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		c := a.DB.Client
		contoso := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyIDX(sys())
		seedPair(t, a)
		nobody := linkPerson(t, a, contoso, "Nat Nothing") // no results
		expired := linkPerson(t, a, contoso, "Eve Expired", "TEST-A1")
		c.Result.Update().Where(result.ProfileID(expired.ProfileID)).SetExpiresAt(time.Now().UTC().Add(-time.Hour)).ExecX(sys())
		src := &spySource{EngineProgress: notify.EngineProgress{Engine: a.Progress.Engine}}
		risk := &notify.Risk{Progress: src, Alerts: &notify.Alerter{PublicURL: "https://c.example"}}
		endLinks(t, a, risk, nobody, expired)
		if calls := src.calls(); len(calls) != 0 {
			t.Fatalf("requirements computed for a leaver counting for nothing: %v", calls)
		}
		if n := c.Notification.Query().CountX(sys()); n != 0 {
			t.Fatalf("%d notifications", n)
		}
	})
}

// spySource is the competency engine, recording each narrowed computation.
type spySource struct {
	notify.EngineProgress
	mu   sync.Mutex
	only [][]int
}

func (s *spySource) MetStatesOnly(ctx context.Context, c *ent.Client, orgID int, at time.Time, ids []int) ([]notify.RequirementState, error) {
	s.mu.Lock()
	s.only = append(s.only, slices.Clone(ids))
	s.mu.Unlock()
	return s.EngineProgress.MetStatesOnly(ctx, c, orgID, at, ids)
}

func (s *spySource) calls() [][]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.only)
}

func sorted(ids ...int) []int {
	slices.Sort(ids)
	return ids
}

// seedPair adds a competency whose Silver option needs one person holding
// TEST-A1 and one holding TEST-B1.
func seedPair(t *testing.T, a *app.App) {
	t.Helper()
	c, ctx := a.DB.Client, sys()
	comp := c.Competency.Create().SetKey("test-pair").SetName("Test Pair").SaveX(ctx)
	opt := c.CompetencyOption.Create().SetCompetencyID(comp.ID).SetLevel("SILVER").SetName("Standard option").SaveX(ctx)
	for _, number := range []string{"TEST-A1", "TEST-B1"} {
		sk := c.Skill.Create().SetNumber(number).SetTitle("Test " + number).SetType("EXAM").SaveX(ctx)
		c.Requirement.Create().SetOptionID(opt.ID).SetKey(strings.ToLower(number)).SetKind(requirement.KindSKILL).
			SetDescription("1 person holding " + number).SetRequired(1).AddSkills(sk).SaveX(ctx)
	}
}

// linkPerson adds a work account of the organization linked to a Learning
// profile holding the skills, passed a month ago; it returns the link.
func linkPerson(t *testing.T, a *app.App, orgID int, name string, skills ...string) *ent.Association {
	t.Helper()
	c, ctx := a.DB.Client, sys()
	slug := strings.ToLower(strings.ReplaceAll(name, " ", "."))
	u := c.User.Create().SetEmail(slug + "@contoso.example").SetName(name).SetOrganizationID(orgID).SaveX(ctx)
	acc := c.DirectoryAccount.Create().SetEmail(slug + "@learn.example").SetName(name).SaveX(ctx)
	n := c.Profile.Query().CountX(ctx)
	p := c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(fmt.Sprintf("88%05d", n)).SetAccountID(acc.ID).SaveX(ctx)
	now := time.Now().UTC().Truncate(time.Second)
	for _, number := range skills {
		sk := c.Skill.Query().Where(skill.Number(number)).OnlyX(ctx)
		c.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(now.AddDate(0, -1, 0)).SetSource("test").SaveX(ctx)
	}
	return c.Association.Create().SetKind(association.KindLEARNING).SetProfileID(p.ID).SetUserID(u.ID).
		SetOrganizationID(orgID).SetStartedAt(now.AddDate(0, -1, 0)).SetActiveProfileID(p.ID).
		SetActiveUserSlot(linking.UserSlot(u.ID, association.KindLEARNING)).SaveX(ctx)
}

// endLinks ends the links in one transaction, risk hearing of each, as grace.
func endLinks(t testing.TB, a *app.App, risk *notify.Risk, links ...*ent.Association) {
	t.Helper()
	grace := a.DB.Client.User.Query().Where(user.Email("grace@contoso.example")).OnlyIDX(sys())
	err := store.InTx(sys(), a.DB.Client, func(tx *ent.Tx) error {
		for _, l := range links {
			l, err := tx.Association.Get(sys(), l.ID)
			if err != nil {
				return err
			}
			if err := linking.EndInTx(sys(), tx, l, association.EndReasonREMOVED, grace, time.Now().UTC(), []linking.Observer{risk}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ending links: %v", err)
	}
}
