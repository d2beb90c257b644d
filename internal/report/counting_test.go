package report_test

import (
	"encoding/csv"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"certlink/ent/profile"
	"certlink/ent/result"
	"certlink/ent/skill"
	"certlink/internal/report"
	"certlink/internal/testenv"
)

type countingRow struct {
	Email, SkillNumber, SourceLabel string
	Competencies                    []string
	Counting, NeedsAssociation      bool
	CountsUntil, RetiredOn          *time.Time
}

const countingQuery = `{skillsReport(first:100){edges{node{email skillNumber sourceLabel competencies counting needsAssociation countsUntil retiredOn}}}}`

// TestReportSaysWhatCountsNow (C3, S1): a row counts only when the person is
// associated and the result is neither expired nor of a skill past its
// validity; a row that stopped counting lists no competency and says when it
// stopped, in the connection and the CSV; the people the report shows as
// counting for each requirement's skills are exactly those progress counts.
func TestReportSaysWhatCountsNow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		c := e.App.DB.Client
		mona := e.Demo("mona@contoso.example")
		now := time.Now().UTC()
		// Alex's AZ-104 expired yesterday; MS-100 is retired and past its validity.
		alex := c.Profile.Query().Where(profile.Mcid("9900001")).OnlyX(sys())
		az104 := c.Skill.Query().Where(skill.Number("AZ-104")).OnlyX(sys())
		yesterday := now.Add(-24 * time.Hour).Truncate(time.Second)
		c.Result.Update().Where(result.ProfileID(alex.ID), result.SkillID(az104.ID)).SetExpiresAt(yesterday).ExecX(sys())
		retired, ended := now.AddDate(-1, 0, 0).Truncate(time.Second), now.AddDate(0, -1, 0).Truncate(time.Second)
		held := c.Result.Query().Where(result.ProfileID(alex.ID), result.SkillIDNEQ(az104.ID), result.Latest(true)).WithSkill().FirstX(sys())
		c.Skill.UpdateOne(held.Edges.Skill).SetRetiredOn(retired).SetValidUntil(ended).ExecX(sys())

		var out struct {
			SkillsReport struct{ Edges []struct{ Node countingRow } }
		}
		e.Do(mona, countingQuery, nil).Decode(t, &out)
		byKey := map[string]countingRow{}
		for _, ed := range out.SkillsReport.Edges {
			byKey[ed.Node.Email+"/"+ed.Node.SkillNumber] = ed.Node
		}
		expired := byKey["alex@contoso.example/AZ-104"]
		if expired.Counting || len(expired.Competencies) != 0 || expired.CountsUntil == nil || !expired.CountsUntil.Equal(yesterday) {
			t.Fatalf("expired AZ-104: %+v", expired)
		}
		past := byKey["alex@contoso.example/"+held.Edges.Skill.Number]
		if past.Counting || len(past.Competencies) != 0 || past.CountsUntil == nil || !past.CountsUntil.Equal(ended) ||
			past.RetiredOn == nil || !past.RetiredOn.Equal(retired) {
			t.Fatalf("skill past its validity: %+v", past)
		}
		counting := 0
		for k, r := range byKey {
			if r.NeedsAssociation && (r.Counting || len(r.Competencies) != 0) {
				t.Fatalf("%s needs association yet counts: %+v", k, r)
			}
			if r.Counting {
				counting++
			}
			if r.SourceLabel == "" || strings.Contains(r.SourceLabel, ":") {
				t.Fatalf("%s: source label %q", k, r.SourceLabel)
			}
		}
		if counting == 0 {
			t.Fatal("no row counts: the test proves nothing")
		}

		// The report's counting rows are progress's people, requirement by requirement.
		agreeWithProgress(t, e, mona, byKey)

		// The CSV says the same.
		_, body := e.Get(mona, "/reports/skills.csv?mcid=9900001")
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		if strings.Join(recs[0], ",") != strings.Join(report.CSVHeader, ",") {
			t.Fatalf("header %v", recs[0])
		}
		for _, rec := range recs[1:] {
			if rec[col["Skill number"]] != "AZ-104" {
				continue
			}
			if rec[col["Counting now"]] != "No" || rec[col["Competencies"]] != "" || rec[col["Counts until"]] != yesterday.UTC().Format(time.RFC3339) ||
				rec[col["Source"]] != "Certification directory" {
				t.Fatalf("expired AZ-104 in the CSV: %q", rec)
			}
			return
		}
		t.Fatal("no AZ-104 row in the CSV")
	})
}

// agreeWithProgress fails unless, for every SKILL requirement, the people
// progress counts (C2) are exactly the people with a counting report row
// (byKey, the report's rows by email/skill number) of one of its skills.
func agreeWithProgress(t *testing.T, e *testenv.Env, tok string, byKey map[string]countingRow) {
	t.Helper()
	var prog struct {
		CompetencyProgress []struct {
			Levels []struct {
				Options []struct {
					Requirements []struct {
						Kind, Description string
						People            []struct{ Email string }
						Skills            []struct{ Number string }
					}
				}
			}
		}
	}
	e.Do(tok, `{competencyProgress{levels{options{requirements{kind description people{email} skills{number}}}}}}`, nil).Decode(t, &prog)
	checked := 0
	for _, cp := range prog.CompetencyProgress {
		for _, l := range cp.Levels {
			for _, o := range l.Options {
				for _, r := range o.Requirements {
					if r.Kind != "SKILL" {
						continue
					}
					var want, got []string
					for _, p := range r.People {
						want = append(want, p.Email)
					}
					for _, row := range byKey {
						if row.Counting && slices.ContainsFunc(r.Skills, func(s struct{ Number string }) bool { return s.Number == row.SkillNumber }) &&
							!slices.Contains(got, row.Email) {
							got = append(got, row.Email)
						}
					}
					sort.Strings(want)
					sort.Strings(got)
					if strings.Join(want, ",") != strings.Join(got, ",") {
						t.Fatalf("%q: progress counts %v, the report %v", r.Description, want, got)
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no SKILL requirement checked")
	}
}
