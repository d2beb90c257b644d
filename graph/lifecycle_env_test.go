package graph_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"certlink/ent/competency"
	"certlink/ent/profile"
	"certlink/ent/requirement"
	"certlink/ent/user"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// call runs a query and returns its error code ("" on success), decoding data into out.
func call(t *testing.T, e *testenv.Env, tok, q string, vars map[string]any, out any) string {
	t.Helper()
	r := e.Do(tok, q, vars)
	if len(r.Errors) > 0 {
		return r.Refusal()
	}
	if out != nil {
		r.Decode(t, out)
	}
	return ""
}

// must runs a query that has to succeed.
func must(t *testing.T, e *testenv.Env, tok, q string, vars map[string]any, out any) {
	t.Helper()
	r := e.Do(tok, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", firstLine(q), r.Errors)
	}
	if out != nil {
		r.Decode(t, out)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

func sys() context.Context { return viewer.System(context.Background()) }

// userID returns a demo user's id as the API spells it.
func userID(t *testing.T, e *testenv.Env, email string) string {
	t.Helper()
	u, err := e.App.DB.Client.User.Query().Where(user.Email(email)).Only(sys())
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return e.ID(u.ID)
}

// seedRequirement adds a competency whose one requirement (1 person holding
// TEST-104) is met by alex@contoso.example's MCID 9900001 alone, so alex leaving
// makes it unmet. expires, when set, is the result's expiry.
func seedRequirement(t *testing.T, e *testenv.Env, expires *time.Time) {
	t.Helper()
	c := e.App.DB.Client
	ctx := sys()
	sk := c.Skill.Create().SetNumber("TEST-104").SetTitle("Test Azure Administrator").SetType("EXAM").SaveX(ctx)
	comp := c.Competency.Create().SetKey("test-cloud").SetName("Test Cloud Platform").SaveX(ctx)
	opt := c.CompetencyOption.Create().SetCompetencyID(comp.ID).SetLevel("SILVER").SetName("Standard option").SaveX(ctx)
	c.Requirement.Create().SetOptionID(opt.ID).SetKey("admins").SetKind(requirement.KindSKILL).
		SetDescription("1 person holding TEST-104").SetRequired(1).AddSkills(sk).SaveX(ctx)
	p := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(ctx)
	r := c.Result.Create().SetProfileID(p.ID).SetSkillID(sk.ID).SetCompletedAt(time.Now().UTC().AddDate(0, -2, 0)).SetSource("test")
	if expires != nil {
		r.SetExpiresAt(*expires)
	}
	r.SaveX(ctx)
	if n := c.Competency.Query().Where(competency.Key("test-cloud")).CountX(ctx); n != 1 {
		t.Fatalf("seeding: %d competencies", n)
	}
}

// notifications returns the titles and bodies of a user's notifications.
func notifications(t *testing.T, e *testenv.Env, tok string) []struct {
	Title, Body, Link string
	Read              bool
} {
	t.Helper()
	var out struct {
		Notifications struct {
			Edges []struct {
				Node struct {
					Title, Body, Link string
					Read              bool
				}
			}
		}
	}
	must(t, e, tok, `{notifications(first:50){edges{node{title body link read}}}}`, nil, &out)
	var list []struct {
		Title, Body, Link string
		Read              bool
	}
	for _, ed := range out.Notifications.Edges {
		list = append(list, struct {
			Title, Body, Link string
			Read              bool
		}{ed.Node.Title, ed.Node.Body, ed.Node.Link, ed.Node.Read})
	}
	return list
}

// carriedAlone returns the requirements of the viewer's organization that are
// met only thanks to the one person email — those that person leaving makes
// unmet — as the at-risk mail names them: `"<requirement>" of <competency>,
// <Level>, <option>`. It reads the progress API (who counts), not the at-risk
// code under test.
func carriedAlone(t *testing.T, e *testenv.Env, tok, email string) map[string]bool {
	t.Helper()
	var out struct {
		CompetencyProgress []struct {
			Competency struct{ Name string }
			Levels     []struct {
				Level   string
				Options []struct {
					Name         string
					Requirements []struct {
						Description       string
						Required, Current int
						Met               bool
						People            []struct{ Email string }
					}
				}
			}
		}
	}
	must(t, e, tok, `{competencyProgress{competency{name} levels{level options{name requirements{description required current met people{email}}}}}}`, nil, &out)
	set := map[string]bool{}
	for _, c := range out.CompetencyProgress {
		for _, l := range c.Levels {
			for _, op := range l.Options {
				for _, r := range op.Requirements {
					if !r.Met || r.Current != r.Required || !slices.ContainsFunc(r.People, func(p struct{ Email string }) bool { return p.Email == email }) {
						continue
					}
					level := strings.ToUpper(l.Level[:1]) + strings.ToLower(l.Level[1:])
					set[fmt.Sprintf("%q of %s, %s, %s", r.Description, c.Competency.Name, level, op.Name)] = true
				}
			}
		}
	}
	return set
}

var unmetRequirement = regexp.MustCompile(`(?m)^- (.*), (Silver|Gold) \((.*)\): (".*") — \d+ of \d+$`)

// unmetNamed returns the requirements the at-risk notifications list as no
// longer met, in the form carriedAlone uses, counting repeats.
func unmetNamed(t *testing.T, bodies []string) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, b := range bodies {
		_, lost, ok := strings.Cut(b, "No longer met:\n")
		if !ok {
			t.Fatalf("not an at-risk notification: %s", b)
		}
		ms := unmetRequirement.FindAllStringSubmatch(lost, -1)
		if len(ms) == 0 {
			t.Fatalf("an at-risk notification naming no requirement: %s", b)
		}
		for _, m := range ms {
			got[fmt.Sprintf("%s of %s, %s, %s", m[4], m[1], m[2], m[3])]++
		}
	}
	return got
}

// requirementRow is a requirement as competencyProgress answers it.
type requirementRow struct {
	ID       string
	Required int
	Met      bool
}

// requirementsOf reads every requirement of the viewer's competencyProgress,
// by id.
func requirementsOf(t *testing.T, e *testenv.Env, tok string) map[string]requirementRow {
	t.Helper()
	var p struct {
		CompetencyProgress []struct {
			Levels []struct {
				Options []struct{ Requirements []requirementRow }
			}
		}
	}
	must(t, e, tok, `{competencyProgress{levels{options{requirements{id required met}}}}}`, nil, &p)
	out := map[string]requirementRow{}
	for _, cp := range p.CompetencyProgress {
		for _, l := range cp.Levels {
			for _, o := range l.Options {
				for _, r := range o.Requirements {
					out[r.ID] = r
				}
			}
		}
	}
	return out
}
