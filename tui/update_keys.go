package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// updateKey routes a key press by state. ctrl+c always quits.
func (m *Model) updateKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.finishQuit()
	}
	if m.finishing {
		return nil // only ctrl+c (stop waiting) applies now
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.finishQuit()
		case key.Matches(msg, m.keys.Help, m.keys.Back):
			m.showHelp = false
		}
		return nil
	}
	switch m.screen {
	case screenSignIn:
		return m.keySignIn(msg)
	case screenForm:
		return m.keyForm(msg)
	case screenProgress:
		return m.keyProgress(msg)
	case screenApprovals:
		return m.keyApprovals(msg)
	case screenDecide:
		return m.keyDecision(msg)
	}
	if m.confirm != nil {
		return m.keyConfirm(msg)
	}
	if m.confirmCancel != nil {
		return m.keyConfirmCancel(msg)
	}
	if m.filtering {
		return m.keyFilter(msg)
	}
	return m.keyMain(msg)
}

func (m *Model) updatePaste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.screen == screenForm && m.form != nil:
		cmd = m.form.updateInput(msg)
	case m.screen == screenDecide && m.decision != nil:
		m.decision.input, cmd = m.decision.input.Update(msg)
	case m.screen == screenMain && m.filtering:
		m.filter, cmd = m.filter.Update(msg)
		m.list.applyFilter(m.filter.Value(), m.list.current())
		m.list.clamp(m.listHeight())
	}
	return cmd
}

func (m *Model) keyMain(msg tea.KeyPressMsg) tea.Cmd {
	k, h := m.keys, m.listHeight()
	switch {
	case key.Matches(msg, k.Quit):
		return m.finishQuit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Up):
		m.moveCursor(-1)
	case key.Matches(msg, k.Down):
		m.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		m.moveCursor(-max(1, h-1))
	case key.Matches(msg, k.PageDown):
		m.moveCursor(max(1, h-1))
	case key.Matches(msg, k.Top):
		m.moveCursor(-len(m.list.visible))
	case key.Matches(msg, k.Bottom):
		m.moveCursor(len(m.list.visible))
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.ClearFilter):
		switch {
		case m.err != nil:
			m.err = nil
		case m.tooShort != nil || m.notice != "" || len(m.warnings) > 0:
			m.tooShort, m.notice, m.warnings = nil, "", nil
		case m.filter.Value() != "":
			m.filter.Reset()
			m.list.applyFilter("", m.list.current())
			m.list.clamp(h)
		case len(m.selected) > 0:
			m.selected = map[string]bool{}
		}
	case key.Matches(msg, k.Select):
		m.toggleSelect()
	case key.Matches(msg, k.Activate):
		return m.openForm()
	case m.cancellable(m.list.currentRow()) && key.Matches(msg, k.CancelRequest):
		m.askCancel()
	case !m.cancellable(m.list.currentRow()) && key.Matches(msg, k.Deactivate):
		m.askDeactivate()
	case key.Matches(msg, k.Reactivate):
		return m.reactivate()
	case key.Matches(msg, k.Refresh):
		if m.loading {
			return nil
		}
		return m.loadCmd()
	case key.Matches(msg, k.Inbox):
		return m.openInbox()
	case key.Matches(msg, k.Timeline):
		if m.timeline != nil {
			m.screen = screenProgress
		}
	}
	return nil
}

func (m *Model) moveCursor(delta int) {
	m.tooShort, m.notice = nil, ""
	m.list.move(delta, m.listHeight())
}

func (m *Model) keyFilter(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.AcceptFilter):
		m.filtering = false
		m.filter.Blur()
		return nil
	case key.Matches(msg, k.ClearFilter):
		m.filtering = false
		m.filter.Blur()
		m.filter.Reset()
		m.list.applyFilter("", m.list.current())
		m.list.clamp(m.listHeight())
		return nil
	case key.Matches(msg, k.ArrowUp):
		m.list.move(-1, m.listHeight())
		return nil
	case key.Matches(msg, k.ArrowDown):
		m.list.move(1, m.listHeight())
		return nil
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if v := m.filter.Value(); v != before {
		m.list.applyFilter(v, m.list.current())
		m.list.clamp(m.listHeight())
	}
	return cmd
}

func (m *Model) keyConfirm(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Yes):
		a := *m.confirm
		m.confirm = nil
		if m.op != nil {
			// Something started meanwhile (an armed re-activation): never
			// abort it to run this one.
			m.notice = "Another request is still running; nothing was sent. Try again when it is done."
			return nil
		}
		return m.startDeactivation(a)
	case key.Matches(msg, m.keys.No):
		m.notice = m.confirm.Name + " stays active; nothing was sent."
		m.confirm = nil
	}
	return nil
}

func (m *Model) keyConfirmCancel(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.YesCancel):
		p := *m.confirmCancel
		m.confirmCancel = nil
		return m.cancelRequestCmd(p)
	case key.Matches(msg, m.keys.No):
		if isScheduled(*m.confirmCancel) {
			m.notice = "The scheduled activation of " + m.confirmCancel.Label() + " stays; nothing was sent."
		} else {
			m.notice = "The request for " + m.confirmCancel.Label() + " stays pending; nothing was sent."
		}
		m.confirmCancel = nil
	}
	return nil
}

func (m *Model) keyForm(msg tea.KeyPressMsg) tea.Cmd {
	action, cmd := m.form.update(msg, m.keys)
	switch action {
	case formBack:
		m.form = nil
		m.screen = screenMain
		m.notice = "Nothing was sent."
		return nil
	case formSubmit:
		in, ok := m.form.input(m.now)
		if !ok {
			return nil
		}
		plan, err := m.svc.Plan(m.form.targets, in)
		if err != nil {
			m.form.err = err
			return nil
		}
		if m.form.rearm {
			return m.arm(plan.Requests)
		}
		if m.op != nil {
			m.notice = "Another request is in flight; submit again when it is done (p shows it)."
			return nil
		}
		if a := m.form.renew; a != nil {
			m.lastSent[a.Key()] = plan.Requests[0]
			return m.startRenew(*a, in)
		}
		return m.startActivation(plan.Requests)
	}
	if m.form != nil {
		m.form.err = nil // the input changed: the core's refusal no longer applies
	}
	return cmd
}

func (m *Model) keyProgress(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Close):
		m.screen = screenMain
		if m.op != nil {
			m.notice = stillRunning
		}
	case key.Matches(msg, k.Quit):
		return m.finishQuit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.CopyCode, k.CopyURL) && m.timeline != nil && m.timeline.deviceCode() != nil:
		dc := m.timeline.deviceCode()
		if key.Matches(msg, k.CopyCode) {
			return tea.Batch(tea.SetClipboard(dc.UserCode), m.setStatus("Code copied"))
		}
		return tea.Batch(tea.SetClipboard(dc.VerificationURL), m.setStatus("URL copied"))
	}
	return nil
}

func (m *Model) keySignIn(msg tea.KeyPressMsg) tea.Cmd {
	k, s := m.keys, &m.signin
	if s.busy {
		switch {
		case key.Matches(msg, k.CancelSignIn):
			if m.op != nil {
				m.endOp(m.op.id)
			}
			s.busy, s.code, s.browserURL = false, nil, ""
		case key.Matches(msg, k.CopyCode) && s.code != nil:
			return tea.Batch(tea.SetClipboard(s.code.UserCode), m.setStatus("Code copied"))
		case key.Matches(msg, k.CopyURL) && s.code != nil:
			return tea.Batch(tea.SetClipboard(s.code.VerificationURL), m.setStatus("URL copied"))
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Browser), key.Matches(msg, k.DeviceCode):
		s.deviceCode = key.Matches(msg, k.DeviceCode)
		s.busy, s.err = true, nil
		return m.signInCmd(s.deviceCode)
	}
	return nil
}
