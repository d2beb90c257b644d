package app_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestAnswersCompressed: through the real handler, a GraphQL answer is gzipped
// for a client accepting gzip and decodes to the same JSON as the plain one;
// the CSV report is not (gzip halved its rows per second: see README,
// Performance); the websocket transport still upgrades (live_test.go).
func TestAnswersCompressed(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	mona := e.Demo("mona@contoso.example")
	q, _ := json.Marshal(map[string]any{"query": `{competencyProgress{status competency{name} levels{level options{name requirements{description current required skills{number title}}}}}}`})
	get := func(accept string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", bytes.NewReader(q))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+mona)
		req.Header.Set("Accept-Encoding", accept)
		res, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	plainRes, plain := get("identity")
	zipRes, zipped := get("gzip, deflate, br")
	if plainRes.Header.Get("Content-Encoding") != "" || zipRes.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("encodings: plain %q, gzip %q", plainRes.Header.Get("Content-Encoding"), zipRes.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	var a, b map[string]any
	if json.Unmarshal(plain, &a) != nil || json.Unmarshal(unzipped, &b) != nil {
		t.Fatalf("answers: %.80s / %.80s", plain, unzipped)
	}
	delete(a, "extensions") // the rate limit's remaining points differ
	delete(b, "extensions")
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	if !bytes.Equal(aj, bj) || len(zipped)*3 > len(plain) {
		t.Fatalf("gzip answer differs or is not smaller: %d bytes for %d", len(zipped), len(plain))
	}
	if !strings.Contains(strings.Join(zipRes.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("Vary: %q", zipRes.Header.Values("Vary"))
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/reports/skills.csv", nil)
	req.Header.Set("Authorization", "Bearer "+mona)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("CSV: %d, encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
}
