package tui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// reactivate is r. On an active role that PIM lets be renewed it renews:
// deactivate and activate again now, after a form that says so (the core
// decides when that is allowed: pim.RenewRefusal). Too soon, it says when.
// Where renewing would strand the admin (approval), r arms (or disarms) a
// re-activation for when the elevation ends; once it ended, it
// re-activates. Only the row under the cursor is re-activated without a
// form, and only with the last request PIM accepted for it; anything else
// (a failed request, the banner's role, a renewal) opens the form, filled
// in, so nothing is sent that the admin did not see.
func (m *Model) reactivate() tea.Cmd {
	r, fromBanner := m.reactivateTarget()
	if r == nil {
		m.notice = "Nothing to re-activate here."
		return nil
	}
	if r.pending != nil || m.inFlight(r.key) || (r.scheduled != nil && !m.isActive(r)) || (m.isActive(r) && r.active.End.IsZero()) {
		m.notice = m.activatable(r)
		return nil
	}
	active := m.isActive(r)
	if _, armed := m.armed[r.key]; armed && active {
		delete(m.armed, r.key)
		return m.setStatus("Re-activation of " + r.elig.Name + " cancelled")
	}
	why := ""
	if active {
		var refused *pim.RenewRefusedError
		switch err := m.svc.CanRenew(*r.active); {
		case err == nil:
			return m.renewForm(r)
		case errors.As(err, &refused) && !refused.PossibleAt.IsZero():
			m.notice = err.Error() + "; r renews it then."
			return nil
		default:
			why = show.Text(err.Error()) + ": r re-activates it when it ends instead."
		}
	}
	req, good := m.lastGood[r.key]
	if !good || fromBanner {
		return m.reactivationForm(r, active, why)
	}
	req.Target = r.elig
	if active {
		cmd := m.arm([]pim.ActivateRequest{req})
		if why != "" {
			m.notice = why
		}
		return cmd
	}
	if m.op != nil {
		m.notice = "Another request is in flight; try again when it is done."
		return nil
	}
	return m.startActivation([]pim.ActivateRequest{req})
}

// reactivationForm asks before re-activating r, filled with what was last
// sent for it, else what the journal knows, else the most recent
// justification.
func (m *Model) reactivationForm(r *row, rearm bool, why string) tea.Cmd {
	f := newForm([]pim.Eligibility{r.elig}, m.recent, m.prefill(r), m.svc.DefaultDuration([]pim.Eligibility{r.elig}), m.styles, m.width)
	f.rearm, f.why = rearm, why
	return m.showForm(f)
}

// renewForm asks before renewing r's activation: the same justification
// and ticket, a fresh duration, and the gap said plainly.
func (m *Model) renewForm(r *row) tea.Cmd {
	a := *r.active
	f := newForm([]pim.Eligibility{r.elig}, m.recent, m.prefill(r), m.svc.DefaultDuration([]pim.Eligibility{r.elig}), m.styles, m.width)
	f.renew = &a
	return m.showForm(f)
}

// prefill is what r's form starts with: what this screen last sent for
// it, else the journal's last activation of it (read by the last load),
// else the newest justification.
func (m *Model) prefill(r *row) *pim.ActivateRequest {
	if p, ok := m.lastSent[r.key]; ok {
		p.Target = r.elig
		return &p
	}
	p := pim.ActivateRequest{Target: r.elig}
	if in, ok := m.renew[r.key]; ok {
		p.Justification, p.TicketNumber, p.TicketSystem = in.Justification, in.TicketNumber, in.TicketSystem
		p.Duration, _ = duration.ParseActivation(in.Duration)
		return &p
	}
	if len(m.recent) > 0 {
		p.Justification = m.recent[0]
	}
	return &p
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
