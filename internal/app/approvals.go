package app

import (
	"context"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// The approver's side: the inbox and the decisions. PIM owns who may
// decide what; the core reads the inbox, sends each decision once and
// says what PIM recorded (pim/approve.go).

// Approvals reads the requests waiting for the admin's decision, every
// kind, with their approval stages. Without an observer it never prompts
// (a needed sign-in is an error); with one, obs hears about the sign-in.
func (a *App) Approvals(ctx context.Context, obs Observer) (*pim.Snapshot, error) {
	return a.approvals(ctx, obs, true)
}

// ApprovalsWithoutStages is Approvals for callers that show no stage
// (approve and deny read their target's stage themselves, JSON has none):
// it spares the stage reads.
func (a *App) ApprovalsWithoutStages(ctx context.Context, obs Observer) (*pim.Snapshot, error) {
	return a.approvals(ctx, obs, false)
}

func (a *App) approvals(ctx context.Context, obs Observer, withStages bool) (*pim.Snapshot, error) {
	if err := a.RequireAccount(); err != nil {
		return nil, err
	}
	done := a.track()
	defer done()
	if obs == nil {
		ctx = auth.WithNoPrompt(ctx)
	} else {
		ctx, _ = withObserver(ctx, obs)
	}
	snap, err := a.pim.Approvals(ctx, withStages)
	if err != nil {
		a.signedOut(err)
		return nil, err
	}
	a.remember(nil, false)
	a.updateLast(func(s *pim.Snapshot) { s.Approvals = snap.Approvals })
	return snap, nil
}

// FindApproval reads the request (or approval) id the admin approves,
// whatever its status, when it is not in the inbox: what a decision on
// it would meet. ok is false when the admin approves no such request.
func (a *App) FindApproval(ctx context.Context, id string, obs Observer) (pim.Approval, bool, error) {
	if err := a.RequireAccount(); err != nil {
		return pim.Approval{}, false, err
	}
	done := a.track()
	defer done()
	ctx, _ = withObserver(ctx, obs)
	return a.pim.FindApproval(ctx, id)
}

// Decide approves or denies one request with the approver's justification,
// and journals it. The outcome says whether PIM recorded it.
func (a *App) Decide(ctx context.Context, ap pim.Approval, d pim.Decision, justification string, obs Observer) pim.DecisionOutcome {
	done := a.track()
	defer done()
	ctx, _ = withObserver(ctx, obs)
	out := a.pim.Decide(ctx, ap, d, justification)
	a.remember(nil, false)
	if out.Recorded {
		a.updateLast(func(s *pim.Snapshot) {
			kept := s.Approvals[:0:0]
			for _, x := range s.Approvals {
				if x.RequestID != ap.RequestID {
					kept = append(kept, x)
				}
			}
			s.Approvals = kept
		})
	}
	return out
}

// Closed says in one line why a (from FindApproval) waits for no decision
// of the admin's: decided, expired, withdrawn, or not theirs.
func (a *App) Closed(ctx context.Context, ap pim.Approval) string { return a.pim.Closed(ctx, ap) }
