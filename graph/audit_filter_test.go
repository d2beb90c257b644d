package graph_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"certlink/internal/testenv"
)

// TestAuditLogRefusesUnknownActions: an action the log never records — a
// typo, the wrong letter case — is INVALID_INPUT naming the actions, over
// GraphQL as in the CSV, never a filter that reads "no events" (review).
func TestAuditLogRefusesUnknownActions(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	grace := e.Demo("grace@contoso.example")
	for _, a := range []string{"NOPE", "linked", " LINKED"} {
		r := e.Do(grace, `query($a:[String!]){auditLog(first:1,where:{actions:$a}){totalCount}}`, map[string]any{"a": []string{"LINKED", a}})
		if r.Code() != "INVALID_INPUT" || r.Errors[0].Extensions["field"] != "actions" || !strings.Contains(r.Errors[0].Message, "PROFILES_MERGED") {
			t.Fatalf("action %q: %+v", a, r.Errors)
		}
		if res, body := e.Get(grace, "/reports/audit.csv?action="+strings.ReplaceAll(a, " ", "+")); res.StatusCode != 400 || !strings.Contains(string(body), "INVALID_INPUT") {
			t.Fatalf("CSV action %q: %d %s", a, res.StatusCode, body)
		}
	}
	var log struct{ AuditLog struct{ TotalCount int } }
	must(t, e, grace, `{auditLog(first:1,where:{actions:["LINKED"]}){totalCount}}`, nil, &log)
	if log.AuditLog.TotalCount == 0 {
		t.Fatal("the demo's links are not in the audit log")
	}
}

// TestAuditLogSaysWhichAccountANumberBelongsTo: a Partner University
// account's number is not an MCID; the log's entries say which they name
// (review: the web app labelled every number "MCID").
func TestAuditLogSaysWhichAccountANumberBelongsTo(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	riley := e.Demo("riley@contoso.example")
	e.Do(riley, `mutation{associatePartnerUniversity(input:{email:"riley@learn.example",password:"learn-demo"}){user{email}}}`, nil).Decode(t, &struct{}{})
	e.Do(riley, `mutation{removePartnerUniversityAccess{user{email}}}`, nil).Decode(t, &struct{}{})
	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct {
					Action, Mcid, Detail string
					LinkKind             *string
				}
			}
		}
	}
	must(t, e, e.Demo("grace@contoso.example"), `{auditLog(first:100){edges{node{action mcid detail linkKind}}}}`, nil, &log)
	kinds := map[string]int{}
	for _, ed := range log.AuditLog.Edges {
		n := ed.Node
		kind := ""
		if n.LinkKind != nil {
			kind = *n.LinkKind
		}
		want := ""
		switch {
		case n.Mcid == "":
		case strings.HasPrefix(n.Detail, "Partner University account"):
			want = "PARTNER_UNIVERSITY"
		default:
			want = "LEARNING"
		}
		if kind != want {
			t.Errorf("%s %q (%s): linkKind %q, want %q", n.Action, n.Mcid, n.Detail, kind, want)
		}
		kinds[kind]++
	}
	if kinds["PARTNER_UNIVERSITY"] < 2 || kinds["LEARNING"] == 0 {
		t.Fatalf("kinds seen: %v", kinds)
	}
	// The CSV says it in its Account column.
	res, body := e.Get(e.Demo("grace@contoso.example"), "/reports/audit.csv")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if res.StatusCode != 200 || err != nil || len(rows) < 2 || rows[0][7] != "MCID" || rows[0][9] != "Account" {
		t.Fatalf("CSV: %d %v %.300s", res.StatusCode, err, body)
	}
	seen := map[string]int{}
	for _, r := range rows[1:] {
		want := "Microsoft Learning"
		switch {
		case r[7] == "":
			want = ""
		case strings.HasPrefix(r[8], "Partner University account"):
			want = "Partner University"
		}
		if r[9] != want {
			t.Errorf("CSV row %q: account %q, want %q", r, r[9], want)
		}
		seen[r[9]]++
	}
	if seen["Partner University"] != kinds["PARTNER_UNIVERSITY"] || seen["Microsoft Learning"] != kinds["LEARNING"] {
		t.Fatalf("CSV accounts %v, GraphQL kinds %v", seen, kinds)
	}
}

// TestSkillsReportSaysWhichAccountANumberBelongsTo: a row of an assessment
// held on a Partner University account carries that account's number in
// mcid, and says so (review: Riley seemed to have two MCIDs).
func TestSkillsReportSaysWhichAccountANumberBelongsTo(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	riley := e.Demo("riley@contoso.example")
	e.Do(riley, `mutation{associatePartnerUniversity(input:{email:"riley@learn.example",password:"learn-demo"}){user{email}}}`, nil).Decode(t, &struct{}{})
	var rep struct {
		SkillsReport struct {
			Edges []struct {
				Node struct{ Email, Mcid, LinkKind, SkillNumber string }
			}
		}
	}
	must(t, e, e.Demo("grace@contoso.example"), `{skillsReport(first:100){edges{node{email mcid linkKind skillNumber}}}}`, nil, &rep)
	var pu string
	learning := 0
	for _, ed := range rep.SkillsReport.Edges {
		n := ed.Node
		var kind string
		err := e.App.DB.SQL.QueryRow(`SELECT kind FROM profiles WHERE mcid = ?`, n.Mcid).Scan(&kind)
		if err != nil || n.LinkKind != kind {
			t.Errorf("row %+v: linkKind %q, the profile's kind %q (%v)", n, n.LinkKind, kind, err)
		}
		switch {
		case n.LinkKind == "LEARNING":
			learning++
		case n.Email == "riley@contoso.example":
			pu = n.Mcid
		}
	}
	if pu == "" || learning == 0 {
		t.Fatalf("Riley's Partner University rows: %q; %d Learning rows", pu, learning)
	}
}
