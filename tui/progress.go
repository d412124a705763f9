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
	deact   *pim.DeactivateOutcome
}

type track struct {
	target  pim.Eligibility
	events  []pim.Event
	outcome *pim.Outcome
	prompt  *signInPrompt // the step-up sign-in the service asked for
}

// signInPrompt is what a step-up sign-in asks of the admin: a device code
// to enter, or a browser page to finish.
type signInPrompt struct {
	code    *auth.DeviceCode
	browser string
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

// prompted attaches a step-up sign-in to the track it serves: the one whose
// step-up the service reported last, else the first not yet submitted.
func (t *timeline) prompted(p signInPrompt) {
	var to *track
	for _, tr := range t.tracks {
		if hasStage(tr, pim.StageStepUp) && !tr.pastStepUp() {
			to = tr
		}
	}
	for _, tr := range t.tracks {
		if to == nil && !tr.pastStepUp() && !hasStage(tr, pim.StageFailed) {
			to = tr
		}
	}
	if to != nil {
		to.prompt = &p
	}
}

// signIn is the step-up sign-in that waits for the admin now, or nil. It
// is derived from the events: once the service reports the stage after
// step-up, or the track ends, the code or page is stale.
func (t *timeline) signIn() *signInPrompt {
	for _, tr := range t.tracks {
		if tr.prompt != nil && !tr.pastStepUp() && tr.state(t) == running {
			return tr.prompt
		}
	}
	return nil
}

// deviceCode is the step-up device code waiting to be entered, or nil.
func (t *timeline) deviceCode() *auth.DeviceCode {
	if p := t.signIn(); p != nil {
		return p.code
	}
	return nil
}

func (t *timeline) finish(outs []pim.Outcome) {
	t.done = true
	for i := range outs {
		if tr := t.track(outs[i].Target.Key(), outs[i].Target.Name); tr != nil {
			tr.outcome = &outs[i]
		}
	}
}

func (t *timeline) finishDeactivate(out pim.DeactivateOutcome) {
	t.done = true
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

// steps are the stages a track goes through, in timeline order: the
// expected ones plus the optional ones that happened. A tenant-wide role is
// listed, then proven in a refreshed token; a scoped role or a group is
// proven by its listing.
func (tr *track) steps(t *timeline) []step {
	seen := func(s pim.Stage) bool { return hasStage(tr, s) }
	if t.kind == opDeactivate {
		out := []step{{pim.StageSubmitted, "request submitted"}, {pim.StageDeactivated, "deactivated by PIM"}}
		if seen(pim.StageRefreshed) {
			out = append(out, step{pim.StageRefreshed, "pimento's token refreshed"})
		}
		return out
	}
	out := []step{{pim.StageChecked, "checked against policy"}}
	if seen(pim.StageStepUp) || tr.prompt != nil {
		out = append(out, step{pim.StageStepUp, "step-up sign-in"})
	}
	out = append(out,
		step{pim.StageSubmitted, "request submitted"},
		step{pim.StageProvisioned, "provisioned by PIM"},
		step{pim.StageListed, "listed as active"})
	if seen(pim.StageRefreshed) || tr.target.InTokenWIDs() {
		out = append(out, step{pim.StageRefreshed, "token refreshed"})
	}
	return out
}

// reached reports whether the service has shown a step done. Step-up is
// reported when the sign-in starts, so only a later stage, or an end that
// needed it to succeed, shows it done.
func (tr *track) reached(s pim.Stage, state terminal) bool {
	switch s {
	case pim.StageStepUp:
		return tr.pastStepUp() || state == verified || state == pendingApproval || state == unproven
	case pim.StageDeactivated:
		if state == deactivatedOK {
			return true
		}
	}
	return hasStage(tr, s)
}

// pastStepUp reports whether a stage that follows the step-up sign-in was
// reported after the last step-up event (a resend after PIM asked for a
// stronger sign-in comes after a first "submitted").
func (tr *track) pastStepUp() bool {
	from := 0
	for i, ev := range tr.events {
		if ev.Stage == pim.StageStepUp {
			from = i + 1
		}
	}
	for _, ev := range tr.events[from:] {
		switch ev.Stage {
		case pim.StageSubmitted, pim.StageProvisioned, pim.StageListed, pim.StageRefreshed, pim.StageVerified, pim.StagePending:
			return true
		}
	}
	return false
}

// running is the step in progress: the first one not reached, while the
// track runs; ok is false otherwise.
func (tr *track) running(t *timeline) (step, bool) {
	state := tr.state(t)
	if state != running {
		return step{}, false
	}
	for _, s := range tr.steps(t) {
		if !tr.reached(s.stage, state) {
			return s, true
		}
	}
	return step{}, false
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
	if s, ok := tr.running(t); ok {
		return s.label + "…"
	}
	return "verifying…"
}
