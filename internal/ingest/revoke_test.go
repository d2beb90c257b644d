package ingest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"certlink/ent/result"
	"certlink/internal/ingest"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// Revoking a provider token stops an upload already under way at its next
// batch: the lines after it are not stored and the answer says 401 and from
// which line (an outside review kept ingesting 1,200 lines over 12 s on an
// open upload after the revocation answered OK).
func TestRevokedTokenStopsAnOpenUpload(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		ops := e.Demo("ops@certlink.example")
		line := func(i int) string {
			return fmt.Sprintf(`{"mcid":"9900003","skillNumber":"AZ-900","completedAt":"%s"}`+"\n",
				time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.RFC3339))
		}
		pr, pw := io.Pipe()
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", pr)
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+prov)
		type answer struct {
			status int
			body   []byte
		}
		done := make(chan answer, 1)
		go func() {
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- answer{0, []byte(err.Error())}
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			done <- answer{res.StatusCode, b}
		}()
		count := func() int {
			return e.App.DB.Client.Result.Query().Where(result.Source("ingest:learn-directory")).CountX(viewer.System(t.Context()))
		}
		// One whole batch, then wait until it is stored.
		for i := range ingest.BatchSize {
			if _, err := io.WriteString(pw, line(i)); err != nil {
				t.Fatal(err)
			}
		}
		for deadline := time.Now().Add(10 * time.Second); count() < ingest.BatchSize; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the first batch was not stored: %d results", count())
			}
		}
		var list struct{ ProviderTokens []struct{ ID string } }
		e.Do(ops, `{providerTokens{id}}`, nil).Decode(t, &list)
		e.Do(ops, `mutation($id:ID!){revokeProviderToken(id:$id){revokedAt}}`, map[string]any{"id": list.ProviderTokens[0].ID}).Decode(t, &struct{}{})
		// More lines on the open upload: not one is stored.
		go func() {
			for i := ingest.BatchSize; i < 3*ingest.BatchSize; i++ {
				if _, err := io.WriteString(pw, line(i)); err != nil {
					return
				}
			}
			pw.Close()
		}()
		a := <-done
		var out struct {
			Accepted        int
			NotReadFromLine int
			Error           struct{ Code string }
		}
		_ = json.Unmarshal(a.body, &out)
		if a.status != http.StatusUnauthorized || out.Error.Code != "UNAUTHENTICATED" || out.NotReadFromLine != ingest.BatchSize+1 ||
			!strings.Contains(string(a.body), "revoked") {
			t.Fatalf("the upload after the revocation: %d %s", a.status, a.body)
		}
		if n := count(); n != ingest.BatchSize {
			t.Fatalf("%d results stored, want the %d before the revocation", n, ingest.BatchSize)
		}
	})
}
