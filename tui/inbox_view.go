package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// inboxTitle is the view's name with its count, as the header announces it.
func inboxTitle(n int) string { return fmt.Sprintf("To approve (%d)", n) }

// inboxHeight is how many requests fit on the approver's view, below its
// title and column header.
func (m *Model) inboxHeight() int { return m.rowsHeight(2) }

// inboxColumns are REQUESTER, REQUEST (role and scope), ASKS FOR and LEFT;
// LEFT gives way first on a narrow screen.
func inboxColumns(w int) (requester, request, asks, left int) {
	requester, asks, left = 18, 16, 8
	if w < 70 {
		asks, left = 10, 0
	}
	rest := w - prefixWidth - requester - asks - 3
	if left > 0 {
		rest -= left + 1
	}
	if rest < 16 {
		requester = max(8, requester-(16-rest))
		rest = 16
	}
	return requester, rest, asks, left
}

func (m *Model) inboxView(w, h int) string {
	st := m.styles
	in := &m.inbox
	title := inboxTitle(len(in.list))
	if in.loading {
		title += st.List.Muted.Render("  ⟳ reading the approvals")
	}
	b := []string{st.Form.Title.Render(title)}
	rq, req, asks, left := inboxColumns(w)
	head := strings.Repeat(" ", prefixWidth) + pad("REQUESTER", rq) + " " + pad("REQUEST", req) + " " + pad("ASKS FOR", asks)
	if left > 0 {
		head += " " + pad("LEFT", left)
	}
	b = append(b, st.List.Header.Render(strings.TrimRight(head, " ")))
	lh := max(1, h-2-m.detailHeight())
	if len(in.list) == 0 {
		msg := "  Nothing waits for your approval."
		if in.loading {
			msg = "  Reading the requests that wait for you…"
		}
		b = append(b, st.List.Empty.Render(msg))
	}
	view := *in
	view.clamp(lh) // a copy: View never moves the real cursor
	for i := view.offset; i < len(in.list) && i < view.offset+lh; i++ {
		b = append(b, m.inboxRow(in.list[i], i == view.cursor, rq, req, asks, left, w))
	}
	for len(b) < lh+2 {
		b = append(b, "")
	}
	b = append(b, m.approvalDetail(w)...)
	return strings.Join(b, "\n")
}

func (m *Model) inboxRow(a pim.Approval, isCursor bool, rq, req, asks, left, w int) string {
	st := m.styles
	who := requesterName(a)
	what := a.Label()
	if a.Kind == pim.KindAzureRole {
		what = "az " + what
	}
	state := a.Requested(m.now)
	if m.inbox.deciding[a.RequestID] {
		state = "deciding…"
	}
	p := m.rowPaint(isCursor)
	line := p.prefix(st, " ") + p.gap() + p.cell(st.List.Name, show.Text(who), rq) + p.gap() +
		p.cell(st.List.Name, show.Text(what), req) + p.gap() + p.cell(st.List.Scope, state, asks)
	if left > 0 {
		line += p.gap() + p.cell(m.leftStyle(a), windowLeft(a, m.now), left)
	}
	return p.fill(line, w)
}

// windowLeft is what is left of the 24-hour window, floored.
func windowLeft(a pim.Approval, now time.Time) string {
	left := a.Expires().Sub(now)
	if left <= 0 {
		return "expired"
	}
	return duration.Human(left.Truncate(time.Minute))
}

// leftStyle warns when less than an hour of the window is left.
func (m *Model) leftStyle(a pim.Approval) lipgloss.Style {
	if a.Expires().Sub(m.now) < time.Hour {
		return m.styles.List.Expiring
	}
	return m.styles.List.Muted
}

// approvalDetail spells the request under the cursor out: who, what,
// why, the ticket, the window and the stage.
func (m *Model) approvalDetail(w int) []string {
	st := m.styles
	n := m.detailHeight() - 1
	var b []string
	a := m.inbox.current()
	if a == nil {
		b = append(b, st.Detail.Hint.Render("Requests from other admins that name you as approver appear here."))
	} else {
		kind := map[pim.Kind]string{pim.KindDirectoryRole: "directory role", pim.KindGroup: "group access", pim.KindAzureRole: "Azure role"}[a.Kind]
		b = append(b, st.Detail.Title.Render(show.Text(a.Label()))+st.Detail.Label.Render(" · "+kind+" · from ")+st.Detail.Value.Render(show.Text(a.RequesterLabel())))
		label := func(k string) string { return st.Detail.Label.Render(pad(k, 8)) }
		why := show.Text(a.Justification)
		if a.TicketNumber != "" || a.TicketSystem != "" {
			why += st.Detail.Label.Render(" · ticket ") + show.Text(a.TicketNumber+" ("+a.TicketSystem+")")
		}
		b = append(b, label("Why")+st.Detail.Value.Render(why))
		asks := a.Requested(m.now)
		if !a.Start.After(m.now) {
			asks += ", from when it is approved"
		}
		stage := pim.StageWords(a.Stages)
		if stage == "" {
			stage = "stage not read yet"
		}
		b = append(b, label("Asks")+st.Detail.Value.Render(asks)+st.Detail.Label.Render(" · "+show.Text(stage)))
		window := fmt.Sprintf("%s · %s left of PIM's 24 hours (until %s)", duration.Human(m.now.Sub(a.Created).Truncate(time.Minute)), windowLeft(*a, m.now), show.Clock(a.Expires(), m.now))
		b = append(b, label("Waiting")+st.Detail.Value.Render(window))
	}
	if len(b) > n {
		b = b[:n]
	}
	for len(b) < n {
		b = append(b, "")
	}
	return append([]string{st.Detail.Rule.Render(strings.Repeat("─", max(0, w)))}, b...)
}

// decisionView is the justification field for one decision.
func (m *Model) decisionView(w, h int) string {
	f, st := m.decision, m.styles
	a := f.approval
	b := []string{st.Form.Title.Render(upperFirst(f.decision.Verb()) + " " + show.Text(a.Label()) + " for " + show.Text(requesterName(a)))}
	hint := func(s string) {
		for _, l := range wrapWords(s, max(10, w-2)) {
			b = append(b, st.Form.Hint.Render("  "+l))
		}
	}
	asks := a.Requested(m.now)
	if !a.Start.After(m.now) {
		asks += ", from when it is approved"
	}
	hint(show.Text(a.RequesterLabel()) + " asks for " + asks)
	hint("Why: " + show.Text(a.Justification))
	if a.TicketNumber != "" || a.TicketSystem != "" {
		hint("Ticket: " + show.Text(a.TicketNumber+" ("+a.TicketSystem+")"))
	}
	hint(windowLeft(a, m.now) + " left of PIM's 24 hours")
	b = append(b, "", st.Form.FocusedLabel.Render("▌ Your justification · required"), "  "+f.input.View())
	if f.tried && strings.TrimSpace(f.input.Value()) == "" {
		b = append(b, "  "+st.Form.Error.Render("✗ required: PIM records why you decided"))
	}
	b = append(b, "")
	hint("PIM records your decision under your name and tells the requester and the other approvers. It is sent once.")
	for len(b) > h && len(b) > 1 {
		b = b[:len(b)-1]
	}
	return strings.Join(b, "\n")
}
