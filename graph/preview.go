package graph

import (
	"context"
	"time"

	"certlink/ent"
	"certlink/ent/competency"
	"certlink/graph/model"
	"certlink/internal/linking"
	"certlink/internal/progress"
	"certlink/internal/viewer"
)

func linkKind(k model.LinkKind) linking.Kind {
	if k == model.LinkKindPartnerUniversity {
		return linking.PartnerUniversity
	}
	return linking.Learning
}

// modelKind is a link kind as the API names it, from whether it is Partner
// University access (the previews', the audit log's and the report's kinds).
func modelKind(partnerUniversity bool) model.LinkKind {
	if partnerUniversity {
		return model.LinkKindPartnerUniversity
	}
	return model.LinkKindLearning
}

func associationPreview(p *linking.Preview, now time.Time, limitMessage func(time.Time) string) *model.AssociationPreview {
	out := &model.AssociationPreview{Kind: modelKind(p.Kind == linking.PartnerUniversity), Mcid: p.MCID, Name: p.Name,
		AlreadyYours: p.AlreadyYours, Moves: p.Moves, ReplaceFirst: p.ReplaceFirst,
		Allowed:               !p.Limited || p.AlreadyYours || p.Allowance.Allowed(now),
		AssociationsRemaining: p.Allowance.Remaining, NextAfterThisAt: p.NextAfterThis,
		UsesQuota: p.Limited}
	if p.MovesFromOrganization != "" {
		org := p.MovesFromOrganization
		out.MovesFromOrganization = &org
	}
	if p.AlsoEnds != "" {
		k := modelKind(p.AlsoEnds == linking.PartnerUniversity)
		out.AlsoEnds = &k
		if p.AlsoEndsInOrganization != "" {
			org := p.AlsoEndsInOrganization
			out.AlsoEndsInOrganization = &org
		}
	}
	if !out.Allowed {
		t := p.Allowance.NextAllowedAt
		out.NextAssociationAllowedAt = &t
		msg := limitMessage(t)
		out.LimitMessage = &msg
	}
	return out
}

func (r *Resolver) linkEndingImpact(ctx context.Context, im *progress.Impact) (*model.LinkEndingImpact, error) {
	out := &model.LinkEndingImpact{CountsTowards: im.CountsTowards, DetailsVisible: im.DetailsVisible,
		LossCount: im.LossCount, Losses: []*model.RequirementLoss{}}
	if len(im.Losses) == 0 {
		return out, nil
	}
	var ids []int
	for _, l := range im.Losses {
		ids = append(ids, l.CompetencyID)
	}
	comps, err := r.Client.Competency.Query().Where(competency.IDIn(ids...)).All(viewer.System(ctx))
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.Competency, len(comps))
	for _, c := range comps {
		byID[c.ID] = c
	}
	for _, l := range im.Losses {
		out.Losses = append(out.Losses, &model.RequirementLoss{Competency: byID[l.CompetencyID],
			Level: model.CompetencyLevel(l.Level), Option: l.Option, Requirement: l.Requirement,
			Required: l.Required, Current: l.Current, After: l.After, OptionLost: l.OptionLost})
	}
	return out, nil
}
