package tui

import (
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// Everything the tenant names (roles, groups, administrative units, apps,
// approvers) and everything typed earlier (journal justifications, config
// templates) is made safe where it enters the TUI: an escape sequence in a
// group's name is shown as text, never sent to the terminal, and a newline
// never splits a row. IDs are left alone: they are what PIM is sent.

func safeEligibility(e pim.Eligibility) pim.Eligibility {
	e.Name, e.Scope = show.Text(e.Name), show.Text(e.Scope)
	e.Policy.AuthContext = show.Text(e.Policy.AuthContext)
	if len(e.Policy.Approvers) > 0 {
		approvers := make([]string, len(e.Policy.Approvers))
		for i, a := range e.Policy.Approvers {
			approvers[i] = show.Text(a)
		}
		e.Policy.Approvers = approvers
	}
	return e
}

// safeSnapshot is a copy of s fit for the screen.
func safeSnapshot(s *pim.Snapshot) *pim.Snapshot {
	c := *s
	c.Eligible = make([]pim.Eligibility, len(s.Eligible))
	for i, e := range s.Eligible {
		c.Eligible[i] = safeEligibility(e)
	}
	c.Active = make([]pim.Active, len(s.Active))
	for i, a := range s.Active {
		a.Eligibility = safeEligibility(a.Eligibility)
		c.Active[i] = a
	}
	c.Pending = make([]pim.Pending, len(s.Pending))
	for i, p := range s.Pending {
		p.Eligibility = safeEligibility(p.Eligibility)
		c.Pending[i] = p
	}
	c.Scheduled = make([]pim.Scheduled, len(s.Scheduled))
	for i, x := range s.Scheduled {
		x.Eligibility = safeEligibility(x.Eligibility)
		c.Scheduled[i] = x
	}
	c.Approvals = make([]pim.Approval, len(s.Approvals))
	for i, a := range s.Approvals {
		c.Approvals[i] = safeApproval(a)
	}
	return &c
}

// safeApproval is a request to approve fit for the screen: what the
// requester typed is the tenant's text too.
func safeApproval(a pim.Approval) pim.Approval {
	a.Eligibility = safeEligibility(a.Eligibility)
	a.Requester, a.RequesterUPN = show.Text(a.Requester), show.Text(a.RequesterUPN)
	a.Justification = show.Text(a.Justification)
	a.TicketNumber, a.TicketSystem = show.Text(a.TicketNumber), show.Text(a.TicketSystem)
	stages := make([]pim.ApprovalStage, len(a.Stages))
	for i, st := range a.Stages {
		st.Name, st.Reviewer, st.Status, st.Justification = show.Text(st.Name), show.Text(st.Reviewer), show.Text(st.Status), show.Text(st.Justification)
		stages[i] = st
	}
	if a.Stages != nil {
		a.Stages = stages
	}
	return a
}

func safeEvent(ev pim.Event) pim.Event {
	ev.Name, ev.Detail = show.Text(ev.Name), show.Text(ev.Detail)
	return ev
}

// safeRenewInputs makes what the journal says of earlier activations fit
// for the form.
func safeRenewInputs(in map[string]app.PlanInput) map[string]app.PlanInput {
	out := make(map[string]app.PlanInput, len(in))
	for k, p := range in {
		p.Justification, p.TicketNumber, p.TicketSystem = show.Text(p.Justification), show.Text(p.TicketNumber), show.Text(p.TicketSystem)
		out[k] = p
	}
	return out
}

func safeList(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = show.Text(s)
	}
	return out
}
