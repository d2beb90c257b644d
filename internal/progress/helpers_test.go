package progress_test

import (
	"context"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/auth"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

const progressQuery = `{competencyProgress{competency{id key name} status offer{level option anniversaryAt}
  levels{level attained options{name met unmetOn requirements{id key kind required current met unmetOn
  people{email} skills{number retiredOn validUntil} attestation{met note by{email}} attestationHistory{met note}}}}}}`

type reqP struct {
	ID       string
	Key      string
	Kind     string
	Required int
	Current  int
	Met      bool
	UnmetOn  *time.Time
	People   []struct{ Email string }
	Skills   []struct {
		Number     string
		RetiredOn  *time.Time
		ValidUntil *time.Time
	}
	Attestation *struct {
		Met  bool
		Note string
		By   *struct{ Email string }
	}
	AttestationHistory []struct {
		Met  bool
		Note string
	}
}

type compP struct {
	Competency struct{ ID, Key, Name string }
	Status     string
	Offer      *struct {
		Level, Option string
		AnniversaryAt time.Time
	}
	Levels []struct {
		Level    string
		Attained bool
		Options  []struct {
			Name         string
			Met          bool
			UnmetOn      *time.Time
			Requirements []reqP
		}
	}
}

type progressView []compP

func progressOf(t testing.TB, e *testenv.Env, tok string) progressView {
	t.Helper()
	var out struct{ CompetencyProgress progressView }
	e.Do(tok, progressQuery, nil).Decode(t, &out)
	return out.CompetencyProgress
}

func (p progressView) comp(t testing.TB, key string) compP {
	t.Helper()
	for _, c := range p {
		if c.Competency.Key == key {
			return c
		}
	}
	t.Fatalf("no competency %q", key)
	return compP{}
}

// req finds competency/level/option/requirement.
func (p progressView) req(t testing.TB, comp, level, option, key string) reqP {
	t.Helper()
	for _, l := range p.comp(t, comp).Levels {
		for _, o := range l.Options {
			if l.Level != level || o.Name != option {
				continue
			}
			for _, r := range o.Requirements {
				if r.Key == key {
					return r
				}
			}
		}
	}
	t.Fatalf("no requirement %s/%s/%s/%s", comp, level, option, key)
	return reqP{}
}

func emails(r reqP) []string {
	var out []string
	for _, p := range r.People {
		out = append(out, p.Email)
	}
	return out
}

func sys() context.Context { return viewer.System(context.Background()) }

// apiToken makes a partner tool token for a user with scopes (the lifecycle
// issue builds the API for it; the row is what counts here).
func apiToken(t testing.TB, e *testenv.Env, email string, scopes ...string) string {
	t.Helper()
	c := e.App.DB.Client
	u, err := c.User.Query().Where(user.Email(email)).Only(sys())
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := auth.NewSecret("clt_")
	err = c.Token.Create().SetKind(token.KindAPI).SetName("tool").SetSecretHash(auth.HashSecret(secret)).
		SetScopes(scopes).SetUserID(u.ID).SetOrganizationID(*u.OrganizationID).Exec(sys())
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// deleteUser soft-deletes a work account and ends its links, as L9 does.
func deleteUser(t testing.TB, c *ent.Client, email string) {
	t.Helper()
	u, err := c.User.Query().Where(user.Email(email)).Only(sys())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.User.UpdateOne(u).SetDeletedAt(time.Now().UTC()).Exec(sys()); err != nil {
		t.Fatal(err)
	}
}

// clock returns a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }
