package bench

import (
	"context"
	"fmt"
	"time"

	"certlink/ent"
	"certlink/ent/association"
	"certlink/ent/profile"
	"certlink/ent/skill"
	"certlink/internal/auth"
	"certlink/internal/counting"
	"certlink/internal/linking"
	"certlink/internal/store"
	"certlink/internal/viewer"
)

// Passwords of the bench's accounts.
const (
	workPassword      = "bench-work-password"
	directoryPassword = "bench-directory-password"
)

// org is a synthetic organization the bench built.
type org struct {
	ID         int
	MpnID      string
	AdminEmail string
	People     int
	Results    int
}

// seeder writes synthetic data in bulk, in transactions of a few hundred rows.
type seeder struct {
	client   *ent.Client
	skills   []int // catalog skills that count towards some requirement first
	workHash string
	dirHash  string
	seq      int // makes emails and MCIDs unique across organizations
	dialect  string
	tick     func(n int)
}

func newSeeder(ctx context.Context, c *ent.Client, tick func(int)) (*seeder, error) {
	sys := viewer.System(ctx)
	// Skills listed by a requirement first, so that people count towards competencies.
	counting, err := c.Skill.Query().Where(skill.HasRequirements()).Order(skill.ByNumber()).IDs(sys)
	if err != nil {
		return nil, err
	}
	others, err := c.Skill.Query().Where(skill.Not(skill.HasRequirements())).Order(skill.ByNumber()).IDs(sys)
	if err != nil {
		return nil, err
	}
	s := &seeder{client: c, skills: append(counting, others...), tick: tick}
	if len(s.skills) == 0 {
		return nil, fmt.Errorf("the catalog has no skills")
	}
	if s.workHash, err = auth.HashPassword(workPassword); err != nil {
		return nil, err
	}
	if s.dirHash, err = auth.HashPassword(directoryPassword); err != nil {
		return nil, err
	}
	return s, nil
}

// organization creates an organization with a Global Admin who can sign in,
// and people linked to it holding results in total: each person holds
// results/people distinct skills (the rest spread over the first people).
func (s *seeder) organization(ctx context.Context, mpnID, name string, people, results int) (*org, error) {
	sys := viewer.System(ctx)
	o, err := s.client.Organization.Create().SetMpnID(mpnID).SetName(name).Save(sys)
	if err != nil {
		return nil, err
	}
	admin := fmt.Sprintf("admin@%s.bench.example", mpnID)
	_, err = s.client.User.Create().SetEmail(admin).SetName("Bench Admin").SetPasswordHash(s.workHash).
		SetRoles([]string{"GLOBAL_ADMIN"}).SetOrganizationID(o.ID).Save(sys)
	if err != nil {
		return nil, err
	}
	out := &org{ID: o.ID, MpnID: mpnID, AdminEmail: admin, People: people}
	per, extra := 0, 0
	if people > 0 {
		per, extra = results/people, results%people
	}
	if per >= len(s.skills) {
		per, extra = len(s.skills), 0
	}
	now := time.Now().UTC().Truncate(time.Second)
	const step = 250
	for start := 0; start < people; start += step {
		end := min(start+step, people)
		n, err := s.people(sys, o.ID, mpnID, start, end, per, extra, now)
		if err != nil {
			return nil, err
		}
		out.Results += n
	}
	return out, nil
}

// people writes people [start, end) of an organization in one transaction and
// returns the results written.
func (s *seeder) people(ctx context.Context, orgID int, mpnID string, start, end, per, extra int, now time.Time) (int, error) {
	written := 0
	keep := ctx
	// Rows are written in bulk without the per-row refresh of the kept
	// progress counts; the chunk's people are refreshed at once at the end,
	// in the same transaction.
	ctx = counting.Unkept(ctx)
	err := store.InTx(ctx, s.client, func(tx *ent.Tx) error {
		written = 0
		var users []*ent.UserCreate
		var accounts []*ent.DirectoryAccountCreate
		for i := start; i < end; i++ {
			name := fmt.Sprintf("Person %s-%06d", mpnID, i)
			users = append(users, tx.User.Create().SetEmail(fmt.Sprintf("p%06d@%s.bench.example", i, mpnID)).
				SetName(name).SetOrganizationID(orgID))
			accounts = append(accounts, tx.DirectoryAccount.Create().SetEmail(fmt.Sprintf("p%06d-%s@learn.bench.example", i, mpnID)).
				SetName(name))
		}
		us, err := tx.User.CreateBulk(users...).Save(ctx)
		if err != nil {
			return err
		}
		as, err := tx.DirectoryAccount.CreateBulk(accounts...).Save(ctx)
		if err != nil {
			return err
		}
		var profiles []*ent.ProfileCreate
		for i := range us {
			profiles = append(profiles, tx.Profile.Create().SetKind(profile.KindLEARNING).
				SetMcid(fmt.Sprintf("8%s%06d", mpnID[4:], start+i)).SetAccountID(as[i].ID))
		}
		ps, err := tx.Profile.CreateBulk(profiles...).Save(ctx)
		if err != nil {
			return err
		}
		var links []*ent.AssociationCreate
		var results []*ent.ResultCreate
		flush := func() error {
			if len(results) == 0 {
				return nil
			}
			err := tx.Result.CreateBulk(results...).Exec(ctx)
			written += len(results)
			results = results[:0]
			return err
		}
		for i, p := range ps {
			n := start + i
			links = append(links, tx.Association.Create().SetKind(association.KindLEARNING).SetProfileID(p.ID).
				SetUserID(us[i].ID).SetOrganizationID(orgID).SetStartedAt(now.AddDate(0, -1, 0)).
				SetActiveProfileID(p.ID).SetActiveUserSlot(linking.UserSlot(us[i].ID, association.KindLEARNING)))
			k := per
			if n < extra {
				k++
			}
			for j := 0; j < k; j++ {
				// People hold different skills: start each at another offset.
				// A person holds each skill once, so every result is its
				// skill's latest (the flag's default; no results.MarkLatest).
				sid := s.skills[(n+j)%len(s.skills)]
				rc := tx.Result.Create().SetProfileID(p.ID).SetSkillID(sid).
					SetCompletedAt(now.AddDate(0, 0, -(n%700)-j)).SetSource("bench").SetRecognizedAt(now)
				if (n+j)%3 == 0 {
					rc.SetExpiresAt(now.AddDate(0, 0, 20+(n*7+j)%700))
				}
				results = append(results, rc)
				if len(results) == 500 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := tx.Association.CreateBulk(links...).Exec(ctx); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		ids := make([]int, len(us))
		for i, u := range us {
			ids[i] = u.ID
		}
		return counting.Refresh(keep, tx.Client(), s.dialect, ids)
	})
	if err == nil && s.tick != nil {
		s.tick(end - start + written)
	}
	return written, err
}

// client is one associate/remove client: a work account and the Learning
// account it links and unlinks.
type client struct {
	WorkEmail, LearnEmail string
}

// linkClients creates n work accounts in the organization, each with its own
// Learning account (not linked).
func (s *seeder) linkClients(ctx context.Context, orgID int, mpnID string, n int) ([]client, error) {
	sys := viewer.System(ctx)
	out := make([]client, n)
	for i := range out {
		c := client{
			WorkEmail:  fmt.Sprintf("linker%03d@%s.bench.example", i, mpnID),
			LearnEmail: fmt.Sprintf("linker%03d-%s@learn.bench.example", i, mpnID),
		}
		_, err := s.client.User.Create().SetEmail(c.WorkEmail).SetName(fmt.Sprintf("Linker %03d", i)).
			SetPasswordHash(s.workHash).SetOrganizationID(orgID).Save(sys)
		if err != nil {
			return nil, err
		}
		acc, err := s.client.DirectoryAccount.Create().SetEmail(c.LearnEmail).SetName(fmt.Sprintf("Linker %03d", i)).
			SetPasswordHash(s.dirHash).Save(sys)
		if err != nil {
			return nil, err
		}
		_, err = s.client.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(fmt.Sprintf("6%s%03d", mpnID[4:], i)).
			SetAccountID(acc.ID).Save(sys)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// probe creates the live measurement's person in the organization: a work
// account and a Learning account (not linked) holding results of the first
// skills that count towards requirements, so that linking it changes counts.
func (s *seeder) probe(ctx context.Context, orgID int, mpnID string) (*client, error) {
	sys := viewer.System(ctx)
	c := &client{
		WorkEmail:  fmt.Sprintf("live-probe@%s.bench.example", mpnID),
		LearnEmail: fmt.Sprintf("live-probe-%s@learn.bench.example", mpnID),
	}
	_, err := s.client.User.Create().SetEmail(c.WorkEmail).SetName("Live Probe").
		SetPasswordHash(s.workHash).SetOrganizationID(orgID).Save(sys)
	if err != nil {
		return nil, err
	}
	acc, err := s.client.DirectoryAccount.Create().SetEmail(c.LearnEmail).SetName("Live Probe").
		SetPasswordHash(s.dirHash).Save(sys)
	if err != nil {
		return nil, err
	}
	p, err := s.client.Profile.Create().SetKind(profile.KindLEARNING).SetMcid(fmt.Sprintf("5%s999", mpnID[4:])).
		SetAccountID(acc.ID).Save(sys)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	for _, sid := range s.skills[:min(3, len(s.skills))] {
		err := s.client.Result.Create().SetProfileID(p.ID).SetSkillID(sid).SetCompletedAt(now.AddDate(0, -2, 0)).
			SetSource("bench").SetRecognizedAt(now).Exec(sys)
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}
