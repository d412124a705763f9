package pim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
)

// Renew: PIM cannot extend a running self-activation (selfExtend is for
// admin-granted assignments, AF §5.1), so pimento deactivates and
// activates again, with the same justification and ticket and a fresh
// duration. Between the two the admin has no access for a few seconds.
// It is offered only where nothing can strand the admin: not within PIM's
// 5 minutes after activation (ActiveDurationTooShort), and not on a role
// whose policy needs approval (the new request would wait for an approver
// while the old activation is gone, AF §5.1, §10).

// GapNote says the truth about a renewal, before it runs.
const GapNote = "it is deactivated and activated again, and for a few seconds between the two you do not have it"

// RenewRefusedError says why an activation cannot be renewed now.
type RenewRefusedError struct {
	Name   string
	Reason string
	// PossibleAt is when renewing becomes possible (the 5-minute rule);
	// zero when it never does for this activation.
	PossibleAt time.Time
}

func (e *RenewRefusedError) Error() string { return "cannot renew " + e.Name + ": " + e.Reason }

// RenewRefusal says why a cannot be renewed at now (the server's time),
// or nil when it can.
func RenewRefusal(a Active, now time.Time) error {
	refuse := func(reason string) error { return &RenewRefusedError{Name: a.Label(), Reason: reason} }
	switch {
	case a.Assigned || a.End.IsZero():
		return refuse("it is a permanent assignment, not a PIM activation")
	case !now.Before(a.End):
		return refuse("it has ended; activate it again")
	case a.Policy.MaxDuration == 0:
		return refuse("its activation policy could not be read, so pimento cannot tell whether the new activation would need approval; reload and try again")
	case a.Policy.Approval:
		return refuse("its policy requires approval: the new request would wait for an approver while you have no access; request a new activation after it ends")
	case !a.Start.IsZero() && now.Before(a.DeactivatableAt()):
		return &RenewRefusedError{
			Name: a.Label(), PossibleAt: a.DeactivatableAt(),
			Reason: "it was activated less than 5 minutes ago and PIM refuses deactivation until " + show.ClockSeconds(a.DeactivatableAt(), now),
		}
	}
	return nil
}

// RenewOutcome is what became of a renewal: one deactivation, then one
// activation (sent a second time only after RoleAssignmentExists).
type RenewOutcome struct {
	Target       Eligibility
	Deactivation DeactivateOutcome
	Activation   Outcome
	// Activated: the new activation was sent (once, or twice when Retried).
	Activated bool
	Retried   bool
	// Err is nil only when the role is active again (effective, or
	// accepted and not yet verified: Activation says which).
	Err error
}

// Renew deactivates a and activates it again with req (its justification,
// ticket and duration); req.Target and req.Start are taken from a and now.
func (s *Service) Renew(ctx context.Context, a Active, req ActivateRequest, progress func(Event)) RenewOutcome {
	if progress == nil {
		progress = func(Event) {}
	}
	emit := func(st Stage, detail string) {
		progress(Event{Key: a.Key(), Name: a.Label(), Stage: st, Detail: detail, At: s.now()})
	}
	out := RenewOutcome{Target: a.Eligibility}
	req.Target, req.Start = a.Eligibility, time.Time{}
	if err := RenewRefusal(a, s.now()); err != nil {
		out.Err = err
		emit(StageFailed, err.Error())
		return out
	}
	if err := Validate(req); err != nil {
		out.Err = err
		emit(StageFailed, err.Error())
		return out
	}
	out.Deactivation = s.DeactivateWith(ctx, a, DeactivateOptions{}, progress)
	if err := out.Deactivation.Err; err != nil {
		out.Err = fmt.Errorf("not renewed, %s is still active: %w", a.Label(), err)
		return out
	}
	s.waitGone(ctx, a)
	out.Activated = true
	o := s.Activate(ctx, []ActivateRequest{req}, ActivateOptions{Wait: true}, progress)[0]
	var already *AlreadyError
	if errors.As(o.Err, &already) && !already.Pending && ctx.Err() == nil {
		// PIM still removes the old assignment (ARM takes a minute or
		// two, AF §5.2): the refusal was not processed, so one more,
		// new, request after a bounded wait is no blind resend.
		emit(StageSubmitted, "PIM still holds the old assignment (RoleAssignmentExists): sending the activation once more in "+duration.Human(s.poll.Renew))
		select {
		case <-ctx.Done():
		case <-time.After(s.poll.Renew):
			out.Retried = true
			o = s.Activate(ctx, []ActivateRequest{req}, ActivateOptions{Wait: true}, progress)[0]
		}
	}
	out.Activation = o
	switch {
	case errors.As(o.Err, &already) && !already.Pending:
		out.Err = fmt.Errorf("%s was deactivated, but PIM still holds the old assignment and refused the new activation (RoleAssignmentExists): it is not active now; activate it again in a minute with `pimento activate`", a.Label())
	case ctx.Err() != nil && o.Err == nil && !o.Effective:
		out.Err = &InterruptedError{Name: a.Label(), Accepted: IsAccepted(o.Status), Status: o.Status}
	case o.Err != nil && accepted(o):
		// PIM took the new activation; only the wait for it failed (not
		// listed in time, the check refused, an interrupt): it is on its
		// way, not seen.
		out.Err = fmt.Errorf("%s was deactivated and activated again (PIM answered %s), but pimento has not seen it active yet: %w", a.Label(), acceptedStatus(o), o.Err)
	case errors.Is(o.Err, errNotConfirmed):
		out.Err = fmt.Errorf("%s was deactivated, and whether PIM took the new activation is not known: %w", a.Label(), o.Err)
	case o.Err != nil:
		out.Err = fmt.Errorf("%s was deactivated, but the new activation failed, so it is not active now: %w", a.Label(), o.Err)
	case IsPending(o.Status):
		out.Err = fmt.Errorf("%s was deactivated and the new activation waits for approval: it is not active until an approver agrees", a.Label())
	}
	return out
}

// accepted reports whether PIM accepted o's activation, whatever became
// of the wait for it afterwards.
func accepted(o Outcome) bool {
	var ie *InterruptedError
	return IsAccepted(o.Status) || errors.As(o.Err, &ie) && ie.Accepted
}

// acceptedStatus is the status PIM accepted o's activation with.
func acceptedStatus(o Outcome) string {
	var ie *InterruptedError
	if o.Status == "" && errors.As(o.Err, &ie) {
		return ie.Status
	}
	return o.Status
}

// waitGone polls, bounded, until a's old instance is no longer listed, so
// the new activation does not meet it (AF §5.1: "poll until the old
// instance is gone").
func (s *Service) waitGone(ctx context.Context, a Active) {
	deadline := time.Now().Add(min(s.poll.Timeout, 30*time.Second))
	interval := s.poll.Initial
	for time.Now().Before(deadline) && ctx.Err() == nil {
		active, err := s.kind(a.Kind).listActive(ctx)
		if err == nil {
			if _, still := active[a.Key()]; !still {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
		interval = min(interval*2, s.poll.Max)
	}
}
