package ingest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"certlink/internal/testenv"
)

// filler streams n bytes of b without holding them.
type filler struct {
	n int64
	b byte
}

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), f.n))
	for i := range p[:k] {
		p[i] = f.b
	}
	f.n -= int64(k)
	return k, nil
}

func postStream(t *testing.T, e *testenv.Env, tok, ct string, body io.Reader) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /ingest: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// A 100 MB CSV field, a 100 MB NDJSON line and a thousand 60 KB values
// (issue 11, item 5): each bad record is one short error, the good ones are
// kept, the answer is small and memory stays flat.
func TestIngestBoundsEveryRecord(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	prov := providerToken(t, e)
	before := heapAfterGC()
	var peak uint64
	check := func(name string, status int, body []byte, accepted, errors int, want string) {
		t.Helper()
		peak = max(peak, heapAfterGC())
		var out bulk
		if err := json.Unmarshal(body, &out); err != nil || status != 200 {
			t.Fatalf("%s: %d %.300s", name, status, body)
		}
		if out.Accepted+out.Duplicates != accepted || len(out.Errors) != errors || !strings.Contains(out.Errors[0].Message, want) || len(body) > 200<<10 {
			t.Fatalf("%s: %d bytes, %+v", name, len(body), out.Errors[:min(3, len(out.Errors))])
		}
	}

	// A CSV record past the limit ends the upload, cut (review: it was
	// answered DONE with a line error, and a client resuming from where
	// reading stopped lost the lines after it): a quoted field may hold line
	// breaks, so nothing after it can be read safely. The record before it
	// spans two lines, both read.
	csvField := io.MultiReader(strings.NewReader("mcid,skillNumber,completedAt\n9900001,SC-300,\"2026-10-01\n\"\n9900002,\""),
		&filler{n: 100 << 20, b: 'a'}, strings.NewReader("\",2026-01-01\n9900003,AZ-500,2026-09-01\n"))
	jordanHeld := resultsOf(t, e, "9900003")
	allocated := totalAlloc()
	// The answer comes before the body ends and the connection closes: a
	// client still writing may see the reset instead of it (TCP drops what
	// it had not read), and asks the job, by its request id, where to resume.
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", csvField)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+prov)
	req.Header.Set("X-Request-Id", "long-csv-record")
	if code, j := getJob(t, e, prov, "long-csv-record"); code != http.StatusNotFound {
		t.Fatalf("a job before the upload: %d %+v", code, j)
	}
	if res, err := http.DefaultClient.Do(req); err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		checkCut(t, res.StatusCode, body)
	} else {
		t.Logf("the upload's connection was reset before its answer was read (%v): the job tells", err)
	}
	if a := totalAlloc() - allocated; a > 32<<20 {
		t.Fatalf("the 100 MB CSV field allocated %d MB", a>>20)
	}
	if code, j := getJob(t, e, prov, "long-csv-record"); code != 200 || j.State != "CUT" || j.Error == nil || j.Error.Code != "INVALID_INPUT" ||
		!strings.Contains(j.Error.Message, "longer than 65536 bytes") || j.LinesRead != 3 || j.LinesStored != 3 || j.Accepted != 1 {
		t.Fatalf("the cut CSV's job: %d %+v", code, j)
	}
	if n := resultsOf(t, e, "9900003"); n != jordanHeld {
		t.Fatalf("a line after the cut was stored: 9900003 holds %d results, %d before", n, jordanHeld)
	}

	ndjson := io.MultiReader(strings.NewReader(`{"mcid":"9900001","skillNumber":"SC-300","completedAt":"2026-10-02"}`+"\n"+`{"mcid":"`),
		&filler{n: 100 << 20, b: '9'}, strings.NewReader(`"}`+"\n"+`{"mcid":"9900003","skillNumber":"AZ-500","completedAt":"2026-09-02"}`+"\n"))
	allocated = totalAlloc()
	status, body := postStream(t, e, prov, "application/x-ndjson", ndjson)
	check("100 MB NDJSON line", status, body, 2, 1, "longer than 65536 bytes")
	if a := totalAlloc() - allocated; a > 32<<20 {
		t.Fatalf("the 100 MB NDJSON line allocated %d MB", a>>20)
	}

	var lines strings.Builder
	for i := 0; i < 1000; i++ {
		lines.WriteString(`{"mcid":"9900001","skillNumber":"` + strings.Repeat("Z", 60<<10) + `","completedAt":"2026-10-01"}` + "\n")
	}
	status, body = postStream(t, e, prov, "application/x-ndjson", strings.NewReader(lines.String()))
	check("1,000 × 60 KB values", status, body, 0, 1000, "skillNumber is longer than 256 bytes")
	var csvLines strings.Builder
	csvLines.WriteString("mcid,skillNumber,completedAt\n")
	for i := 0; i < 1000; i++ {
		csvLines.WriteString("9900001," + strings.Repeat("Z", 200) + ",2026-10-01\n")
	}
	status, body = postStream(t, e, prov, "text/csv", strings.NewReader(csvLines.String()))
	check("1,000 unknown 200-byte skills", status, body, 0, 1000, "…")
	lines.Reset()
	csvLines.Reset()

	if grown := int64(heapAfterGC()) - int64(before); grown > 32<<20 || peak-before > 64<<20 {
		t.Fatalf("memory grew by %d MB (peak +%d MB)", grown>>20, (peak-before)>>20)
	}
}

// checkCut checks the answer to an upload cut by a CSV record past MaxLine:
// 400 INVALID_INPUT naming the limit, the one result before it kept, lines 1
// to 3 read (the record before it spans two), line 4 the one to send again.
func checkCut(t *testing.T, status int, body []byte) {
	t.Helper()
	var cut struct {
		Accepted, Duplicates, LinesRead, NotReadFromLine int
		Error                                            *struct{ Code, Message string }
		Errors                                           []struct{ Line int }
	}
	if err := json.Unmarshal(body, &cut); err != nil || status != http.StatusBadRequest || cut.Error == nil || cut.Error.Code != "INVALID_INPUT" ||
		!strings.Contains(cut.Error.Message, "longer than 65536 bytes") || cut.Accepted+cut.Duplicates != 1 || len(cut.Errors) != 0 ||
		cut.LinesRead != 3 || cut.NotReadFromLine != 4 {
		t.Fatalf("100 MB CSV field: %d %.500s", status, body)
	}
}

// A quote opened and not closed on its line takes the lines after it into
// one broken field (to the end of the file when it never closes): the upload
// is cut there, 400 with notReadFromLine, the job CUT, and what came before
// is kept. A review saw it answered 200 with one line error while the lines
// after it were silently not stored. A quote error within one line stays a
// line error, and the lines after it are read.
func TestUnclosedQuoteCutsTheUpload(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	prov := providerToken(t, e)
	type answer struct {
		Accepted, Duplicates, LinesRead, NotReadFromLine int
		Error                                            *struct{ Code, Message string }
		Errors                                           []struct {
			Line    int
			Message string
		}
	}
	post := func(id, body string) (int, answer) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ingest", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+prov)
		req.Header.Set("X-Request-Id", id)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var a answer
		b, _ := io.ReadAll(res.Body)
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatalf("%s: %d %s", id, res.StatusCode, b)
		}
		return res.StatusCode, a
	}
	head := "mcid,skillNumber,completedAt,expiresAt\n9900003,AZ-104,2026-02-14,\n"
	for _, c := range []struct{ name, rest string }{
		{"never closed", "\"9900003,AZ-104,2026-02-15,\n9900003,AZ-104,2026-02-16,\n9900003,AZ-104,2026-02-17,\n"},
		{"closed lines later, then junk", "\"9900003,AZ-104,2026-02-15,\n9900003,AZ-104,2026-02-16,\"x\n9900003,AZ-104,2026-02-17,\n"},
	} {
		status, a := post("unclosed-"+strings.ReplaceAll(c.name, " ", "-"), head+c.rest)
		if status != http.StatusBadRequest || a.Error == nil || a.Error.Code != "INVALID_INPUT" || !strings.Contains(a.Error.Message, "Line 3") ||
			a.Accepted+a.Duplicates != 1 || a.LinesRead != 2 || a.NotReadFromLine != 3 {
			t.Fatalf("%s: %d %+v", c.name, status, a)
		}
		if code, j := getJob(t, e, prov, "unclosed-"+strings.ReplaceAll(c.name, " ", "-")); code != 200 || j.State != "CUT" || j.LinesRead != 2 {
			t.Fatalf("%s: the job %d %+v", c.name, code, j)
		}
	}
	// Within one line: a line error, and the next lines are read.
	status, a := post("bare-quote", head+"9900003,AZ-\"104,2026-02-15,\n9900003,AZ-104,2026-02-16,\n")
	if status != 200 || a.Error != nil || len(a.Errors) != 1 || a.Errors[0].Line != 3 || a.Accepted+a.Duplicates != 2 || a.LinesRead != 4 {
		t.Fatalf("a quote error within a line: %d %+v", status, a)
	}
}

// A review sent a CSV whose quote never closes, then 100 lines of 60 KB,
// writing the whole body before reading: the server had answered at the
// quote and closed with the rest unread, so the kernel reset the connection
// and the client never saw its 400. A body refused for what it holds is now
// read to its end first; the answer arrives, and the connection stays open.
func TestRefusedUploadsAnswerReachesItsSender(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	prov := providerToken(t, e)
	var body strings.Builder
	body.WriteString("mcid,skillNumber,completedAt\n\"9900001,AZ-104,2025-01-01\n")
	filler := strings.Repeat("x", 60<<10) + "\n"
	for range 100 {
		body.WriteString(filler)
	}
	c, err := net.Dial("tcp", e.Server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	req := fmt.Sprintf("POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n%s",
		prov, body.Len(), body.String())
	for range 2 { // the second request on the same connection: it was kept open
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatalf("sending the body: %v", err)
		}
	}
	r := bufio.NewReader(c)
	for i := range 2 {
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		b, _ := io.ReadAll(res.Body)
		var a cutAnswer
		if err := json.Unmarshal(b, &a); err != nil || res.StatusCode != http.StatusBadRequest || a.Error == nil ||
			a.Error.Code != "INVALID_INPUT" || a.NotReadFromLine < 1 {
			t.Fatalf("answer %d: %d %s", i+1, res.StatusCode, b)
		}
	}
}
