package tui

import (
	"time"

	"github.com/pimento-cli/pimento/auth"
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
	renew   *pim.RenewOutcome
	events  int           // reported so far, all tracks
	prompt  *signInPrompt // the last sign-in the service asked for
}

type track struct {
	target  pim.Eligibility
	events  []pim.Event
	outcome *pim.Outcome
}

// signInPrompt is what a sign-in asks of the admin: a device code to
// enter, or a browser page to finish. after is how many events had been
// reported when it came.
type signInPrompt struct {
	code    *auth.DeviceCode
	browser string
	after   int
}

func newTimeline(kind opKind, targets []pim.Eligibility, now time.Time) *timeline {
	t := &timeline{kind: kind, started: now}
	for _, e := range targets {
		t.tracks = append(t.tracks, &track{target: e})
	}
	return t
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
	t.events++
	tr := t.track(ev.Key, ev.Name)
	if tr == nil {
		return
	}
	// A renewal's first half is one step, "deactivated": its own
	// "submitted" must not read as the new activation's.
	if t.kind == opRenew && !hasStage(tr, pim.StageDeactivated) && ev.Stage != pim.StageDeactivated && ev.Stage != pim.StageFailed {
		return
	}
	tr.events = append(tr.events, ev)
}

// prompted records a sign-in the service waits for.
func (t *timeline) prompted(p signInPrompt) {
	p.after = t.events
	t.prompt = &p
}

// signIn is the sign-in that waits for the admin now, or nil. The core
// does one thing at a time and blocks on a sign-in, so anything it reports
// after the prompt, or the operation's end, means the code or page is
// stale.
func (t *timeline) signIn() *signInPrompt {
	if t.done || t.prompt == nil || t.events > t.prompt.after {
		return nil
	}
	return t.prompt
}

// steppingUp reports whether the waiting sign-in is a step-up: a track
// reported step-up and nothing after it yet.
func (t *timeline) steppingUp() bool {
	for _, tr := range t.tracks {
		if hasStage(tr, pim.StageStepUp) && !tr.pastStepUp() {
			return true
		}
	}
	return false
}

// deviceCode is the device code waiting to be entered, or nil.
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

func (t *timeline) finishRenew(out pim.RenewOutcome) {
	t.done = true
	t.renew = &out
	if out.Activated && len(t.tracks) == 1 {
		t.tracks[0].outcome = &out.Activation
	}
}

// firstEvent is the first report of stage s.
func (tr *track) firstEvent(s pim.Stage) (pim.Event, bool) {
	for _, ev := range tr.events {
		if ev.Stage == s {
			return ev, true
		}
	}
	return pim.Event{}, false
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
	if t.kind == opRenew {
		out = []step{{pim.StageDeactivated, "the running activation deactivated"}, {pim.StageChecked, "the new one checked against policy"}}
	}
	if seen(pim.StageStepUp) {
		out = append(out, step{pim.StageStepUp, "step-up sign-in"})
	}
	if seen(pim.StageScheduled) {
		return append(out, step{pim.StageSubmitted, "request submitted"}, step{pim.StageScheduled, "scheduled by PIM"})
	}
	out = append(out,
		step{pim.StageSubmitted, "request submitted"},
		step{pim.StageProvisioned, "provisioned by PIM"},
		step{pim.StageListed, "listed as active"})
	if tr.target.Kind == pim.KindAzureRole {
		// ARM applies an activation to its permissions minutes later.
		return append(out, step{pim.StagePropagating, "propagated to Azure"})
	}
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
	case pim.StageScheduled:
		return state == scheduledOK
	case pim.StagePropagating:
		// Reported while it waits: done only once proven (it may never
		// be reported when the permissions were there at once).
		return state == verified
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
		case pim.StageSubmitted, pim.StageProvisioned, pim.StageListed, pim.StagePropagating, pim.StageRefreshed, pim.StageVerified, pim.StagePending:
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
	scheduledOK // accepted for a later start
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
	if t.renew != nil && t.renew.Err != nil {
		return failed
	}
	if o := tr.outcome; o != nil {
		switch {
		case o.Err != nil:
			return failed
		case o.Effective:
			return verified
		case pim.IsPending(o.Status):
			return pendingApproval
		case o.Scheduled:
			return scheduledOK
		}
		return unproven
	}
	switch {
	case hasStage(tr, pim.StageFailed):
		return failed
	case hasStage(tr, pim.StagePending):
		return pendingApproval
	case hasStage(tr, pim.StageScheduled):
		return scheduledOK
	case hasStage(tr, pim.StageVerified):
		return verified
	}
	if t.done {
		return unproven
	}
	return running
}

func hasStage(tr *track, s pim.Stage) bool { _, ok := tr.event(s); return ok }
