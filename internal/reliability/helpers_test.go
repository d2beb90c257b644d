package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/user"
	"certlink/internal/account"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// certlinkBinary returns the certlink binary: $CERTLINK_BIN, or one built once
// per test run into a temporary directory.
func certlinkBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CERTLINK_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "certlink-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "certlink")
		out, err := exec.Command("go", "build", "-o", binPath, "certlink").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is certlink running as a child process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	URL  string
	done chan struct{}
	log  *bytes.Buffer
}

// procs counts the processes started: on a database of several hosts (the
// Galera cluster) each process starts on the next node, so two processes
// are on different nodes.
var procs atomic.Int32

// startProc runs the binary on dsn with fast workers and no association cooldown.
func startProc(t *testing.T, dsn string, extra ...string) *proc {
	t.Helper()
	dsn = testenv.OnHost(dsn, int(procs.Add(1)-1))
	return startProcOn(t, dsn, extra...)
}

// startProcOn runs the binary on dsn exactly as given.
func startProcOn(t *testing.T, dsn string, extra ...string) *proc {
	t.Helper()
	bin := certlinkBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"--addr=" + addr, "--db=" + dsn, "--demo=true", "--outbox-interval=100ms",
		"--association-cooldown=0s", "--associations-per-year=1000000", "--rate-limit=100000000", "--log-level=warn",
		"--outbox-lease=3s", "--request-timeout=90s"}, extra...)
	cmd := exec.Command(bin, args...)
	var log bytes.Buffer
	sw := &safeWriter{w: &log}
	cmd.Stdout, cmd.Stderr = sw, sw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, URL: "http://" + addr, done: make(chan struct{}), log: &log}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if n := strings.Count(log.String(), "ended a transaction on its own"); n > 0 {
			t.Logf("certlink %s: %d transactions the database ended on its own were refused at COMMIT and run again", p.URL, n)
		}
		if t.Failed() {
			t.Logf("certlink %s log:\n%s", p.URL, tail(log.String(), 6000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(p.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("certlink exited at start-up:\n%s", log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("certlink did not become healthy:\n%s", log.String())
	return nil
}

// kill sends SIGKILL and waits for the process to end.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

type safeWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *safeWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// gqlResult is a GraphQL answer, or the transport error that prevented one.
type gqlResult struct {
	Status int
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
	// HTTPError is a plain HTTP error answer ({"error": {"code", "message"}}),
	// e.g. 503 UNAVAILABLE when the sign-in lookup reaches no database host.
	HTTPError *struct{ Code, Message string } `json:"error"`
	Err       error
}

func (r gqlResult) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

var client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 200}}

// gql posts a GraphQL request to base with a bearer token.
func gql(base, token, query string, vars map[string]any) gqlResult {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return gqlResult{Err: err}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	out := gqlResult{Status: res.StatusCode, Err: err}
	if err == nil {
		if jerr := json.Unmarshal(raw, &out); jerr != nil {
			out.Err = fmt.Errorf("status %d, body %q", res.StatusCode, raw)
		}
	}
	return out
}

// sessions opens the database directly and mints a session per work email
// (without argon2: the tests are about linking, not signing in).
func sessions(t *testing.T, db *store.DB, emails ...string) []string {
	t.Helper()
	ctx := viewer.System(context.Background())
	acc := &account.Service{Client: db.Client, SessionTTL: time.Hour}
	out := make([]string, len(emails))
	for i, e := range emails {
		u, err := db.Client.User.Query().Where(user.Email(e)).Only(ctx)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		s, err := acc.OpenSession(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s.Secret
	}
	return out
}

// openDB opens the test's database directly (no migration: a server did it).
func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// addWorkers creates n default users in the organization of MPN ID mpn.
func addWorkers(t *testing.T, c *ent.Client, mpn string, prefix string, n int) []string {
	t.Helper()
	ctx := viewer.System(context.Background())
	org, err := c.Organization.Query().Where().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgID := 0
	for _, o := range org {
		if o.MpnID == mpn {
			orgID = o.ID
		}
	}
	if orgID == 0 {
		t.Fatalf("no organization %s", mpn)
	}
	emails := make([]string, n)
	var creates []*ent.UserCreate
	for i := range emails {
		emails[i] = fmt.Sprintf("%s%03d@%s.example", prefix, i, mpn)
		creates = append(creates, c.User.Create().SetEmail(emails[i]).SetName(fmt.Sprintf("Worker %s %03d", prefix, i)).SetOrganizationID(orgID))
	}
	if err := c.User.CreateBulk(creates...).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return emails
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
