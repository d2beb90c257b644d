package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/auditevent"
	"certlink/ent/organization"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/testenv"
)

// Non-interference of every filter and ordering (issue 11 item 10c): for each
// role, the answer to any where / orderBy the schema offers — found by
// introspection, not listed by hand — is the same whatever the rows the role
// may not read hold. The test asks every query, changes every row hidden from
// the role (names, emails, flags, dates; new hidden people and history), asks
// again and compares. A filter that reached hidden rows (ent's hasXWith edge
// predicates did: a subquery no privacy rule sees) answers differently. A
// control run changes rows the role may read, to show the comparison sees
// differences when there are some.

// --- introspection ---------------------------------------------------------

type gqlTypeRef struct {
	Kind   string      `json:"kind"`
	Name   string      `json:"name"`
	OfType *gqlTypeRef `json:"ofType"`
}

func (t *gqlTypeRef) named() *gqlTypeRef {
	for t.OfType != nil {
		t = t.OfType
	}
	return t
}

func (t *gqlTypeRef) list() bool {
	for ; t != nil; t = t.OfType {
		if t.Kind == "LIST" {
			return true
		}
	}
	return false
}

type gqlInputValue struct {
	Name         string     `json:"name"`
	Type         gqlTypeRef `json:"type"`
	DefaultValue *string    `json:"defaultValue"`
}

func (v gqlInputValue) required() bool { return v.Type.Kind == "NON_NULL" && v.DefaultValue == nil }

type gqlType struct {
	Kind        string          `json:"kind"`
	Name        string          `json:"name"`
	Fields      []gqlField      `json:"fields"`
	InputFields []gqlInputValue `json:"inputFields"`
	EnumValues  []struct {
		Name string `json:"name"`
	} `json:"enumValues"`
	PossibleTypes []struct {
		Name string `json:"name"`
	} `json:"possibleTypes"`
}

type gqlField struct {
	Name string          `json:"name"`
	Args []gqlInputValue `json:"args"`
	Type gqlTypeRef      `json:"type"`
}

const introspection = `{__schema{queryType{name} types{kind name
  fields{name args{name defaultValue type{...R}} type{...R}}
  inputFields{name defaultValue type{...R}}
  enumValues{name} possibleTypes{name}}}}
fragment R on __Type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}`

type gqlSchema struct {
	query string
	types map[string]*gqlType
}

func introspect(t *testing.T, e *testenv.Env, tok string) gqlSchema {
	t.Helper()
	var out struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []*gqlType
		} `json:"__schema"`
	}
	must(t, e, tok, introspection, nil, &out)
	s := gqlSchema{query: out.Schema.QueryType.Name, types: map[string]*gqlType{}}
	for _, ty := range out.Schema.Types {
		s.types[ty.Name] = ty
	}
	return s
}

// --- where the filters are -------------------------------------------------

// filterSite is a field taking where or orderBy, and a path from Query to it:
// each step is a field (with its arguments) or an inline fragment.
type filterSite struct {
	owner, field string
	path         []string
	args         []gqlInputValue // the filtering arguments
	result       *gqlTypeRef
}

// filterSites walks the schema from Query through fields without required
// arguments (and node(id) for the ids given), the way any caller can, and
// returns every field taking where or orderBy, with the shortest path to it.
func filterSites(s gqlSchema, ids []string) []filterSite {
	type item struct {
		typ  string
		path []string
	}
	seen := map[string]bool{s.query: true}
	found := map[string]bool{}
	var sites []filterSite
	queue := []item{{s.query, nil}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		ty := s.types[it.typ]
		if len(it.path) > 8 {
			continue
		}
		var next []item
		for _, f := range ty.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			var filters []gqlInputValue
			var idArg string
			blocked := false
			for _, a := range f.Args {
				switch {
				case a.Name == "where" || a.Name == "orderBy":
					filters = append(filters, a)
				case a.required() && a.Type.named().Name == "ID" && !a.Type.list():
					idArg = a.Name
				case a.required():
					blocked = true
				}
			}
			if blocked {
				continue
			}
			if len(filters) > 0 && idArg == "" && !found[it.typ+"."+f.Name] {
				found[it.typ+"."+f.Name] = true
				sites = append(sites, filterSite{owner: it.typ, field: f.Name, path: slices.Clone(it.path),
					args: filters, result: &f.Type})
			}
			target := s.types[f.Type.named().Name]
			if target == nil || (target.Kind != "OBJECT" && target.Kind != "INTERFACE") {
				continue
			}
			steps := []string{f.Name}
			if idArg != "" {
				steps = steps[:0]
				for _, id := range ids {
					steps = append(steps, fmt.Sprintf("%s(%s:%q)", f.Name, idArg, id))
				}
			}
			for _, step := range steps {
				if target.Kind == "INTERFACE" {
					for _, pt := range target.PossibleTypes {
						if !seen[pt.Name] {
							next = append(next, item{pt.Name, append(slices.Clone(it.path), step, "... on "+pt.Name)})
						}
					}
					continue
				}
				if !seen[target.Name] {
					next = append(next, item{target.Name, append(slices.Clone(it.path), step)})
				}
			}
		}
		for _, n := range next {
			if !seen[n.typ] || strings.HasPrefix(n.path[len(n.path)-1], "... on ") {
				seen[n.typ] = true
				queue = append(queue, n)
			}
		}
	}
	return sites
}

// selection asks for every argument-free field of a type, objects to depth.
func selection(s gqlSchema, name string, depth int) string {
	ty := s.types[name]
	if ty == nil || ty.Kind != "OBJECT" {
		return ""
	}
	var parts []string
	for _, f := range ty.Fields {
		if len(f.Args) > 0 {
			continue
		}
		n := f.Type.named()
		switch s.types[n.Name].Kind {
		case "SCALAR", "ENUM":
			parts = append(parts, f.Name)
		case "OBJECT":
			if depth > 0 {
				if sub := selection(s, n.Name, depth-1); sub != "" {
					parts = append(parts, f.Name+"{"+sub+"}")
				}
			}
		}
	}
	return strings.Join(parts, " ")
}

// --- values to filter with -------------------------------------------------

// probes are values of rows hidden from the role: filters built from them
// match those rows before they change and not after.
type probes struct {
	strings, ids, times []string
}

func literalOf(kind string, v string) string {
	if kind == "ENUM" {
		return v
	}
	if kind == "SCALAR" {
		return strconv.Quote(v)
	}
	return v
}

func scalarCandidates(scalar string, p probes) []string {
	var vs []string
	switch scalar {
	case "String":
		for _, s := range p.strings {
			vs = append(vs, strconv.Quote(s))
		}
	case "ID", "Cursor":
		if scalar == "Cursor" {
			return nil
		}
		for _, s := range p.ids {
			vs = append(vs, strconv.Quote(s))
		}
	case "Time":
		for _, s := range p.times {
			vs = append(vs, strconv.Quote(s))
		}
	case "Boolean":
		vs = []string{"true", "false"}
	case "Int":
		vs = []string{"0", "1"}
		for _, s := range p.ids {
			vs = append(vs, s)
		}
	}
	return vs
}

// candidates returns input object literals for type name: each field alone
// with each probe value (nested inputs — and, or, not, any edge filter — with
// a sample of their own), required fields always set; for an ordering (all
// fields enums) every combination.
func candidates(s gqlSchema, name string, p probes, depth int) []string {
	ty := s.types[name]
	values := func(f gqlInputValue) []string {
		n := f.Type.named()
		var vs []string
		switch s.types[n.Name].Kind {
		case "ENUM":
			for _, ev := range s.types[n.Name].EnumValues {
				vs = append(vs, ev.Name)
			}
		case "SCALAR":
			vs = scalarCandidates(n.Name, p)
		case "INPUT_OBJECT":
			if depth < 2 {
				inner := candidates(s, n.Name, p, depth+1)
				// A sample at depth: a dozen of the nested filters.
				step := max(1, len(inner)/12)
				for i := 0; i < len(inner); i += step {
					vs = append(vs, inner[i])
				}
			}
		}
		if depth > 0 && len(vs) > 1 && s.types[n.Name].Kind == "SCALAR" {
			vs = vs[:1]
		}
		if f.Type.list() {
			for i, v := range vs {
				vs[i] = "[" + v + "]"
			}
		}
		return vs
	}
	allEnums := true
	for _, f := range ty.InputFields {
		allEnums = allEnums && s.types[f.Type.named().Name].Kind == "ENUM"
	}
	if allEnums {
		combos := []string{""}
		for _, f := range ty.InputFields {
			var next []string
			for _, c := range combos {
				for _, v := range values(f) {
					next = append(next, strings.TrimPrefix(c+", ", ", ")+f.Name+": "+v)
				}
			}
			combos = next
		}
		for i, c := range combos {
			combos[i] = "{" + c + "}"
		}
		return combos
	}
	base := map[string]string{}
	for _, f := range ty.InputFields {
		if f.required() {
			if vs := values(f); len(vs) > 0 {
				base[f.Name] = vs[0]
			}
		}
	}
	var out []string
	for _, f := range ty.InputFields {
		for _, v := range values(f) {
			parts := []string{f.Name + ": " + v}
			for k, bv := range base {
				if k != f.Name {
					parts = append(parts, k+": "+bv)
				}
			}
			sort.Strings(parts)
			out = append(out, "{"+strings.Join(parts, ", ")+"}")
		}
	}
	return out
}

// --- the queries -----------------------------------------------------------

type probeQuery struct {
	label string // site and argument, for messages
	field string // the aliased query field with its selection
}

func siteQueries(s gqlSchema, sites []filterSite, p probes) []probeQuery {
	var qs []probeQuery
	for _, site := range sites {
		sel := selection(s, site.result.named().Name, 3)
		for _, arg := range site.args {
			for _, lit := range candidates(s, arg.Type.named().Name, p, 0) {
				if arg.Type.list() {
					lit = "[" + lit + "]"
				}
				inner := fmt.Sprintf("%s(%s: %s){%s}", site.field, arg.Name, lit, sel)
				if hasArg(s, site, "first") {
					inner = fmt.Sprintf("%s(first: 20, %s: %s){%s}", site.field, arg.Name, lit, sel)
				}
				for i := len(site.path) - 1; i >= 0; i-- {
					inner = site.path[i] + "{" + inner + "}"
				}
				qs = append(qs, probeQuery{label: site.owner + "." + site.field + "(" + arg.Name + ": " + lit + ")", field: inner})
			}
		}
	}
	return qs
}

func hasArg(s gqlSchema, site filterSite, name string) bool {
	for _, f := range s.types[site.owner].Fields {
		if f.Name == site.field {
			return slices.ContainsFunc(f.Args, func(a gqlInputValue) bool { return a.Name == name })
		}
	}
	return false
}

// answers asks every query, a few per request (aliased), and returns each
// one's answer: its data and its errors (code, message), in a stable form.
func answers(t *testing.T, e *testenv.Env, tok string, qs []probeQuery) []string {
	t.Helper()
	// Six to a request: under the alias limit (30), the 300 selections of a
	// document (a skills report row selects about 30, a user about 40) and
	// the cost limit.
	const perRequest = 6
	out := make([]string, len(qs))
	for start := 0; start < len(qs); start += perRequest {
		end := min(start+perRequest, len(qs))
		var doc strings.Builder
		doc.WriteString("{")
		for i := start; i < end; i++ {
			fmt.Fprintf(&doc, " q%d: %s", i, qs[i].field)
		}
		doc.WriteString("}")
		r := e.Do(tok, doc.String(), nil)
		var data map[string]json.RawMessage
		if len(r.Data) > 0 && string(r.Data) != "null" {
			if err := json.Unmarshal(r.Data, &data); err != nil {
				t.Fatalf("decoding %s: %v", r.Data, err)
			}
		}
		errs := map[string][]string{}
		for _, er := range r.Errors {
			if len(er.Path) == 0 {
				if tok != "" {
					t.Fatalf("the whole request was refused (%v %s): %s", er.Extensions["code"], er.Message, doc.String())
				}
				for i := start; i < end; i++ {
					errs[fmt.Sprintf("q%d", i)] = append(errs[fmt.Sprintf("q%d", i)], fmt.Sprint(er.Extensions["code"], ": ", er.Message))
				}
				continue
			}
			key := fmt.Sprint(er.Path[0])
			errs[key] = append(errs[key], fmt.Sprint(er.Path[1:], " ", er.Extensions["code"], ": ", er.Message))
		}
		for i := start; i < end; i++ {
			key := fmt.Sprintf("q%d", i)
			var b bytes.Buffer
			b.Write(data[key])
			sort.Strings(errs[key])
			for _, m := range errs[key] {
				b.WriteString(" | " + m)
			}
			out[i] = b.String()
		}
	}
	return out
}

// --- the hidden rows -------------------------------------------------------

type personRow struct {
	ID                 int
	OrgID              int // 0: none (operators)
	Email, Name        string
	MustChangePassword bool
	CreatedAt          time.Time
	Deleted            bool
}

func people(t *testing.T, e *testenv.Env) []personRow {
	t.Helper()
	var out []personRow
	for _, u := range e.App.DB.Client.User.Query().Order(ent.Asc(user.FieldID)).AllX(sys()) {
		p := personRow{ID: u.ID, Email: u.Email, Name: u.Name, MustChangePassword: u.MustChangePassword,
			CreatedAt: u.CreatedAt, Deleted: u.DeletedAt != nil}
		if u.OrganizationID != nil {
			p.OrgID = *u.OrganizationID
		}
		out = append(out, p)
	}
	return out
}

// change rewrites the rows it is given — every value a filter could read —
// adds a person and a history entry to each organization named in orgs, and
// returns how to put everything back.
func change(t *testing.T, e *testenv.Env, rows []personRow, orgs []int) (undo func()) {
	t.Helper()
	c, ctx := e.App.DB.Client, sys()
	for _, p := range rows {
		domain := p.Email[strings.LastIndex(p.Email, "@")+1:]
		c.User.UpdateOneID(p.ID).SetEmail(fmt.Sprintf("changed-%d@%s", p.ID, domain)).
			SetName(fmt.Sprintf("Changed %d", p.ID)).SetMustChangePassword(!p.MustChangePassword).ExecX(ctx)
		setCreatedAt(t, e, p.ID, p.CreatedAt.Add(400*24*time.Hour))
	}
	var added []int
	var events []int
	for _, org := range orgs {
		domain := "contoso.example"
		if o := c.Organization.GetX(ctx, org); o.MpnID == "4100002" {
			domain = "fabrikam.example"
		}
		u := c.User.Create().SetEmail(fmt.Sprintf("added-%d@%s", org, domain)).SetName("Added Person").
			SetOrganizationID(org).SetMustChangePassword(true).SetCreatedAt(time.Now().UTC()).SaveX(ctx)
		added = append(added, u.ID)
		ev := c.AuditEvent.Create().SetAction("USER_UPDATED").SetActorUserID(u.ID).SetUserID(u.ID).
			SetOrganizationID(org).SetMcid("9900003").SetDetail("Added Person changed everything.").SaveX(ctx)
		events = append(events, ev.ID)
	}
	return func() {
		c.AuditEvent.Delete().Where(auditevent.IDIn(events...)).ExecX(ctx)
		c.User.Delete().Where(user.IDIn(added...)).ExecX(ctx)
		for _, p := range rows {
			c.User.UpdateOneID(p.ID).SetEmail(p.Email).SetName(p.Name).SetMustChangePassword(p.MustChangePassword).ExecX(ctx)
			setCreatedAt(t, e, p.ID, p.CreatedAt)
		}
	}
}

// setCreatedAt moves a creation date (immutable to ent) as a migration would.
func setCreatedAt(t *testing.T, e *testenv.Env, id int, at time.Time) {
	t.Helper()
	if _, err := e.App.DB.SQL.Exec("UPDATE users SET created_at = ? WHERE id = ?", at, id); err != nil {
		t.Fatal(err)
	}
}

func probesOf(e *testenv.Env, rows []personRow, orgIDs []int) probes {
	p := probes{strings: []string{"9900003"}}
	byOrg := map[int]bool{}
	for _, r := range rows {
		if byOrg[r.OrgID] && !r.Deleted {
			continue
		}
		byOrg[r.OrgID] = true
		if len(p.ids) == 0 {
			p.strings = append(p.strings, r.Email[:5], r.Name)
		}
		p.strings = append(p.strings, r.Email)
		p.ids = append(p.ids, e.ID(r.ID))
		p.times = append(p.times, r.CreatedAt.UTC().Format(time.RFC3339Nano))
		if len(p.ids) >= 3 {
			break
		}
	}
	for _, id := range orgIDs {
		p.ids = append(p.ids, e.ID(id))
	}
	return p
}

type role struct {
	name, tok string
	// reads says which work accounts the role may read (the read rule, as the
	// SPEC puts it, written out independently of the code under test).
	reads func(p personRow) bool
	// addsTo: organizations where a new person is hidden from the role.
	addsTo []int
}

func TestFiltersAndOrderingsRevealNoHiddenRow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		// Thousands of queries: the rate limit is tested elsewhere.
		e := testenv.Start(t, d, func(c *app.Config) { c.RateLimit = 1 << 30 })
		e.App.Linking.Limits.Cooldown = 0
		c, ctx := e.App.DB.Client, sys()
		orgA := c.Organization.Query().Where(organization.MpnID("4100001")).OnlyX(ctx).ID
		orgB := c.Organization.Query().Where(organization.MpnID("4100002")).OnlyX(ctx).ID
		grace, sam := e.Demo("grace@contoso.example"), e.Demo("sam@fabrikam.example")

		// History across organizations: jordan's MCID moves from Fabrikam to
		// Contoso; each organization deletes a person.
		must(t, e, e.Demo("lee@fabrikam.example"), mAssociateJordan, nil, nil)
		must(t, e, e.Demo("riley@contoso.example"), mAssociateJordan, nil, nil)
		for _, gone := range []struct{ tok, email string }{{grace, "gone@contoso.example"}, {sam, "gone@fabrikam.example"}} {
			var inv invited
			must(t, e, gone.tok, mInvite, map[string]any{"e": gone.email, "r": []string{}}, &inv)
			must(t, e, gone.tok, mDelete, map[string]any{"id": inv.InviteUser.User.ID}, nil)
		}
		uma, umaID := withRole(t, e, "uma@contoso.example", "USER_MANAGEMENT_ADMIN")
		narrow, _ := apiTokenOf(t, e, grace, `[PROGRESS_READ]`)
		alexID := e.RowID(t, userID(t, e, "alex@contoso.example"))
		graceID := e.RowID(t, userID(t, e, "grace@contoso.example"))
		_ = umaID

		live := func(org int) func(personRow) bool {
			return func(p personRow) bool { return p.OrgID == org && !p.Deleted }
		}
		roles := []role{
			{"anonymous", "", func(personRow) bool { return false }, []int{orgA, orgB}},
			{"default user", e.Demo("alex@contoso.example"), func(p personRow) bool { return p.ID == alexID }, []int{orgA, orgB}},
			{"PROGRESS_READ token", narrow, func(p personRow) bool { return p.ID == graceID }, []int{orgA, orgB}},
			{"User Management Admin", uma, live(orgA), []int{orgB}},
			{"MPN Partner Admin", e.Demo("mona@contoso.example"), live(orgA), []int{orgB}},
			// A Global Admin reads its organization's history, deleted people included.
			{"other organization's Global Admin", sam, func(p personRow) bool { return p.OrgID == orgB }, []int{orgA}},
		}

		s := introspect(t, e, grace)
		sites := filterSites(s, []string{e.ID(orgA), e.ID(orgB)})
		var names []string
		for _, site := range sites {
			names = append(names, site.owner+"."+site.field)
		}
		for _, want := range []string{"Query.users", "Organization.users", "Query.skillsReport", "Query.auditLog"} {
			if !slices.Contains(names, want) {
				t.Fatalf("the walk of the schema missed %s: found %v", want, names)
			}
		}
		t.Logf("filter sites: %v", names)

		everyone := people(t, e)
		for _, r := range roles {
			var hidden []personRow
			for _, p := range everyone {
				if !r.reads(p) {
					hidden = append(hidden, p)
				}
			}
			qs := siteQueries(s, sites, probesOf(e, hidden, []int{orgA, orgB}))
			before := answers(t, e, r.tok, qs)
			undo := change(t, e, hidden, r.addsTo)
			after := answers(t, e, r.tok, qs)
			undo()
			differ := 0
			for i := range qs {
				if before[i] != after[i] {
					differ++
					if differ <= 5 {
						t.Errorf("%s: %s depends on rows it may not read:\n before: %.600s\n after:  %.600s", r.name, qs[i].label, before[i], after[i])
					}
				}
			}
			t.Logf("%s: %d filters and orderings asked, %d answers depended on hidden rows", r.name, len(qs), differ)
		}

		// Control: the same comparison sees a change of rows the role reads.
		var visible []personRow
		for _, p := range everyone {
			if p.OrgID == orgB && !p.Deleted && p.Email != "sam@fabrikam.example" {
				visible = append(visible, p)
			}
		}
		qs := siteQueries(s, sites, probesOf(e, visible, []int{orgA, orgB}))
		before := answers(t, e, sam, qs)
		undo := change(t, e, visible, nil)
		after := answers(t, e, sam, qs)
		undo()
		differ := 0
		for i := range qs {
			if before[i] != after[i] {
				differ++
			}
		}
		if differ < len(qs)/10 {
			t.Fatalf("control: changing rows sam reads changed %d of %d answers: the comparison sees nothing", differ, len(qs))
		}
	})
}
