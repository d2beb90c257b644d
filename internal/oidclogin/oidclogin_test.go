package oidclogin_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
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
	// down makes every endpoint answer 503 (an outage); tokenStatus, when
	// set, is the token endpoint's status (its body an error).
	down        bool
	tokenStatus int
	// iatOffset moves the ID token's iat; audiences are signed as its aud
	// (a list) with azp when set.
	iatOffset time.Duration
	audiences []string
	azp       string
	// tokenCalls counts the requests to the token endpoint.
	tokenCalls int
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
	outage := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			is.mu.Lock()
			down := is.down
			is.mu.Unlock()
			if down {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			next(w, r)
		}
	}
	handle := func(path string, h http.HandlerFunc) { mux.HandleFunc(path, outage(h)) }
	handle("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		u := is.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
			"jwks_uri": u + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	handle("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &is.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	handle("/authorize", func(w http.ResponseWriter, r *http.Request) {
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
	handle("/token", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		status := is.tokenStatus
		is.tokenCalls++
		is.mu.Unlock()
		if status != 0 {
			http.Error(w, `{"error":"server_error"}`, status)
			return
		}
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
	c := map[string]any{
		"iss": is.srv.URL, "sub": is.subject, "aud": is.clientID, "iat": time.Now().Add(is.iatOffset).Unix(), "exp": now + 300,
		"nonce": nonce, "email": is.email, "email_verified": is.verified,
	}
	if len(is.audiences) > 0 {
		c["aud"] = is.audiences
	}
	if is.azp != "" {
		c["azp"] = is.azp
	}
	claims, _ := json.Marshal(c)
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Error(err)
		return ""
	}
	s, _ := jws.CompactSerialize()
	return s
}
