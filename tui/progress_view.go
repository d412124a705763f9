package tui

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// progressView renders the timeline into at most h lines.
func (m *Model) progressView(w, h int) string {
	t, st := m.timeline, m.styles
	if t == nil {
		return ""
	}
	var head []string
	for _, l := range wrapWords(t.title(), w) {
		head = append(head, st.Form.Title.Render(l))
	}
	why := "pimento needs a fresh sign-in to go on"
	if t.steppingUp() {
		why = "Step-up: this activation needs a fresh sign-in"
	}
	if p := t.signIn(); p != nil && p.code != nil {
		head = append(head, st.SignIn.Hint.Render(why+"."))
		head = append(head, deviceCodeView(st, *p.code, m.now, h < tallHeight)...)
	} else if p != nil {
		head = append(head, st.SignIn.Hint.Render(why+": your browser opened; finish it there."))
		head = append(head, st.SignIn.URL.Render(show.Text(p.browser)))
	}
	head = append(head, "")

	var full []string
	for _, tr := range t.tracks {
		full = append(full, m.trackView(t, tr, w)...)
		full = append(full, "")
	}
	if len(head)+len(full) <= h {
		return strings.Join(append(head, full...), "\n")
	}
	// Too short for every step: one line per target, the last one in full
	// when it is the only one.
	var short []string
	for _, tr := range t.tracks {
		s := stateStyle(st, tr.state(t)).Render(tr.summary(t))
		short = append(short, "  "+st.Progress.Title.Render(tr.target.Label())+"  "+s)
	}
	return strings.Join(append(head, short...), "\n")
}

func stateStyle(st *Styles, s terminal) interface{ Render(...string) string } {
	switch s {
	case verified, deactivatedOK:
		return st.Progress.Verified
	case pendingApproval, unproven, scheduledOK:
		return st.Progress.Pending
	case failed:
		return st.Progress.Fail
	}
	return st.Progress.Current
}

func (m *Model) trackView(t *timeline, tr *track, w int) []string {
	st := m.styles
	state := tr.state(t)
	lines := []string{st.Progress.Title.Render(tr.target.Label())}
	current, isRunning := tr.running(t)
	for _, s := range tr.steps(t) {
		ev, _ := tr.event(s.stage)
		if s.stage == pim.StagePropagating && state == verified {
			// Done when proven, whatever the last "still waiting" said.
			ev, _ = tr.event(pim.StageVerified)
			ev.Detail = "the permissions at the scope show the role"
		}
		switch {
		case tr.reached(s.stage, state):
			at := ""
			if !ev.At.IsZero() {
				at = st.Progress.Time.Render(" +" + secs(ev.At.Sub(t.started)))
			}
			detail := ""
			if ev.Detail != "" {
				detail = st.Progress.Detail.Render(" · " + ev.Detail)
			}
			lines = append(lines, "  "+st.Progress.Done.Render("✓ "+s.label)+at+detail)
		case isRunning && s == current && s.stage == pim.StagePropagating:
			// Listed, not usable yet: how long Azure has kept us waiting.
			text := "› propagating…"
			if first, ok := tr.firstEvent(pim.StagePropagating); ok {
				text += " " + secs(m.now.Sub(first.At))
			}
			lines = append(lines, "  "+st.Progress.Current.Render(text)+
				st.Progress.Detail.Render(" · Azure applies role assignments within minutes"))
		case isRunning && s == current:
			lines = append(lines, "  "+st.Progress.Current.Render("› "+s.label+"…"))
		case isRunning:
			lines = append(lines, "  "+st.Progress.Todo.Render("· "+s.label))
		}
	}
	for _, v := range m.verdict(t, tr, state) {
		for i, l := range wrapWords(v.text, max(10, w-4)) {
			indent := "  "
			if i > 0 {
				indent = "    "
			}
			lines = append(lines, indent+v.style.Render(l))
		}
	}
	return lines
}

// line is a text in one style, wrapped at render time.
type line struct {
	style lipgloss.Style
	text  string
}

// verdict is the end of a track in plain words.
func (m *Model) verdict(t *timeline, tr *track, state terminal) []line {
	st := m.styles
	switch state {
	case running:
		switch {
		case t.kind == opDeactivate:
		case tr.target.InTokenWIDs():
			return []line{{st.Progress.Todo, "· verified in token"}}
		case tr.target.Kind == pim.KindAzureRole:
			return []line{{st.Progress.Todo, "· verified in Azure's permissions"}}
		default:
			return []line{{st.Progress.Todo, "· verified by the listing"}}
		}
	case verified:
		after, proof, end := time.Duration(0), "token", time.Time{}
		if ev, ok := tr.event(pim.StageVerified); ok {
			after = ev.At.Sub(t.started)
		}
		if o := tr.outcome; o != nil {
			if o.EffectiveAfter > 0 {
				after = o.EffectiveAfter
			}
			if o.Proof != "" {
				proof = string(o.Proof)
			}
			end = o.End
		}
		s := "✓ verified in token after " + secs(after)
		switch {
		case proof == string(pim.ProofPermissions):
			s = "✓ verified: Azure's permissions show the role after " + secs(after)
		case proof == string(pim.ProofListing) && tr.target.Kind == pim.KindAzureRole:
			s = "✓ listed as active after " + secs(after) + " (Azure's permissions could not be read: it may take minutes to be usable)"
		case proof == string(pim.ProofListing):
			s = "✓ verified: listed as active after " + secs(after)
		}
		if !end.IsZero() {
			s += " · active until " + show.Clock(end, m.now)
		}
		return []line{{st.Progress.Verified, s}}
	case pendingApproval:
		who := ""
		if len(tr.target.Policy.Approvers) > 0 {
			who = " (" + strings.Join(tr.target.Policy.Approvers, ", ") + ")"
		}
		return []line{
			{st.Progress.Pending, "◷ pending approval: nothing is active until an approver says yes" + who},
			{st.Progress.Next, "→ pimento reloads every minute; the role's row shows it once approved."},
		}
	case unproven:
		status := "success"
		if tr.outcome != nil && tr.outcome.Status != "" {
			status = show.Text(tr.outcome.Status)
		}
		return []line{
			{st.Progress.Pending, "◌ PIM answered " + status + ", but it is not proven in a token or listing yet"},
			{st.Progress.Next, "→ ctrl+r reloads; do not rely on it until the row shows it active."},
		}
	case failed:
		what, next := tr.failure(t, m.now)
		return []line{{st.Progress.Fail, "✗ failed: " + what}, {st.Progress.Next, "→ " + next}}
	case scheduledOK:
		s := "◷ scheduled: PIM accepted it; nothing is active before its start"
		if o := tr.outcome; o != nil && !o.Sent.Start.IsZero() {
			s = "◷ scheduled: starts " + show.Clock(o.Sent.Start, m.now) + ", until " + show.Clock(o.End, m.now) + "; nothing is active before then"
		}
		return []line{{st.Progress.Pending, s}, {st.Progress.Next, "→ its row shows it; d on the row cancels it before it starts."}}
	case deactivatedOK:
		var out []line
		for _, l := range truthAfterDeactivation(t, tr, m.now) {
			out = append(out, line{st.Progress.Detail, l})
		}
		return out
	}
	return nil
}

// tooShortText is PIM's five-minute rule with a live countdown.
func tooShortText(at, now time.Time) string {
	s := "PIM refuses deactivation for 5 minutes after activation: possible at " + show.ClockSeconds(at, now)
	if left := at.Sub(now); left > 0 {
		s += " (in " + countdown(left) + ")" // floored like every countdown; "now" only once it is
	} else {
		s += " (now)"
	}
	return s
}
