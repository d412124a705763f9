package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/pim"
)

// The expiry watch: on every tick the clock moves, so the banner, the bell,
// the reload after an end and armed re-activations follow from it.

// expiryID names one elevation's end, so its warning fires once.
func expiryID(a pim.Active) string { return a.Key() + "@" + a.End.UTC().Format(time.RFC3339) }

// expiring lists elevations that end within the warning window.
func (m *Model) expiring() []pim.Active {
	if m.snap == nil || m.opts.ExpiryWarning < 0 {
		return nil
	}
	var out []pim.Active
	for _, a := range m.snap.Active {
		if a.Assigned || a.End.IsZero() {
			continue
		}
		if rem := a.Remaining(m.now); rem > 0 && rem <= m.opts.ExpiryWarning {
			out = append(out, a)
		}
	}
	return out
}

// checkExpiry rings the bell once per elevation entering the warning window,
// reloads once an elevation ended, and fires armed re-activations.
func (m *Model) checkExpiry() tea.Cmd {
	if m.snap == nil {
		return nil
	}
	var cmds []tea.Cmd
	for _, a := range m.expiring() {
		if id := expiryID(a); !m.warned[id] {
			m.warned[id] = true
			if len(cmds) == 0 {
				cmds = append(cmds, tea.Raw("\a")) // the bell, through Bubble Tea's own output
			}
		}
	}
	// An end is marked done only with the reload it asks for: while a load
	// is in flight, the next check (that load's answer) asks again.
	var ended []string
	for _, a := range m.snap.Active {
		if a.Assigned || a.End.IsZero() || a.Remaining(m.now) > 0 {
			continue
		}
		if id := expiryID(a); !m.ended[id] {
			ended = append(ended, id)
		}
	}
	if len(ended) > 0 && !m.loading {
		for _, id := range ended {
			m.ended[id] = true
		}
		cmds = append(cmds, m.loadCmd())
	}
	if c := m.fireArmed(); c != nil {
		cmds = append(cmds, c)
	}
	return tea.Batch(cmds...)
}

// fireArmed re-activates armed elevations that have ended, when nothing else
// runs and the admin is on the main screen.
func (m *Model) fireArmed() tea.Cmd {
	if len(m.armed) == 0 || m.op != nil || m.screen != screenMain || m.confirm != nil || m.confirmCancel != nil {
		return nil
	}
	var reqs []pim.ActivateRequest
	for _, r := range m.list.rows {
		if req, ok := m.armed[r.key]; ok && !m.isActive(&r) {
			reqs = append(reqs, req)
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	return m.startActivation(reqs)
}
