package demo

import (
	"context"
	"maps"
	"slices"
	"time"

	"certlink/ent"
	"certlink/ent/competency"
	"certlink/ent/competencyoption"
	"certlink/ent/requirement"
	"certlink/ent/skill"
	"certlink/ent/user"
	"certlink/internal/results"
)

// demoResult is a result of a demo profile, dated relative to the seeding day.
type demoResult struct {
	mcid, skill string
	// completed and expires are offsets in months from now; expires 0 = none.
	completed, expires int
}

// demoResults give the directory's people real exam numbers (SPEC "The demo"):
//   - alex (9900001, linked to Contoso) makes Contoso meet "azure-administrators"
//     of Cloud Platform Silver and both SKILL requirements of Data Analytics
//     Silver (DP-203: retired, still within its validity) — deleting alex makes
//     them unmet; MS-100's validity has ended, so it shows in the report and
//     counts for nothing;
//   - riley (9900002) is credited to Contoso through the legacy path only: the
//     report flags "needs association" (S3);
//   - jordan (9900003) is free to link anywhere and would complete Contoso's
//     "azure-architects".
var demoResults = []demoResult{
	{"9900001", "AZ-104", -14, 0},
	{"9900001", "MC-AZURE-ADMINISTRATOR", -11, 2},
	{"9900001", "AZ-305", -3, 0},
	{"9900001", "DP-203", -20, 0},
	{"9900001", "PL-300", -6, 0},
	{"9900001", "MS-100", -36, 0},
	{"8800001", "ASMT-SECURITY-TECH", -2, 0},
	{"9900002", "AZ-204", -8, 0},
	{"9900002", "AZ-500", -4, 0},
	{"9900002", "MC-AZURE-DEVELOPER", -8, 4},
	{"8800002", "ASMT-AZURE-SALES", -5, 0},
	{"9900003", "AZ-305", -2, 0},
	{"9900003", "AZ-400", -1, 0},
	{"9900003", "MC-AZURE-SOLUTIONS-ARCHITECT", -1, 11},
	{"9900003", "AI-102", -7, 0},
}

// seedResults writes the demo's results, the legacy recognition and an
// attestation. Skills missing from the loaded catalog (a custom --catalog) are
// skipped.
func seedResults(ctx context.Context, tx *ent.Tx, now time.Time) error {
	now = now.Truncate(time.Second)
	profiles := map[string]int{}
	ps, err := tx.Profile.Query().All(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		profiles[p.Mcid] = p.ID
	}
	for _, r := range demoResults {
		sk, err := tx.Skill.Query().Where(skill.Number(r.skill)).Only(ctx)
		if ent.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		completed := now.AddDate(0, r.completed, 0)
		if sk.RetiredOn != nil && !completed.Before(*sk.RetiredOn) {
			// An exam is passed before it retires (a review saw DP-203
			// "completed" a week after its retirement).
			completed = sk.RetiredOn.AddDate(0, -2, 0)
		}
		c := tx.Result.Create().SetProfileID(profiles[r.mcid]).SetSkillID(sk.ID).
			SetCompletedAt(completed).SetSource("directory").
			SetRecognizedAt(completed.AddDate(0, 0, 3))
		if r.expires != 0 {
			c.SetExpiresAt(now.AddDate(0, r.expires, 0))
		}
		if err := c.Exec(ctx); err != nil {
			return err
		}
	}
	if err := results.MarkLatest(ctx, tx.Client(), false, slices.Collect(maps.Values(profiles))...); err != nil {
		return err
	}
	contoso, err := tx.User.Query().Where(user.Email("mona@contoso.example")).Only(ctx)
	if err != nil {
		return err
	}
	if err := tx.LegacyRecognition.Create().SetOrganizationID(*contoso.OrganizationID).
		SetProfileID(profiles["9900002"]).SetRecognizedAt(now.AddDate(-1, 0, 0)).Exec(ctx); err != nil {
		return err
	}
	// Contoso's admin attested Data Analytics Silver's customer references.
	req, err := tx.Requirement.Query().Where(
		requirement.Key("customer-references"),
		requirement.HasOptionWith(competencyoption.LevelEQ(competencyoption.LevelSILVER),
			competencyoption.HasCompetencyWith(competency.Key("data-analytics")))).Only(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return tx.Attestation.Create().SetOrganizationID(*contoso.OrganizationID).SetRequirementID(req.ID).
		SetMet(true).SetNote("References: Northwind Traders data platform (2026), Tailspin Toys Power BI rollout (2026).").
		SetByUserID(contoso.ID).SetAt(now.AddDate(0, 0, -10)).Exec(ctx)
}
