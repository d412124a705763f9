package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

// Messages that are not part of an operation's stream.
type (
	tickMsg        struct{} // every second: countdowns move, no I/O
	refreshTickMsg struct{} // every RefreshInterval: reload
	loadedMsg      struct {
		seq    int
		snap   *pim.Snapshot
		recent []string
		// renew is what the journal knows of the last activation of each
		// active elevation (RenewInput), by key: what r's form starts with.
		renew map[string]app.PlanInput
		err   error
	}
	clearStatusMsg   struct{ seq int }
	finishTimeoutMsg struct{} // quitting waited long enough
	cancelledMsg     struct {
		pending pim.Pending
		err     error
	}
	errMsg struct{ err error }
)

const statusTimeout = 6 * time.Second

func (m *Model) tickCmd() tea.Cmd {
	return m.schedule(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *Model) refreshTickCmd() tea.Cmd {
	return m.schedule(m.opts.RefreshInterval, func(time.Time) tea.Msg { return refreshTickMsg{} })
}

// loadCmd reloads the snapshot, the recent justifications and what the
// journal knows of the active elevations, so no key reads a file. Only the
// reply to the newest load is kept.
func (m *Model) loadCmd() tea.Cmd {
	m.loadSeq++
	m.loading = true
	seq, svc, ctx := m.loadSeq, m.svc, m.ctx
	return func() tea.Msg {
		snap, err := svc.Load(ctx)
		return loadedMsg{seq: seq, snap: snap, recent: svc.RecentJustifications(recentJustifications), renew: renewInputs(svc, snap), err: err}
	}
}

// renewInputs is RenewInput for every elevation of snap that r may renew
// or re-activate.
func renewInputs(svc Service, snap *pim.Snapshot) map[string]app.PlanInput {
	if snap == nil {
		return nil
	}
	out := map[string]app.PlanInput{}
	for _, a := range snap.Active {
		if _, done := out[a.Key()]; done || a.Assigned || a.End.IsZero() {
			continue
		}
		if in, ok := svc.RenewInput(a.Eligibility); ok {
			out[a.Key()] = in
		}
	}
	return out
}

// setStatus shows a success line that clears itself.
func (m *Model) setStatus(s string) tea.Cmd {
	m.statusSeq++
	m.status = s
	seq := m.statusSeq
	return m.schedule(statusTimeout, func(time.Time) tea.Msg { return clearStatusMsg{seq: seq} })
}

func (m *Model) signInCmd(deviceCode bool) tea.Cmd {
	svc := m.svc
	return m.startOp(opSignIn, func(ctx context.Context, b bridge) tea.Msg {
		acct, err := svc.SignIn(ctx, deviceCode, b)
		return signedInMsg{op: b.op, acct: acct, err: err}
	})
}

// startActivation sends reqs and switches to their timeline.
func (m *Model) startActivation(reqs []pim.ActivateRequest) tea.Cmd {
	targets := make([]pim.Eligibility, len(reqs))
	for i, r := range reqs {
		targets[i] = r.Target
		k := r.Target.Key()
		m.lastSent[k] = r
		delete(m.armed, k)
		delete(m.selected, k)
	}
	m.timeline = newTimeline(opActivate, targets, m.svc.Now())
	m.screen = screenProgress
	m.form = nil
	svc := m.svc
	return m.startOp(opActivate, func(ctx context.Context, b bridge) tea.Msg {
		return activatedMsg{op: b.op, outcomes: svc.Activate(ctx, reqs, true, b)}
	})
}

// startDeactivation ends a and switches to its timeline.
func (m *Model) startDeactivation(a pim.Active) tea.Cmd {
	delete(m.armed, a.Key())
	m.timeline = newTimeline(opDeactivate, []pim.Eligibility{a.Eligibility}, m.svc.Now())
	m.screen = screenProgress
	svc := m.svc
	return m.startOp(opDeactivate, func(ctx context.Context, b bridge) tea.Msg {
		return deactivatedMsg{op: b.op, outcome: svc.Deactivate(ctx, a, b)}
	})
}

// startRenew deactivates a, activates it again with in, and switches to
// the timeline of both.
func (m *Model) startRenew(a pim.Active, in app.PlanInput) tea.Cmd {
	delete(m.armed, a.Key())
	m.timeline = newTimeline(opRenew, []pim.Eligibility{a.Eligibility}, m.svc.Now())
	m.screen = screenProgress
	m.form = nil
	svc := m.svc
	return m.startOp(opRenew, func(ctx context.Context, b bridge) tea.Msg {
		return renewedMsg{op: b.op, outcome: svc.Renew(ctx, a, in, b)}
	})
}

// cancelRequestCmd withdraws p, a request waiting for approval. It is a
// single call without progress events: the row and the message line say it
// is under way, and the list reloads once PIM answered.
func (m *Model) cancelRequestCmd(p pim.Pending) tea.Cmd {
	m.cancelling[p.Key()] = true
	m.notice = cancellingText(p)
	svc, ctx := m.svc, m.ctx
	return func() tea.Msg {
		// No screen shows a sign-in here: a needed one is an error.
		return cancelledMsg{pending: p, err: svc.Cancel(auth.WithNoPrompt(ctx), p)}
	}
}

func cancellingText(p pim.Pending) string {
	return "Cancelling " + cancelWhat(p) + "…"
}
