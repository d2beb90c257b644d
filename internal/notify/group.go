package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// One event, one message (N1): everything an event did to an organization's
// requirements goes into one alert — one notification and one mail per admin
// — whose subject names the cause and whose link opens the competencies it
// touched. The functions here word those alerts; risk.go and periodic.go find
// the events.

const dateFormat = "January 2, 2006"

// competenciesLink is the progress page with these competencies opened, by
// catalog key, in the order given (the page scrolls to the first).
func competenciesLink(reqs []RequirementState) string {
	var keys []string
	for _, r := range reqs {
		if r.CompetencyKey != "" && !slices.Contains(keys, r.CompetencyKey) {
			keys = append(keys, r.CompetencyKey)
		}
	}
	if len(keys) == 0 {
		return "/competencies"
	}
	return "/competencies?open=" + url.QueryEscape(strings.Join(keys, ","))
}

// competencyNames lists the competencies of reqs once each, in order: "Data
// Analytics and Cloud Platform".
func competencyNames(reqs []RequirementState) string {
	var names []string
	for _, r := range reqs {
		if !slices.Contains(names, r.Competency) {
			names = append(names, r.Competency)
		}
	}
	return joinWords(names)
}

func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// groupKey is an alert's dedupe key: prefix and the group's identity,
// hashed when long (dedupe keys are at most 255 characters).
func groupKey(prefix, identity string) string {
	if len(prefix)+len(identity) <= 160 {
		return prefix + identity
	}
	sum := sha256.Sum256([]byte(identity))
	return prefix + "h" + hex.EncodeToString(sum[:16])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// requirementLine names one requirement where it sits and its count.
func requirementLine(r RequirementState) string {
	return fmt.Sprintf("- %s, %s (%s): %q — %d of %d", r.Competency, levelName(r.Level), r.Option, r.Requirement, r.Current, r.Required)
}

// lossAlert is the one alert of an event that ended links (cause says who and
// how) in one organization. lost are the requirements it took from met to
// unmet; still, those it took from met to unmet whose earlier loss the
// admins were told of and whose recovery they were not yet (a loss, a link
// that met them again, then this event before the follow-up went out): they
// are named as still unmet, not told as a new loss. movedAway, that a link moved to another
// organization, which its admins hear of even when nothing was lost.
func lossAlert(org int, key string, cause endCauses, lost, still []RequirementState) Alert {
	var title, body strings.Builder
	title.WriteString(cause.headline())
	switch {
	case len(lost) > 0:
		fmt.Fprintf(&title, ": %s of %s no longer met", plural(len(lost), "requirement", "requirements"), competencyNames(lost))
	case len(still) > 0:
		fmt.Fprintf(&title, ": %s of %s still unmet", plural(len(still), "requirement", "requirements"), competencyNames(still))
	default:
		title.WriteString(": no requirement lost its tick")
	}
	body.WriteString(cause.sentences())
	if len(lost) > 0 {
		body.WriteString("\n\nNo longer met:\n")
		for _, r := range lost {
			body.WriteString(requirementLine(r) + "\n")
		}
	}
	if len(still) > 0 {
		// A review read "Every requirement that was met still is" when
		// such requirements had been met again for a moment and were lost.
		body.WriteString("\n\nStill unmet, as you were told before:\n")
		for _, r := range still {
			body.WriteString(requirementLine(r) + "\n")
		}
	}
	if len(lost)+len(still) > 0 {
		body.WriteString("\nThey are met again as soon as enough people count: the person links again, or others pass the exams.")
	} else {
		body.WriteString("\n\nEvery requirement that was met still is.")
	}
	return Alert{OrgID: org, Key: key, Title: title.String(), Body: body.String(), Link: competenciesLink(append(slices.Clone(lost), still...)),
		Requirements: lost, Cause: cause.headline()}
}

// expiredAlert is the one alert of a periodic check that found requirements
// unmet since the previous check (results expired, retired skills' validity
// ended). why holds each requirement's projected cause, by key.
func expiredAlert(org int, key string, lost []RequirementState, why map[string]string) Alert {
	var body strings.Builder
	body.WriteString("Results stopped counting: an expiry date passed or a retired exam's validity ended.\n\nNo longer met:\n")
	for _, r := range lost {
		line := requirementLine(r)
		if c := why[r.Key]; c != "" {
			line += " (" + c + ")"
		}
		body.WriteString(line + "\n")
	}
	return Alert{OrgID: org, Key: key,
		Title:        fmt.Sprintf("Results stopped counting: %s of %s no longer met", plural(len(lost), "requirement", "requirements"), competencyNames(lost)),
		Body:         strings.TrimRight(body.String(), "\n"),
		Link:         competenciesLink(lost),
		Requirements: lost, Cause: "results stopped counting",
	}
}

// projectedAlert is the one alert of a periodic check announcing requirements
// met today that will become unmet (each on its ProjectedUnmetAt).
func projectedAlert(org int, key string, soon []RequirementState, now time.Time) Alert {
	first := *soon[0].ProjectedUnmetAt
	for _, r := range soon {
		if r.ProjectedUnmetAt.Before(first) {
			first = *r.ProjectedUnmetAt
		}
	}
	var body strings.Builder
	body.WriteString("Met today, these requirements will not be unless someone passes the exams or renews a certification in time:\n")
	for _, r := range soon {
		on := r.ProjectedUnmetAt.UTC()
		fmt.Fprintf(&body, "%s — unmet from %s (in %s)", requirementLine(r), on.Format(dateFormat), daysText(on.Sub(now)))
		if r.ProjectedCause != "" {
			body.WriteString(": " + r.ProjectedCause)
		}
		body.WriteString("\n")
	}
	return Alert{OrgID: org, Key: key,
		Title: fmt.Sprintf("Projected: %s of %s unmet from %s", plural(len(soon), "requirement", "requirements"),
			competencyNames(soon), first.UTC().Format(dateFormat)),
		Body:         strings.TrimRight(body.String(), "\n"),
		Link:         competenciesLink(soon),
		Requirements: soon, Projected: true,
	}
}

// atRiskBeforeAnniversary words a projected alert whose losses fall before
// the anniversaries of the offers bought with them (C5: AT_RISK).
func atRiskBeforeAnniversary(al *Alert) {
	var first time.Time
	for _, r := range al.Requirements {
		if r.AtRiskBefore != nil && (first.IsZero() || r.AtRiskBefore.Before(first)) {
			first = *r.AtRiskBefore
		}
	}
	al.Title = "At risk: " + strings.TrimPrefix(al.Title, "Projected: ") + ", before the offer's anniversary"
	al.Body = fmt.Sprintf("The purchased offer's anniversary is %s, and these requirements are projected to become unmet before it, so the competency is at risk.\n\n%s",
		first.UTC().Format(dateFormat), al.Body)
}

// resolvedAlert is the follow-up once requirements an earlier alert named are
// out of danger: met again (unmet notices) or no longer projected to fall by
// the date announced (projected notices).
func resolvedAlert(org int, key string, met, safe []resolvedRequirement) Alert {
	all := append(slices.Clone(met), safe...)
	states := make([]RequirementState, len(all))
	for i, r := range all {
		states[i] = r.RequirementState
	}
	var body strings.Builder
	if len(met) > 0 {
		body.WriteString("Met again:\n")
		for _, r := range met {
			body.WriteString(requirementLine(r.RequirementState))
			if r.cause != "" {
				body.WriteString(" (unmet after: " + r.cause + ")")
			}
			body.WriteString("\n")
		}
	}
	if len(safe) > 0 {
		if len(met) > 0 {
			body.WriteString("\n")
		}
		body.WriteString("No longer projected to become unmet on the date announced:\n")
		for _, r := range safe {
			line := requirementLine(r.RequirementState)
			if r.ProjectedUnmetAt != nil {
				line += " — now met until " + r.ProjectedUnmetAt.UTC().Format(dateFormat)
			}
			body.WriteString(line + "\n")
		}
	}
	title := fmt.Sprintf("Resolved: %s of %s met again", plural(len(met), "requirement", "requirements"), competencyNames(states))
	if len(met) == 0 {
		title = fmt.Sprintf("Resolved: %s of %s no longer at risk", plural(len(safe), "requirement", "requirements"), competencyNames(states))
	}
	return Alert{OrgID: org, Key: key, Title: title, Body: strings.TrimRight(body.String(), "\n"), Link: competenciesLink(states)}
}

// resolvedRequirement is a requirement out of danger and what had put it there.
type resolvedRequirement struct {
	RequirementState
	cause string
}
