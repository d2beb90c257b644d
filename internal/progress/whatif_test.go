package progress_test

import (
	"slices"
	"testing"

	"certlink/ent/user"
	"certlink/internal/testenv"
)

const simulateQuery = `query($in: WhatIfInput!){simulateProgress(input:$in){competency{id key name} status
  offer{level option anniversaryAt} levels{level attained options{name met unmetOn requirements{id key kind
  required current met unmetOn people{email} skills{number retiredOn validUntil} attestation{met note by{email}}
  attestationHistory{met note}}}}}}`

func simulate(t testing.TB, e *testenv.Env, tok string, in map[string]any) (progressView, *testenv.Response) {
	t.Helper()
	r := e.Do(tok, simulateQuery, map[string]any{"in": in})
	if len(r.Errors) > 0 {
		return nil, r
	}
	var out struct{ SimulateProgress progressView }
	r.Decode(t, &out)
	return out.SimulateProgress, nil
}

// written counts the rows a simulation must never write.
func written(t testing.TB, e *testenv.Env) [6]int {
	c, ctx := e.App.DB.Client, sys()
	return [6]int{
		c.Result.Query().CountX(ctx),
		c.User.Query().Where(user.DeletedAtNotNil()).CountX(ctx),
		c.OutboxMessage.Query().CountX(ctx),
		c.Notification.Query().CountX(ctx),
		c.AuditEvent.Query().CountX(ctx),
		c.Association.Query().Where().CountX(ctx),
	}
}

func userID(t testing.TB, e *testenv.Env, email string) int {
	t.Helper()
	return e.App.DB.Client.User.Query().Where(user.Email(email)).OnlyIDX(sys())
}

// B1: "if alex leaves" and "if alex passes SC-200" give the progress they
// would, and nothing is written, announced or published.
func TestSimulateProgress(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		before := written(t, e)
		wake, stop := e.App.Live.Subscribe(contosoID(t, e))
		defer stop()

		p, r := simulate(t, e, mona, map[string]any{"removePeople": []string{e.ID(userID(t, e, "alex@contoso.example"))}})
		if r != nil {
			t.Fatalf("simulate: %+v", r.Errors)
		}
		admins := p.req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators")
		if admins.Met || admins.Current != 0 || len(admins.People) != 0 {
			t.Fatalf("alex leaving: azure-administrators %+v", admins)
		}
		if s := p.comp(t, "data-analytics").Status; s != "IN_PROGRESS" {
			t.Fatalf("alex leaving: data-analytics %s", s)
		}

		p, r = simulate(t, e, mona, map[string]any{"addResults": []map[string]any{{"mcid": "9900001", "skillNumber": "SC-200"}}})
		if r != nil {
			t.Fatalf("simulate: %+v", r.Errors)
		}
		sec := p.req(t, "security", "SILVER", "Standard", "security-engineers")
		if !sec.Met || !slices.Equal(emails(sec), []string{"alex@contoso.example"}) {
			t.Fatalf("alex passing SC-200: %+v", sec)
		}

		// The real world did not change.
		real := progressOf(t, e, mona)
		if r := real.req(t, "cloud-platform", "SILVER", "Standard", "azure-administrators"); !r.Met || len(r.People) != 1 {
			t.Fatalf("the simulation leaked: %+v", r)
		}
		if r := real.req(t, "security", "SILVER", "Standard", "security-engineers"); r.Current != 0 {
			t.Fatalf("the simulation leaked: %+v", r)
		}
		if after := written(t, e); after != before {
			t.Fatalf("rows before %v, after %v", before, after)
		}
		select {
		case <-wake:
			t.Fatal("a simulation published a live event")
		default:
		}
	})
}

func contosoID(t testing.TB, e *testenv.Env) int {
	t.Helper()
	u := e.App.DB.Client.User.Query().Where(user.Email("mona@contoso.example")).OnlyX(sys())
	return *u.OrganizationID
}

// B1 refusals: other organizations' people, MCIDs not linked to the
// organization, unknown skills, non-admins (C7).
func TestSimulateProgressRefusals(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		mona := e.Demo("mona@contoso.example")
		cases := []struct {
			name, token string
			in          map[string]any
			code        string
		}{
			{"another org's person", mona, map[string]any{"removePeople": []string{e.ID(userID(t, e, "lee@fabrikam.example"))}}, "NOT_FOUND"},
			{"unlinked MCID", mona, map[string]any{"addResults": []map[string]any{{"mcid": "9900003", "skillNumber": "AZ-104"}}}, "INVALID_INPUT"},
			{"unknown skill", mona, map[string]any{"addResults": []map[string]any{{"mcid": "9900001", "skillNumber": "XX-999"}}}, "INVALID_INPUT"},
			{"expiry before completion", mona, map[string]any{"addResults": []map[string]any{{"mcid": "9900001", "skillNumber": "SC-200",
				"completedAt": "2026-01-02T00:00:00Z", "expiresAt": "2026-01-01T00:00:00Z"}}}, "INVALID_INPUT"},
			{"default user", e.Demo("alex@contoso.example"), map[string]any{}, "FORBIDDEN"},
			{"operator", e.SignIn("ops@certlink.example", "certlink-demo"), map[string]any{}, "FORBIDDEN"},
			{"anonymous", "", map[string]any{}, "UNAUTHENTICATED"},
		}
		for _, c := range cases {
			_, r := simulate(t, e, c.token, c.in)
			if r == nil || r.Code() != c.code {
				t.Errorf("%s: want %s, got %+v", c.name, c.code, r)
			}
		}
	})
}
