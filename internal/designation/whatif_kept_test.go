package designation_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"certlink/ent/user"
	"certlink/internal/designation"
	"certlink/internal/progress"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// What-if from the kept counts (the leavers and planned results applied on top
// of them in a rolled-back transaction) equals the same what-if scored by the
// scan of results, for leavers, planned certifications of the areas (some
// expiring), metric values and later moments; and nothing stays written.
func TestWhatIfFromKeptCountsMatchesScan(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		a := testenv.Open(t, d)
		kept := a.Designations
		scan := *kept
		scan.Counts = designation.SQLCounts{}
		ctx := sys()
		grace := a.DB.Client.User.Query().Where(user.Email("grace@contoso.example")).OnlyX(ctx)
		alex := a.DB.Client.User.Query().Where(user.Email("alex@contoso.example")).OnlyX(ctx)
		v := &viewer.Viewer{Kind: viewer.KindUser, UserID: grace.ID, OrgID: *grace.OrganizationID, Email: grace.Email,
			Roles: []viewer.Role{viewer.GlobalAdmin}}
		now := time.Now().UTC()
		soon, later := now.Add(40*24*time.Hour), now.Add(200*24*time.Hour)
		plan := func(skill string, expires *time.Time) progress.PlannedResult {
			return progress.PlannedResult{MCID: "9900001", SkillNumber: skill, ExpiresAt: expires}
		}
		before, err := kept.Areas(ctx, v, true)
		if err != nil {
			t.Fatal(err)
		}
		cases := []designation.WhatIf{
			{},
			{Scenario: progress.Scenario{RemoveUserIDs: []int{alex.ID}}},
			{Scenario: progress.Scenario{AddResults: []progress.PlannedResult{plan("MC-AZURE-SOLUTIONS-ARCHITECT", nil),
				plan("MC-AZURE-ADMINISTRATOR", &soon), plan("MC-TEAMS-ADMINISTRATOR", &later)}}},
			{Scenario: progress.Scenario{AddResults: []progress.PlannedResult{plan("MC-AZURE-SOLUTIONS-ARCHITECT", &soon),
				plan("MC-DEVOPS-ENGINEER", &later)}}, Metrics: designation.MetricOverrides{
				{AreaKey: "infrastructure-azure", MetricKey: "net-customer-adds", Value: 9},
				{AreaKey: "infrastructure-azure", MetricKey: "usage-growth", Value: 1e6},
				{AreaKey: "infrastructure-azure", MetricKey: "deployments", Value: 50}}},
		}
		for i, wi := range cases {
			for _, at := range []*time.Time{nil, &soon, &later} {
				wi.At, wi.People = at, true
				k, err := kept.Simulate(ctx, v, wi)
				if err != nil {
					t.Fatal(err)
				}
				s, err := scan.Simulate(ctx, v, wi)
				if err != nil {
					t.Fatal(err)
				}
				if a, b := describe(k), describe(s); a != b {
					t.Fatalf("case %d at %v: kept\n%s\nscan\n%s", i, at, a, b)
				}
			}
		}
		after, err := kept.Areas(ctx, v, true)
		if err != nil {
			t.Fatal(err)
		}
		if describe(before) != describe(after) {
			t.Fatalf("a what-if left something written:\nbefore\n%s\nafter\n%s", describe(before), describe(after))
		}
	})
}

func describe(list []*designation.Area) string {
	var b strings.Builder
	for _, a := range list {
		fmt.Fprintf(&b, "%s %.2f %v %s drops %v %q\n", a.Key, a.Best.Score, a.Qualified(), a.Best.Reason, a.DropsOn, a.DropReason)
		if a.Window != nil {
			fmt.Fprintf(&b, "  window %d %v\n", a.Window.QualifiedDays, a.Window.Holds)
		}
		for _, t := range a.Tracks {
			for _, c := range t.Categories {
				for _, m := range c.Metrics {
					fmt.Fprintf(&b, "  %s %s %g %g %v\n", t.Key, m.Key, m.Value, m.Points, m.PeopleIDs)
				}
			}
		}
	}
	return b.String()
}
