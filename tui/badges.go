package tui

import (
	"strings"

	"github.com/pimento-cli/pimento/pim"
)

// requirementBadges is the one definition of the NEEDS column: the letter
// shown where space is short, the word shown where it is not, and what
// either means, for the help. The list and the help both read it.
var requirementBadges = []struct {
	req          pim.Requirement
	letter, word string
	meaning      string
}{
	{pim.RequireJustification, "J", "justify", "justification required"},
	{pim.RequireTicket, "T", "ticket", "ticket number required"},
	{pim.RequireMFA, "M", "MFA", "multi-factor sign-in"},
	{pim.RequireApproval, "A", "approval", "an approver says yes"},
	{pim.RequireAuthContext, "C", "context", "sign-in context (step-up)"},
}

// badges are a policy's requirements, as letters or short words.
func badges(p pim.Policy, words bool) string {
	var out []string
	for _, r := range p.Requirements() {
		for _, b := range requirementBadges {
			if b.req != r {
				continue
			}
			if words {
				out = append(out, b.word)
			} else {
				out = append(out, b.letter)
			}
		}
	}
	return strings.Join(out, " ")
}

// badgeLegend explains the badges as the list shows them in columns c, one
// item per badge, or says where the policy is when NEEDS gave way.
func badgeLegend(c columns) []string {
	if c.needs == 0 {
		return []string{"NEEDS is hidden at this width: the pane below the list spells out the policy of the row under the cursor."}
	}
	parts := make([]string, len(requirementBadges))
	for i, b := range requirementBadges {
		shown := b.letter
		if c.words {
			shown = b.word
		}
		parts[i] = shown + " = " + b.meaning
	}
	return parts
}
