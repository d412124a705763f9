package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// updateData handles everything that is not a key: clock, loads and the
// streams of operations.
func (m *Model) updateData(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case titlePushedMsg:
		m.titlePushed = true

	case tickMsg:
		m.now = m.svc.Now()
		return tea.Batch(m.tickCmd(), m.checkExpiry())

	case refreshTickMsg:
		cmds := []tea.Cmd{m.refreshTickCmd()}
		if m.ident.SignedIn() && !m.loading {
			cmds = append(cmds, m.loadCmd())
		}
		return tea.Batch(cmds...)

	case loadedMsg:
		return m.loaded(msg)

	case cancelledMsg:
		return m.cancelled(msg)

	case approvalsLoadedMsg:
		return m.approvalsLoaded(msg)

	case decidedMsg:
		return m.decided(msg)

	case clearStatusMsg:
		if msg.seq == m.statusSeq {
			m.status = ""
		}
	case errMsg:
		m.err = msg.err

	case signedInMsg:
		return m.signedIn(msg)

	case deviceCodeMsg:
		ok, next := m.current(msg.op)
		if !ok {
			return nil
		}
		code := msg.code
		// MSAL dates the expiry by the PC's clock; every countdown here
		// runs on the server's.
		code.ExpiresAt = serverTime(code.ExpiresAt, m.svc.ServerOffset())
		if m.op.kind == opSignIn {
			m.signin.code = &code
		} else if m.timeline != nil {
			m.timeline.prompted(signInPrompt{code: &code})
		}
		return next

	case browserOpenedMsg:
		ok, next := m.current(msg.op)
		if !ok {
			return nil
		}
		if m.op.kind == opSignIn {
			m.signin.browserURL = msg.url
		} else if m.timeline != nil {
			m.timeline.prompted(signInPrompt{browser: msg.url})
		}
		return next

	case progressMsg:
		ok, next := m.current(msg.op)
		if !ok {
			return nil
		}
		if m.timeline != nil {
			m.timeline.add(safeEvent(msg.ev))
		}
		return next

	case activatedMsg:
		return m.finished(msg.op, func() tea.Cmd { return m.activated(msg.outcomes) },
			activationLine(msg.outcomes), interrupted(msg.outcomes))

	case deactivatedMsg:
		return m.finished(msg.op, func() tea.Cmd { return m.deactivated(msg.outcome) },
			deactivationLine(msg.outcome), msg.outcome.Err != nil)

	case renewedMsg:
		return m.finished(msg.op, func() tea.Cmd { return m.renewed(msg.outcome) },
			renewalLine(msg.outcome), msg.outcome.Err != nil)

	case finishTimeoutMsg:
		if m.finishing {
			m.exitLine = "pimento stopped while still waiting for PIM's answer: run `pimento status` to see what PIM did"
			m.cutShort = true
			m.op = nil
			return m.quit()
		}
	}
	return nil
}

// finished takes the final message of operation op, when it is the one in
// flight: apply shows the outcome (and returns the reload); when the admin
// is waiting to quit, line is what stderr says after and cut whether the
// request was cut short.
func (m *Model) finished(op int, apply func() tea.Cmd, line string, cut bool) tea.Cmd {
	if ok, _ := m.current(op); !ok {
		return nil
	}
	m.endOp(op)
	m.now = m.svc.Now()
	cmd := apply()
	if m.finishing {
		m.exitLine, m.cutShort = line, cut
		return m.quit()
	}
	return cmd
}

// serverTime turns t, read on the PC's clock, into the server's.
func serverTime(t time.Time, offset time.Duration) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(offset)
}

func (m *Model) loaded(msg loadedMsg) tea.Cmd {
	if msg.seq != m.loadSeq {
		return nil // a newer load is on its way
	}
	m.loading = false
	m.now = m.svc.Now()
	m.ident = m.svc.Identity()
	if msg.err != nil {
		m.err = msg.err
		if !m.ident.SignedIn() {
			m.screen = screenSignIn
		}
		return nil
	}
	m.snap = safeSnapshot(msg.snap)
	m.warn(m.snap.Warnings)
	m.inbox.set(m.snap.Approvals)
	m.recent = safeList(msg.recent)
	m.renew = safeRenewInputs(msg.renew)
	m.list.setRows(buildRows(m.snap), m.filter.Value())
	m.list.clamp(m.listHeight())
	for k := range m.selected {
		if r := m.list.byKey(k); r == nil || m.activatable(r) != "" {
			delete(m.selected, k)
		}
	}
	if p := m.confirmCancel; p != nil {
		r := m.list.byKey(p.Key())
		still := r != nil && ((r.pending != nil && r.pending.RequestID == p.RequestID) || (r.scheduled != nil && r.scheduled.RequestID == p.RequestID && r.scheduled.Start.After(m.now)))
		if !still {
			m.confirmCancel = nil
			m.notice = "The request for " + p.Label() + " no longer waits for approval; nothing was sent."
			if isScheduled(*p) {
				m.notice = "The scheduled activation of " + p.Label() + " is no longer scheduled; nothing was sent."
			}
		}
	}
	m.dropStaleDeactivation()
	return m.checkExpiry()
}

// dropStaleDeactivation drops the deactivation question, or the
// five-minute countdown, of a role a reload shows no longer active: y
// must never send what the list no longer shows.
func (m *Model) dropStaleDeactivation() {
	for _, a := range []**pim.Active{&m.confirm, &m.tooShort} {
		if *a == nil {
			continue
		}
		if r := m.list.byKey((*a).Key()); r != nil && m.isActive(r) {
			continue
		}
		m.notice = (*a).Label() + " is no longer active; nothing was sent."
		*a = nil
	}
}

// cancelled reports the end of a cancellation and reloads: the list, not
// this reply, says whether the request is gone.
func (m *Model) cancelled(msg cancelledMsg) tea.Cmd {
	p := msg.pending
	delete(m.cancelling, p.Key())
	if m.notice == cancellingText(p) {
		m.notice = ""
	}
	if msg.err != nil {
		m.err = fmt.Errorf("cancelling %s: %w", cancelWhat(p), msg.err)
		return m.loadCmd()
	}
	if isScheduled(p) {
		return tea.Batch(m.loadCmd(), m.setStatus("Scheduled activation of "+p.Label()+" withdrawn; it will not start"))
	}
	return tea.Batch(m.loadCmd(), m.setStatus("Request for "+p.Label()+" cancelled; nothing was activated"))
}

func (m *Model) signedIn(msg signedInMsg) tea.Cmd {
	if ok, _ := m.current(msg.op); !ok {
		return nil
	}
	m.endOp(msg.op)
	m.signin.busy, m.signin.code, m.signin.browserURL = false, nil, ""
	if msg.err == nil && m.ident.Pinned != "" && !strings.EqualFold(msg.acct.Username, m.ident.Pinned) {
		msg.err = fmt.Errorf("signed in as %s, but this profile only accepts %s; nothing was saved. Sign in again with %s",
			msg.acct.Username, m.ident.Pinned, m.ident.Pinned)
	}
	if msg.err != nil {
		m.signin.err = msg.err
		return nil
	}
	m.signin.err = nil
	m.ident = m.svc.Identity()
	m.screen = screenMain
	return tea.Batch(m.loadCmd(), m.setStatus("Signed in as "+msg.acct.Username))
}

func (m *Model) activated(outs []pim.Outcome) tea.Cmd {
	var verified, pending, failed, unproven, scheduled []string
	for _, o := range outs {
		m.warn(o.Warnings)
		if req, ok := m.lastSent[o.Target.Key()]; ok && o.Err == nil && (o.Effective || pim.IsAccepted(o.Status)) {
			m.lastGood[o.Target.Key()] = req
		}
		switch {
		case o.Err != nil:
			failed = append(failed, o.Target.Name)
		case o.Effective:
			verified = append(verified, o.Target.Name)
		case pim.IsPending(o.Status):
			pending = append(pending, o.Target.Name)
		case o.Scheduled:
			scheduled = append(scheduled, o.Target.Name+" from "+show.Clock(o.Sent.Start, m.now))
		default:
			// Accepted but not proven: say so rather than nothing.
			unproven = append(unproven, o.Target.Name)
		}
	}
	m.timeline.finish(outs)
	var parts []string
	if len(verified) > 0 {
		parts = append(parts, "verified: "+strings.Join(verified, ", "))
	}
	if len(scheduled) > 0 {
		parts = append(parts, "scheduled: "+strings.Join(scheduled, ", "))
	}
	if len(pending) > 0 {
		parts = append(parts, "pending approval: "+strings.Join(pending, ", "))
	}
	if len(failed) > 0 {
		parts = append(parts, "failed: "+strings.Join(failed, ", "))
	}
	if len(unproven) > 0 {
		parts = append(parts, "accepted, not proven yet: "+strings.Join(unproven, ", "))
	}
	summary := strings.Join(parts, " · ")
	if len(pending)+len(failed)+len(unproven) > 0 {
		m.notice = summary // not a success: no check mark, no timeout
		return m.loadCmd()
	}
	return tea.Batch(m.loadCmd(), m.setStatus(summary))
}

func (m *Model) renewed(out pim.RenewOutcome) tea.Cmd {
	m.timeline.finishRenew(out)
	m.warn(out.Deactivation.Warnings)
	m.warn(out.Activation.Warnings)
	switch {
	case out.Err != nil:
		m.notice = out.Target.Label() + ": renewal failed: p shows why"
		return m.loadCmd()
	case !out.Activation.Effective:
		m.notice = out.Target.Label() + ": renewal not verified: p shows why"
		return m.loadCmd()
	}
	return tea.Batch(m.loadCmd(), m.setStatus(out.Target.Name+" renewed until "+show.Clock(out.Activation.End, m.now)))
}

// renewalLine is the truth about a renewal cut short by quitting.
func renewalLine(o pim.RenewOutcome) string {
	switch {
	case o.Err != nil:
		return show.Text(o.Target.Label()) + ": " + show.Text(o.Err.Error())
	case o.Activation.Effective:
		return show.Text(o.Target.Label()) + ": renewed"
	}
	return show.Text(o.Target.Label()) + ": activated again (" + show.Text(o.Activation.Status) + "), not verified: run `pimento status`"
}

func (m *Model) deactivated(out pim.DeactivateOutcome) tea.Cmd {
	m.timeline.finishDeactivate(out)
	m.warn(out.Warnings)
	if out.Err != nil {
		m.notice = out.Target.Label() + ": deactivation failed: p shows why"
		return m.loadCmd()
	}
	return tea.Batch(m.loadCmd(), m.setStatus(out.Target.Name+" deactivated"))
}

// warn keeps what the core reported beside a result (the journal or the
// prompt state could not be written), once each, until esc.
func (m *Model) warn(ws []string) {
	for _, w := range ws {
		if w = oneLine(show.Text(w)); w != "" && !slices.Contains(m.warnings, w) {
			m.warnings = append(m.warnings, w)
		}
	}
}

// activationLine is the truth about activations cut short by quitting, in
// one line for stderr.
func activationLine(outs []pim.Outcome) string {
	var parts []string
	for _, o := range outs {
		switch {
		case o.Err != nil:
			parts = append(parts, show.Text(o.Target.Label())+": "+show.Text(o.Err.Error()))
		case o.Effective:
			parts = append(parts, show.Text(o.Target.Label())+": effective")
		case pim.IsPending(o.Status):
			parts = append(parts, show.Text(o.Target.Label())+": waiting for approval")
		case o.Scheduled:
			parts = append(parts, show.Text(o.Target.Label())+": scheduled from "+show.DateTime(o.Sent.Start))
		default:
			parts = append(parts, show.Text(o.Target.Label())+": accepted ("+show.Text(o.Status)+"), not verified: run `pimento status`")
		}
	}
	return strings.Join(parts, "; ")
}

func deactivationLine(o pim.DeactivateOutcome) string {
	if o.Err != nil {
		return show.Text(o.Target.Label()) + ": " + show.Text(o.Err.Error())
	}
	return show.Text(o.Target.Label()) + ": deactivated (" + show.Text(o.Status) + ")"
}

// interrupted reports whether quitting cut any activation short.
func interrupted(outs []pim.Outcome) bool {
	for _, o := range outs {
		var ie *pim.InterruptedError
		if errors.As(o.Err, &ie) {
			return true
		}
	}
	return false
}
