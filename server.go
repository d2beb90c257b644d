// Command certlink serves the certlink API and web app.
//
//	certlink [--addr=127.0.0.1:8080] [--db=certlink.db] [flags]   serve
//	certlink bench [flags]                                       measure (see README)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"certlink/frontend"
	"certlink/internal/app"
	"certlink/internal/demo"
)

func main() {
	if len(os.Args) > 1 {
		if cmd, ok := subcommands[os.Args[1]]; ok {
			os.Exit(cmd(os.Args[2:]))
		}
	}
	os.Exit(serve(os.Args[1:]))
}

// subcommands are extra commands; serving is the default.
var subcommands = map[string]func(args []string) int{}

func serve(args []string) int {
	fs := flag.NewFlagSet("certlink", flag.ContinueOnError)
	var cfg app.Config
	cfg.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		// A word after the flags is no flag's value (the bare --demo takes
		// none: --demo=false) and no command: refused, rather than serving
		// as if it were not there (review: "certlink help" started a server).
		cmds := slices.Sorted(maps.Keys(subcommands))
		fmt.Fprintf(os.Stderr, "certlink: unexpected argument %q: commands are %s before any flag; flags are listed by certlink -h\n",
			fs.Arg(0), strings.Join(cmds, ", "))
		return 2
	}
	log := newLogger(cfg.LogLevel, cfg.LogFormat)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "certlink:", err)
		return 1
	}
	defer a.Close()

	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "certlink:", err)
		return 1
	}
	ln = a.Listener(ln)
	srv := &http.Server{Handler: a.Handler()}
	a.Configure(srv, log)
	workers, stopWorkers := context.WithCancel(context.Background())
	a.Start(workers)

	banner(os.Stdout, a, ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "certlink:", err)
			stopWorkers()
			return 1
		}
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("shutdown", "err", err)
		}
	}
	stopWorkers()
	return 0
}

func banner(w io.Writer, a *app.App, addr string) {
	var b strings.Builder
	fmt.Fprintf(&b, "\ncertlink is running at http://%s\n", addr)
	fmt.Fprintf(&b, "  GraphQL API: http://%s/graphql   health: /healthz   metrics: /metrics\n", addr)
	if !frontend.Built() {
		fmt.Fprintf(&b, "  (the web app is not built into this binary: run `npm ci && npm run build` first)\n")
	}
	if a.Config.SeedDemo(a.DB.Embedded) {
		present, err := demo.Present(context.Background(), a.DB.Client)
		if err != nil || !present {
			fmt.Fprintf(&b, "\nNo demo sign-ins: this database held organizations before the demo could be seeded (--demo seeds an empty database only).\n")
			fmt.Fprintln(w, b.String())
			return
		}
		fmt.Fprintf(&b, "\nDemo sign-ins (password %q):\n", demo.WorkPassword)
		for _, s := range demo.SignIns {
			fmt.Fprintf(&b, "  %-24s %s\n", s.Email, s.Role)
		}
		fmt.Fprintf(&b, "Learning accounts to associate (password %q): alex@learn.example (MCID 9900001), riley@learn.example (9900002), jordan@learn.example (9900003)\n", demo.DirectoryPassword)
	}
	fmt.Fprintln(w, b.String())
}

func newLogger(level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
