package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pimento-cli/pimento/internal/show"
)

const (
	// wideWidth is the breakpoint above which the header takes one line and
	// requirement badges are spelled out.
	wideWidth = 100
	// tallHeight is the breakpoint above which the detail pane grows.
	tallHeight = 36
)

// View renders the whole screen in the alternate screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true // the title is set by title.go, not WindowTitle
	return v
}

func (m *Model) render() string {
	w, h := m.width, m.height
	top := append(m.headerLines(), m.bannerLines()...)
	bottom := append(m.messageLines(), m.help.ShortHelpView(m.bindings().ShortHelp()))
	bh := max(0, h-len(top)-len(bottom))
	var body string
	switch {
	case m.showHelp:
		body = m.helpView()
	case m.screen == screenSignIn:
		body = m.signinView(w)
	case m.screen == screenForm && m.form != nil:
		body = m.form.view(m.styles, w, bh, m.formStart(), m.now)
	case m.screen == screenProgress:
		body = m.progressView(w, bh)
	case m.screen == screenApprovals:
		body = m.inboxView(w, bh)
	case m.screen == screenDecide && m.decision != nil:
		body = m.decisionView(w, bh)
	default:
		body = m.mainView(w, bh)
	}
	lines := append(top, fit(body, bh)...)
	lines = append(lines, bottom...)
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "…")
	}
	return strings.Join(lines, "\n")
}

// fit cuts or pads s to exactly h lines.
func fit(s string, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

func (m *Model) headerLines() []string {
	st, id := m.styles, m.ident
	title := st.App.Title.Render("pimento")
	acct := st.App.HeaderWarn.Render("not signed in")
	if id.SignedIn() {
		acct = st.App.HeaderValue.Render(show.Text(id.Account.Username))
		if id.Account.Name != "" && m.width >= wideWidth {
			acct += st.App.HeaderKey.Render(" (" + show.Text(id.Account.Name) + ")")
		}
	}
	kv := func(k, v string) string {
		if v == "" {
			v = "—"
		}
		return st.App.HeaderKey.Render(k+" ") + st.App.HeaderValue.Render(v)
	}
	sep := st.App.HeaderKey.Render(" · ")
	where := kv("tenant", show.Text(id.Tenant)) + sep + kv("cloud", id.Cloud) + sep + kv("profile", id.Profile)
	state := ""
	if m.loading {
		state = st.App.HeaderKey.Render("  ⟳ loading")
	}
	lines := []string{title + "  " + acct + sep + where + state}
	if m.width < wideWidth {
		lines = []string{title + "  " + acct + state, where}
	}
	return append(lines, m.inboxAnnouncement()...)
}

// inboxAnnouncement is the header's line about requests that wait for the
// admin's decision, on every screen but the approver's own.
func (m *Model) inboxAnnouncement() []string {
	n := len(m.inbox.list)
	if n == 0 || m.screen == screenApprovals || m.screen == screenDecide {
		return nil
	}
	var who []string
	for _, a := range m.inbox.list {
		if name := requesterName(a); !slices.Contains(who, name) {
			who = append(who, name)
		}
	}
	from := strings.Join(who, ", ")
	if len(who) > 2 {
		from = strings.Join(who[:2], ", ") + " and others"
	}
	st := m.styles
	return []string{st.App.HeaderWarn.Render(inboxTitle(n)) + st.App.HeaderKey.Render(" · from "+from+" · tab shows them")}
}

func (m *Model) bannerLines() []string {
	var out []string
	w := m.width
	if m.ident.Simulated {
		out = append(out, m.styles.App.SimBanner.Width(w).Render(" SIMULATION: a demo tenant; nothing here touches Entra"))
	}
	if m.snap != nil && m.snap.AzureMissing != "" {
		// One line, whatever the width: the detail is in `pimento roles`.
		out = append(out, m.styles.List.Muted.Render(ansi.Truncate(" "+oneLine(show.Text(m.snap.AzureMissing)), w, "…")))
	}
	if exp := m.expiring(); len(exp) > 0 {
		a := exp[0]
		name := a.Name
		if w >= wideWidth {
			name = a.Label()
		}
		s := fmt.Sprintf(" ⚠ %s ends in %s (%s)", name, countdown(a.Remaining(m.now)), show.Clock(a.End, m.now))
		if len(exp) > 1 {
			s += fmt.Sprintf(" and %d more", len(exp)-1)
		}
		// r's hint only when r acts on this role: one rule, reactivateTarget.
		_, armed := m.armed[a.Key()]
		r, _ := m.reactivateTarget()
		mine := r != nil && r.key == a.Key()
		switch {
		case armed:
			s += " · re-activates when it ends"
		case mine && m.svc.CanRenew(a) == nil:
			s += " · r renews it"
		case mine && w >= wideWidth:
			s += " · r re-activates it once it ends"
		case mine:
			s += " · r re-activates it"
		}
		out = append(out, m.styles.App.ExpiryBanner.Width(w).Render(ansi.Truncate(s, w, "…")))
	}
	return out
}

// messageLines is the message wrapped into one or two lines.
func (m *Model) messageLines() []string {
	text, style := m.message()
	if text == "" {
		return []string{""}
	}
	lines := wrapWords(text, m.width)
	if len(lines) > 2 {
		lines = lines[:2]
	}
	for i := range lines {
		lines[i] = style.Render(lines[i])
	}
	return lines
}

// message is the one place for errors, confirmations, refusals and
// statuses, in that order of precedence.
func (m *Model) message() (string, lipgloss.Style) {
	st := m.styles
	switch {
	case m.finishing:
		return "Finishing… waiting for PIM's answer before quitting (ctrl+c stops waiting)", st.App.Notice
	case m.confirm != nil:
		return "Deactivate " + m.confirm.Label() + " now? y yes · n no", st.Confirm
	case m.confirmCancel != nil:
		return "Cancel " + cancelWhat(*m.confirmCancel) + "? y yes · n no", st.Confirm
	case m.err != nil:
		return "✗ " + oneLine(show.Text(m.err.Error())) + " (esc dismisses)", st.App.Error
	case m.tooShort != nil:
		return tooShortText(m.tooShort.DeactivatableAt(), m.now), st.App.Notice
	}
	// A warning rides along with the notice or status it came with.
	var parts []string
	switch {
	case m.notice != "":
		parts = append(parts, show.Text(m.notice))
	case m.status != "":
		parts = append(parts, "✓ "+show.Text(m.status))
	}
	if len(m.warnings) > 0 {
		parts = append(parts, "⚠ "+strings.Join(m.warnings, " · "))
	}
	if m.notice == "" && len(m.warnings) == 0 {
		return strings.Join(parts, ""), st.App.Status
	}
	return strings.Join(parts, " · "), st.App.Notice
}

// wrapWords wraps plain text at spaces only (never inside an account name
// or URL); a word longer than w is left for the frame to truncate.
func wrapWords(s string, w int) []string {
	w = max(1, w)
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		ww := ansi.StringWidth(word)
		if n > 0 && n+1+ww > w {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += ww
	}
	return append(lines, cur.String())
}

// wrapItems joins items with " · ", breaking lines between items where it
// can; an item longer than w is wrapped at spaces.
func wrapItems(items []string, w int) []string {
	var lines []string
	cur := ""
	for _, it := range items {
		switch {
		case cur == "":
			cur = it
		case ansi.StringWidth(cur+" · "+it) <= w:
			cur += " · " + it
		default:
			lines = append(lines, cur)
			cur = it
		}
	}
	var out []string
	for _, l := range append(lines, cur) {
		out = append(out, wrapWords(l, w)...)
	}
	return out
}

func (m *Model) helpView() string {
	st := m.styles
	hm := m.help
	hm.ShowAll = true
	c := m.columns(m.width)
	legend := []string{"", st.Detail.Title.Render("Requirement badges (NEEDS)")}
	items := badgeLegend(c)
	if c.kinds {
		items = append(items, "az = an Azure resource role (SCOPE: mg, sub, rg or a resource)")
	}
	for _, l := range wrapItems(items, m.width) {
		legend = append(legend, st.Detail.Hint.Render(l))
	}
	legend = append(legend,
		"",
		st.Detail.Title.Render("After deactivation"),
		st.Detail.Hint.Render("pimento's token drops the role at once; other apps keep it until their tokens"),
		st.Detail.Hint.Render("expire (typically 60–90 min, up to ~28 h with continuous access evaluation)."),
	)
	if c.kinds {
		legend = append(legend, st.Detail.Hint.Render("Azure roles are in no token: Azure may honour one for up to 10 minutes (its cache)."))
	}
	return st.Detail.Title.Render("Keys") + "\n" + hm.FullHelpView(m.bindings().FullHelp()) + "\n" + strings.Join(legend, "\n")
}

// listHeight is how many rows of the list fit on the main screen, below
// its column header.
func (m *Model) listHeight() int { return m.rowsHeight(1) }

// rowsHeight is how many rows fit between the frame (header, banners,
// message, help), heading lines of the screen's own and the detail pane.
func (m *Model) rowsHeight(heading int) int {
	top := len(m.headerLines()) + len(m.bannerLines())
	bottom := len(m.messageLines()) + 1
	return max(1, m.height-top-bottom-heading-m.detailHeight())
}

func (m *Model) detailHeight() int {
	if m.height >= tallHeight {
		return 8
	}
	return 5
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// countdown renders time left with seconds: 45s, 3m12s, 1h02m05s.
func countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second) // floor: never promise time that is not there
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
}
