package progress_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/organization"
	"certlink/ent/profile"
	"certlink/ent/requirement"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/counting"
	"certlink/internal/designation"
	"certlink/internal/ingest"
	"certlink/internal/linking"
	"certlink/internal/progress"
	"certlink/internal/store"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// TestKeptStateMatchesOracle is the property test of issue 13: random
// sequences of every writer that changes who counts — associate, remove, move
// (associating an MCID linked elsewhere), delete user, remove from report,
// merge, ingest, attestation, catalog change, rename — and time passing (reads
// at later moments, tallies settled there, reads back at earlier ones). After
// each step the kept spans equal a recomputation from the source tables, and
// progress, the people who count and the lapsing causes read from the kept
// state equal the from-scratch statements (the oracle), on both databases.
// Issue 15: the solution areas' kept counts are held the same way — their
// spans equal a recomputation, and every area's score, metric values, people,
// qualification, window and forecast drop read from them equal the scan
// (designation.SQLCounts) — with edits of the areas' certification lists and
// ingested metric values among the writers.
func TestKeptStateMatchesOracle(t *testing.T) {
	steps := 60
	if s, err := strconv.Atoi(os.Getenv("CERTLINK_KEPT_STEPS")); err == nil && s > 0 {
		steps = s
	}
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		defer progress.SetSettleAfter(0)()
		total := map[string]int{}
		for _, seed := range []uint64{1, 2} {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				w := newWorld(t, d, seed)
				for i := 0; i < steps; i++ {
					before := w.spansNow()
					w.drainWakes()
					what := w.step()
					w.checkAnnounced(fmt.Sprintf("step %d (%s)", i, what), what, before)
					w.check(fmt.Sprintf("step %d (%s)", i, what))
				}
				t.Logf("writers that changed something: %v; spans kept at the end: %d", w.done, len(w.spansNow()))
				for k, n := range w.done {
					total[k] += n
				}
			})
		}
		if steps >= 60 {
			for _, k := range []string{"associate", "remove", "ingest", "delete", "remove from report", "merge", "attest", "catalog: validity", "catalog: requirement", "rename", "catalog: area", "metrics", "area qualified", "area drops"} {
				if total[k] == 0 {
					t.Errorf("no %s succeeded in %d steps of each seed: the sequences do not exercise it", k, steps)
				}
			}
		}
	})
}

type world struct {
	t        *testing.T
	a        *app.App
	c        *ent.Client
	rng      *rand.Rand
	sys      context.Context
	at       time.Time // the moment reads look at; moves forward
	orgs     []int
	admins   map[int]*viewer.Viewer
	operator *viewer.Viewer
	people   []*ent.User
	accounts []*ent.DirectoryAccount
	skills   []*ent.Skill
	attested []int
	reqs     []int
	done     map[string]int
	mcids    []string
	// wakes are live subscriptions to every organization (B4).
	wakes map[int]<-chan struct{}
}

// announcers are the steps made through a service that announces its
// changes to live subscribers (the catalog steps write rows directly).
var announcers = map[string]bool{"associate (or move)": true, "remove": true, "ingest": true,
	"delete user": true, "remove from report": true, "merge": true}

func (w *world) drainWakes() {
	for _, ch := range w.wakes {
		select {
		case <-ch:
		default:
		}
	}
}

// checkAnnounced: a service step that changed who counts in an organization,
// or until when, woke that organization's live subscribers (B4) — whichever
// writer it was, merges included (a merge once told only the organization
// whose link ended, not the one gaining the results).
func (w *world) checkAnnounced(when, what string, before []counting.Span) {
	w.t.Helper()
	if !announcers[what] {
		return
	}
	counts := func(spans []counting.Span) map[int]string {
		byOrg := map[int][]string{}
		for _, s := range spans {
			until := "forever"
			if s.Until != nil {
				until = s.Until.UTC().Format(time.RFC3339)
			}
			byOrg[s.OrgID] = append(byOrg[s.OrgID], fmt.Sprintf("%d/%d/%s", s.RequirementID, s.UserID, until))
		}
		out := map[int]string{}
		for org, l := range byOrg {
			slices.Sort(l)
			out[org] = strings.Join(l, " ")
		}
		return out
	}
	old, now := counts(before), counts(w.spansNow())
	for _, org := range w.orgs {
		if old[org] == now[org] {
			continue
		}
		select {
		case <-w.wakes[org]:
		default:
			w.t.Fatalf("%s: who counts in organization %d changed, and its live subscribers were not told", when, org)
		}
	}
}

func (w *world) spansNow() []counting.Span {
	s, err := counting.Spans(w.sys, w.c)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func newWorld(t *testing.T, d testenv.Dialect, seed uint64) *world {
	a := testenv.Open(t, d)
	a.Linking.Limits = linking.Limits{Cooldown: 0, PerYear: 1 << 30}
	w := &world{t: t, a: a, c: a.DB.Client, rng: rand.New(rand.NewPCG(seed, 13)), sys: viewer.System(context.Background()),
		at: time.Now().UTC().Truncate(time.Second), admins: map[int]*viewer.Viewer{}, done: map[string]int{}}
	ctx := w.sys
	for _, email := range []string{"grace@contoso.example", "sam@fabrikam.example"} {
		u := w.c.User.Query().Where(user.Email(email)).OnlyX(ctx)
		w.orgs = append(w.orgs, *u.OrganizationID)
		w.admins[*u.OrganizationID] = &viewer.Viewer{Kind: viewer.KindUser, UserID: u.ID, OrgID: *u.OrganizationID, Email: u.Email,
			Roles: []viewer.Role{viewer.GlobalAdmin}}
	}
	ops := w.c.User.Query().Where(user.Email("ops@certlink.example")).OnlyX(ctx)
	w.operator = &viewer.Viewer{Kind: viewer.KindUser, UserID: ops.ID, Email: ops.Email, Roles: []viewer.Role{viewer.Operator}}
	// The skills requirements list, and those the solution areas count.
	var areaSkills []string
	for _, a := range w.c.SolutionArea.Query().AllX(ctx) {
		areaSkills = append(append(areaSkills, a.IntermediateSkills...), a.AdvancedSkills...)
	}
	w.skills = w.c.Skill.Query().Where(skill.Or(skill.HasRequirements(), skill.NumberIn(areaSkills...))).Order(skill.ByNumber()).AllX(ctx)
	if len(areaSkills) == 0 {
		t.Fatal("the catalog has no solution area certifications: the areas' kept counts are not exercised")
	}
	w.attested = w.c.Requirement.Query().Where(requirement.KindEQ(requirement.KindATTESTED)).IDsX(ctx)
	w.reqs = w.c.Requirement.Query().Where(requirement.KindEQ(requirement.KindSKILL)).IDsX(ctx)
	// Work accounts of both organizations (names collide on purpose: the
	// people are ordered by name, then id) and Learning accounts to link.
	for i := 0; i < 14; i++ {
		org := w.orgs[i%2]
		u := w.c.User.Create().SetEmail(fmt.Sprintf("kept%02d@org%d.example", i, org)).
			SetName(fmt.Sprintf("Person %d", i%5)).SetOrganizationID(org).SaveX(ctx)
		w.people = append(w.people, u)
	}
	for i := 0; i < 12; i++ {
		acc := w.c.DirectoryAccount.Create().SetEmail(fmt.Sprintf("kept%02d@learn.example", i)).SetName(fmt.Sprintf("Kept %d", i)).SaveX(ctx)
		w.c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(fmt.Sprintf("55%05d", i)).SetAccountID(acc.ID).ExecX(ctx)
		w.accounts = append(w.accounts, acc)
		w.mcids = append(w.mcids, fmt.Sprintf("55%05d", i))
	}
	// Ingested metrics high enough that areas qualify when enough people
	// count (the forecast then has drops to find).
	for _, org := range w.orgs {
		w.setMetrics(org, 1e6)
	}
	w.wakes = map[int]<-chan struct{}{}
	for _, org := range w.orgs {
		ch, stop := a.Live.Subscribe(org)
		t.Cleanup(stop)
		w.wakes[org] = ch
	}
	w.check("the demo and the fixture")
	for i := 0; i < 30; i++ {
		w.ingest()
	}
	w.check("first results")
	return w
}

func (w *world) viewerOf(u *ent.User) *viewer.Viewer {
	return &viewer.Viewer{Kind: viewer.KindUser, UserID: u.ID, OrgID: *u.OrganizationID, Email: u.Email}
}

// ok fails the test on anything but a rule's refusal (apperr), which random
// steps meet (removing a link that does not exist, deleting a deleted user).
func (w *world) ok(what string, err error) {
	w.t.Helper()
	if err == nil {
		w.done[what]++
		return
	}
	if _, isRule := apperr.As(err); isRule {
		return
	}
	w.t.Fatalf("%s: %v", what, err)
}

func (w *world) person() *ent.User { return w.people[w.rng.IntN(len(w.people))] }

// linkedPerson is a person with an active link, when there is one (removals
// of every kind act on them), else anyone.
func (w *world) linkedPerson() *ent.User {
	var linked []*ent.User
	for _, u := range w.people {
		if w.c.Association.Query().Where(association.UserID(u.ID), association.EndedAtIsNil()).ExistX(w.sys) {
			linked = append(linked, u)
		}
	}
	if len(linked) == 0 {
		return w.person()
	}
	return linked[w.rng.IntN(len(linked))]
}

func (w *world) mcid() string { return w.mcids[w.rng.IntN(len(w.mcids))] }

// moment is a random date around now: past, near, far or never (nil).
func (w *world) moment(base time.Time) *time.Time {
	switch w.rng.IntN(4) {
	case 0:
		return nil
	case 1:
		t := base.Add(-time.Duration(w.rng.IntN(400)) * 24 * time.Hour)
		return &t
	}
	t := base.Add(time.Duration(1+w.rng.IntN(500)) * 24 * time.Hour)
	return &t
}

func (w *world) ingest() {
	now := time.Now().UTC()
	done := now.Add(-time.Duration(1+w.rng.IntN(600)) * 24 * time.Hour).Truncate(time.Second)
	raw := ingest.Raw{MCID: w.mcid(), SkillNumber: w.skills[w.rng.IntN(len(w.skills))].Number, CompletedAt: done.Format(time.RFC3339)}
	if exp := w.moment(now); exp != nil && exp.After(done) {
		raw.ExpiresAt = exp.Format(time.RFC3339)
	}
	b, err := w.a.Ingest.Begin(w.sys, w.operator)
	w.ok("ingest", err)
	w.ok("ingest", b.Add(raw))
	_, err = b.Finish()
	w.ok("ingest", err)
}

// step applies one random writer, or lets time pass, and says which.
func (w *world) step() string {
	ctx := w.sys
	switch n := w.rng.IntN(100); {
	case n < 22:
		u := w.person()
		acc := w.accounts[w.rng.IntN(len(w.accounts))]
		w.ok("associate", w.a.Linking.AssociateDirectoryAccount(ctx, w.viewerOf(u), acc.ID, linking.Learning))
		return "associate (or move)"
	case n < 32:
		w.ok("remove", w.a.Linking.RemoveLearningAccount(ctx, w.viewerOf(w.linkedPerson())))
		return "remove"
	case n < 50:
		w.ingest()
		return "ingest"
	case n < 55:
		u := w.linkedPerson()
		w.ok("delete", w.a.Users.Delete(ctx, w.admins[*u.OrganizationID], u.ID))
		// A new work account takes the deleted one's place in the pool.
		fresh := w.c.User.Create().SetEmail(fmt.Sprintf("kept-new%d@org%d.example", w.rng.IntN(1<<30), *u.OrganizationID)).
			SetName(fmt.Sprintf("Person %d", w.rng.IntN(5))).SetOrganizationID(*u.OrganizationID).SaveX(ctx)
		w.people[slices.Index(w.people, u)] = fresh
		return "delete user"
	case n < 60:
		u := w.linkedPerson()
		w.ok("remove from report", w.a.Users.RemoveFromReport(ctx, w.admins[*u.OrganizationID], u.ID))
		return "remove from report"
	case n < 65:
		a, b := w.mcid(), w.mcid()
		if a != b {
			_, err := w.a.Merge.Merge(ctx, w.operator, a, b)
			w.ok("merge", err)
			if err == nil {
				// The duplicate is gone: a fresh profile takes its MCID's place.
				acc := w.c.DirectoryAccount.Create().SetEmail(fmt.Sprintf("kept-new%d@learn.example", w.rng.IntN(1<<30))).SetName("Kept").SaveX(ctx)
				m := fmt.Sprintf("56%05d", len(w.mcids))
				w.c.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(m).SetAccountID(acc.ID).ExecX(ctx)
				w.accounts = append(w.accounts, acc)
				w.mcids = append(w.mcids, m)
			}
		}
		return "merge"
	case n < 69:
		if len(w.attested) > 0 {
			org := w.orgs[w.rng.IntN(len(w.orgs))]
			_, _, err := w.a.Progress.SetAttestation(ctx, w.admins[org], w.attested[w.rng.IntN(len(w.attested))], w.rng.IntN(2) == 0, "the revenue figure")
			w.ok("attest", err)
		}
		return "attestation"
	case n < 74:
		sk := w.skills[w.rng.IntN(len(w.skills))]
		err := store.InTx(ctx, w.c, func(tx *ent.Tx) error {
			cur := tx.Skill.GetX(ctx, sk.ID)
			return catalog.UpdateSkill(ctx, tx.Client(), cur, catalog.Skill{Number: cur.Number, Title: cur.Title, Type: string(cur.Type),
				RetiredOn: datePtr(cur.RetiredOn), ValidUntil: datePtr(w.moment(w.at))})
		})
		w.ok("catalog: validity", err)
		return "catalog: a skill's validity end"
	case n < 77:
		rid := w.reqs[w.rng.IntN(len(w.reqs))]
		var ids []int
		for _, sk := range w.skills {
			if w.rng.IntN(3) == 0 {
				ids = append(ids, sk.ID)
			}
		}
		err := store.InTx(ctx, w.c, func(tx *ent.Tx) error {
			return tx.Requirement.UpdateOne(tx.Requirement.GetX(ctx, rid)).ClearSkills().AddSkillIDs(ids...).Exec(ctx)
		})
		w.ok("catalog: requirement", err)
		return "catalog: a requirement's skills"
	case n < 80:
		u := w.person()
		err := store.InTx(ctx, w.c, func(tx *ent.Tx) error {
			return tx.User.UpdateOne(tx.User.GetX(ctx, u.ID)).SetName(fmt.Sprintf("Person %d", w.rng.IntN(5))).Exec(ctx)
		})
		w.ok("rename", err)
		return "rename"
	case n < 83:
		areas := w.c.SolutionArea.Query().AllX(ctx)
		a := areas[w.rng.IntN(len(areas))]
		pick := func() []string {
			out := []string{}
			for _, sk := range w.skills {
				if w.rng.IntN(6) == 0 {
					out = append(out, sk.Number)
				}
			}
			return out
		}
		err := store.InTx(ctx, w.c, func(tx *ent.Tx) error {
			u := tx.SolutionArea.UpdateOneID(a.ID)
			switch w.rng.IntN(3) {
			case 0:
				u.SetIntermediateSkills(pick())
			case 1:
				u.SetAdvancedSkills(pick())
			default:
				u.SetIntermediateSkills(pick()).SetAdvancedSkills(pick())
			}
			return u.Exec(ctx)
		})
		w.ok("catalog: area", err)
		return "catalog: an area's certifications"
	case n < 86:
		values := []float64{0, 1, 5, 1e6}
		w.setMetrics(w.orgs[w.rng.IntN(len(w.orgs))], values[w.rng.IntN(len(values))])
		w.done["metrics"]++
		return "metric values"
	}
	w.at = w.at.Add(time.Duration(w.rng.IntN(120*24)) * time.Hour)
	// A read at the new moment settles the tallies it finds lapsed.
	for _, org := range w.orgs {
		if _, err := w.a.Progress.Engine.ComputeSettling(w.sys, w.c, org, w.at); err != nil {
			w.t.Fatal(err)
		}
		if _, err := designation.Compute(w.sys, w.c, designation.KeptCounts{SettleAfter: -1}, org, w.at, designation.DefaultHorizon,
			designation.Options{Settle: w.c}); err != nil {
			w.t.Fatal(err)
		}
	}
	return "time passes"
}

// setMetrics sets every ingested metric of org's areas to about value for
// this month (some a little off, so that areas differ).
func (w *world) setMetrics(org int, value float64) {
	month := designation.MonthOf(time.Now())
	for _, a := range w.c.SolutionArea.Query().AllX(w.sys) {
		for _, m := range a.Metrics {
			if m.Source != "INGESTED" {
				continue
			}
			v := value
			if w.rng.IntN(8) == 0 {
				v = float64(w.rng.IntN(3))
			}
			err := w.c.MetricValue.Create().SetOrganizationID(org).SetAreaKey(a.Key).SetMetricKey(m.Key).SetMonth(month).SetValue(v).
				OnConflictColumns("organization_id", "area_key", "metric_key", "month").UpdateValue().Exec(w.sys)
			if err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

func datePtr(t *time.Time) *catalog.Date {
	if t == nil {
		return nil
	}
	d := catalog.Date{Time: t.UTC().Truncate(24 * time.Hour)}
	return &d
}

// check compares the kept state and every read of it with the oracle, at the
// moment of the world, at real now (before tallies settled later: the reads
// back) and at a later moment.
func (w *world) check(when string) {
	w.t.Helper()
	ctx := w.sys
	kept, err := counting.Spans(ctx, w.c)
	if err != nil {
		w.t.Fatal(err)
	}
	fresh, err := counting.Recompute(ctx, w.c)
	if err != nil {
		w.t.Fatal(err)
	}
	if a, b := describeSpans(kept), describeSpans(fresh); a != b {
		w.t.Fatalf("%s: kept spans differ from a recomputation:\nkept:\n%s\nrecomputed:\n%s", when, a, b)
	}
	if drift, err := counting.TallyDrift(ctx, w.c); err != nil || len(drift) > 0 {
		w.t.Fatalf("%s: tallies: %v %v", when, drift, err)
	}
	keptAreas, err := counting.AreaSpans(ctx, w.c)
	if err != nil {
		w.t.Fatal(err)
	}
	freshAreas, err := counting.RecomputeAreas(ctx, w.c)
	if err != nil {
		w.t.Fatal(err)
	}
	if a, b := describeSpans(keptAreas), describeSpans(freshAreas); a != b {
		w.t.Fatalf("%s: kept area spans differ from a recomputation:\nkept:\n%s\nrecomputed:\n%s", when, a, b)
	}
	if drift, err := counting.AreaTallyDrift(ctx, w.c); err != nil || len(drift) > 0 {
		w.t.Fatalf("%s: area tallies: %v %v", when, drift, err)
	}
	e := w.a.Progress.Engine
	now := time.Now().UTC()
	first := w.at
	if first.Before(now) {
		first = now
	}
	for _, at := range []time.Time{first, now, w.at.Add(200 * 24 * time.Hour)} {
		if at.Before(now) {
			at = now
		}
		for _, org := range w.orgs {
			k, err := e.Compute(ctx, w.c, org, at)
			if err != nil {
				w.t.Fatal(err)
			}
			o, err := e.OracleCompute(ctx, w.c, org, at)
			if err != nil {
				w.t.Fatal(err)
			}
			if a, b := describeOrg(k), describeOrg(o); a != b {
				w.t.Fatalf("%s, organization %d at %s: kept progress differs from the oracle:\nkept:\n%s\noracle:\n%s", when, org, at, a, b)
			}
			w.checkAreas(when, org, at)
			// People and lapsing causes: a few requirements per step (the
			// steps cover them all), at the first moment only.
			if at != first {
				continue
			}
			for _, rid := range w.someReqs() {
				kp, err := e.People(ctx, w.c, org, rid, at)
				if err != nil {
					w.t.Fatal(err)
				}
				op, err := e.OraclePeople(ctx, w.c, org, rid, at)
				if err != nil {
					w.t.Fatal(err)
				}
				if !slices.Equal(kp, op) {
					w.t.Fatalf("%s, organization %d, requirement %d at %s: people %v, oracle %v", when, org, rid, at, kp, op)
				}
				by := at.Add(300 * 24 * time.Hour)
				kl, err := e.Lapsing(ctx, w.c, org, rid, at, by, 4)
				if err != nil {
					w.t.Fatal(err)
				}
				ol, err := e.OracleLapsing(ctx, w.c, org, rid, at, by, 4)
				if err != nil {
					w.t.Fatal(err)
				}
				if fmt.Sprint(describeLapses(kl)) != fmt.Sprint(describeLapses(ol)) {
					w.t.Fatalf("%s, organization %d, requirement %d at %s: lapsing %v, oracle %v", when, org, rid, at, describeLapses(kl), describeLapses(ol))
				}
			}
		}
	}
}

// checkAreas compares the solution areas read from the kept counts with the
// scan's at the moment at: scores, values, people, qualification, window and
// forecast drop.
func (w *world) checkAreas(when string, org int, at time.Time) {
	w.t.Helper()
	opt := designation.Options{People: true}
	k, err := designation.Compute(w.sys, w.c, designation.KeptCounts{}, org, at, designation.DefaultHorizon, opt)
	if err != nil {
		w.t.Fatal(err)
	}
	o, err := designation.Compute(w.sys, w.c, designation.SQLCounts{}, org, at, designation.DefaultHorizon, opt)
	if err != nil {
		w.t.Fatal(err)
	}
	a, b := describeAreas(k), describeAreas(o)
	if a != b {
		w.t.Fatalf("%s, organization %d at %s: solution areas from the kept counts differ from the scan:\nkept:\n%s\nscan:\n%s", when, org, at, a, b)
	}
	for _, ar := range k {
		if ar.Qualified() {
			w.done["area qualified"]++
		}
		if ar.DropsOn != nil {
			w.done["area drops"]++
		}
	}
}

func describeAreas(areas []*designation.Area) string {
	var b strings.Builder
	for _, a := range areas {
		fmt.Fprintf(&b, "%s score %.2f qualified %v best %s drops %s %q\n", a.Key, a.Best.Score, a.Qualified(), a.Best.Key, when(a.DropsOn), a.DropReason)
		if a.Window != nil {
			fmt.Fprintf(&b, "  window %d holds %v\n", a.Window.QualifiedDays, a.Window.Holds)
		}
		for _, t := range a.Tracks {
			for _, c := range t.Categories {
				for _, m := range c.Metrics {
					fmt.Fprintf(&b, "  %s %s value %g points %g people %v\n", t.Key, m.Key, m.Value, m.Points, m.PeopleIDs)
				}
			}
		}
	}
	return b.String()
}

// someReqs picks four SKILL requirements at random.
func (w *world) someReqs() []int {
	out := slices.Clone(w.reqs)
	w.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(4, len(out))]
}

func describeSpans(spans []counting.Span) string {
	var b strings.Builder
	for _, s := range spans {
		fmt.Fprintf(&b, "org %d req %d user %d %q until %s %s\n", s.OrgID, s.RequirementID, s.UserID, s.Name, when(s.Until), s.Skill)
	}
	return b.String()
}

func describeOrg(o *progress.Org) string {
	var b strings.Builder
	for _, c := range o.Competencies {
		// The catalog's part too: the kept answer reads the catalog from the
		// engine's cache, the oracle from the database.
		fmt.Fprintf(&b, "%s %q %s\n", c.Key, c.Name, c.Status)
		if c.Offer != nil {
			fmt.Fprintf(&b, "  offer %s %q\n", c.Offer.Level, c.Offer.Option)
		}
		for _, l := range c.Levels {
			for _, op := range l.Options {
				fmt.Fprintf(&b, "  %s %q met=%v unmetOn=%s\n", op.Level, op.Name, op.Met, when(op.UnmetOn))
				for _, r := range op.Requirements {
					fmt.Fprintf(&b, "    %d %s %d/%d met=%v unmetOn=%s skills=%v\n", r.ID, r.Kind, r.Current, r.Required, r.Met, when(r.UnmetOn), r.SkillIDs)
				}
			}
		}
	}
	return b.String()
}

func describeLapses(ls []progress.Lapse) []string {
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%d %s %s %s", l.UserID, l.Name, l.Skill, l.Until.Format(time.RFC3339Nano)))
	}
	return out
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// TestUpgradeFillsKeptState: a database from before the kept state (its
// tables dropped, links and results in place) gets it computed once by the
// migration, equal to a recomputation, and progress reads it; one from before
// the solution areas' kept counts gets those, and the areas read them.
func TestUpgradeFillsKeptState(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		w := newWorld(t, d, 7)
		for i := 0; i < 25; i++ {
			w.step()
		}
		ctx := w.sys
		before := map[int]string{}
		for _, org := range w.orgs {
			o, err := w.a.Progress.Engine.OracleCompute(ctx, w.c, org, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			before[org] = describeOrg(o)
		}
		for _, table := range []string{"counting_spans", "counting_tallies", "area_spans", "area_tallies"} {
			if _, err := w.a.DB.SQL.ExecContext(ctx, "DROP TABLE "+table); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.a.DB.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		n := w.c.Organization.Query().Where(organization.IDIn(w.orgs...)).CountX(ctx)
		if n != len(w.orgs) {
			t.Fatalf("organizations: %d", n)
		}
		spans, err := counting.Spans(ctx, w.c)
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) == 0 {
			t.Fatal("the upgrade kept no spans, though people count")
		}
		for _, org := range w.orgs {
			o, err := w.a.Progress.Engine.Compute(ctx, w.c, org, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got := describeOrg(o); got != before[org] {
				t.Fatalf("organization %d after the upgrade:\n%s\nbefore (oracle):\n%s", org, got, before[org])
			}
		}
		w.check("after the upgrade")
		// A second start finds the tables and leaves them alone.
		if err := w.a.DB.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		w.check("after a second start")
		// A database from before the solution areas' counts (issue 15) but
		// with progress's gets those only.
		for _, table := range []string{"area_spans", "area_tallies"} {
			if _, err := w.a.DB.SQL.ExecContext(ctx, "DROP TABLE "+table); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.a.DB.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		areaSpans, err := counting.AreaSpans(ctx, w.c)
		if err != nil {
			t.Fatal(err)
		}
		if len(areaSpans) == 0 {
			t.Fatal("the upgrade kept no area spans, though people hold the areas' certifications")
		}
		w.check("after the solution areas' upgrade")
	})
}
