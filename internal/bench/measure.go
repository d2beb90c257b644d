package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const progressQuery = `{competencyProgress{competency{id key name} status offer{level option anniversaryAt}
  levels{level attained options{name met unmetOn requirements{id key kind required current met unmetOn}}}}}`

const reportPageQuery = `query($first:Int!){skillsReport(first:$first){totalCount pageInfo{hasNextPage endCursor}
  edges{cursor node{name email mcid skillType skillNumber title completedAt expiresAt competencies associatedInPC source recognizedAt needsAssociation}}}}`

// gql posts a GraphQL request and fails on errors.
func (r *run) gql(ctx context.Context, token, query string, vars map[string]any, out any) (int, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := r.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	var env struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return res.StatusCode, fmt.Errorf("status %d: %s", res.StatusCode, raw)
	}
	if len(env.Errors) > 0 {
		return res.StatusCode, fmt.Errorf("%v: %s", env.Errors[0].Extensions["code"], env.Errors[0].Message)
	}
	if out != nil {
		return res.StatusCode, json.Unmarshal(env.Data, out)
	}
	return res.StatusCode, nil
}

func (r *run) signIn(ctx context.Context, email, password string) (string, error) {
	var out struct{ SignIn struct{ Token string } }
	_, err := r.gql(ctx, "", `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": email, "p": password}, &out)
	return out.SignIn.Token, err
}

// measureProgress compares competencyProgress over HTTP with the baseline SQL,
// alternating the two so that both see the same machine load.
func (r *run) measureProgress(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	o := orgs[0]
	token, err := r.signIn(ctx, o.AdminEmail, workPassword)
	if err != nil {
		return fmt.Errorf("signing in: %w", err)
	}
	var api, alt, base []time.Duration
	var check []progressRow
	read := func() (time.Duration, error) {
		t := time.Now()
		if _, err := r.gql(ctx, token, progressQuery, nil, nil); err != nil {
			return 0, fmt.Errorf("competencyProgress: %w", err)
		}
		return time.Since(t), nil
	}
	// First the comparison with the baseline, which recomputes the whole
	// organization (seconds at 100,000 people): reads and recomputations in
	// turn, so that both see the same machine, up to five while they take
	// less than a minute in all. A read right after a recomputation finds
	// the database's cache full of the recomputation's pages.
	baseRuns := min(r.cfg.Runs, 5)
	const baseBudget = time.Minute
	baseFailed, baseErr := 0, error(nil)
	for i := -1; i < baseRuns && baseFailed < 3 && (len(base) == 0 || sum(base) < baseBudget); i++ { // one warm-up round
		d, err := read()
		if err != nil {
			return err
		}
		t := time.Now()
		rows, err := baselineProgress(ctx, r.sql, o.ID, time.Now())
		if err != nil {
			// The recomputation is the only statement of the bench that
			// needs the server's temporary files: one that fails (a full
			// or cleaned tmpdir) is reported, not the end of the run.
			if ctx.Err() != nil {
				return err
			}
			baseFailed++
			baseErr = err
			continue
		}
		if i >= 0 {
			alt, base = append(alt, d), append(base, time.Since(t))
		}
		check = rows
	}
	// Then the reads back to back, as an admin's page does them: p50 and
	// p99 over these.
	for i := -3; i < r.cfg.Runs; i++ { // three warm-up reads
		d, err := read()
		if err != nil {
			return err
		}
		if i >= 0 {
			api = append(api, d)
		}
	}
	if baseErr != nil {
		fmt.Fprintf(r.out, "competencyProgress  the SQL recomputation failed %d times: %v\n", baseFailed, baseErr)
		res.add("progress_sql_failed", "%d", baseFailed)
	}
	ap, bp := pct(api, 50), pct(base, 50)
	if check != nil {
		if err := r.sameProgress(ctx, token, check); err != nil {
			return err
		}
	}
	fmt.Fprintf(r.out, "competencyProgress  %d people, %d reads back to back: GraphQL p50 %s p99 %s\n", o.People, len(api), ms(ap), ms(pct(api, 99)))
	if len(base) > 0 {
		fmt.Fprintf(r.out, "competencyProgress  in turn with the SQL recomputation: GraphQL p50 %s p99 %s | SQL recomputation p50 %s p99 %s | ratio %.2f\n",
			ms(pct(alt, 50)), ms(pct(alt, 99)), ms(bp), ms(pct(base, 99)), ratio(pct(alt, 50), bp))
		res.add("ratio_progress", "%.2f", ratio(pct(alt, 50), bp))
	} else {
		fmt.Fprintf(r.out, "competencyProgress  no SQL recomputation to compare with (answer not checked)\n")
	}
	res.add("progress_p50_ms", "%.1f", msf(ap))
	res.add("progress_p99_ms", "%.1f", msf(pct(api, 99)))
	if len(base) > 0 {
		res.add("progress_sql_p50_ms", "%.1f", msf(bp))
	}
	if r.small == nil {
		return nil
	}
	// The same read in the small organization: with kept counts a read costs
	// the catalog's requirements, not the people (issue 13: ≤ 3×).
	smallToken, err := r.signIn(ctx, r.small.AdminEmail, workPassword)
	if err != nil {
		return fmt.Errorf("signing in: %w", err)
	}
	var small []time.Duration
	for i := -3; i < r.cfg.Runs; i++ {
		t := time.Now()
		if _, err := r.gql(ctx, smallToken, progressQuery, nil, nil); err != nil {
			return fmt.Errorf("competencyProgress: %w", err)
		}
		if i >= 0 {
			small = append(small, time.Since(t))
		}
	}
	sp := pct(small, 50)
	fmt.Fprintf(r.out, "competencyProgress  %d people p50 %s p99 %s | %d people p50 %s | growth %.2f× (target ≤ 3)\n",
		r.small.People, ms(sp), ms(pct(small, 99)), o.People, ms(ap), ratio(ap, sp))
	res.add("progress_small_p50_ms", "%.1f", msf(sp))
	res.add("progress_small_p99_ms", "%.1f", msf(pct(small, 99)))
	res.add("progress_growth", "%.2f", ratio(ap, sp))
	return nil
}

// sameProgress checks that the API and the baseline give the same counts: a
// ratio against a different answer would mean nothing.
func (r *run) sameProgress(ctx context.Context, token string, want []progressRow) error {
	var out struct {
		CompetencyProgress []struct {
			Levels []struct {
				Options []struct {
					Requirements []struct {
						ID      string
						Current int
						Met     bool
					}
				}
			}
		}
	}
	if _, err := r.gql(ctx, token, progressQuery, nil, &out); err != nil {
		return err
	}
	got := map[string]int{}
	for _, c := range out.CompetencyProgress {
		for _, l := range c.Levels {
			for _, o := range l.Options {
				for _, q := range o.Requirements {
					got[q.ID] = q.Current
				}
			}
		}
	}
	for _, w := range want {
		if g, ok := got[strconv.Itoa(w.Requirement)]; ok && g != w.Current {
			return fmt.Errorf("progress differs from the baseline for requirement %s: API %d, SQL %d", w.Key, g, w.Current)
		}
	}
	return nil
}

// measureCSV compares GET /reports/skills.csv with the baseline CSV.
func (r *run) measureCSV(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	o := orgs[0]
	token, err := r.signIn(ctx, o.AdminEmail, workPassword)
	if err != nil {
		return err
	}
	skills, err := baselineSkills(ctx, r.sql)
	if err != nil {
		return err
	}
	var api, base []time.Duration
	var rows int
	for i := -1; i < r.cfg.CSVRuns; i++ {
		t := time.Now()
		n, err := r.download(ctx, token)
		if err != nil {
			return err
		}
		d1 := time.Since(t)
		t = time.Now()
		var cw countingWriter
		m, err := baselineCSV(ctx, r.sql, o.ID, skills, &cw)
		if err != nil {
			return err
		}
		d2 := time.Since(t)
		if n != m {
			return fmt.Errorf("the CSV has %d rows, the baseline %d", n, m)
		}
		if i >= 0 {
			api, base = append(api, d1), append(base, d2)
		}
		rows = n
	}
	ap, bp := pct(api, 50), pct(base, 50)
	perS := float64(rows) / ap.Seconds()
	fmt.Fprintf(r.out, "skills.csv          %d rows: HTTP p50 %s | SQL→CSV p50 %s | ratio %.2f (target ≤ 1.2) | %.0f rows/s\n",
		rows, ms(ap), ms(bp), ratio(ap, bp), perS)
	res.add("ratio_csv", "%.2f", ratio(ap, bp))
	res.add("csv_rows_per_s", "%.0f", perS)
	res.add("csv_rows", "%d", rows)
	return nil
}

// download fetches the organization's CSV report and returns its data rows.
func (r *run) download(ctx context.Context, token string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/reports/skills.csv", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := r.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return 0, fmt.Errorf("GET /reports/skills.csv: %d %s", res.StatusCode, b)
	}
	var cw countingWriter
	if _, err := io.Copy(&cw, res.Body); err != nil {
		return 0, err
	}
	return cw.lines - 1, nil // without the header
}

type countingWriter struct{ lines int }

// Write counts newlines; the bench's CSV cells hold none.
func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// measureQueries counts the database statements of one report page of 10 and
// of 100 rows: they must be the same (no query per row).
func (r *run) measureQueries(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	token, err := r.signIn(ctx, orgs[0].AdminEmail, workPassword)
	if err != nil {
		return err
	}
	count := func(first int) (int64, error) {
		before := r.queries.Count()
		var out struct {
			SkillsReport struct{ Edges []json.RawMessage }
		}
		if _, err := r.gql(ctx, token, reportPageQuery, map[string]any{"first": first}, &out); err != nil {
			return 0, err
		}
		if got := len(out.SkillsReport.Edges); got != first {
			return 0, fmt.Errorf("a page of %d holds %d rows", first, got)
		}
		return r.queries.Count() - before, nil
	}
	// Once unmeasured: a session's first request records its use.
	if _, err := count(10); err != nil {
		return err
	}
	q10, err := count(10)
	if err != nil {
		return err
	}
	q100, err := count(100)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "skillsReport page   %d queries for 10 rows, %d for 100 rows (with sign-in check and catalog)\n", q10, q100)
	res.add("queries_per_page_10", "%d", q10)
	res.add("queries_per_page_100", "%d", q100)
	return nil
}

// measureLinking runs the clients concurrently, each associating and removing
// its own Learning account for the configured time, twice: first with the
// built-in directory's password check (argon2id) on every association, then
// with each client's Learning sign-in proven once (provenOnce), which leaves
// what certlink's own association costs (the lock, the end and start of the
// link, the kept counts, at-risk detection, history, the live event).
func (r *run) measureLinking(ctx context.Context, res *Result, _ []*org, clients []client) error {
	tokens := make([]string, len(clients))
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = r.signIn(ctx, c.WorkEmail, workPassword)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("signing the linking clients in: %w", err)
		}
	}
	for _, phase := range []struct {
		once         bool
		prefix, what string
	}{
		{false, "assoc", "directory password checked (argon2id) on every association"},
		{true, "assoc_once", "Learning sign-in proven once per client"},
	} {
		r.dir.on.Store(phase.once)
		if phase.once {
			// Each client proves its sign-in once, before the clock starts.
			if err := r.proveOnce(ctx, clients, tokens); err != nil {
				return err
			}
		}
		checks, queries, cpu := r.dir.checks.Load(), r.queries.Count(), processCPU()
		var stop func()
		if phase.once && r.cfg.CPUProfile != "" {
			f, err := os.Create(r.cfg.CPUProfile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				return err
			}
			stop = func() { pprof.StopCPUProfile(); f.Close() }
		}
		st, err := r.link(ctx, clients, tokens)
		if stop != nil {
			stop()
		}
		if err != nil {
			return err
		}
		checks, queries, cpu = r.dir.checks.Load()-checks, r.queries.Count()-queries, processCPU()-cpu
		cpuPerOp := msf(cpu) / float64(max(1, st.ops))
		fmt.Fprintf(r.out, "associate/remove    %d clients, %s: %d operations in %s, %.1f/s, p50 %s p99 %s, %d directory checks, %.1f statements and %.2f ms of certlink's CPU (bench clients included) an operation, %d failed, %d 5xx\n",
			len(clients), phase.what, st.ops, st.took.Round(time.Millisecond), st.perS(), ms(st.p50), ms(st.p99), checks,
			float64(queries)/float64(max(1, st.ops)), cpuPerOp, st.failed, st.serverErr)
		res.add(phase.prefix+"_cpu_ms_per_op", "%.2f", cpuPerOp)
		if st.firstErr != nil {
			fmt.Fprintf(r.out, "                    first failure: %v\n", st.firstErr)
		}
		res.add(phase.prefix+"_per_s", "%.1f", st.perS())
		res.add(phase.prefix+"_p50_ms", "%.1f", msf(st.p50))
		res.add(phase.prefix+"_p99_ms", "%.1f", msf(st.p99))
		res.add(phase.prefix+"_failed", "%d", st.failed)
	}
	r.dir.on.Store(false)
	return nil
}

// proveOnce has every client associate and remove once, at once: the
// directory checks each Learning sign-in (argon2id) the first time.
func (r *run) proveOnce(ctx context.Context, clients []client, tokens []string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, errs[i] = r.gql(ctx, tokens[i], associateMutation, map[string]any{"e": c.LearnEmail, "p": directoryPassword}, nil); errs[i] == nil {
				_, errs[i] = r.gql(ctx, tokens[i], removeMutation, nil, nil)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("proving the clients' sign-ins: %w", err)
		}
	}
	return nil
}

const (
	associateMutation = `mutation($e:String!,$p:String!){associateLearningAccount(input:{email:$e,password:$p}){user{learningAccount{mcid}}}}`
	removeMutation    = `mutation{removeLearningAccount{user{learningAccount{mcid}}}}`
)

// linkStats are one linking phase's figures.
type linkStats struct {
	ops               int
	took              time.Duration
	p50, p99          time.Duration
	failed, serverErr int64
	firstErr          error
}

func (s linkStats) perS() float64 { return float64(s.ops) / s.took.Seconds() }

// link runs the clients for the configured time, each associating and
// removing its Learning account in turn.
func (r *run) link(ctx context.Context, clients []client, tokens []string) (linkStats, error) {
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		lat       []time.Duration
		failures  atomic.Int64
		serverErr atomic.Int64
		firstErr  error
	)
	deadline := time.Now().Add(r.cfg.Linking)
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				for _, op := range []struct {
					q string
					v map[string]any
				}{{associateMutation, map[string]any{"e": c.LearnEmail, "p": directoryPassword}}, {removeMutation, nil}} {
					t := time.Now()
					status, err := r.gql(ctx, tokens[i], op.q, op.v, nil)
					mine = append(mine, time.Since(t))
					if status >= 500 {
						serverErr.Add(1)
					}
					if err != nil {
						failures.Add(1)
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return linkStats{}, err
	}
	return linkStats{ops: len(lat), took: time.Since(start), p50: pct(lat, 50), p99: pct(lat, 99),
		failed: failures.Load(), serverErr: serverErr.Load(), firstErr: firstErr}, nil
}

// measureLargeCSV downloads the large organization's report and records the
// process's peak resident memory while it streams.
func (r *run) measureLargeCSV(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	if len(orgs) < 2 {
		return nil
	}
	o := orgs[1]
	token, err := r.signIn(ctx, o.AdminEmail, workPassword)
	if err != nil {
		return err
	}
	runtime.GC()
	debug.FreeOSMemory()
	reset := resetPeakRSS()
	before := rssKB("VmRSS")
	t := time.Now()
	n, err := r.download(ctx, token)
	if err != nil {
		return err
	}
	took := time.Since(t)
	peak := rssKB("VmHWM")
	note := ""
	if !reset {
		note = " (peak since start: /proc/self/clear_refs not writable)"
	}
	fmt.Fprintf(r.out, "large skills.csv    %d rows in %s (%.0f rows/s), RSS before %.0f MB, peak while streaming %.0f MB%s (target < 128 MB)\n",
		n, took.Round(time.Millisecond), float64(n)/took.Seconds(), float64(before)/1024, float64(peak)/1024, note)
	res.add("large_csv_rows", "%d", n)
	res.add("large_csv_rows_per_s", "%.0f", float64(n)/took.Seconds())
	res.add("peak_rss_mb", "%.0f", float64(peak)/1024)
	return nil
}

// processCPU is the CPU time this process used so far (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets VmHWM to the current RSS (Linux: "5" to clear_refs).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// rssKB reads a memory line (VmHWM, VmRSS) of /proc/self/status, in kB.
func rssKB(name string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func sum(ds []time.Duration) time.Duration {
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return t
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func ms(d time.Duration) string   { return strconv.FormatFloat(msf(d), 'f', 1, 64) + " ms" }
