package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// timeline is the progress of one activation or deactivation, per target,
// built only from the service's events and outcomes: nothing is shown done
// before the service says so.
type timeline struct {
	kind    opKind
	started time.Time
	tracks  []*track
	done    bool
	code    *auth.DeviceCode // step-up device code, while running
	browser string           // step-up browser URL, while running
	deact   *pim.DeactivateOutcome
}

type track struct {
	target  pim.Eligibility
	events  []pim.Event
	outcome *pim.Outcome
}

func newTimeline(kind opKind, targets []pim.Eligibility, now time.Time) *timeline {
	t := &timeline{kind: kind, started: now}
	for _, e := range targets {
		t.tracks = append(t.tracks, &track{target: e})
	}
	return t
}

func (t *timeline) targets() []pim.Eligibility {
	out := make([]pim.Eligibility, len(t.tracks))
	for i, tr := range t.tracks {
		out[i] = tr.target
	}
	return out
}

func (t *timeline) track(key, name string) *track {
	for _, tr := range t.tracks {
		if tr.target.Key() == key {
			return tr
		}
	}
	for _, tr := range t.tracks {
		if key == "" && tr.target.Name == name {
			return tr
		}
	}
	if len(t.tracks) == 1 {
		return t.tracks[0]
	}
	return nil
}

func (t *timeline) add(ev pim.Event) {
	if tr := t.track(ev.Key, ev.Name); tr != nil {
		tr.events = append(tr.events, ev)
	}
}

func (t *timeline) finish(outs []pim.Outcome) {
	t.done, t.code, t.browser = true, nil, ""
	for i := range outs {
		if tr := t.track(outs[i].Target.Key(), outs[i].Target.Name); tr != nil {
			tr.outcome = &outs[i]
		}
	}
}

func (t *timeline) finishDeactivate(out pim.DeactivateOutcome) {
	t.done, t.code, t.browser = true, nil, ""
	t.deact = &out
}

func (tr *track) event(s pim.Stage) (pim.Event, bool) {
	for i := len(tr.events) - 1; i >= 0; i-- {
		if tr.events[i].Stage == s {
			return tr.events[i], true
		}
	}
	return pim.Event{}, false
}

// step is one line of a track's timeline.
type step struct {
	stage pim.Stage
	label string
}

// steps are the stages a track goes through: the expected ones plus the
// optional ones that happened.
func (tr *track) steps(t *timeline) []step {
	seen := func(s pim.Stage) bool { _, ok := tr.event(s); return ok }
	if t.kind == opDeactivate {
		out := []step{{pim.StageSubmitted, "request submitted"}, {pim.StageDeactivated, "deactivated by PIM"}}
		if seen(pim.StageRefreshed) {
			out = append(out, step{pim.StageRefreshed, "pimento's token refreshed"})
		}
		return out
	}
	out := []step{{pim.StageChecked, "checked against policy"}}
	if seen(pim.StageStepUp) || (!t.done && (t.code != nil || t.browser != "") && !seen(pim.StageSubmitted)) {
		out = append(out, step{pim.StageStepUp, "step-up sign-in"})
	}
	out = append(out, step{pim.StageSubmitted, "request submitted"}, step{pim.StageProvisioned, "provisioned by PIM"})
	if seen(pim.StageListed) || !tr.target.InTokenWIDs() {
		out = append(out, step{pim.StageListed, "listed as active"})
	}
	if seen(pim.StageRefreshed) || tr.target.InTokenWIDs() {
		out = append(out, step{pim.StageRefreshed, "token refreshed"})
	}
	return out
}

// terminal is the track's end state: verified, pending or failed.
type terminal int

const (
	running terminal = iota
	verified
	pendingApproval
	failed
	unproven // provisioned, but not yet proven in the token or listing
	deactivatedOK
)

func (tr *track) state(t *timeline) terminal {
	if t.kind == opDeactivate {
		switch {
		case t.deact != nil && t.deact.Err != nil:
			return failed
		case t.deact != nil:
			return deactivatedOK
		}
		if _, ok := tr.event(pim.StageFailed); ok {
			return failed
		}
		return running
	}
	if o := tr.outcome; o != nil {
		switch {
		case o.Err != nil:
			return failed
		case o.Effective:
			return verified
		case isPendingApproval(o.Status):
			return pendingApproval
		}
		return unproven
	}
	switch {
	case hasStage(tr, pim.StageFailed):
		return failed
	case hasStage(tr, pim.StagePending):
		return pendingApproval
	case hasStage(tr, pim.StageVerified):
		return verified
	}
	if t.done {
		return unproven
	}
	return running
}

func hasStage(tr *track, s pim.Stage) bool { _, ok := tr.event(s); return ok }

// failure is the error of a failed track in words, and the next step.
func (tr *track) failure(t *timeline, now time.Time) (what string, next string) {
	var err error
	if tr.outcome != nil {
		err = tr.outcome.Err
	}
	if t.deact != nil {
		err = t.deact.Err
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
func truthAfterDeactivation(t *timeline, tr *track) []string {
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
		out = append(out, "pimento's previous token would have carried it until "+clock(t.deact.PreviousTokenExpiry)+".")
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
	}
	for _, s := range tr.steps(t) {
		if !hasStage(tr, s.stage) {
			return s.label + "…"
		}
	}
	return "verifying…"
}
