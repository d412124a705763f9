package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

var fieldLabels = [fieldCount]string{"Justification", "Duration", "Ticket number", "Ticket system", "Start"}

// view renders the form into at most height lines. start is when the
// activation would begin: now, or when the elevation it follows ends.
func (f *form) view(st *Styles, width, height int, start, now time.Time) string {
	var b []string
	title := "Activate " + f.targets[0].Label()
	if len(f.targets) > 1 {
		title = fmt.Sprintf("Activate %d roles and groups together", len(f.targets))
	}
	switch {
	case f.renew != nil:
		title = "Renew " + f.targets[0].Label() + " now"
	case f.rearm:
		title = "Re-activate " + f.targets[0].Label() + " when it ends"
	}
	b = append(b, st.Form.Title.Render(title))
	shown := len(f.targets)
	if len(f.targets) > 3 {
		shown = 2
	}
	for _, t := range f.targets[:shown] {
		b = append(b, st.Form.Hint.Render("  "+t.Label()+" · "+t.Policy.Describe()))
	}
	if shown < len(f.targets) {
		b = append(b, st.Form.Hint.Render(fmt.Sprintf("  and %d more", len(f.targets)-shown)))
	}
	b = append(b, "")

	for i, n := range f.fields {
		b = append(b, f.fieldView(st, n, i == f.focus, start, now)...)
	}
	if f.err != nil {
		b = append(b, "", st.Form.Error.Render("✗ "+show.Text(f.err.Error())))
	}
	if notes := f.notes(now); len(notes) > 0 {
		b = append(b, "")
		for _, n := range notes {
			for _, l := range wrapWords(n, width) {
				b = append(b, st.Form.Hint.Render(l))
			}
		}
	}
	// Keep the fields whole on short screens: drop the policy lines first.
	for len(b) > height && len(b) > 2 && b[1] != "" {
		b = append(b[:1], b[2:]...)
	}
	return strings.Join(b, "\n")
}

func (f *form) fieldView(st *Styles, n fieldName, focused bool, start, now time.Time) []string {
	label := fieldLabels[n]
	switch n {
	case fieldJustification:
		if f.needJust {
			label += " · required"
		} else {
			label += " · optional"
		}
	case fieldDuration:
		if f.max > 0 {
			label += " · max " + pim.HumanDuration(f.max)
		}
		label += "  " + f.presetsView(st)
	case fieldTicketNumber, fieldTicketSystem:
		label += " · required"
	case fieldStart:
		label += " · now or later, your time"
	}
	ls := st.Form.Label
	marker := "  "
	if focused {
		ls, marker = st.Form.FocusedLabel, "▌ "
	}
	lines := []string{ls.Render(marker) + ls.Render(label), "  " + f.inputs[n].View()}

	errText := f.fieldError(n, now)
	switch {
	case errText != "":
		lines = append(lines, "  "+st.Form.Error.Render("✗ "+errText))
	case n == fieldDuration:
		d, _ := f.duration()
		from := ""
		switch {
		case start.After(now) && f.rearm:
			from = " from " + show.Clock(start, now) + " (when it ends)"
		case start.After(now):
			from = " from " + show.Clock(start, now)
		}
		lines = append(lines, "  "+st.Form.OK.Render(fmt.Sprintf("✓ %s%s, until about %s", pim.HumanDuration(d), from, show.Clock(start.Add(d), now))))
	case n == fieldStart && start.After(now):
		lines = append(lines, "  "+st.Form.OK.Render("✓ starts "+show.DateTime(start)+"; PIM accepts it now and it starts then"))
	case n == fieldJustification && focused && len(f.recent) > 0:
		lines = append(lines, "  "+st.Form.Hint.Render("ctrl+r reuses: "+quoteList(f.recent, 3)))
	}
	return lines
}

func (f *form) presetsView(st *Styles) string {
	cur, _ := duration.ParseActivation(f.inputs[fieldDuration].Value())
	parts := make([]string, len(f.presets))
	for i, p := range f.presets {
		s := st.Form.Preset
		if p == cur {
			s = st.Form.PresetOn
		}
		parts[i] = s.Render(pim.HumanDuration(p))
	}
	return strings.Join(parts, "")
}

// notes say in words what will happen beyond the form, at now.
func (f *form) notes(now time.Time) []string {
	var mfa, approval, ctx bool
	var approvers []string
	for _, t := range f.targets {
		mfa = mfa || t.Policy.MFA
		ctx = ctx || t.Policy.AuthContext != ""
		if t.Policy.Approval {
			approval = true
			approvers = append(approvers, t.Policy.Approvers...)
		}
	}
	var out []string
	if f.renew != nil {
		out = append(out, "Renew: "+pim.GapNote+".")
	}
	if f.why != "" {
		out = append(out, f.why)
	}
	if mfa || ctx {
		out = append(out, "Step-up: a fresh sign-in may open your browser or show a device code.")
	}
	if approval {
		s := "Approval: nothing is active until an approver says yes"
		if len(approvers) > 0 {
			s += " (" + strings.Join(dedupe(approvers), ", ") + ")"
		}
		out = append(out, s+".")
		if at, err := f.start(now); err == nil && at.Sub(now) > pim.ApprovalWindow {
			out = append(out, "Approvers have 24 hours from the request: a start more than 24 hours ahead may expire before anyone approves it.")
		}
	}
	return out
}

func quoteList(items []string, n int) string {
	if len(items) > n {
		items = items[:n]
	}
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "“" + s + "”"
	}
	return strings.Join(q, " · ")
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
