package ingest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// TestIngestBatchNotStoredSaysSo: when the database refuses a batch (here a
// trigger refuses one line's insert), the answer and the job record say
// through which line the file was stored — the batches committed before it —
// and from which line to send again; the refused batch's lines are neither
// counted nor lost. An outside review found the refused batch told as handled
// ("Lines 1 to 2000 were handled", the job "linesStored":2000) with only 1,500
// stored, and the lines in between listed nowhere.
func TestIngestBatchNotStoredSaysSo(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		prov := providerToken(t, e)
		before := resultsOf(t, e, "9900002")
		from := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
		body := lines(1200, from, manySkills...)
		// Line 700's completion time is refused by the database: the second
		// batch (lines 501 to 1000) is not stored.
		refused := from.Add(699 * 3 * time.Second).Format("2006-01-02 15:04:05")
		trigger := map[testenv.Dialect]string{
			testenv.SQLite: `CREATE TRIGGER refuse_one BEFORE INSERT ON results WHEN NEW.completed_at LIKE '` + refused + `%'
BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
			testenv.MySQL: `CREATE TRIGGER refuse_one BEFORE INSERT ON results FOR EACH ROW
BEGIN IF NEW.completed_at = '` + refused + `' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END`,
		}[d]
		if _, err := e.App.DB.SQL.Exec(trigger); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", bytes.NewReader([]byte(strings.Join(body, ""))))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+prov)
		req.Header.Set("X-Request-Id", "refused")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var got cutAnswer
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%d %s", res.StatusCode, raw)
		}
		stored := resultsOf(t, e, "9900002") - before
		if stored != 500 {
			t.Fatalf("stored %d results, want the first batch's 500 (answer %d %s)", stored, res.StatusCode, raw)
		}
		if res.StatusCode != http.StatusInternalServerError || got.Error == nil || got.Error.Code != "INTERNAL" ||
			got.Accepted != 500 || got.LinesRead != 500 || got.NotReadFromLine != 501 ||
			!strings.Contains(got.Error.Message, "Lines 1 to 500 were handled") || !strings.Contains(got.Error.Message, "from line 501") {
			t.Fatalf("answer %d %s, want 500 INTERNAL saying lines 1 to 500 were handled, send again from 501", res.StatusCode, raw)
		}
		// The job says what the answer says (a review's job said linesRead
		// 11500 where the answer said 11000: the refused batch's lines).
		if _, j := getJob(t, e, prov, "refused"); j.State != "FAILED" || j.LinesStored != 500 || j.LinesRead != 500 || j.Accepted != 500 {
			t.Fatalf("job record %+v, want FAILED with 500 lines read and stored", j)
		}
		// Sending the rest again from line 501 stores it all.
		if _, err := e.App.DB.SQL.Exec(`DROP TRIGGER refuse_one`); err != nil {
			t.Fatal(err)
		}
		req, _ = http.NewRequest(http.MethodPost, e.URL+"/ingest", bytes.NewReader([]byte(strings.Join(body[500:], ""))))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+prov)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if n := resultsOf(t, e, "9900002") - before; res.StatusCode != 200 || n != 1200 {
			t.Fatalf("after sending the rest again: %d, %d stored, want 200 and 1200", res.StatusCode, n)
		}
	})
}

// TestProviderTokenNameIsCutOnACharacter: the results' source is the
// provider token's name cut to 100 bytes; cut inside a UTF-8 character,
// MariaDB refused every result the token sent (an outside review: 500 on
// every POST /ingest, SQLite storing them).
func TestProviderTokenNameIsCutOnACharacter(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		var out struct{ CreateProviderToken struct{ Token string } }
		e.Do(e.Demo("ops@certlink.example"), `mutation($n:String!){createProviderToken(name:$n){token}}`,
			map[string]any{"n": strings.Repeat("é", 60)}).Decode(t, &out)
		before := resultsOf(t, e, "9900002")
		body := strings.Join(lines(3, time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)), "")
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+out.CreateProviderToken.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if n := resultsOf(t, e, "9900002") - before; res.StatusCode != 200 || n != 3 {
			t.Fatalf("ingest with a long non-ASCII token name: %d %s, %d stored", res.StatusCode, raw, n)
		}
	})
}
