package tui

import (
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/internal/show"
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
	case m.inFlight(r.key):
		return r.elig.Name + " has a request in flight."
	case r.pending != nil:
		return r.elig.Name + " is waiting for approval: d cancels the request."
	case r.scheduled != nil && !m.isActive(r):
		return r.elig.Name + " is scheduled to start at " + show.Clock(r.scheduled.Start, m.now) + ": d cancels it."
	case m.isActive(r) && r.active.End.IsZero():
		return r.elig.Name + " is permanently assigned."
	case m.isActive(r):
		return fmt.Sprintf("%s is already active until %s.", r.elig.Name, show.Clock(r.active.End, m.now))
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

// formStart is when the form's activation would begin: now, the start the
// admin typed, or for a re-activation the end of the elevation it follows,
// read from the list so a reload that moves the end moves it too.
func (m *Model) formStart() time.Time {
	f := m.form
	if f == nil {
		return m.now
	}
	if !f.rearm {
		if at, err := f.start(m.now); err == nil && !at.IsZero() && slices.Contains(f.fields, fieldStart) {
			return at
		}
		return m.now
	}
	if r := m.list.byKey(f.targets[0].Key()); r != nil && m.isActive(r) && !r.active.End.IsZero() {
		return r.active.End
	}
	return m.now
}

func (m *Model) showForm(f *form) tea.Cmd {
	if f.rearm || f.renew != nil {
		f.startsNow()
	}
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
	case m.inFlight(r.key) || m.op != nil:
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
	return r != nil && (r.pending != nil || r.scheduled != nil) && !m.isActive(r)
}

func (m *Model) askCancel() {
	m.notice, m.tooShort = "", nil
	r := m.list.currentRow()
	switch {
	case !m.cancellable(r):
		return
	case m.cancelling[r.key]:
		m.notice = "The request for " + r.elig.Label() + " is already being cancelled."
	case r.pending != nil:
		p := *r.pending
		m.confirmCancel = &p
	default:
		p := r.scheduled.Request()
		m.confirmCancel = &p
	}
}

// isScheduled reports whether p is a scheduled activation's request (what
// Scheduled.Request gives), not one waiting for approval.
func isScheduled(p pim.Pending) bool { return p.Status == "Granted" }

// cancelWhat names what cancelling p withdraws.
func cancelWhat(p pim.Pending) string {
	if isScheduled(p) {
		return "the scheduled activation of " + p.Label()
	}
	return "the request for " + p.Label()
}
