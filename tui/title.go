package tui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The window title is pimento's while it runs and the admin's again after.
//
// Bubble Tea 2.1.1 sets View.WindowTitle on its first frame and, when it
// stops, writes an empty title: the terminal's own is lost. So the model
// owns the title, through Bubble Tea's output (tea.Raw): it pushes the
// current title on xterm's title stack (CSI 22;2t) before setting its own,
// and on the way out clears it and pops the stack (CSI 23;2t). A terminal
// with a title stack gets the admin's title back; one without is left
// with an empty title, as before.
const appTitle = "pimento"

var (
	titleEnter = ansi.WindowOp(22, 2) + ansi.SetWindowTitle(appTitle)
	titleLeave = ansi.SetWindowTitle("") + ansi.WindowOp(23, 2)
)

// titlePushedMsg says the push is in Bubble Tea's output: from then on,
// leaving must pop it.
type titlePushedMsg struct{}

// setTitleCmd pushes the terminal's title and sets pimento's.
func setTitleCmd() tea.Cmd {
	return tea.Sequence(tea.Raw(titleEnter), func() tea.Msg { return titlePushedMsg{} })
}

// restoreTitle is what quitting writes before it ends the program; empty
// when the title was never pushed or was restored already.
func (m *Model) restoreTitle() tea.Cmd {
	if !m.titlePushed || m.titleRestored {
		return nil
	}
	m.titleRestored = true
	return tea.Raw(titleLeave)
}
