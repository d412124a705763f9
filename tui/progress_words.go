package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// The timeline in words: its heading, a track's end, a failure and what to
// do next. Each is derived from the tracks' states, never kept beside them.

// title heads the progress screen: what runs, or how it ended.
func (t *timeline) title() string {
	what := t.tracks[0].target.Label()
	if len(t.tracks) > 1 {
		what = fmt.Sprintf("%d roles and groups", len(t.tracks))
	}
	if !t.done {
		verb := map[opKind]string{opActivate: "Activating", opDeactivate: "Deactivating", opRenew: "Renewing"}[t.kind]
		return verb + " " + what + "…"
	}
	noun := map[opKind]string{opActivate: "Activation of", opDeactivate: "Deactivation of", opRenew: "Renewal of"}[t.kind]
	if len(t.tracks) == 1 {
		return noun + " " + what + ": " + t.tracks[0].ending(t)
	}
	// Several targets: how many ended which way, in a fixed order.
	order := []terminal{verified, deactivatedOK, scheduledOK, pendingApproval, unproven, failed, running}
	count := map[terminal]int{}
	for _, tr := range t.tracks {
		count[tr.state(t)]++
	}
	var parts []string
	for _, s := range order {
		if count[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[s], stateWords[s]))
		}
	}
	return noun + " " + what + ": " + strings.Join(parts, " · ")
}

// stateWords name a track's state in a count ("2 verified").
var stateWords = map[terminal]string{
	running:         "without an answer",
	verified:        "verified",
	deactivatedOK:   "deactivated",
	pendingApproval: "waiting for approval",
	unproven:        "not proven yet",
	failed:          "failed",
	scheduledOK:     "scheduled",
}

// ending is how one track ended, in words: "done" only when proven.
func (tr *track) ending(t *timeline) string {
	switch s := tr.state(t); s {
	case verified, deactivatedOK:
		return "done"
	case pendingApproval:
		return waitingForApproval(tr.target)
	default:
		return stateWords[s]
	}
}

// waitingForApproval names who approves when the policy says.
func waitingForApproval(e pim.Eligibility) string {
	if len(e.Policy.Approvers) == 0 {
		return "waiting for approval"
	}
	return "waiting for approval by " + strings.Join(e.Policy.Approvers, ", ")
}

// failure is the error of a failed track in words, and the next step.
func (tr *track) failure(t *timeline, now time.Time) (what string, next string) {
	var err error
	if tr.outcome != nil {
		err = tr.outcome.Err
	}
	if t.deact != nil {
		err = t.deact.Err
	}
	if t.renew != nil && t.renew.Err != nil {
		err = t.renew.Err
		what = show.Text(err.Error()) // the renewal's own words say what is active now
	}
	if ev, ok := tr.event(pim.StageFailed); ok && ev.Detail != "" {
		what = ev.Detail
	}
	if err != nil && what == "" {
		what = show.Text(err.Error())
	}
	if what == "" {
		what = "the service reported a failure without details"
	}
	var pe *pim.PolicyError
	var ts *pim.TooShortError
	switch {
	case errors.As(err, &ts):
		what = tooShortText(ts.PossibleAt, now)
		next = "Press esc, then d again once allowed."
	case errors.As(err, &pe):
		next = "Nothing was sent. Fix the " + pe.Rule + " and activate again (enter on the role)."
	case errors.Is(err, context.Canceled):
		next = "Cancelled here; if the request was already submitted, PIM may still complete it. ctrl+r shows the truth."
	case t.kind == opRenew && (t.renew == nil || !t.renew.Activated):
		next = "Nothing changed: it stays active as it was. ctrl+r reloads."
	case t.kind == opRenew:
		next = "ctrl+r reloads to see what is active; enter on the role activates it again."
	case t.kind == opDeactivate:
		next = "The role may still be active: ctrl+r reloads, then d tries again."
	case hasStage(tr, pim.StageSubmitted):
		next = "The request reached PIM: ctrl+r reloads to see whether it became active before trying again."
	default:
		next = "Nothing was activated. Fix the cause above and activate again (enter on the role)."
	}
	return what, next
}

// secs renders a short elapsed time with seconds: 4.2s, 34s, 1m05s.
func secs(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// truthAfterDeactivation says what happens to tokens, without inventing a
// precise time for other apps.
func truthAfterDeactivation(t *timeline, tr *track, now time.Time) []string {
	if !tr.target.InTokens() {
		return []string{pim.AzureCacheNote}
	}
	what := "the role"
	if tr.target.Kind == pim.KindGroup {
		what = "the group access"
	}
	own := "pimento drops " + what + " at its next token refresh."
	if hasStage(tr, pim.StageRefreshed) {
		own = "pimento's own token was refreshed and no longer carries " + what + "."
	}
	out := []string{own}
	if t.deact != nil && !t.deact.PreviousTokenExpiry.IsZero() {
		out = append(out, "pimento's previous token would have carried it until "+show.Clock(t.deact.PreviousTokenExpiry, now)+".")
	}
	out = append(out, "Other apps (portal, PowerShell, CLI) keep "+what+" until their own tokens expire: "+
		"typically 60–90 minutes, up to about 28 hours where continuous access evaluation extends token lifetimes. "+
		"pimento cannot see or revoke those tokens.")
	return out
}

// summary is a track in one line, for screens too short for the timeline.
func (tr *track) summary(t *timeline) string {
	switch tr.state(t) {
	case verified:
		return "verified"
	case pendingApproval:
		return "pending approval"
	case failed:
		return "failed"
	case unproven:
		return "not yet proven"
	case deactivatedOK:
		return "deactivated"
	case scheduledOK:
		return "scheduled"
	}
	if s, ok := tr.running(t); ok {
		return s.label + "…"
	}
	return "verifying…"
}
