package app

import (
	"context"
	"strings"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/pim"
)

// Renew is the core's one answer to "give me more time": PIM cannot extend
// a running activation, so the core deactivates it and activates it again
// with the same justification and ticket and a fresh duration, where PIM
// lets that happen without stranding the admin (pim.RenewRefusal).

// CanRenew says why act cannot be renewed now (by the server's clock), or
// nil when it can.
func (a *App) CanRenew(act pim.Active) error { return pim.RenewRefusal(act, a.clock.Now()) }

// RenewInput is what a renewal of e sends unless told otherwise: the
// justification, ticket and duration of the last activation of e that PIM
// accepted, from the journal. ok is false when pimento has no record of
// one (it was activated in the portal, or on another PC).
func (a *App) RenewInput(e pim.Eligibility) (PlanInput, bool) {
	r, err := a.journal.Entries()
	if err != nil {
		return PlanInput{}, false
	}
	for i := len(r.Entries) - 1; i >= 0; i-- {
		en := r.Entries[i]
		if en.Action != "activate" || entryKey(en) != e.Key() {
			continue
		}
		if !pim.IsAccepted(en.Result) && !strings.HasPrefix(en.Result, "accepted") && !strings.HasPrefix(en.Result, "scheduled") {
			continue // a refused or unknown request says nothing about the running one
		}
		in := PlanInput{Justification: en.Justification, TicketNumber: en.TicketNumber, TicketSystem: en.TicketSystem}
		if d, err := duration.Parse(en.Duration); err == nil && d > 0 {
			in.Duration = duration.GoForm(d)
		}
		return in, true
	}
	return PlanInput{}, false
}

// Renew deactivates act and activates it again with in (justification,
// ticket, duration; a start is ignored: a renewal starts now), telling obs
// about sign-ins and progress. Both requests are journaled; the outcome
// says renewed only when the new activation is there.
func (a *App) Renew(ctx context.Context, act pim.Active, in PlanInput, obs Observer) pim.RenewOutcome {
	in.Start = ""
	plan, err := a.Plan([]pim.Eligibility{act.Eligibility}, in)
	if err != nil {
		return pim.RenewOutcome{Target: act.Eligibility, Err: err}
	}
	done := a.track()
	defer done()
	ctx, progress := withObserver(ctx, obs)
	out := a.pim.Renew(ctx, act, plan.Requests[0], progress)
	defer a.remember(nil, false) // after the cached list learned the outcome
	// Activated: the deactivation succeeded and the new request was sent.
	if out.Activated {
		a.forgetActive(act.Eligibility)
		a.updateCached(func(s *pim.Snapshot) { dropActive(s, act.Eligibility) })
		if o := out.Activation; o.Err == nil && pim.IsAccepted(o.Status) {
			a.noteActive(act.Eligibility, o.Sent.Start, o.End)
			a.updateCached(func(s *pim.Snapshot) { setActive(s, act.Eligibility, o.Sent.Start, o.End) })
		}
		if err := a.savePrompt(a.lastSnapshot()); err != nil {
			out.Activation.Warnings = append(out.Activation.Warnings, err.Error())
		}
	}
	return out
}
