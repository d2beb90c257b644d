package ingest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// Every refused line carries a code a feed can act on without reading the
// message (an outside review: prose only): NOT_FOUND for an MCID or a skill
// number that does not exist, INVALID_INPUT for anything else — in POST
// /ingest's answer and in ingestResults' alike. The good lines are stored.
func TestRefusedLinesCarryACode(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		body := strings.Join([]string{
			`{"mcid":"9900002","skillNumber":"AZ-900","completedAt":"2024-01-02"}`,
			`{"mcid":"1234567","skillNumber":"AZ-900","completedAt":"2024-01-02"}`,
			`{"mcid":"9900002","skillNumber":"ZZ-999","completedAt":"2024-01-02"}`,
			`{"mcid":"9900002","skillNumber":"AZ-104","completedAt":"yesterday"}`,
			`not json`,
		}, "\n")
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+prov)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var got struct {
			Accepted, Duplicates int
			Errors               []struct {
				Line          int
				Code, Message string
			}
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%d %s", res.StatusCode, raw)
		}
		want := map[int]string{2: "NOT_FOUND", 3: "NOT_FOUND", 4: "INVALID_INPUT", 5: "INVALID_INPUT"}
		if got.Accepted+got.Duplicates != 1 || len(got.Errors) != len(want) {
			t.Fatalf("answer %s", raw)
		}
		for _, le := range got.Errors {
			if want[le.Line] != le.Code || le.Message == "" {
				t.Errorf("line %d: code %q (%s), want %q", le.Line, le.Code, le.Message, want[le.Line])
			}
		}

		var gql struct {
			IngestResults struct {
				Errors []struct {
					Index         int
					Code, Message string
				}
			}
		}
		e.Do(prov, `mutation{ingestResults(input:[
			{mcid:"9900003",skillNumber:"AZ-900",completedAt:"2024-01-02T00:00:00Z"},
			{mcid:"7654321",skillNumber:"AZ-900",completedAt:"2024-01-02T00:00:00Z"},
			{mcid:"9900003",skillNumber:"QQ-1",completedAt:"2024-01-02T00:00:00Z"},
			{mcid:"99",skillNumber:"AZ-900",completedAt:"2024-01-02T00:00:00Z"}
		]){errors{index code message}}}`, nil).Decode(t, &gql)
		wantGQL := map[int]string{1: "NOT_FOUND", 2: "NOT_FOUND", 3: "INVALID_INPUT"}
		if len(gql.IngestResults.Errors) != len(wantGQL) {
			t.Fatalf("ingestResults errors: %+v", gql.IngestResults.Errors)
		}
		for _, ie := range gql.IngestResults.Errors {
			if wantGQL[ie.Index] != ie.Code {
				t.Errorf("result %d: code %q (%s), want %q", ie.Index, ie.Code, ie.Message, wantGQL[ie.Index])
			}
		}
	})
}
