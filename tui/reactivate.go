package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// reactivate is r: re-activate once PIM allows it, i.e. once the elevation
// ended; while it is still active, r arms (or disarms) the re-activation.
// Only the row under the cursor is re-activated without a form, and only
// with the last request PIM accepted for it; anything else (a failed
// request, the banner's role) opens the form, filled in, so nothing is
// sent that the admin did not see.
func (m *Model) reactivate() tea.Cmd {
	r, fromBanner := m.reactivateTarget()
	if r == nil {
		m.notice = "Nothing to re-activate here."
		return nil
	}
	if r.pending != nil || m.busy[r.key] || (m.isActive(r) && r.active.End.IsZero()) {
		m.notice = m.activatable(r)
		return nil
	}
	active := m.isActive(r)
	if _, armed := m.armed[r.key]; armed && active {
		delete(m.armed, r.key)
		return m.setStatus("Re-activation of " + r.elig.Name + " cancelled")
	}
	req, good := m.lastGood[r.key]
	if !good || fromBanner {
		return m.reactivationForm(r, active)
	}
	req.Target = r.elig
	if active {
		return m.arm([]pim.ActivateRequest{req})
	}
	if m.op != nil {
		m.notice = "Another request is in flight; try again when it is done."
		return nil
	}
	return m.startActivation([]pim.ActivateRequest{req})
}

// reactivationForm asks before re-activating r, filled with what was last
// sent for it, else the most recent justification.
func (m *Model) reactivationForm(r *row, rearm bool) tea.Cmd {
	prefill, ok := m.lastSent[r.key]
	if !ok {
		prefill = pim.ActivateRequest{}
		if len(m.recent) > 0 {
			prefill.Justification = m.recent[0]
		}
	}
	prefill.Target = r.elig
	targets := []pim.Eligibility{r.elig}
	f := newForm(targets, m.recent, &prefill, m.svc.DefaultDuration(targets), m.styles, m.width)
	f.rearm = rearm
	return m.showForm(f)
}

// reactivateTarget is the row r acts on: the row under the cursor when it
// is active or something was sent for it here, otherwise the first role in
// the expiry banner (fromBanner).
func (m *Model) reactivateTarget() (r *row, fromBanner bool) {
	if r := m.list.currentRow(); r != nil && r.eligible {
		if _, sent := m.lastSent[r.key]; sent || r.active != nil {
			return r, false
		}
	}
	for _, a := range m.expiring() {
		if r := m.list.byKey(a.Key()); r != nil && r.eligible {
			return r, true
		}
	}
	return nil, false
}

// arm remembers reqs and sends them when their elevations end.
func (m *Model) arm(reqs []pim.ActivateRequest) tea.Cmd {
	m.form = nil
	m.screen = screenMain
	var names string
	var end string
	for _, req := range reqs {
		k := req.Target.Key()
		m.armed[k] = req
		names = req.Target.Name
		if r := m.list.byKey(k); r != nil && r.active != nil {
			end = " at " + show.Clock(r.active.End, m.now)
		}
	}
	return m.setStatus(fmt.Sprintf("%s re-activates when it ends%s (PIM allows one activation at a time)", names, end))
}
