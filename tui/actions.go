package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/pim"
)

// The actions behind the main screen's keys: what may be activated,
// selected, deactivated or re-activated, and the plain-words refusals.

// isActive reports whether r has an elevation that has not ended.
func (m *Model) isActive(r *row) bool {
	if r.active == nil {
		return false
	}
	return r.active.End.IsZero() || r.active.Remaining(m.now) > 0
}

// activatable says why r cannot be activated now, or "" when it can.
func (m *Model) activatable(r *row) string {
	switch {
	case !r.eligible:
		return r.elig.Name + " is assigned, not eligible: there is nothing to activate."
	case m.busy[r.key]:
		return r.elig.Name + " has a request in flight."
	case r.pending != nil:
		return r.elig.Name + " is waiting for approval: d cancels the request."
	case m.isActive(r) && r.active.End.IsZero():
		return r.elig.Name + " is permanently assigned."
	case m.isActive(r):
		return fmt.Sprintf("%s is already active until %s.", r.elig.Name, clock(r.active.End))
	}
	return ""
}

func (m *Model) toggleSelect() {
	r := m.list.currentRow()
	if r == nil {
		return
	}
	if m.selected[r.key] {
		delete(m.selected, r.key)
		return
	}
	if why := m.activatable(r); why != "" {
		m.notice = why
		return
	}
	m.selected[r.key] = true
	m.list.move(1, m.listHeight())
}

// selectedTargets are the selected rows in list order.
func (m *Model) selectedTargets() []pim.Eligibility {
	var out []pim.Eligibility
	for i := range m.list.rows {
		if r := &m.list.rows[i]; m.selected[r.key] && m.activatable(r) == "" {
			out = append(out, r.elig)
		}
	}
	return out
}

func (m *Model) openForm() tea.Cmd {
	targets := m.selectedTargets()
	if len(targets) == 0 {
		r := m.list.currentRow()
		if r == nil {
			return nil
		}
		if why := m.activatable(r); why != "" {
			m.notice = why
			return nil
		}
		targets = []pim.Eligibility{r.elig}
	}
	return m.showForm(newForm(targets, m.recent, nil, m.svc.DefaultDuration(targets), m.styles, m.width))
}

func (m *Model) showForm(f *form) tea.Cmd {
	m.form = f
	m.screen = screenForm
	m.notice, m.tooShort, m.err = "", nil, nil
	return f.focusCmd()
}

func (m *Model) askDeactivate() {
	m.notice, m.tooShort = "", nil
	r := m.list.currentRow()
	switch {
	case r == nil:
		return
	case !m.isActive(r):
		m.notice = r.elig.Name + " is not active."
	case r.active.Assigned || r.active.End.IsZero():
		m.notice = r.elig.Name + " is a permanent assignment: pimento only ends PIM activations."
	case m.busy[r.key] || m.op != nil:
		m.notice = "Another request is in flight; try again when it is done."
	case m.now.Before(r.active.DeactivatableAt()):
		a := *r.active
		m.tooShort = &a
	default:
		a := *r.active
		m.confirm = &a
	}
}

// cancellable reports whether r shows a request waiting for approval, so d
// cancels it rather than deactivating. An active elevation takes precedence,
// as it does in the status column.
func (m *Model) cancellable(r *row) bool {
	return r != nil && r.pending != nil && !m.isActive(r)
}

func (m *Model) askCancel() {
	m.notice, m.tooShort = "", nil
	r := m.list.currentRow()
	switch {
	case !m.cancellable(r):
		return
	case m.cancelling[r.key]:
		m.notice = "The request for " + r.elig.Label() + " is already being cancelled."
	default:
		p := *r.pending
		m.confirmCancel = &p
	}
}

// reactivate is r: re-activate with the same justification once PIM allows
// it, i.e. once the elevation ended. While it is still active, r arms (or
// disarms) the re-activation.
func (m *Model) reactivate() tea.Cmd {
	r := m.reactivateTarget()
	if r == nil {
		m.notice = "Nothing to re-activate here."
		return nil
	}
	if r.pending != nil || m.busy[r.key] || (m.isActive(r) && r.active.End.IsZero()) {
		m.notice = m.activatable(r)
		return nil
	}
	req, known := m.lastReq[r.key]
	if !known {
		prefill := pim.ActivateRequest{Target: r.elig}
		if len(m.recent) > 0 {
			prefill.Justification = m.recent[0]
		}
		targets := []pim.Eligibility{r.elig}
		f := newForm(targets, m.recent, &prefill, m.svc.DefaultDuration(targets), m.styles, m.width)
		f.rearm = m.isActive(r)
		return m.showForm(f)
	}
	req.Target = r.elig
	if m.isActive(r) {
		if m.armed[r.key] {
			delete(m.armed, r.key)
			return m.setStatus("Re-activation of " + r.elig.Name + " cancelled")
		}
		return m.arm([]pim.ActivateRequest{req})
	}
	if m.op != nil {
		m.notice = "Another request is in flight; try again when it is done."
		return nil
	}
	return m.startActivation([]pim.ActivateRequest{req})
}

// reactivateTarget is the row under the cursor when it is or was active,
// otherwise the first elevation in the expiry banner.
func (m *Model) reactivateTarget() *row {
	if r := m.list.currentRow(); r != nil && r.eligible {
		if _, known := m.lastReq[r.key]; known || r.active != nil {
			return r
		}
	}
	for _, a := range m.expiring() {
		if r := m.list.byKey(a.Key()); r != nil && r.eligible {
			return r
		}
	}
	return nil
}

// arm remembers reqs and sends them when their elevations end.
func (m *Model) arm(reqs []pim.ActivateRequest) tea.Cmd {
	m.form = nil
	m.screen = screenMain
	var names string
	var end string
	for _, req := range reqs {
		k := req.Target.Key()
		m.lastReq[k] = req
		m.armed[k] = true
		names = req.Target.Name
		if r := m.list.byKey(k); r != nil && r.active != nil {
			end = " at " + clock(r.active.End)
		}
	}
	return m.setStatus(fmt.Sprintf("%s re-activates with the same justification when it ends%s (PIM allows one activation at a time)", names, end))
}
