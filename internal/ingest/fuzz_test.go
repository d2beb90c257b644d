package ingest_test

import (
	"bytes"
	"context"
	"testing"

	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/ingest"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// FuzzIngestParsers feeds arbitrary bytes to the NDJSON and the CSV reader of
// POST /ingest (the first byte picks the format): whatever arrives, nothing
// panics, a failure is a coded error, and the outcome accounts for no more
// results than the input has lines. The seed corpus runs with the normal tests;
// `go test -fuzz=FuzzIngestParsers ./internal/ingest/` explores further.
func FuzzIngestParsers(f *testing.F) {
	for _, seed := range []string{
		"j" + `{"mcid":"9900001","skillNumber":"AZ-104","completedAt":"2024-01-02"}`,
		"j" + `{"mcid":9900003,"skillNumber":"az-305","completedAt":"2024-01-02T10:00:00Z","expiresAt":"2026-01-02"}` + "\n\n" + `{"mcid":"x"}`,
		"j" + "\xef\xbb\xbf" + `{"mcid":"9900002","skillNumber":"AZ-104","completedAt":"not a date"}` + "\n[1,2]\nnull\n{",
		"j" + `{"mcid":{"a":1},"skillNumber":["AZ-104"],"completedAt":7}`,
		"c" + "mcid,skillNumber,completedAt,expiresAt\n9900001,AZ-104,2024-01-02,\n9900003,DP-203,2024-02-03,2027-02-03\n",
		"c" + "\ufeffMCID;Skill Number\n1,2,3\n",
		"c" + "skill_number,mcid,completed\r\nAZ-104,9900002,2024-03-04\r\n\"unterminated,9900002,2024\n",
		"c" + "mcid,skillNumber,completedAt\n\"a\"\"b\",=cmd|' /C calc'!A0,2024-01-01\n,,\n",
		"c", "j", "", "c\n\n\n", "j\x00\x01\x02",
	} {
		f.Add([]byte(seed))
	}
	e := testenv.Start(f, testenv.SQLite)
	ctx := viewer.System(context.Background())
	ops, err := e.App.DB.Client.User.Query().Where(user.Email("ops@certlink.example")).Only(ctx)
	if err != nil {
		f.Fatal(err)
	}
	v := &viewer.Viewer{Kind: viewer.KindUser, UserID: ops.ID, Email: ops.Email, Roles: []viewer.Role{viewer.Operator}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		format, body := data[0], data[1:]
		b, err := e.App.Ingest.Begin(context.Background(), v)
		if err != nil {
			t.Fatal(err)
		}
		if format%2 == 0 {
			err = ingest.ReadCSV(b, bytes.NewReader(body))
		} else {
			err = ingest.ReadNDJSON(b, bytes.NewReader(body))
		}
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("uncoded error %v for %q", err, data)
			}
			return
		}
		out, err := b.Finish()
		if err != nil {
			t.Fatalf("finishing %q: %v", data, err)
		}
		lines := bytes.Count(body, []byte{'\n'}) + bytes.Count(body, []byte{'\r'}) + 1
		if n := out.Accepted + out.Duplicates + len(out.Errors) + out.ErrorsOmitted; n > lines {
			t.Fatalf("%d outcomes for %d lines of %q: %+v", n, lines, data, out)
		}
		for _, le := range out.Errors {
			if le.Message == "" || le.Pos < 0 {
				t.Fatalf("line error without message or position for %q: %+v", data, le)
			}
		}
	})
}
