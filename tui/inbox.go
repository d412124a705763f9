package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// The approver's view: other admins' requests that wait for this admin's
// decision ("To approve (3)"), one key (tab) away from the roles. The
// first screen's load brings the inbox; opening the view reads it again
// with each approval's stage, and so does every decision.

// inboxState is the approver's view.
type inboxState struct {
	list []pim.Approval
	scroll
	seq      int  // the newest read; older replies are dropped
	loading  bool // a read with stages is in flight
	deciding map[string]bool
}

// decisionForm asks for the approver's justification.
type decisionForm struct {
	approval pim.Approval
	decision pim.Decision
	input    textinput.Model
	tried    bool
}

type (
	approvalsLoadedMsg struct {
		seq  int
		snap *pim.Snapshot
		err  error
	}
	decidedMsg struct{ out pim.DecisionOutcome }
)

// setInbox takes the inbox a load brought, keeping stages already read.
func (in *inboxState) set(list []pim.Approval) {
	stages := map[string][]pim.ApprovalStage{}
	for _, a := range in.list {
		stages[a.RequestID] = a.Stages
	}
	in.list = append([]pim.Approval(nil), list...)
	for i, a := range in.list {
		if a.Stages == nil {
			in.list[i].Stages = stages[a.RequestID]
		}
	}
	in.cursor = max(0, min(in.cursor, len(in.list)-1))
}

func (in *inboxState) current() *pim.Approval {
	if in.cursor < 0 || in.cursor >= len(in.list) {
		return nil
	}
	return &in.list[in.cursor]
}

// approvalsCmd reads the inbox with its stages. Nothing on this screen can
// show a sign-in, so a needed one is an error.
func (m *Model) approvalsCmd() tea.Cmd {
	m.inbox.seq++
	m.inbox.loading = true
	seq, svc, ctx := m.inbox.seq, m.svc, m.ctx
	return func() tea.Msg {
		snap, err := svc.Approvals(ctx, nil)
		return approvalsLoadedMsg{seq: seq, snap: snap, err: err}
	}
}

func (m *Model) approvalsLoaded(msg approvalsLoadedMsg) tea.Cmd {
	if msg.seq != m.inbox.seq {
		return nil
	}
	m.inbox.loading = false
	if msg.err != nil {
		m.err = msg.err
		return nil
	}
	snap := safeSnapshot(msg.snap)
	m.warn(snap.Warnings)
	m.inbox.list = nil // a fresh read: its stages win
	m.inbox.set(snap.Approvals)
	m.inbox.clamp(m.inboxHeight())
	return nil
}

// openInbox is tab from the roles: the approver's view, read again.
func (m *Model) openInbox() tea.Cmd {
	m.screen = screenApprovals
	m.notice, m.tooShort = "", nil
	if m.inbox.loading {
		return nil
	}
	return m.approvalsCmd()
}

func (m *Model) keyApprovals(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m.finishQuit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Inbox, k.Back):
		if key.Matches(msg, k.Back) && (m.err != nil || m.notice != "" || len(m.warnings) > 0) {
			m.err, m.notice, m.warnings = nil, "", nil
			return nil
		}
		m.screen = screenMain
	case key.Matches(msg, k.Up):
		m.inbox.move(-1, m.inboxHeight())
		m.notice = ""
	case key.Matches(msg, k.Down):
		m.inbox.move(1, m.inboxHeight())
		m.notice = ""
	case key.Matches(msg, k.Refresh):
		if !m.inbox.loading {
			return m.approvalsCmd()
		}
	case key.Matches(msg, k.Approve, k.Deny):
		a := m.inbox.current()
		switch {
		case a == nil:
			m.notice = "Nothing waits for your approval."
		case m.inbox.deciding[a.RequestID]:
			m.notice = "A decision on this request is on its way to PIM."
		default:
			d := pim.Approve
			if key.Matches(msg, k.Deny) {
				d = pim.Deny
			}
			return m.openDecision(*a, d)
		}
	}
	return nil
}

func (in *inboxState) move(delta, height int) { in.moveBy(delta, len(in.list), height) }

func (in *inboxState) clamp(height int) { in.clampTo(len(in.list), height) }

// openDecision shows the justification field for a decision on a.
func (m *Model) openDecision(a pim.Approval, d pim.Decision) tea.Cmd {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = "why you " + d.Verb() + ", e.g. confirmed by phone, CHG-1234"
	in.CharLimit = pim.MaxJustification
	in.SetStyles(m.styles.Input)
	in.SetWidth(max(10, min(m.width-8, 72)))
	m.decision = &decisionForm{approval: a, decision: d, input: in}
	m.screen = screenDecide
	m.notice = ""
	return m.decision.input.Focus()
}

func (m *Model) keyDecision(msg tea.KeyPressMsg) tea.Cmd {
	f := m.decision
	switch {
	case key.Matches(msg, m.keys.Back):
		m.decision = nil
		m.screen = screenApprovals
		m.notice = "Nothing was sent."
		return nil
	case key.Matches(msg, m.keys.Submit):
		f.tried = true
		j := strings.TrimSpace(f.input.Value())
		if j == "" {
			return nil
		}
		m.decision = nil
		m.screen = screenApprovals
		return m.decideCmd(f.approval, f.decision, j)
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	return cmd
}

// decideCmd sends one decision; the list says it is under way, and the
// inbox and the roles reload once PIM answered.
func (m *Model) decideCmd(a pim.Approval, d pim.Decision, justification string) tea.Cmd {
	if m.inbox.deciding == nil {
		m.inbox.deciding = map[string]bool{}
	}
	m.inbox.deciding[a.RequestID] = true
	m.notice = decidingText(a, d)
	svc, ctx := m.svc, m.ctx
	return func() tea.Msg {
		return decidedMsg{out: svc.Decide(auth.WithNoPrompt(ctx), a, d, justification, nil)}
	}
}

func decidingText(a pim.Approval, d pim.Decision) string {
	doing, _ := decisionWords(d)
	return upperFirst(doing) + " " + a.Label() + " for " + requesterName(a) + "…"
}

// requesterName is who asked: the name, else the UPN, else the id.
func requesterName(a pim.Approval) string {
	if a.Requester != "" {
		return a.Requester
	}
	return a.RequesterLabel()
}

// decisionWords are d's verb as the screens say it: "approving",
// "approved".
func decisionWords(d pim.Decision) (doing, done string) {
	if d == pim.Deny {
		return "denying", "denied"
	}
	return "approving", "approved"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (m *Model) decided(msg decidedMsg) tea.Cmd {
	o := msg.out
	delete(m.inbox.deciding, o.Approval.RequestID)
	if m.notice == decidingText(o.Approval, o.Decision) {
		m.notice = ""
	}
	m.warn(o.Warnings)
	reload := tea.Batch(m.approvalsCmd(), m.loadCmd())
	who := o.Approval.Label() + " for " + requesterName(o.Approval)
	_, done := decisionWords(o.Decision)
	if !o.Recorded {
		m.err = fmt.Errorf("not %s: %s: %s", done, who, errText(o.Err))
		return reload
	}
	if o.Reconciled {
		who += " (the answer was lost; PIM shows it recorded)"
	}
	return tea.Batch(reload, m.setStatus(upperFirst(done)+" "+who))
}

func errText(err error) string {
	if err == nil {
		return "PIM did not record it"
	}
	return err.Error()
}
