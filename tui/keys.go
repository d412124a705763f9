package tui

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding of the TUI. The help overlay and footer are
// composed from the bindings that apply to the current state.
type KeyMap struct {
	// Global.
	Quit, ForceQuit, Help key.Binding

	// Main list.
	Up, Down, PageUp, PageDown, Top, Bottom   key.Binding
	Filter, ClearFilter, Select, Activate     key.Binding
	Deactivate, Reactivate, Refresh, Timeline key.Binding
	// CancelRequest takes Deactivate's place on a row whose request waits
	// for approval (or whose activation is scheduled).
	CancelRequest key.Binding
	// Renew takes Reactivate's place on a row whose activation may be
	// renewed now.
	Renew key.Binding
	// Inbox switches between the roles and the requests to approve.
	Inbox key.Binding

	// To approve.
	Approve, Deny key.Binding

	// Filtering: only arrows move, letters are typed.
	AcceptFilter, ArrowUp, ArrowDown key.Binding

	// Confirmation; YesCancel replaces Yes when cancelling a request.
	Yes, YesCancel, No key.Binding

	// Activation form.
	NextField, PrevField, PresetPrev, PresetNext, Recent, Submit, Back key.Binding

	// Sign-in.
	Browser, DeviceCode, CopyCode, CopyURL, CancelSignIn key.Binding

	// Progress.
	Close key.Binding
}

// DefaultKeyMap returns pimento's bindings.
func DefaultKeyMap() KeyMap {
	b := key.NewBinding
	k, h := key.WithKeys, key.WithHelp
	return KeyMap{
		Quit:      b(k("q"), h("q", "quit")),
		ForceQuit: b(k("ctrl+c"), h("ctrl+c", "quit")),
		Help:      b(k("?"), h("?", "help")),

		Up:            b(k("up", "k"), h("↑/k", "up")),
		Down:          b(k("down", "j"), h("↓/j", "down")),
		PageUp:        b(k("pgup", "ctrl+b"), h("pgup", "page up")),
		PageDown:      b(k("pgdown", "ctrl+f"), h("pgdn", "page down")),
		Top:           b(k("home", "g"), h("g", "top")),
		Bottom:        b(k("end", "G"), h("G", "bottom")),
		Filter:        b(k("/"), h("/", "filter")),
		ClearFilter:   b(k("esc"), h("esc", "clear filter")),
		Select:        b(k("space"), h("space", "select")),
		Activate:      b(k("enter", "a"), h("enter", "activate")),
		Deactivate:    b(k("d"), h("d", "deactivate")),
		CancelRequest: b(k("d"), h("d", "cancel request")),
		Reactivate:    b(k("r"), h("r", "re-activate")),
		Renew:         b(k("r"), h("r", "renew")),
		Inbox:         b(k("tab"), h("tab", "to approve")),
		Approve:       b(k("a"), h("a", "approve")),
		Deny:          b(k("x"), h("x", "deny")),
		Refresh:       b(k("ctrl+r"), h("ctrl+r", "refresh")),
		Timeline:      b(k("p"), h("p", "last progress")),

		AcceptFilter: b(k("enter"), h("enter", "done")),
		ArrowUp:      b(k("up"), h("↑", "up")),
		ArrowDown:    b(k("down"), h("↓", "down")),

		Yes:       b(k("y"), h("y", "yes, deactivate")),
		YesCancel: b(k("y"), h("y", "yes, cancel request")),
		No:        b(k("n", "esc"), h("n/esc", "keep it")),

		NextField:  b(k("tab", "down"), h("tab/↓", "next field")),
		PrevField:  b(k("shift+tab", "up"), h("shift+tab/↑", "previous field")),
		PresetPrev: b(k("left"), h("←", "shorter")),
		PresetNext: b(k("right"), h("→", "longer")),
		Recent:     b(k("ctrl+r"), h("ctrl+r", "reuse recent")),
		Submit:     b(k("enter"), h("enter", "submit")),
		Back:       b(k("esc"), h("esc", "back, send nothing")),

		Browser:      b(k("b"), h("b", "sign in with browser")),
		DeviceCode:   b(k("d"), h("d", "sign in with device code")),
		CopyCode:     b(k("c"), h("c", "copy code")),
		CopyURL:      b(k("u"), h("u", "copy URL")),
		CancelSignIn: b(k("esc"), h("esc", "cancel")),

		Close: b(k("esc", "enter"), h("esc", "back to list")),
	}
}

// helpKeys adapts a state's binding groups to help.KeyMap.
type helpKeys [][]key.Binding

func (h helpKeys) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, g := range h {
		out = append(out, g...)
	}
	return out
}

func (h helpKeys) FullHelp() [][]key.Binding { return h }

// bindings composes the help of the current state, first group first.
func (m *Model) bindings() helpKeys {
	k := m.keys
	switch {
	case m.finishing:
		stop := key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "stop waiting"))
		return helpKeys{{stop}}
	case m.screen == screenSignIn:
		if m.signin.busy {
			g := []key.Binding{k.CancelSignIn}
			if m.signin.code != nil {
				g = append(g, k.CopyCode, k.CopyURL)
			}
			return helpKeys{g, {k.ForceQuit}}
		}
		return helpKeys{{k.Browser, k.DeviceCode}, {k.Quit, k.Help}}
	case m.screen == screenForm:
		g := []key.Binding{k.Submit, k.Back, k.NextField, k.PrevField}
		if m.form.focusName() == fieldDuration {
			g = append(g, k.PresetPrev, k.PresetNext)
		}
		if m.form.focusName() == fieldJustification && len(m.recent) > 0 {
			g = append(g, k.Recent)
		}
		return helpKeys{g, {k.ForceQuit}}
	case m.screen == screenApprovals:
		back := key.NewBinding(key.WithKeys("tab", "esc"), key.WithHelp("tab/esc", "your roles"))
		return helpKeys{{k.Approve, k.Deny, back}, {k.Up, k.Down, k.Refresh, k.Help, k.Quit}}
	case m.screen == screenDecide:
		return helpKeys{{k.Submit, k.Back}, {k.ForceQuit}}
	case m.screen == screenProgress:
		g := []key.Binding{k.Close}
		if m.timeline != nil && m.timeline.deviceCode() != nil {
			g = append(g, k.CopyCode, k.CopyURL)
		}
		return helpKeys{g, {k.Quit, k.Help}}
	case m.confirm != nil:
		return helpKeys{{k.Yes, k.No}, {k.ForceQuit}}
	case m.confirmCancel != nil:
		return helpKeys{{k.YesCancel, k.No}, {k.ForceQuit}}
	case m.filtering:
		return helpKeys{{k.AcceptFilter, k.ClearFilter, k.ArrowUp, k.ArrowDown}, {k.ForceQuit}}
	}
	nav := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
	end := k.Deactivate
	if m.cancellable(m.list.currentRow()) {
		end = k.CancelRequest
	}
	again := k.Reactivate
	if r := m.list.currentRow(); r != nil && m.isActive(r) && r.active != nil && m.svc.CanRenew(*r.active) == nil {
		again = k.Renew
	}
	act := []key.Binding{k.Activate, k.Select, end, again}
	if len(m.inbox.list) > 0 {
		act = append(act, k.Inbox)
	}
	other := []key.Binding{k.Filter}
	if m.filter.Value() != "" {
		other = append(other, k.ClearFilter)
	}
	other = append(other, k.Refresh)
	if m.timeline != nil {
		other = append(other, k.Timeline)
	}
	other = append(other, k.Help, k.Quit)
	return helpKeys{act, other, nav}
}
