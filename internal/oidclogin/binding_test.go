package oidclogin_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"certlink/ent"
	"certlink/ent/devmail"
	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// ssoEnv is certlink with OIDC sign-in against an issuer of the test's own.
type ssoEnv struct {
	*testenv.Env
	is *issuer
}

func startSSO(t *testing.T, d testenv.Dialect) *ssoEnv {
	is := newIssuer(t)
	// The issuer runs before certlink starts: certlink discovers it at start-up.
	e := testenv.Start(t, d, func(c *app.Config) {
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = is.srv.URL, "certlink", "s3cret"
	})
	is.callback = e.URL
	return &ssoEnv{Env: e, is: is}
}

// sso runs the flow from path (/auth/oidc/login…) in browser b, the issuer
// asserting email (verified or not) for subject. It returns the final status,
// body and path: the path is "/" when signed in, "/profile" when linked (the
// web app there may be unbuilt in tests); a refusal is a 403 on the callback.
func (s *ssoEnv) sso(t *testing.T, b *testenv.Browser, path, email string, verified bool, subject string) (int, string, string) {
	t.Helper()
	s.is.email, s.is.verified, s.is.subject = email, verified, subject
	res, err := b.HTTP.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Request.URL.Path
}

// me returns who browser b is signed in as, or "".
func me(t *testing.T, b *testenv.Browser) string {
	t.Helper()
	var out struct{ Me struct{ Email string } }
	r := b.Do(`{me{email}}`, nil)
	if len(r.Errors) > 0 {
		return ""
	}
	r.Decode(t, &out)
	return out.Me.Email
}

// Sign-in matches issuer + subject only, never the email: a verified email of
// an existing account signs nobody in until that account is bound.
func TestSSOSignInNeedsABoundIdentity(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		s := startSSO(t, d)
		b := s.Browser("")
		status, body, _ := s.sso(t, b, "/auth/oidc/login", "Grace@Contoso.example", true, "grace-sub")
		if status != 403 || !strings.Contains(body, "not linked") || me(t, b) != "" {
			t.Fatalf("unbound identity with grace's verified email: %d %s", status, body)
		}
		// A callback without the flow (forged or replayed) is refused.
		res, err := http.Get(s.URL + "/auth/oidc/callback?code=x&state=y")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Fatalf("callback without the flow: %d", res.StatusCode)
		}
	})
}

// Linking from a password session binds; the bound subject then signs in.
func TestSSOLinkFromPasswordSession(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		s := startSSO(t, d)
		// No session: nothing to link to.
		if status, body, _ := s.sso(t, s.Browser(""), "/auth/oidc/login?link=1", "grace@contoso.example", true, "grace-sub"); status != 403 || !strings.Contains(body, "Sign in") {
			t.Fatalf("link without a session: %d %s", status, body)
		}
		b := s.Browser("")
		if r := b.SignIn("grace@contoso.example", "certlink-demo"); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		// The identity must assert grace's own address, verified.
		for _, c := range []struct {
			email    string
			verified bool
		}{{"attacker@contoso.example", true}, {"grace@contoso.example", false}} {
			if status, body, _ := s.sso(t, b, "/auth/oidc/login?link=1", c.email, c.verified, "grace-sub"); status != 403 || !strings.Contains(body, "grace@contoso.example") {
				t.Fatalf("link asserting %s (verified %v): %d %s", c.email, c.verified, status, body)
			}
		}
		if status, body, path := s.sso(t, b, "/auth/oidc/login?link=1", "grace@contoso.example", true, "grace-sub"); path != "/profile" {
			t.Fatalf("link: %d %s %s", status, path, body)
		}
		fresh := s.Browser("")
		if status, body, path := s.sso(t, fresh, "/auth/oidc/login", "whatever@elsewhere.example", false, "grace-sub"); path != "/" || me(t, fresh) != "grace@contoso.example" {
			t.Fatalf("sign-in of the bound subject: %d %s %s", status, path, body)
		}
		// The subject is grace's: another account cannot take it, nor can
		// grace's account take another subject.
		mona := s.Browser("")
		mona.SignIn("mona@contoso.example", "certlink-demo")
		if status, body, _ := s.sso(t, mona, "/auth/oidc/login?link=1", "mona@contoso.example", true, "grace-sub"); status != 403 || !strings.Contains(body, "another work account") {
			t.Fatalf("a bound subject linked again: %d %s", status, body)
		}
		if status, body, _ := s.sso(t, b, "/auth/oidc/login?link=1", "grace@contoso.example", true, "other-sub"); status != 403 || !strings.Contains(body, "already linked") {
			t.Fatalf("a bound account linked again: %d %s", status, body)
		}
		// The flow is bound to the session that started it: a callback finished
		// in another browser (session) is refused.
		s.is.email, s.is.verified, s.is.subject = "mona@contoso.example", true, "mona-sub"
		noRedirect := *mona.HTTP
		noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, err := noRedirect.Get(s.URL + "/auth/oidc/login?link=1")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound {
			t.Fatalf("link start: %d", res.StatusCode)
		}
		// The browser's session changes (another person signs in there) before
		// the flow comes back: the identity is not bound to that account.
		if r := mona.SignIn("alex@contoso.example", "certlink-demo"); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		s.is.email = "alex@contoso.example"
		back, err := mona.HTTP.Get(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		back.Body.Close()
		if back.StatusCode != 403 {
			t.Fatalf("a link flow finished in another session: %d %s", back.StatusCode, back.Request.URL)
		}
		if n := s.App.DB.Client.User.Query().Where(user.OidcSubject(s.is.srv.URL + "|mona-sub")).CountX(viewer.System(t.Context())); n != 0 {
			t.Fatal("mona-sub was bound")
		}
	})
}

// A session opened with a temporary password cannot link: the inviter knows it.
func TestSSOLinkRefusedToTemporarySession(t *testing.T) {
	s := startSSO(t, testenv.SQLite)
	grace := s.Demo("grace@contoso.example")
	var inv struct {
		InviteUser struct{ TemporaryPassword string }
	}
	s.Do(grace, `mutation{inviteUser(input:{email:"kim@contoso.example",name:"Kim",roles:[MPN_PARTNER_ADMIN]}){temporaryPassword}}`, nil).Decode(t, &inv)
	b := s.Browser("")
	if r := b.SignIn("kim@contoso.example", inv.InviteUser.TemporaryPassword); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if status, body, _ := s.sso(t, b, "/auth/oidc/login?link=1", "kim@contoso.example", true, "inviter-controls-this"); status != 403 || !strings.Contains(body, "temporary password") {
		t.Fatalf("link from a temporary session: %d %s", status, body)
	}
}

var inviteLink = regexp.MustCompile(`/auth/oidc/login\?invite=\S+`)

// lastInviteLink waits for the single sign-on link of the latest invitation to
// email that is not previous (the outbox delivers mail in the background).
func lastInviteLink(t *testing.T, s *ssoEnv, email, previous string) string {
	t.Helper()
	var link string
	testenv.Eventually(t, 10*time.Second, func() bool {
		mails := s.App.DB.Client.DevMail.Query().Where(devmail.ToAddress(email)).Order(ent.Asc(devmail.FieldID)).
			AllX(viewer.System(t.Context()))
		if len(mails) == 0 {
			return false
		}
		link = inviteLink.FindString(mails[len(mails)-1].Body)
		return link != "" && link != previous
	}, "a new invitation with a single sign-on link to %s", email)
	return link
}

// The invitation's link binds the invitee's identity, once, and ends the
// temporary password the inviter knew and the sessions opened with it.
func TestSSOInvitationLink(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		s := startSSO(t, d)
		grace := s.Demo("grace@contoso.example")
		var inv struct {
			InviteUser struct {
				User              struct{ ID string }
				TemporaryPassword string
			}
		}
		s.Do(grace, `mutation{inviteUser(input:{email:"kim@contoso.example",name:"Kim",roles:[MPN_PARTNER_ADMIN]}){user{id} temporaryPassword}}`, nil).Decode(t, &inv)
		temp := inv.InviteUser.TemporaryPassword
		first := lastInviteLink(t, s, "kim@contoso.example", "")
		// The inviter signs in with the temporary password they know.
		inviterSession := s.SignIn("kim@contoso.example", temp)

		// The link with another identity's address is refused (the inviter's own).
		b := s.Browser("")
		if status, body, _ := s.sso(t, b, first, "grace@contoso.example", true, "grace-sub"); status != 403 || !strings.Contains(body, "kim@contoso.example") {
			t.Fatalf("invitation link, another address: %d %s", status, body)
		}
		// Resending replaces the link.
		s.Do(grace, `mutation($id:ID!){resendInvite(id:$id){temporaryPassword}}`, map[string]any{"id": inv.InviteUser.User.ID}).Decode(t, &struct{}{})
		if status, body, _ := s.sso(t, b, first, "kim@contoso.example", true, "kim-sub"); status != 403 || !strings.Contains(body, "no longer valid") {
			t.Fatalf("replaced invitation link: %d %s", status, body)
		}
		link := lastInviteLink(t, s, "kim@contoso.example", first)
		if status, body, path := s.sso(t, b, link, "Kim@Contoso.example", true, "kim-sub"); path != "/" || me(t, b) != "kim@contoso.example" {
			t.Fatalf("invitation link: %d %s %s", status, path, body)
		}
		// Used once; the temporary password and its sessions are over.
		if status, body, _ := s.sso(t, s.Browser(""), link, "kim@contoso.example", true, "kim-sub"); status != 403 || !strings.Contains(body, "no longer valid") {
			t.Fatalf("invitation link reused: %d %s", status, body)
		}
		if r := s.Do("", `mutation($p:String!){signIn(input:{email:"kim@contoso.example",password:$p}){token}}`, map[string]any{"p": temp}); r.Code() != "INVALID_CREDENTIALS" {
			t.Fatalf("the inviter's temporary password after binding: %+v", r.Errors)
		}
		if r := s.Do(inviterSession, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("a session of the temporary password after binding: %+v", r.Errors)
		}
		k := s.App.DB.Client.User.Query().Where(user.Email("kim@contoso.example")).OnlyX(viewer.System(t.Context()))
		if k.MustChangePassword || k.PasswordHash != "" || k.OidcSubject == nil {
			t.Fatalf("kim after binding: %+v", k)
		}
		// kim signs in again with single sign-on.
		if status, _, path := s.sso(t, s.Browser(""), "/auth/oidc/login", "kim@contoso.example", true, "kim-sub"); path != "/" {
			t.Fatalf("kim's next sign-in: %d %s", status, path)
		}
	})
}

// An invitation link stops working when the account's email is corrected: the
// new address gets no way in, nor does the old.
func TestSSOInvitationLinkDiesWithEmailChange(t *testing.T) {
	s := startSSO(t, testenv.SQLite)
	grace := s.Demo("grace@contoso.example")
	var inv struct {
		InviteUser struct{ User struct{ ID string } }
	}
	s.Do(grace, `mutation{inviteUser(input:{email:"pat@contoso.example",name:"Pat"}){user{id}}}`, nil).Decode(t, &inv)
	link := lastInviteLink(t, s, "pat@contoso.example", "")
	s.Do(grace, `mutation($id:ID!){updateUser(input:{id:$id,email:"pat.smith@contoso.example"}){user{email}}}`, map[string]any{"id": inv.InviteUser.User.ID}).Decode(t, &struct{}{})
	for _, email := range []string{"pat@contoso.example", "pat.smith@contoso.example"} {
		if status, body, _ := s.sso(t, s.Browser(""), link, email, true, "pat-sub-"+email); status != 403 || !strings.Contains(body, "no longer valid") {
			t.Fatalf("link after an email change, asserting %s: %d %s", email, status, body)
		}
	}
}

// An admin who changes a bound account's email to an address they control at
// the issuer gains nothing: sign-in goes by subject; the account's owner keeps it.
func TestSSOEmailChangeIsNoTakeover(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		s := startSSO(t, d)
		owner := s.Browser("")
		owner.SignIn("riley@contoso.example", "certlink-demo")
		if status, body, path := s.sso(t, owner, "/auth/oidc/login?link=1", "riley@contoso.example", true, "riley-sub"); path != "/profile" {
			t.Fatalf("riley links: %d %s", status, body)
		}
		grace := s.Demo("grace@contoso.example")
		rileyID := s.App.DB.Client.User.Query().Where(user.Email("riley@contoso.example")).OnlyIDX(viewer.System(t.Context()))
		s.Do(grace, `mutation($id:ID!){updateUser(input:{id:$id,email:"evil@contoso.example"}){user{email}}}`, map[string]any{"id": s.ID(rileyID)}).Decode(t, &struct{}{})
		attacker := s.Browser("")
		if status, body, _ := s.sso(t, attacker, "/auth/oidc/login", "evil@contoso.example", true, "evil-sub"); status != 403 || me(t, attacker) != "" {
			t.Fatalf("the new address signed in: %d %s", status, body)
		}
		back := s.Browser("")
		if status, _, path := s.sso(t, back, "/auth/oidc/login", "riley@contoso.example", true, "riley-sub"); path != "/" || me(t, back) != "evil@contoso.example" {
			t.Fatalf("the owner's subject no longer signs in: %d %q", status, me(t, back))
		}
	})
}

// Binding needs the account's address in a domain its organization verified.
func TestSSOBindingNeedsAVerifiedDomain(t *testing.T) {
	s := startSSO(t, testenv.SQLite)
	ops := s.Demo("ops@certlink.example")
	r := s.Do(ops, `mutation{removeOrganizationDomain(input:{mpnId:"4100001",domain:"contoso.example"}){verifiedDomains}}`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	b := s.Browser("")
	b.SignIn("alex@contoso.example", "certlink-demo")
	if status, body, _ := s.sso(t, b, "/auth/oidc/login?link=1", "alex@contoso.example", true, "alex-sub"); status != 403 || !strings.Contains(body, "verified") {
		t.Fatalf("binding outside a verified domain: %d %s", status, body)
	}
}

// The web app learns from /auth/options which sign-ins to offer (L1), and a
// refused flow lands on a page that says why and leads back to the sign-in.
func TestSignInOptionsAndRefusalPage(t *testing.T) {
	d := testenv.Dialects()[0]
	options := func(e *testenv.Env) string {
		res, body := e.Get("", "/auth/options")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("/auth/options: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		return strings.TrimSpace(string(body))
	}
	plain := testenv.Start(t, d)
	if got := options(plain); got != `{"directorySignIn":false,"singleSignOn":false}` {
		t.Fatalf("without an issuer: %s", got)
	}
	s := startSSO(t, d)
	if got := options(s.Env); got != `{"directorySignIn":false,"singleSignOn":true}` {
		t.Fatalf("with --oidc-issuer: %s", got)
	}
	b := s.Browser("")
	status, body, _ := s.sso(t, b, "/auth/oidc/login", "<b>x</b>@contoso.example", true, "nobody-sub")
	if status != 403 || !strings.Contains(body, "<h1>Single sign-on did not finish</h1>") || !strings.Contains(body, `<a href="/">`) || strings.Contains(body, "<b>x</b>") {
		t.Fatalf("refusal page: %d %s", status, body)
	}
}

// Over TLS a sign-in flow is read back only from its __Host- cookie, which
// no sibling subdomain and no http:// answer can set: a flow cookie planted
// under the bare name (the attacker's own flow, started by the attacker) does
// not sign the victim in as the attacker (login CSRF). The control finishes
// the same kind of flow with the __Host- cookie and is signed in.
func TestPlantedFlowCookieSignsNobodyIn(t *testing.T) {
	s := startSSO(t, testenv.SQLite)
	b := s.Browser("")
	if r := b.SignIn("grace@contoso.example", "certlink-demo"); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if _, body, path := s.sso(t, b, "/auth/oidc/login?link=1", "grace@contoso.example", true, "attacker-sub"); path != "/profile" {
		t.Fatalf("link: %s %s", path, body)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tls := func(u string, cookie *http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	// The attacker starts a flow as themself and stops at the callback URL.
	attack := func() (*http.Cookie, string) {
		t.Helper()
		res := tls(s.URL+"/auth/oidc/login", nil)
		var flow *http.Cookie
		for _, c := range res.Cookies() {
			if strings.HasSuffix(c.Name, "certlink_oidc") {
				flow = c
			}
		}
		if flow == nil || flow.Name != "__Host-certlink_oidc" || !flow.Secure || flow.Path != "/" {
			t.Fatalf("the flow cookie over TLS: %v", res.Header["Set-Cookie"])
		}
		at := tls(res.Header.Get("Location"), nil)
		return flow, at.Header.Get("Location")
	}
	session := func(res *http.Response) *http.Cookie {
		for _, c := range res.Cookies() {
			if strings.HasSuffix(c.Name, "certlink_session") && c.Value != "" {
				return c
			}
		}
		return nil
	}
	flow, callback := attack()
	planted := &http.Cookie{Name: "certlink_oidc", Value: flow.Value}
	if res := tls(callback, planted); res.StatusCode != http.StatusForbidden || session(res) != nil {
		t.Fatalf("a planted flow cookie over TLS: %d %v", res.StatusCode, res.Header["Set-Cookie"])
	}
	flow, callback = attack()
	res := tls(callback, flow)
	c := session(res)
	if res.StatusCode != http.StatusFound || c == nil || c.Name != "__Host-certlink_session" || !c.Secure || c.Path != "/" {
		t.Fatalf("the flow's own cookie over TLS: %d %v", res.StatusCode, res.Header["Set-Cookie"])
	}
}

// Anyone may start flows and send back their callbacks with junk codes, each
// of which would make certlink call the issuer's token endpoint: a callback
// that reaches it costs its caller's address 50 API points, so at
// --rate-limit=120 the third is refused RATE_LIMITED (429) without a call.
func TestJunkCallbacksAreCharged(t *testing.T) {
	is := newIssuer(t)
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) {
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = is.srv.URL, "certlink", "s3cret"
		c.RateLimit = 120
	})
	is.callback = e.URL
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	junk := func() *http.Response {
		t.Helper()
		res, err := noRedirect.Get(e.URL + "/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var flow *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == "certlink_oidc" {
				flow = c
			}
		}
		if flow == nil {
			t.Fatalf("no flow cookie: %v", res.Header["Set-Cookie"])
		}
		state, _, _ := strings.Cut(flow.Value, ".")
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/auth/oidc/callback?code=junk&state="+state, nil)
		req.AddCookie(flow)
		if res, err = noRedirect.Do(req); err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Header.Set("X-Body", string(body))
		return res
	}
	for i := range 2 {
		if res := junk(); res.StatusCode != http.StatusForbidden {
			t.Fatalf("junk callback %d: %d %s", i, res.StatusCode, res.Header.Get("X-Body"))
		}
	}
	is.mu.Lock()
	calls := is.tokenCalls
	is.mu.Unlock()
	res := junk()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(res.Header.Get("X-Body"), "points") {
		t.Fatalf("the third junk callback: %d %v %s", res.StatusCode, res.Header, res.Header.Get("X-Body"))
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	// (Each junk code may be tried twice: the client's authentication style
	// is learnt from the issuer's first success.)
	if calls == 0 || is.tokenCalls != calls {
		t.Fatalf("the issuer's token endpoint was called %d times after two callbacks, %d after the refused third", calls, is.tokenCalls)
	}
}
