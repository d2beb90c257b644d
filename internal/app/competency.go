package app

import (
	"context"
	"fmt"
	"time"

	shipped "certlink/catalog"
	"certlink/internal/catalog"
	"certlink/internal/ingest"
	"certlink/internal/progress"
	"certlink/internal/report"
)

// startCompetency builds the catalog, progress, report and ingest services and
// loads the catalog file (the shipped one unless --catalog names another). It
// runs before the demo is seeded: the demo's results refer to the catalog.
func (a *App) startCompetency(ctx context.Context) error {
	c := a.DB.Client
	a.Catalog = &catalog.Service{Client: c, RowLocks: !a.DB.Embedded}
	a.Progress = &progress.Service{Client: c, Engine: &progress.Engine{}, RowLocks: !a.DB.Embedded}
	a.Report = &report.Service{Client: c}
	a.Ingest = &ingest.Service{Client: c, RowLocks: !a.DB.Embedded}
	sum, applied, err := a.Catalog.LoadAtStartup(ctx, a.Config.Catalog, shipped.Default, shipped.DefaultName)
	if err != nil {
		return fmt.Errorf("loading the catalog: %w", err)
	}
	if applied {
		a.Log.Info("catalog loaded", "file", a.catalogName(), "changes", sum.String())
	}
	return nil
}

func (a *App) catalogName() string {
	if a.Config.Catalog != "" {
		return a.Config.Catalog
	}
	return shipped.DefaultName
}

// SetClock makes progress, the report and ingest read the time from now (tests
// move it to check validity ends and expiries).
func (a *App) SetClock(now func() time.Time) {
	a.Progress.Engine.Now = now
	a.Catalog.Now = now
	a.Report.Now = now
	a.Ingest.Now = now
	if a.MetricIngest != nil {
		a.MetricIngest.Now = now
	}
	if a.Daily != nil {
		a.Daily.Now = now
	}
}
