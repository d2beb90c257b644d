package ingest_test

import (
	"encoding/json"
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
		status, raw := postStream(t, e, prov, "application/x-ndjson", strings.NewReader(body))
		var got struct {
			Accepted, Duplicates int
			Errors               []struct {
				Line          int
				Code, Message string
			}
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%d %s", status, raw)
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

// Bytes that are not UTF-8 are that line's INVALID_INPUT saying so, in NDJSON
// and CSV alike (review: decoded as U+FFFD they were answered NOT_FOUND, an
// unknown skill); a quote left open says what is wrong in words.
func TestNotUTF8IsInvalidInput(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	prov := providerToken(t, e)
	post := func(ct, body string) (int, string) {
		status, raw := postStream(t, e, prov, ct, strings.NewReader(body))
		return status, string(raw)
	}
	type answer struct {
		Accepted, Duplicates int
		Errors               []struct {
			Line          int
			Code, Message string
		}
	}
	for ct, body := range map[string]string{
		"application/x-ndjson": `{"mcid":"9900002","skillNumber":"AZ-900","completedAt":"2024-01-02"}` + "\n" +
			`{"mcid":"9900002","skillNumber":"AZ-104` + "\xff" + `","completedAt":"2024-01-02"}`,
		"text/csv": "mcid,skillNumber,completedAt\n9900002,AZ-900,2024-01-02\n9900002,AZ-104\xff,2024-01-02\n",
	} {
		_, raw := post(ct, body)
		var got answer
		if err := json.Unmarshal([]byte(raw), &got); err != nil || got.Accepted+got.Duplicates != 1 || len(got.Errors) != 1 ||
			got.Errors[0].Code != "INVALID_INPUT" || !strings.Contains(got.Errors[0].Message, "UTF-8") {
			t.Fatalf("%s: %s", ct, raw)
		}
	}
	status, raw := post("text/csv", "mcid,skillNumber,completedAt\n9900002,AZ-900,2024-01-02\n9900002,\"AZ-104,2024-01-02\nx,y,z\n")
	if status != 400 || !strings.Contains(raw, `a quote (\") is missing or extra`) || strings.Contains(raw, "quoted-field") {
		t.Fatalf("an unclosed quote: %d %s", status, raw)
	}
}
