package graph

import (
	"certlink/internal/gid"
	"context"
	"encoding/json"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"certlink/ent"
	"certlink/ent/skill"
	"certlink/graph/model"
	"certlink/internal/apperr"
	"certlink/internal/catalog"
	"certlink/internal/ingest"
	"certlink/internal/progress"
	"certlink/internal/report"
	"certlink/internal/viewer"
)

// competencyProgress renders progress; competencyID > 0 keeps that competency only.
func (r *Resolver) competencyProgress(ctx context.Context, org *progress.Org, competencyID int) ([]*model.CompetencyProgress, error) {
	sys := viewer.System(ctx)
	comps, err := r.Client.Competency.Query().All(sys)
	if err != nil {
		return nil, err
	}
	compByID := make(map[int]*ent.Competency, len(comps))
	for _, c := range comps {
		compByID[c.ID] = c
	}
	skills, err := r.Client.Skill.Query().All(sys)
	if err != nil {
		return nil, err
	}
	skillByID := make(map[int]*ent.Skill, len(skills))
	for _, s := range skills {
		skillByID[s.ID] = s
	}
	var out []*model.CompetencyProgress
	for _, c := range org.Competencies {
		if competencyID > 0 && c.ID != competencyID {
			continue
		}
		cp := &model.CompetencyProgress{Competency: compByID[c.ID], Status: model.CompetencyStatus(c.Status)}
		if c.Offer != nil {
			cp.Offer = &model.CompetencyOffer{Level: model.CompetencyLevel(c.Offer.Level), Option: c.Offer.Option,
				PurchasedAt: c.Offer.PurchasedAt, AnniversaryAt: c.Offer.AnniversaryAt}
		}
		for _, l := range c.Levels {
			lp := &model.LevelProgress{Level: model.CompetencyLevel(l.Level), Attained: l.Attained}
			for _, op := range l.Options {
				opp := &model.OptionProgress{Name: op.Name, Met: op.Met, UnmetOn: op.UnmetOn}
				for _, req := range op.Requirements {
					rp := &model.RequirementProgress{ID: req.ID, Key: req.Key, Description: req.Description,
						Kind: model.RequirementKind(req.Kind), Required: req.Required, Current: req.Current,
						Met: req.Met, UnmetOn: req.UnmetOn, OrgID: org.OrgID, At: org.At, Skills: []*ent.Skill{},
						PeopleIDs: req.PeopleIDs, Pages: req.Pages}
					if a := req.Attestation; a != nil {
						rp.Attestation = &ent.Attestation{ID: a.ID, OrganizationID: org.OrgID, RequirementID: req.ID,
							Met: a.Met, Note: a.Note, ByUserID: a.ByUserID, At: a.At}
					}
					for _, id := range req.SkillIDs {
						if s := skillByID[id]; s != nil {
							rp.Skills = append(rp.Skills, s)
						}
					}
					opp.Requirements = append(opp.Requirements, rp)
				}
				lp.Options = append(lp.Options, opp)
			}
			cp.Levels = append(cp.Levels, lp)
		}
		out = append(out, cp)
	}
	return out, nil
}

// reportArgs converts skillsReport's arguments.
func reportArgs(where *model.SkillsReportWhere, orderBy *model.SkillsReportOrder) (report.Filter, report.Order) {
	var f report.Filter
	var o report.Order
	if w := where; w != nil {
		f.MCID = strings.TrimSpace(deref(w.Mcid))
		if w.SkillType != nil {
			f.SkillType = string(*w.SkillType)
		}
		if w.SkillNumber != nil && strings.TrimSpace(*w.SkillNumber) != "" {
			// A blank skillNumber is no filter, as a blank mcid, competency
			// or search is (review: it alone kept nothing).
			f.SkillNumbers = append(f.SkillNumbers, *w.SkillNumber)
		}
		f.SkillNumbers = append(f.SkillNumbers, w.SkillNumberIn...)
		if w.SkillNumber == nil && w.SkillNumberIn != nil && len(w.SkillNumberIn) == 0 {
			f.SkillNumbers = []string{"\x00"} // an empty list keeps nothing
		}
		f.Competency = strings.TrimSpace(deref(w.Competency))
		f.Search = deref(w.Search)
		f.AssociatedInPC, f.NeedsAssociation = w.AssociatedInPc, w.NeedsAssociation
		f.CompletedAfter, f.CompletedBefore = w.CompletedAfter, w.CompletedBefore
		f.ExpiresAfter, f.ExpiresBefore = w.ExpiresAfter, w.ExpiresBefore
		f.ValidOnly = w.ValidOnly != nil && *w.ValidOnly
	}
	if orderBy != nil {
		o.Field = report.OrderField(orderBy.Field)
		o.Desc = orderBy.Direction == entgql.OrderDirectionDesc
	}
	return f, o
}

// Report cursors are entgql cursors of the row's profile whose value is
// "FIELD|skill|sort value", the skill's ID encrypted as the API shows IDs
// (gid.Show), like the profile's in the cursor's own ID. A cursor of the
// form before the row's key ("FIELD|sort value") is refused as not valid.
func encodeCursor(ctx context.Context, c report.Cursor) entgql.Cursor[int] {
	return entgql.Cursor[int]{ID: c.Profile, Value: string(c.Field) + "|" + gid.Show(ctx, c.Skill) + "|" + c.Value}
}

func decodeCursor(ctx context.Context, c *entgql.Cursor[int]) (*report.Cursor, error) {
	if c == nil {
		return nil, nil
	}
	s, ok := c.Value.(string)
	field, rest, found := strings.Cut(s, "|")
	skill, value, found2 := strings.Cut(rest, "|")
	sid, err := gid.Parse(ctx, skill)
	if !ok || !found || !found2 || err != nil || sid <= 0 {
		return nil, apperr.New(apperr.InvalidInput, "The cursor is not a skills report cursor: start again without after.").With("argument", "after")
	}
	return &report.Cursor{Profile: c.ID, Skill: sid, Field: report.OrderField(field), Value: value}, nil
}

func reportRow(r report.Row) *model.SkillsReportRow {
	comps := r.Competencies
	if comps == nil {
		comps = []string{}
	}
	row := &model.SkillsReportRow{Name: r.Name, Email: r.Email, Mcid: r.MCID, SkillType: skillType(r.SkillType),
		SkillNumber: r.SkillNumber, Title: r.Title, CompletedAt: r.CompletedAt, ExpiresAt: r.ExpiresAt,
		Competencies: comps, AssociatedInPc: r.AssociatedInPC, Source: r.Source, RecognizedAt: r.RecognizedAt,
		NeedsAssociation: r.NeedsAssociation, Counting: r.Counting, CountsUntil: r.CountsUntil, RetiredOn: r.RetiredOn,
		SourceLabel: report.SourceLabel(r.Source), LinkKind: modelKind(r.Account == "PARTNER_UNIVERSITY")}
	if r.UserID != 0 {
		id := r.UserID
		row.UserID = &id
	}
	return row
}

// wantsField reports whether the current field's selection asks for name.
func wantsField(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

func providerToken(t *ent.Token) *model.ProviderToken {
	return &model.ProviderToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func catalogPayload(s catalog.Summary) *model.CatalogLoadPayload {
	return &model.CatalogLoadPayload{Summary: s.String(), SkillsCreated: s.SkillsCreated, SkillsUpdated: s.SkillsUpdated,
		CompetenciesCreated: s.CompetenciesCreated, CompetenciesUpdated: s.CompetenciesUpdated,
		OptionsCreated: s.OptionsCreated, OptionsRemoved: s.OptionsRemoved, RequirementsCreated: s.RequirementsCreated,
		RequirementsUpdated: s.RequirementsUpdated, RequirementsRemoved: s.RequirementsRemoved}
}

func catalogDate(t *time.Time) *catalog.Date {
	if t == nil {
		return nil
	}
	return &catalog.Date{Time: t.UTC()}
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func skillType(s string) skill.Type { return skill.Type(s) }

// peopleConnection pages the people who count for a requirement (SKILL), by
// name; a cursor is the last person's id and name.
func (r *requirementProgressResolver) peopleConnection(ctx context.Context, obj *model.RequirementProgress, first *int, after *entgql.Cursor[int]) (*model.RequirementPeopleConnection, error) {
	conn := &model.RequirementPeopleConnection{Edges: []*model.RequirementPersonEdge{},
		PageInfo: &entgql.PageInfo[int]{HasPreviousPage: after != nil}, TotalCount: obj.Current}
	if obj.Kind != model.RequirementKindSkill {
		conn.TotalCount = 0
		return conn, nil
	}
	n := MaxPage
	if first != nil {
		n = *first
	}
	cur, err := personCursor(after)
	if err != nil {
		return nil, err
	}
	var (
		users   []*ent.User
		cursors []progress.PersonCursor
		more    bool
	)
	if p := obj.Pages[pageAsk(n, cur)]; p != nil {
		// Read with the counts, in their snapshot.
		users, cursors, more = p.Users, p.Cursors, p.More
	} else if users, cursors, more, err = r.Progress.PeoplePage(ctx, viewer.From(ctx), &progress.Org{OrgID: obj.OrgID, At: obj.At}, obj.ID, obj.PeopleIDs, cur, n); err != nil {
		return nil, err
	}
	conn.PageInfo.HasNextPage = more
	for i, u := range users {
		conn.Edges = append(conn.Edges, &model.RequirementPersonEdge{Node: u,
			Cursor: entgql.Cursor[int]{ID: cursors[i].UserID, Value: "person|" + cursors[i].Name}})
	}
	if len(conn.Edges) > 0 {
		start, end := conn.Edges[0].Cursor, conn.Edges[len(conn.Edges)-1].Cursor
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}

// ingestErrors are an ingest's refused lines as GraphQL answers them, each
// with its code.
func ingestErrors(errs []ingest.LineError) []*model.IngestError {
	out := make([]*model.IngestError, 0, len(errs))
	for _, e := range errs {
		out = append(out, &model.IngestError{Index: e.Pos, Code: string(e.Code), Message: e.Message})
	}
	return out
}

// personCursor reads a cursor of a requirement's people (nil: from the first).
func personCursor(after *entgql.Cursor[int]) (*progress.PersonCursor, error) {
	if after == nil {
		return nil, nil
	}
	v, _ := after.Value.(string)
	name, ok := strings.CutPrefix(v, "person|")
	if !ok || after.ID <= 0 {
		return nil, apperr.New(apperr.InvalidInput, "The cursor is not a cursor of this list of people.").With("argument", "after")
	}
	return &progress.PersonCursor{Name: name, UserID: after.ID}, nil
}

func pageAsk(n int, after *progress.PersonCursor) progress.PageAsk {
	ask := progress.PageAsk{Limit: n}
	if after != nil {
		ask.HasAfter, ask.After = true, *after
	}
	return ask
}

// peopleAsks are the pages of people (people and peopleConnection's first
// and after) the selection under competencyProgress asks of its
// requirements: Progress reads them with the counts, in one snapshot. An
// argument that does not read as the resolver reads it is left out; the
// resolver then reads that page itself and answers its error.
func peopleAsks(ctx context.Context) (asks []progress.PageAsk) {
	defer func() {
		if recover() != nil { // an argument gqlparser cannot evaluate
			asks = nil
		}
	}()
	op := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, []string{"CompetencyProgress"})
	for _, step := range []struct{ field, typ string }{
		{"levels", "LevelProgress"}, {"options", "OptionProgress"}, {"requirements", "RequirementProgress"},
	} {
		var next []graphql.CollectedField
		for _, f := range fields {
			if f.Name == step.field {
				next = append(next, graphql.CollectFields(op, f.Selections, []string{step.typ})...)
			}
		}
		fields = next
	}
	seen := map[progress.PageAsk]bool{}
	for _, f := range fields {
		if f.Name != "people" && f.Name != "peopleConnection" {
			continue
		}
		args := f.ArgumentMap(op.Variables)
		n, ok := intArg(args["first"])
		if !ok || n < 0 || n > MaxPage {
			continue
		}
		var after *entgql.Cursor[int]
		if raw := args["after"]; raw != nil {
			after = &entgql.Cursor[int]{}
			if after.UnmarshalGQL(raw) != nil {
				continue
			}
		}
		cur, err := personCursor(after)
		if err != nil {
			continue
		}
		if ask := pageAsk(n, cur); !seen[ask] {
			seen[ask] = true
			asks = append(asks, ask)
		}
	}
	return asks
}

// intArg reads an Int argument as gqlparser gives it (a literal, a
// variable's JSON number); nil is the default page.
func intArg(v any) (int, bool) {
	switch x := v.(type) {
	case nil:
		return MaxPage, true
	case int:
		return x, true
	case int64:
		return int(x), x == int64(int(x))
	case float64:
		return int(x), x == float64(int(x))
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil && i == int64(int(i))
	}
	return 0, false
}
