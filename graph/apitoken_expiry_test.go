package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/internal/apitoken"
	"certlink/internal/testenv"
)

const createExpiring = `mutation($n:String!,$d:Int){createApiToken(input:{name:$n,scopes:[REPORT_READ],expiresInDays:$d}){secret token{id createdAt expiresAt}}}`

type createdToken struct {
	CreateApiToken struct {
		Secret string
		Token  struct {
			ID        string
			CreatedAt time.Time
			ExpiresAt *time.Time
		}
	}
}

// A2, issue 11: every API token made by createApiToken expires, 90 days after
// it is made unless the admin says 1 to 366; anything else is refused
// (INVALID_INPUT, field expiresInDays) and creates nothing. A token made
// before tokens expired (expires_at null) keeps working and shows null.
func TestAPITokenLifetime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		lifetime := func(t *testing.T, days any) (createdToken, time.Duration) {
			t.Helper()
			var out createdToken
			must(t, e, grace, createExpiring, map[string]any{"n": "tool " + strconv.Itoa(time.Now().Nanosecond()), "d": days}, &out)
			tk := out.CreateApiToken.Token
			if tk.ExpiresAt == nil {
				t.Fatalf("expiresInDays %v: expiresAt is null", days)
			}
			return out, tk.ExpiresAt.Sub(tk.CreatedAt)
		}
		day := 24 * time.Hour
		if _, got := lifetime(t, nil); got != 90*day {
			t.Fatalf("default lifetime %v, want 90 days", got)
		}
		for _, n := range []int{1, 30, 366} {
			if _, got := lifetime(t, n); got != time.Duration(n)*day {
				t.Fatalf("expiresInDays %d: lifetime %v", n, got)
			}
		}
		apiTokens := func() int {
			return e.App.DB.Client.Token.Query().Where(token.KindEQ(token.KindAPI)).CountX(sys())
		}
		before := apiTokens()
		for _, n := range []int{0, -1, 367, 100000} {
			r := e.Do(grace, createExpiring, map[string]any{"n": "out of range", "d": n})
			if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["field"] != "expiresInDays" || !strings.Contains(r.Errors[0].Message, "366") {
				t.Fatalf("expiresInDays %d: %+v", n, r.Errors)
			}
		}
		if got := apiTokens(); got != before {
			t.Fatalf("out-of-range days created %d tokens", got-before)
		}

		// A token from before expiry: null, listed as such, still accepted.
		legacy, _ := lifetime(t, nil)
		id := e.RowID(t, legacy.CreateApiToken.Token.ID)
		e.App.DB.Client.Token.UpdateOneID(id).ClearExpiresAt().ExecX(sys())
		var list struct {
			ApiTokens []struct {
				ID        string
				ExpiresAt *time.Time
			}
		}
		must(t, e, grace, `{apiTokens{id expiresAt}}`, nil, &list)
		for _, tk := range list.ApiTokens {
			if (tk.ID == legacy.CreateApiToken.Token.ID) != (tk.ExpiresAt == nil) {
				t.Fatalf("apiTokens: %s has expiresAt %v", tk.ID, tk.ExpiresAt)
			}
		}
		must(t, e, legacy.CreateApiToken.Secret, `{skillsReport(first:1){totalCount}}`, nil, nil)
	})
}

// A token used after its expiry is refused UNAUTHENTICATED, saying that it
// expired, when, and what to do — over GraphQL and the CSV download (401 with
// an RFC 6750 invalid_token challenge) — while the organization's other
// tokens keep working.
func TestExpiredAPITokenIsRefused(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		var expiring, other createdToken
		must(t, e, grace, createExpiring, map[string]any{"n": "expiring", "d": 1}, &expiring)
		must(t, e, grace, createExpiring, map[string]any{"n": "other", "d": nil}, &other)
		secret := expiring.CreateApiToken.Secret
		const report = `{skillsReport(first:1){totalCount}}`
		must(t, e, secret, report, nil, nil)
		if res, _ := e.Get(secret, "/reports/skills.csv"); res.StatusCode != http.StatusOK {
			t.Fatalf("CSV before expiry: %d", res.StatusCode)
		}

		// Its day has passed.
		expired := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
		id := e.RowID(t, expiring.CreateApiToken.Token.ID)
		e.App.DB.Client.Token.UpdateOneID(id).SetExpiresAt(expired).ExecX(sys())
		when := expired.Format(time.RFC3339)
		said := func(msg string) bool {
			return strings.Contains(msg, "expired at "+when) && strings.Contains(msg, "ask a Global Admin")
		}

		r := e.Do(secret, report, nil)
		if r.Code() != "UNAUTHENTICATED" || !said(r.Errors[0].Message) || r.Errors[0].Extensions["expiredAt"] != when {
			t.Fatalf("an expired token over GraphQL: %+v", r.Errors)
		}
		res, body := e.Get(secret, "/reports/skills.csv")
		var csvErr struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(body, &csvErr)
		if res.StatusCode != http.StatusUnauthorized || csvErr.Error.Code != "UNAUTHENTICATED" || !said(csvErr.Error.Message) ||
			!strings.Contains(res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("an expired token on the CSV: %d %s %q", res.StatusCode, body, res.Header.Get("WWW-Authenticate"))
		}
		// A caller with no token, or an unknown one, is still told to sign in.
		if r := e.Do("clt_unknown", report, nil); r.Code() != "UNAUTHENTICATED" || strings.Contains(r.Errors[0].Message, "expired") {
			t.Fatalf("an unknown token: %+v", r.Errors)
		}
		must(t, e, other.CreateApiToken.Secret, report, nil, nil)
	})
}

// An organization holds at most MaxLiveTokens API tokens in force; past it
// createApiToken is refused (CONFLICT, limit apiTokens) until one is revoked.
// apiTokens lists every token in force however many old ones there are
// (outside review: the list was the newest 500, in force or not).
func TestAPITokensInForceAreBoundedAndAllListed(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		grace := e.Demo("grace@contoso.example")
		c := e.App.DB.Client
		gid := e.RowID(t, userID(t, e, "grace@contoso.example"))
		org := *c.User.GetX(sys(), gid).OrganizationID
		// 600 revoked tokens, older than any made below.
		old := time.Now().Add(-time.Hour)
		builders := make([]*ent.TokenCreate, 600)
		for i := range builders {
			builders[i] = c.Token.Create().SetKind(token.KindAPI).SetName(fmt.Sprint("old ", i)).SetSecretHash([]byte(fmt.Sprintf("old-%028d", i))).
				SetUserID(gid).SetOrganizationID(org).SetCreatedAt(old).SetRevokedAt(old).SetScopes([]string{"REPORT_READ"})
		}
		if err := c.Token.CreateBulk(builders...).Exec(sys()); err != nil {
			t.Fatal(err)
		}
		live := c.Token.Query().Where(token.KindEQ(token.KindAPI), token.OrganizationID(org), token.RevokedAtIsNil()).CountX(sys())
		var made []string
		for i := live; i < apitoken.MaxLiveTokens; i++ {
			var out createdToken
			e.Do(grace, createExpiring, map[string]any{"n": fmt.Sprint("t", i), "d": nil}).Decode(t, &out)
			made = append(made, out.CreateApiToken.Token.ID)
		}
		r := e.Do(grace, createExpiring, map[string]any{"n": "one too many", "d": nil})
		if r.Code() != "CONFLICT" || r.Errors[0].Extensions["limit"] != "apiTokens" {
			t.Fatalf("token %d: %+v", apitoken.MaxLiveTokens+1, r.Errors)
		}
		var list struct {
			APITokens []struct {
				ID        string
				RevokedAt *time.Time
			} `json:"apiTokens"`
		}
		e.Do(grace, `{apiTokens{id revokedAt}}`, nil).Decode(t, &list)
		inForce := 0
		for _, tk := range list.APITokens {
			if tk.RevokedAt == nil {
				inForce++
			}
		}
		if inForce != apitoken.MaxLiveTokens || len(list.APITokens) != 500 {
			t.Fatalf("apiTokens: %d listed, %d in force; want 500 with all %d in force", len(list.APITokens), inForce, apitoken.MaxLiveTokens)
		}
		e.Do(grace, `mutation($id:ID!){revokeApiToken(id:$id){id}}`, map[string]any{"id": made[0]}).Decode(t, &struct{}{})
		e.Do(grace, createExpiring, map[string]any{"n": "after a revocation", "d": nil}).Decode(t, &createdToken{})
	})
}
