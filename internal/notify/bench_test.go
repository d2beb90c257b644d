package notify_test

import (
	"testing"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/organization"
	"certlink/internal/notify"
	"certlink/internal/testenv"
)

// BenchmarkRiskLinkEnding ends, per iteration, the link of one person of a
// 10,000-person organization (the report benchmarks' shape) who counts towards
// requirements, in its own transaction watched by at-risk detection: the
// "before" states at the ending and the "after" states at commit. Each
// iteration ends another person's link, so nothing is ended twice.
func BenchmarkRiskLinkEnding(b *testing.B) {
	e := testenv.Start(b, testenv.SQLite)
	c := e.App.DB.Client
	testenv.AddPeople(b, c, "4100002", 10000, []string{"AZ-104", "MC-AZURE-ADMINISTRATOR", "AZ-305", "DP-203", "PL-300"})
	org := c.Organization.Query().Where(organization.MpnID("4100002")).OnlyIDX(sys())
	links := c.Association.Query().Where(association.OrganizationID(org), association.EndedAtIsNil()).
		Order(ent.Asc(association.FieldID)).AllX(sys())
	risk := &notify.Risk{Progress: notify.EngineProgress{Engine: e.App.Progress.Engine}, Alerts: &notify.Alerter{}}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if i == len(links) {
			b.Fatal("no link left to end")
		}
		endLinks(b, e.App, risk, links[i])
		i++
	}
}
