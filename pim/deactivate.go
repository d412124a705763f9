package pim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/auth"
)

// OtherAppsNote is the truth about tokens issued before a deactivation.
const OtherAppsNote = "other apps keep the role until their own tokens expire: typically within 60–90 minutes, up to about 28 hours for apps that use continuous access evaluation. Deactivation does not revoke tokens already issued."

// Deactivate ends an activation early. Inside PIM's 5-minute minimum it
// says when deactivation becomes possible instead of sending a request that
// must fail. Afterwards it refreshes pimento's own token.
func (s *Service) Deactivate(ctx context.Context, a Active, progress func(Event)) DeactivateOutcome {
	if progress == nil {
		progress = func(Event) {}
	}
	emit := func(st Stage, detail string) {
		progress(Event{Key: a.Key(), Name: a.Label(), Stage: st, Detail: detail, At: s.now()})
	}
	out := DeactivateOutcome{Target: a.Eligibility}
	fail := func(err error) DeactivateOutcome {
		out.Err = err
		emit(StageFailed, err.Error())
		return out
	}
	if a.Assigned {
		return fail(fmt.Errorf("%s is a permanent assignment, not a PIM activation: only an administrator can remove it", a.Label()))
	}
	if !a.Start.IsZero() && s.now().Before(a.DeactivatableAt()) {
		return fail(&TooShortError{Name: a.Label(), PossibleAt: a.DeactivatableAt()})
	}
	principal, err := s.principalID(ctx)
	if err != nil {
		return fail(err)
	}
	prev, hadPrev := s.tokens.LastToken()
	sent := s.now()
	emit(StageSubmitted, "deactivation sent to PIM")
	status, id, _, err := s.post(ctx, ActivateRequest{Target: a.Eligibility}, principal, nil, "selfDeactivate")
	if err != nil && (uncertain(err) || ctx.Err() != nil) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		st, rid, _, found, rerr := s.findRequest(rctx, a.Eligibility, "selfDeactivate", sent)
		cancel()
		switch {
		case rerr != nil:
			return fail(fmt.Errorf("the deactivation answer was lost and PIM could not be re-read (%s): run `pimento status`", describe(rerr)))
		case found:
			status, id, err = st, rid, nil
		default:
			return fail(fmt.Errorf("the deactivation answer was lost (%s) and PIM has no record of it: %s is still active", describe(err), a.Label()))
		}
	}
	if err != nil {
		g, _ := asGraphError(err)
		switch {
		case g != nil && g.Code == codeTooShort:
			at := a.DeactivatableAt()
			if a.Start.IsZero() {
				at = s.now().Add(MinActiveDuration)
			}
			return fail(&TooShortError{Name: a.Label(), PossibleAt: at, FromService: true})
		case g != nil && g.Code == codeDoesNotExist:
			return fail(fmt.Errorf("%s is not active (it may have expired or been deactivated elsewhere)", a.Label()))
		default:
			return fail(wrapf(err, "%s", a.Label()))
		}
	}
	out.Status = status
	now := s.now()
	emit(StageDeactivated, "PIM answered "+status)
	if jerr := s.journal.Append(Entry{
		Time: now, Account: s.account, Action: "deactivate", Role: a.Name, Kind: a.Kind, Scope: a.Scope,
		DirectoryScopeID: a.DirectoryScopeID, GroupID: a.GroupID, AccessID: a.AccessID, RequestID: id, Result: status, DeactivatedAt: &now,
	}); jerr != nil {
		s.debugf("journal: %v", jerr)
	}
	s.forgetActive(a.Eligibility)
	if hadPrev {
		out.PreviousTokenExpiry = prev.Facts.ExpiresAt
	}
	if _, err := s.tokens.ForceRefresh(ctx); err != nil {
		emit(StageFailed, "deactivated, but pimento's token could not be refreshed: "+describeAuth(err))
	} else {
		emit(StageRefreshed, "pimento's own token refreshed without the role")
	}
	return out
}

func describeAuth(err error) string {
	var sr *auth.SignInRequiredError
	if errors.As(err, &sr) {
		return sr.Error()
	}
	return err.Error()
}

// forgetActive drops an activation from the last snapshot and prompt state.
func (s *Service) forgetActive(e Eligibility) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return
	}
	var kept []Active
	for _, a := range s.last.Active {
		if a.Key() != e.Key() {
			kept = append(kept, a)
		}
	}
	s.last.Active = kept
	s.state.Save(s.last, s.now())
}

// Cancel withdraws a request that waits for approval.
func (s *Service) Cancel(ctx context.Context, p Pending) error {
	var err error
	if p.Kind == KindGroup {
		err = s.graph.IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(p.RequestID).Cancel().Post(ctx, nil)
	} else {
		err = s.graph.RoleManagement().Directory().RoleAssignmentScheduleRequests().ByUnifiedRoleAssignmentScheduleRequestId(p.RequestID).Cancel().Post(ctx, nil)
	}
	if err != nil {
		return wrapf(err, "cancel the request for %s", p.Label())
	}
	now := s.now()
	_ = s.journal.Append(Entry{Time: now, Account: s.account, Action: "cancel", Role: p.Name, Kind: p.Kind, Scope: p.Scope, RequestID: p.RequestID, Result: "Canceled"})
	return nil
}

// TokenValidUntil formats when pimento's previous token would have expired.
func TokenValidUntil(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Local().Format("15:04")
}
