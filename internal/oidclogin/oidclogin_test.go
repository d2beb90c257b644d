package oidclogin_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// issuer is an in-process OpenID Connect provider: discovery, JWKS, an
// authorization endpoint that "signs in" whoever the test says, and a token
// endpoint that checks PKCE and signs ID tokens with a generated RSA key.
type issuer struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	mu       sync.Mutex
	codes    map[string]grant
	email    string
	verified bool
	subject  string
	callback string // certlink's base URL
	clientID string // the client registered here ("certlink")
	// forgeNonce, when set, is signed into ID tokens instead of the nonce asked for.
	forgeNonce string
}

type grant struct{ nonce, challenge string }

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key, codes: map[string]grant{}, clientID: "certlink"}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		u := is.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
			"jwks_uri": u + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &is.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		redirect, err := url.Parse(q.Get("redirect_uri"))
		if q.Get("client_id") != is.clientID || q.Get("code_challenge_method") != "S256" || err != nil {
			http.Error(w, "bad request", 400)
			return
		}
		code := "code-" + q.Get("state")[:8]
		is.mu.Lock()
		is.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
		is.mu.Unlock()
		http.Redirect(w, r, is.callback+redirect.Path+"?code="+code+"&state="+q.Get("state"), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		is.mu.Lock()
		g, ok := is.codes[r.PostForm.Get("code")]
		delete(is.codes, r.PostForm.Get("code"))
		is.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			http.Error(w, `{"error":"invalid_grant"}`, 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": is.sign(t, g.nonce),
		})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) sign(t *testing.T, nonce string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: is.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Error(err)
		return ""
	}
	if is.forgeNonce != "" {
		nonce = is.forgeNonce
	}
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{
		"iss": is.srv.URL, "sub": is.subject, "aud": is.clientID, "iat": now, "exp": now + 300,
		"nonce": nonce, "email": is.email, "email_verified": is.verified,
	})
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Error(err)
		return ""
	}
	s, _ := jws.CompactSerialize()
	return s
}

func TestOIDCSignIn(t *testing.T) {
	is := newIssuer(t)
	// The issuer runs before certlink starts: certlink discovers it at start-up.
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) {
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = is.srv.URL, "certlink", "s3cret"
	})
	is.callback = e.URL

	signIn := func(email string, verified bool, subject string) (int, string, *http.Client) {
		is.email, is.verified, is.subject = email, verified, subject
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := c.Get(e.URL + "/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Request.URL.Path == "/" {
			return http.StatusOK, "", c // signed in and sent to the web app
		}
		return res.StatusCode, string(body), c
	}
	me := func(c *http.Client) string {
		res, err := c.Post(e.URL+"/graphql", "application/json", bytes.NewReader([]byte(`{"query":"{me{email}}"}`)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Data struct{ Me struct{ Email string } }
		}
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out.Data.Me.Email
	}

	status, _, c := signIn("Grace@Contoso.example", true, "grace-sub")
	if status != 200 || me(c) != "grace@contoso.example" {
		t.Fatalf("verified email: status %d, me %q", status, me(c))
	}
	// The account is now bound to the subject: another subject with that email is refused.
	if status, body, _ := signIn("grace@contoso.example", true, "someone-else"); status != 403 || !strings.Contains(body, "bound to another identity") {
		t.Fatalf("other subject: %d %s", status, body)
	}
	if status, body, _ := signIn("mona@contoso.example", false, "mona-sub"); status != 403 || !strings.Contains(body, "not verified") {
		t.Fatalf("unverified email: %d %s", status, body)
	}
	if status, body, _ := signIn("nobody@contoso.example", true, "nobody-sub"); status != 403 || !strings.Contains(body, "no work account") {
		t.Fatalf("unknown email: %d %s", status, body)
	}
	// A callback without the flow cookie (forged or replayed) is refused.
	res, err := http.Get(e.URL + "/auth/oidc/callback?code=x&state=y")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("callback without the flow: %d", res.StatusCode)
	}
}
