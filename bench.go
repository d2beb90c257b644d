package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"certlink/internal/bench"
)

func init() { subcommands["bench"] = benchCommand }

// benchCommand is `certlink bench`: see internal/bench and the README's
// Performance section.
func benchCommand(args []string) int {
	cfg := bench.Defaults()
	fs := flag.NewFlagSet("certlink bench", flag.ContinueOnError)
	fs.IntVar(&cfg.People, "people", cfg.People, "people in the synthetic organization")
	fs.IntVar(&cfg.SmallPeople, "small-people", cfg.SmallPeople, "people of a second, small organization whose progress is measured too (0 skips it)")
	fs.IntVar(&cfg.Results, "results", cfg.Results, "their results (exam passes, certifications)")
	fs.StringVar(&cfg.DB, "db", "", "empty: a temporary SQLite file; mysql://user:pass@host:3306/[prefix] makes and drops a scratch database there (named prefix_<random>, default certlink_bench_<random>)")
	fs.IntVar(&cfg.CSVRows, "csv-rows", cfg.CSVRows, "rows of the large CSV export whose peak memory is measured (0 skips it)")
	fs.IntVar(&cfg.Runs, "runs", cfg.Runs, "competencyProgress runs (p50, p99 over these)")
	fs.IntVar(&cfg.CSVRuns, "csv-runs", cfg.CSVRuns, "CSV report runs")
	fs.IntVar(&cfg.AreasRuns, "areas-runs", cfg.AreasRuns, "solutionAreas runs (0 skips them)")
	fs.IntVar(&cfg.Clients, "clients", cfg.Clients, "concurrent associate/remove clients")
	fs.DurationVar(&cfg.Linking, "linking-time", cfg.Linking, "how long the clients associate and remove")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the linking phase without the directory's argon2id to this file")
	fs.IntVar(&cfg.DBMaxConns, "db-max-conns", 0, "database connections certlink opens at most (0: its default)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the database afterwards (to inspect it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "certlink bench:", err)
		return 1
	}
	fmt.Println(res.Line())
	return 0
}
