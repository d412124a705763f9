package tui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// columns are the widths of the list's columns at a given width; a column
// of width 0 is dropped.
type columns struct {
	name, scope, max, needs, state int
	words                          bool // badges spelled out
	kinds                          bool // the kind marker ("az") before NAME
}

const (
	prefixWidth = 4 // cursor, space, mark, space
	kindWidth   = 3 // "az" and a space, when the list holds Azure roles
	stateWidth  = 16
	maxWidth    = 5
	nameWidth   = 22 // NAME keeps this much before it gives way
	scopeMin    = 6  // "member", "owner", "tenant"
)

// columns lays the list out for its rows: with the kind marker when they
// mix Azure roles in.
func (m *Model) columns(w int) columns { return layout(w, hasAzure(m.list.rows)) }

// layout lays the list out at width w. NAME has priority: NEEDS gives way
// first, then MAX (the detail pane spells the policy out), then SCOPE
// shrinks; only then does NAME go under nameWidth.
func layout(w int, kinds bool) columns {
	if kinds {
		w -= kindWidth
	}
	c := columns{max: maxWidth, needs: 9, state: stateWidth, kinds: kinds} // "J T M A C"
	if w >= wideWidth {
		c.needs, c.words = 26, true
	}
	giveWay := []func(){
		func() {},
		func() { c.needs, c.words = 0, false },
		func() { c.max = 0 },
	}
	rest := 0 // for NAME and SCOPE
	for _, drop := range giveWay {
		drop()
		rest = w - prefixWidth - c.state - 1
		for _, n := range []int{c.max, c.needs} {
			if n > 0 {
				rest -= n + 1
			}
		}
		// Azure scopes in words are long ("rg: rg-secrets (Contoso
		// Prod)"): with them, NAME and SCOPE share alike.
		share := rest * 3 / 5
		if kinds {
			share = rest / 2
		}
		if share >= nameWidth {
			c.name = share
			c.scope = rest - 1 - c.name
			return c
		}
	}
	c.scope = max(scopeMin, rest-1-nameWidth)
	c.name = max(1, rest-1-c.scope)
	return c
}

// widths are the columns in display order: NAME, SCOPE, MAX, NEEDS, STATUS.
func (c columns) widths() [5]int { return [5]int{c.name, c.scope, c.max, c.needs, c.state} }

func (m *Model) mainView(w, h int) string {
	st := m.styles
	var b []string
	if m.filtering || m.filter.Value() != "" {
		count := st.List.Muted.Render(fmt.Sprintf("  %d of %d", len(m.list.visible), len(m.list.rows)))
		b = append(b, m.filter.View()+count)
	} else {
		b = append(b, m.columnHeader(w))
	}
	lh := max(1, h-1-m.detailHeight())
	switch {
	case m.snap == nil && m.loading:
		b = append(b, st.List.Empty.Render("  Loading eligible roles and groups…"))
	case len(m.list.rows) == 0 && m.snap != nil:
		b = append(b, st.List.Empty.Render("  No eligible roles or groups for this account."))
	case len(m.list.visible) == 0 && m.snap != nil:
		b = append(b, st.List.Empty.Render("  Nothing matches “"+m.filter.Value()+"”: esc clears the filter."))
	}
	l := m.list
	l.clamp(lh) // a copy: View never moves the real cursor
	c := m.columns(w)
	for i := l.offset; i < len(l.visible) && i < l.offset+lh; i++ {
		b = append(b, m.rowView(&l.rows[l.visible[i]], i == l.cursor, c, w))
	}
	for len(b) < lh+1 {
		b = append(b, "")
	}
	b = append(b, m.detailView(w)...)
	return strings.Join(b, "\n")
}

func (m *Model) columnHeader(w int) string {
	c := m.columns(w)
	h := strings.Repeat(" ", prefixWidth)
	if c.kinds {
		h += strings.Repeat(" ", kindWidth)
	}
	for i, n := range c.widths() {
		if n > 0 {
			h += pad([5]string{"NAME", "SCOPE", "MAX", "NEEDS", "STATUS"}[i], n) + " "
		}
	}
	return m.styles.List.Header.Render(strings.TrimRight(h, " "))
}

// pad truncates or pads plain text to exactly n cells.
func pad(s string, n int) string {
	s = ansi.Truncate(s, n, "…")
	if d := n - ansi.StringWidth(s); d > 0 {
		s += strings.Repeat(" ", d)
	}
	return s
}

// rowPaint renders the cells of one row of a list (the roles, the
// approver's): the cursor's row on the selection's background, which each
// cell inherits so that no cell's own reset ends it.
type rowPaint struct {
	bg     lipgloss.Style
	cursor bool
}

func (m *Model) rowPaint(isCursor bool) rowPaint {
	p := rowPaint{bg: lipgloss.NewStyle(), cursor: isCursor}
	if isCursor {
		p.bg = m.styles.List.Selected
	}
	return p
}

// cell is text cut or padded to n cells in style s, on the row's background.
func (p rowPaint) cell(s lipgloss.Style, text string, n int) string {
	return s.Inherit(p.bg).Render(pad(text, n))
}

// gap is the space between two cells.
func (p rowPaint) gap() string { return p.bg.Render(" ") }

// prefix is the cursor and the selection mark: prefixWidth cells with the
// gap that follows.
func (p rowPaint) prefix(st *Styles, mark string) string {
	cur := " "
	if p.cursor {
		cur = "›"
	}
	return p.cell(st.List.Cursor, cur, 1) + p.gap() + p.cell(st.List.Mark, mark, 1)
}

// fill carries the cursor's background to the width w.
func (p rowPaint) fill(line string, w int) string {
	if rest := w - ansi.StringWidth(line); rest > 0 && p.cursor {
		line += p.bg.Render(strings.Repeat(" ", rest))
	}
	return line
}

func (m *Model) rowView(r *row, isCursor bool, c columns, w int) string {
	st := m.styles
	e := r.elig
	mark := " "
	if m.selected[r.key] {
		mark = "✓"
	}
	scope := scopeText(e, c.scope)
	maxd := "—"
	if e.Policy.MaxDuration > 0 {
		maxd = pim.HumanDuration(e.Policy.MaxDuration)
	}
	if !r.eligible {
		maxd = ""
	}
	state, stStyle := m.rowState(r)

	p := m.rowPaint(isCursor)
	texts := [5]string{e.Name, scope, maxd, badges(e.Policy, c.words), state}
	styles := [5]lipgloss.Style{st.List.Name, st.List.Scope, st.List.Max, st.List.Badge, stStyle}
	line := p.prefix(st, mark)
	if c.kinds {
		line += p.gap() + p.cell(st.List.Muted, kindMarker(e), kindWidth-1)
	}
	for i, n := range c.widths() {
		if n > 0 {
			line += p.gap() + p.cell(styles[i], texts[i], n)
		}
	}
	return p.fill(line, w)
}

// kindMarker marks Azure roles in a list that mixes them with directory
// roles and groups (a group's SCOPE already says "group").
func kindMarker(e pim.Eligibility) string {
	if e.Kind == pim.KindAzureRole {
		return "az"
	}
	return ""
}

// scopeText is the SCOPE cell: a group's access ("member", "owner") always
// shows, so two rows of one group never look alike.
func scopeText(e pim.Eligibility, width int) string {
	switch {
	case e.Kind == pim.KindGroup && ansi.StringWidth("group "+e.AccessID) <= width:
		return "group " + e.AccessID
	case e.Kind == pim.KindGroup:
		return e.AccessID
	case e.Scope == "":
		return "tenant"
	}
	return e.Scope
}

// rowState is the status column: live countdown, pending, in flight.
func (m *Model) rowState(r *row) (string, lipgloss.Style) {
	st := m.styles
	switch {
	case m.cancelling[r.key]:
		return "cancelling…", st.List.Busy
	case m.inFlight(r.key) && m.op.kind == opDeactivate:
		return "deactivating…", st.List.Busy
	case m.inFlight(r.key) && m.op.kind == opRenew:
		return "renewing…", st.List.Busy
	case m.inFlight(r.key):
		return "activating…", st.List.Busy
	case r.active != nil && (r.active.Assigned || r.active.End.IsZero()):
		return "assigned", st.List.Active
	case r.active != nil:
		rem := r.active.Remaining(m.now)
		if rem <= 0 {
			return "ended", st.List.Dim
		}
		s := "active " + countdown(rem)
		if _, armed := m.armed[r.key]; armed {
			s += " ↻"
		}
		if m.opts.ExpiryWarning > 0 && rem <= m.opts.ExpiryWarning {
			return s, st.List.Expiring
		}
		return s, st.List.Active
	case r.pending != nil:
		return "pending approval", st.List.Pending
	case r.scheduled != nil:
		return "scheduled " + show.Clock(r.scheduled.Start, m.now), st.List.Pending
	}
	return "", st.List.Dim
}

// detailView previews the current row: policy in words, status, selection.
func (m *Model) detailView(w int) []string {
	st := m.styles
	n := m.detailHeight() - 1
	var b []string
	r := m.list.currentRow()
	if r == nil {
		b = append(b, st.Detail.Hint.Render("Nothing selected."))
	} else {
		e := r.elig
		kind := "directory role"
		switch e.Kind {
		case pim.KindGroup:
			kind = "group " + e.AccessID + " access"
		case pim.KindAzureRole:
			kind = "Azure role"
		}
		b = append(b, st.Detail.Title.Render(e.Label())+st.Detail.Label.Render(" · "+kind))
		label := func(k string) string { return st.Detail.Label.Render(pad(k, 8)) }
		if e.Kind == pim.KindAzureRole && m.height >= tallHeight {
			b = append(b, label("Scope")+st.Detail.Value.Render(show.Text(e.AzureScope)))
		}
		if r.eligible {
			for i, l := range wrapWords(e.Policy.Describe(), max(20, w-8)) {
				k := ""
				if i == 0 {
					k = "Policy"
				}
				b = append(b, label(k)+st.Detail.Value.Render(strings.TrimSpace(l)))
			}
		}
		b = append(b, label("Status")+st.Detail.Value.Render(m.statusWords(r)))
		if m.height >= tallHeight {
			b = append(b, label("Proof")+st.Detail.Hint.Render(proofWords(e)))
		}
	}
	if k := len(m.selected); k > 0 {
		b = append(b, st.List.Mark.Render(fmt.Sprintf("%d selected", k))+st.Detail.Hint.Render(": enter activates them together · esc clears"))
	}
	if len(b) > n {
		b = b[:n]
	}
	for len(b) < n {
		b = append(b, "")
	}
	return append([]string{st.Detail.Rule.Render(strings.Repeat("─", max(0, w)))}, b...)
}

func (m *Model) statusWords(r *row) string {
	switch {
	case m.cancelling[r.key]:
		return "cancelling the request; the list reloads when PIM answers"
	case m.inFlight(r.key):
		return "a request is in flight: p shows its progress"
	case r.active != nil && (r.active.Assigned || r.active.End.IsZero()):
		return "permanently assigned (not a PIM activation)"
	case r.active != nil:
		a := r.active
		rem := a.Remaining(m.now)
		if rem <= 0 {
			return "ended at " + show.Clock(a.End, m.now) + "; reloading"
		}
		s := fmt.Sprintf("active since %s, ends %s (%s left)", show.Clock(a.Start, m.now), show.Clock(a.End, m.now), countdown(rem))
		if m.now.Before(a.DeactivatableAt()) {
			s += " · d possible at " + show.ClockSeconds(a.DeactivatableAt(), m.now)
		}
		return s
	case r.pending != nil:
		return "pending approval since " + show.Clock(r.pending.Created, m.now) + ", not active yet · d cancels the request"
	case r.scheduled != nil:
		return "scheduled: starts " + show.Clock(r.scheduled.Start, m.now) + ", until " + show.Clock(r.scheduled.End, m.now) + "; nothing is active before then · d cancels it"
	}
	return "eligible: enter activates, space selects several"
}

func proofWords(e pim.Eligibility) string {
	switch {
	case e.InTokenWIDs():
		return "checked in a fresh token (the role's id appears in wids)"
	case e.Kind == pim.KindAzureRole:
		return "checked in Azure's permissions at the scope (Azure applies a role within minutes)"
	case e.Kind == pim.KindGroup:
		return "checked by listing the active membership (groups are not in wids)"
	}
	return "checked by listing the active role (scoped roles are not in wids)"
}
