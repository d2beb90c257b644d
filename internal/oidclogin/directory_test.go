package oidclogin_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"certlink/ent/association"
	"certlink/ent/directoryaccount"
	"certlink/ent/profile"
	"certlink/internal/app"
	"certlink/internal/oidclogin"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// directoryEnv is certlink with the OIDC certification directory (L3) at an
// in-process issuer of its own.
type directoryEnv struct {
	t  *testing.T
	e  *testenv.Env
	is *issuer
}

func startDirectory(t *testing.T, before ...func(*issuer)) *directoryEnv {
	is := newIssuer(t)
	is.clientID = "certlink-directory"
	for _, f := range before {
		f(is)
	}
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) {
		c.DirectoryOIDCIssuer, c.DirectoryOIDCClientID, c.DirectoryOIDCClientSecret = is.srv.URL, "certlink-directory", "s3cret"
	})
	is.callback = e.URL
	return &directoryEnv{t: t, e: e, is: is}
}

// browser is a browser signed in as email (no session when email is "").
func (d *directoryEnv) browser(email string) *http.Client {
	jar, _ := cookiejar.New(nil)
	if email != "" {
		d.setSession(jar, d.e.Demo(email))
	}
	return &http.Client{Jar: jar}
}

func (d *directoryEnv) setSession(jar http.CookieJar, token string) {
	u, _ := url.Parse(d.e.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: token, Path: "/"}})
}

// get follows redirects from path and returns where the browser ended.
func (d *directoryEnv) get(c *http.Client, rawURL string) *url.URL {
	d.t.Helper()
	res, err := c.Get(rawURL)
	if err != nil {
		d.t.Fatal(err)
	}
	res.Body.Close()
	return res.Request.URL
}

// link proves ownership at the directory as (email, verified, subject) and
// returns the query certlink sent the browser back to /profile with.
func (d *directoryEnv) link(c *http.Client, kind, email string, verified bool, subject string) url.Values {
	d.t.Helper()
	d.is.email, d.is.verified, d.is.subject = email, verified, subject
	end := d.get(c, d.e.URL+"/auth/directory/login?kind="+kind)
	if end.Path != "/profile" || !strings.HasPrefix(d.e.URL, end.Scheme+"://"+end.Host) {
		d.t.Fatalf("ended at %s, want certlink's /profile", end)
	}
	return end.Query()
}

func (d *directoryEnv) learningMCID(token string) string {
	d.t.Helper()
	var out struct {
		Me struct{ LearningAccount *struct{ Mcid string } }
	}
	d.e.Do(token, `{me{learningAccount{mcid}}}`, nil).Decode(d.t, &out)
	if out.Me.LearningAccount == nil {
		return ""
	}
	return out.Me.LearningAccount.Mcid
}

func wantError(t *testing.T, q url.Values, code, contains string) {
	t.Helper()
	if q.Get("error") != code || !strings.Contains(q.Get("message"), contains) || q.Get("linked") != "" {
		t.Fatalf("want error %s (%q), got %v", code, contains, q)
	}
}

func TestDirectoryOIDC(t *testing.T) {
	d := startDirectory(t)
	sys := viewer.System(context.Background())
	client := d.e.App.DB.Client

	// Happy path: lee proves ownership of jordan@learn.example and links MCID 9900003.
	lee := d.browser("lee@fabrikam.example")
	if q := d.link(lee, "LEARNING", "Jordan@Learn.example", true, "jordan-sub"); q.Get("linked") != "LEARNING" || q.Get("error") != "" {
		t.Fatalf("happy path: %v", q)
	}
	if got := d.learningMCID(d.e.Demo("lee@fabrikam.example")); got != "9900003" {
		t.Fatalf("lee's Learning account: %q", got)
	}
	acc, err := client.DirectoryAccount.Query().Where(directoryaccount.Email("jordan@learn.example")).Only(sys)
	if err != nil || acc.OidcSubject == nil || !strings.HasSuffix(*acc.OidcSubject, "|jordan-sub") {
		t.Fatalf("jordan's subject is not bound: %v %v", acc, err)
	}
	// The same path as the password flow: a quota-using association, with history.
	a, err := client.Association.Query().
		Where(association.HasProfileWith(profile.Mcid("9900003")), association.EndedAtIsNil()).Only(sys)
	if err != nil || !a.CountsQuota {
		t.Fatalf("association: %+v %v", a, err)
	}
	// Linking it again to the same person is idempotent.
	if q := d.link(lee, "LEARNING", "", false, "jordan-sub"); q.Get("linked") != "LEARNING" {
		t.Fatalf("re-link by the bound subject: %v", q)
	}

	// The association limit (L6) still applies: mona, signing in as the bound
	// subject, may not take 9900003 within 30 days of lee's association.
	mona := d.browser("mona@contoso.example")
	q := d.link(mona, "LEARNING", "jordan@learn.example", true, "jordan-sub")
	wantError(t, q, "ASSOCIATION_LIMITED", "next available date")
	if got := d.learningMCID(d.e.Demo("lee@fabrikam.example")); got != "9900003" {
		t.Fatalf("after the limited attempt lee's Learning account is %q", got)
	}

	// A different subject with the bound account's (verified) email is refused.
	wantError(t, d.link(mona, "LEARNING", "jordan@learn.example", true, "impostor-sub"), "FORBIDDEN", "bound to another identity")

	// An unverified email names no account.
	wantError(t, d.link(mona, "LEARNING", "riley@learn.example", false, "riley-sub"), "INVALID_CREDENTIALS", "not verified")
	if n, _ := client.DirectoryAccount.Query().Where(directoryaccount.OidcSubjectHasSuffix("|riley-sub")).Count(sys); n != 0 {
		t.Fatalf("an unverified email bound a subject")
	}
	// An email the directory does not hold.
	wantError(t, d.link(mona, "LEARNING", "nobody@learn.example", true, "nobody-sub"), "NOT_FOUND", "no certification directory account")
	// A kind that is neither.
	wantError(t, d.link(mona, "ADMIN", "riley@learn.example", true, "riley-sub"), "INVALID_INPUT", "LEARNING")

	// Partner University access is associated the same way (L8), with no quota.
	sam := d.browser("sam@fabrikam.example")
	if q := d.link(sam, "PARTNER_UNIVERSITY", "alex@learn.example", true, "alex-sub"); q.Get("linked") != "PARTNER_UNIVERSITY" {
		t.Fatalf("Partner University: %v", q)
	}
}

func TestDirectoryOIDCRefusesForgery(t *testing.T) {
	d := startDirectory(t)

	// Anonymous: sent back with UNAUTHENTICATED, never to the issuer.
	anon := d.browser("")
	wantError(t, d.link(anon, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "UNAUTHENTICATED", "Sign in")
	if end := d.get(anon, d.e.URL+"/auth/directory/callback?code=x&state=y"); end.Query().Get("error") != "UNAUTHENTICATED" {
		t.Fatalf("anonymous callback: %s", end)
	}
	// A bearer token is not a browser session: the flow needs the cookie.
	req, _ := http.NewRequest(http.MethodGet, d.e.URL+"/auth/directory/login?kind=LEARNING", nil)
	req.Header.Set("Authorization", "Bearer "+d.e.Demo("lee@fabrikam.example"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Query().Get("error") != "UNAUTHENTICATED" {
		t.Fatalf("bearer login: %s", res.Request.URL)
	}

	// Stops at the issuer: the flow has started, its cookie is set.
	stopAtIssuer := func(c *http.Client) *url.URL {
		t.Helper()
		cc := *c
		cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		res, err := cc.Get(d.e.URL + "/auth/directory/login?kind=LEARNING")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := res.Location()
		if err != nil || !strings.HasPrefix(loc.String(), d.is.srv.URL) {
			t.Fatalf("login did not go to the issuer: %v %v", loc, err)
		}
		return loc
	}
	d.is.email, d.is.verified, d.is.subject = "jordan@learn.example", true, "jordan-sub"

	// A forged state is refused.
	lee := d.browser("lee@fabrikam.example")
	stopAtIssuer(lee)
	wantError(t, d.get(lee, d.e.URL+"/auth/directory/callback?code=x&state=forged").Query(), "INVALID_CREDENTIALS", "Start again")

	// An ID token with another nonce is refused.
	d.is.forgeNonce = "forged-nonce"
	wantError(t, d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "INVALID_CREDENTIALS", "Start again")
	d.is.forgeNonce = ""

	// The nonce is bound to the session: a flow lee started cannot be finished
	// in mona's session (e.g. after signing in as someone else meanwhile).
	authorize := stopAtIssuer(lee)
	d.setSession(lee.Jar, d.e.Demo("mona@contoso.example"))
	wantError(t, d.get(lee, authorize.String()).Query(), "INVALID_CREDENTIALS", "Start again")

	// Nobody got linked and no subject got bound by any of that.
	sys := viewer.System(context.Background())
	if n, err := d.e.App.DB.Client.DirectoryAccount.Query().Where(directoryaccount.OidcSubjectNotNil()).Count(sys); n != 0 || err != nil {
		t.Fatalf("bound subjects: %d %v", n, err)
	}
	for _, who := range []string{"lee@fabrikam.example", "mona@contoso.example"} {
		if got := d.learningMCID(d.e.Demo(who)); got != "" {
			t.Fatalf("%s got linked to %s", who, got)
		}
	}
	// The flow cookie is single-use: after a finished flow, replaying the
	// issuer's answer is refused too.
	lee = d.browser("lee@fabrikam.example")
	authorize = stopAtIssuer(lee)
	noFollow := *lee
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err = noFollow.Get(authorize.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	callback, _ := res.Location()
	if end := d.get(lee, callback.String()); end.Query().Get("linked") != "LEARNING" {
		t.Fatalf("lee's own flow: %s", end)
	}
	// The code is spent and the cookie gone: a replay is refused.
	if end := d.get(lee, callback.String()); end.Query().Get("error") != "INVALID_CREDENTIALS" {
		t.Fatalf("replayed callback: %s", end)
	}
}

// TestDirectoryOIDCMatchesTheVerifiedAddressOnly: a directory identity is
// matched by the address its issuer verified, letter case aside, never by a
// look-alike that normalises to it; and a refused association binds nothing.
// A review's identity with the verified email "ａlex@learn.example" (a
// full-width a) took alex's MCID to Fabrikam and bound itself to alex's
// directory account, and an identity refused CONFLICT stayed bound, keeping
// the account's owner out of their own directory sign-in.
func TestDirectoryOIDCMatchesTheVerifiedAddressOnly(t *testing.T) {
	d := startDirectory(t)
	sys := viewer.System(context.Background())
	client := d.e.App.DB.Client
	bound := func(suffix string) int {
		n, err := client.DirectoryAccount.Query().Where(directoryaccount.OidcSubjectHasSuffix(suffix)).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sam := d.browser("sam@fabrikam.example")
	for _, claim := range []string{"ａlex@learn.example", " alex@learn.example", "alex@ｌearn.example", "\u212Aalex@learn.example"} {
		wantError(t, d.link(sam, "LEARNING", claim, true, "attacker-sub"), "NOT_FOUND", "no certification directory account")
	}
	if got := d.learningMCID(d.e.Demo("alex@contoso.example")); got != "9900001" {
		t.Fatalf("alex's Learning account after the look-alikes: %q", got)
	}
	if n := bound("|attacker-sub"); n != 0 {
		t.Fatalf("a look-alike identity was bound to %d directory accounts", n)
	}
	// Letter case alone is the same address.
	if q := d.link(sam, "LEARNING", "JORDAN@learn.EXAMPLE", true, "jordan-sub"); q.Get("linked") != "LEARNING" {
		t.Fatalf("the address in capitals: %v", q)
	}

	// Refused: alex already has a Learning account (replace it first), so
	// the identity he brought for riley's address is not kept.
	alex := d.browser("alex@contoso.example")
	q := d.link(alex, "LEARNING", "riley@learn.example", true, "evil-r")
	if q.Get("error") == "" {
		t.Fatalf("alex associated a second Learning account: %v", q)
	}
	if n := bound("|evil-r"); n != 0 {
		t.Fatalf("a refused association left its identity bound (%v)", q)
	}
	// riley's own identity still signs in at the directory and associates.
	if q := d.link(d.browser("riley@contoso.example"), "LEARNING", "riley@learn.example", true, "riley-sub"); q.Get("linked") != "LEARNING" {
		t.Fatalf("riley after the refused attempt: %v", q)
	}
}

// TestDirectoryOIDCIssuerOutage: certlink starts while the directory's
// issuer is down (a review's restart during an outage exited, taking
// password sign-in and the whole API with it), says UNAVAILABLE while it
// stays down or fails on its side, and works once it is back.
func TestDirectoryOIDCIssuerOutage(t *testing.T) {
	defer oidclogin.SetRetryDiscovery(oidclogin.SetRetryDiscovery(0))
	d := startDirectory(t, func(is *issuer) { is.down = true })
	lee := d.browser("lee@fabrikam.example")
	if r := d.e.Do(d.e.Demo("sam@fabrikam.example"), `{me{email}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("the API while the issuer is down: %+v", r.Errors)
	}
	wantError(t, d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "UNAVAILABLE", "cannot be reached")

	d.is.mu.Lock()
	d.is.down, d.is.tokenStatus = false, http.StatusBadGateway
	d.is.mu.Unlock()
	wantError(t, d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "UNAVAILABLE", "cannot be reached")

	d.is.mu.Lock()
	d.is.tokenStatus = 0
	d.is.mu.Unlock()
	if q := d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"); q.Get("linked") != "LEARNING" {
		t.Fatalf("once the issuer is back: %v", q)
	}
}

// TestDirectoryOIDCRefusesWhatTheVerifierLetsThrough: an ID token issued in
// the future, or for several audiences without this client as its
// authorized party, is refused; a cross-site link cannot start the flow.
func TestDirectoryOIDCRefusesWhatTheVerifierLetsThrough(t *testing.T) {
	d := startDirectory(t)
	lee := d.browser("lee@fabrikam.example")
	d.is.iatOffset = time.Hour
	wantError(t, d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "INVALID_CREDENTIALS", "Start again")
	d.is.iatOffset = 0
	d.is.audiences = []string{"certlink-directory", "another-client"}
	wantError(t, d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "INVALID_CREDENTIALS", "Start again")
	d.is.azp = "another-client"
	wantError(t, d.link(lee, "LEARNING", "jordan@learn.example", true, "jordan-sub"), "INVALID_CREDENTIALS", "Start again")
	if got := d.learningMCID(d.e.Demo("lee@fabrikam.example")); got != "" {
		t.Fatalf("lee's Learning account after refused tokens: %q", got)
	}

	// Another site's link (review: a cross-site GET moved riley's MCID to
	// lee without the web app's question).
	d.is.audiences, d.is.azp = nil, ""
	req, _ := http.NewRequest(http.MethodGet, d.e.URL+"/auth/directory/login?kind=LEARNING", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := lee.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	wantError(t, res.Request.URL.Query(), "FORBIDDEN", "another site")
	if got := d.learningMCID(d.e.Demo("lee@fabrikam.example")); got != "" {
		t.Fatalf("a cross-site start associated %q", got)
	}
	// The flow cookie is Secure and __Host- behind a proxy that terminated TLS.
	c := *lee
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ = http.NewRequest(http.MethodGet, d.e.URL+"/auth/directory/login?kind=LEARNING", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	// Over TLS the session goes by its __Host- name (a bare one is not read).
	c.Jar = nil
	u, _ := url.Parse(d.e.URL)
	for _, ck := range lee.Jar.Cookies(u) {
		if ck.Name == web.SessionCookie {
			req.AddCookie(&http.Cookie{Name: "__Host-" + ck.Name, Value: ck.Value})
		}
	}
	if res, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	secure := false
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-certlink_directory" {
			secure = ck.Secure && ck.Path == "/"
		}
	}
	if !secure {
		t.Fatalf("the flow cookie over TLS is not Secure: %v", res.Header["Set-Cookie"])
	}
}
