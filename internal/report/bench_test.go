package report_test

import (
	"context"
	"io"
	"testing"

	"certlink/ent/organization"
	"certlink/ent/user"
	"certlink/internal/report"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// A large synthetic organization: 10,000 people and 50,000 results (issue 3's
// target; issue 6 builds `certlink bench` on the same shape).
const benchPeople = 10000

var benchSkills = []string{"AZ-104", "MC-AZURE-ADMINISTRATOR", "AZ-305", "DP-203", "PL-300"}

func benchEnv(b *testing.B) (*testenv.Env, *viewer.Viewer, int) {
	e := testenv.Start(b, testenv.SQLite)
	testenv.AddPeople(b, e.App.DB.Client, "4100002", benchPeople, benchSkills)
	sam, err := e.App.DB.Client.User.Query().Where(user.Email("sam@fabrikam.example")).Only(sys())
	if err != nil {
		b.Fatal(err)
	}
	org := e.App.DB.Client.Organization.Query().Where(organization.MpnID("4100002")).OnlyX(sys())
	return e, &viewer.Viewer{Kind: viewer.KindUser, UserID: sam.ID, OrgID: org.ID, Roles: []viewer.Role{viewer.GlobalAdmin}}, org.ID
}

func BenchmarkProgress(b *testing.B) {
	e, _, orgID := benchEnv(b)
	eng := e.App.Progress.Engine
	b.ResetTimer()
	for b.Loop() {
		if _, err := eng.Compute(context.Background(), e.App.DB.Client, orgID, eng.Time()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCSV(b *testing.B) {
	e, v, _ := benchEnv(b)
	b.ResetTimer()
	for b.Loop() {
		if err := e.App.Report.WriteCSV(context.Background(), v, io.Discard, report.Filter{}, report.Order{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
