package pim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/show"
)

// OtherAppsNote is the truth about tokens issued before a deactivation.
const OtherAppsNote = "other apps keep the role until their own tokens expire: typically within 60–90 minutes, up to about 28 hours for apps that use continuous access evaluation. Deactivation does not revoke tokens already issued."

// Deactivate ends an activation early. Inside PIM's 5-minute minimum (by
// the server's clock) it says when deactivation becomes possible instead
// of sending a request that must fail. Afterwards it refreshes pimento's
// own token.
func (s *Service) Deactivate(ctx context.Context, a Active, progress func(Event)) DeactivateOutcome {
	return s.DeactivateWith(ctx, a, DeactivateOptions{RefreshToken: true}, progress)
}

// DeactivateOptions tunes DeactivateWith.
type DeactivateOptions struct {
	// RefreshToken mints pimento's token anew afterwards, so it no longer
	// carries the role (one more round trip; --no-wait skips it).
	RefreshToken bool
	// ClockUnconfirmed: the server's time is an earlier process's estimate
	// (nothing was asked yet), so PIM, not pimento, applies the 5-minute
	// rule: a PC clock changed since must not refuse a valid request.
	ClockUnconfirmed bool
}

// DeactivateWith is Deactivate with options.
func (s *Service) DeactivateWith(ctx context.Context, a Active, opt DeactivateOptions, progress func(Event)) DeactivateOutcome {
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
	now := s.now()
	if a.Assigned {
		return fail(fmt.Errorf("%s is a permanent assignment, not a PIM activation: only an administrator can remove it", a.Label()))
	}
	if !a.Start.IsZero() && now.Before(a.DeactivatableAt()) && !opt.ClockUnconfirmed {
		s.debugf("deactivate %s: not sent, PIM's 5-minute rule (server time %s, possible at %s)", a.Key(), now.Format(time.RFC3339), a.DeactivatableAt().Format(time.RFC3339))
		return fail(&TooShortError{Name: a.Label(), PossibleAt: a.DeactivatableAt(), Now: now})
	}
	principal, err := s.principalID(ctx)
	if err != nil {
		return fail(err)
	}
	tokens := s.kind(a.Kind).tokens()
	prev, hadPrev := tokens.LastToken()
	sent := Sent{Target: a.Eligibility, Action: ActionDeactivate, Name: s.kind(a.Kind).newName(), After: a.Start}
	emit(StageSubmitted, "deactivation sent to PIM")
	rec, err := s.post(ctx, sent, principal)
	if err != nil && (uncertain(err) || ctx.Err() != nil) {
		emit(StageSubmitted, "the answer was lost ("+describe(err)+"); checking what PIM did")
		found, ok, rerr := s.reconcile(ctx, sent)
		switch {
		case rerr != nil:
			return fail(fmt.Errorf("the deactivation answer was lost (%s) and %w", describe(err), rerr))
		case ok:
			rec, err = found, nil
		default:
			gone, lerr := s.gone(ctx, a)
			if lerr != nil {
				return fail(fmt.Errorf("the deactivation answer was lost (%s), PIM has no record of it, and the active roles could not be read (%s): %w", describe(err), describe(lerr), errNotConfirmed))
			}
			if gone {
				rec, err = requestRecord{Status: "Revoked"}, nil
				break
			}
			return fail(fmt.Errorf("the deactivation answer was lost (%s) and PIM has no record of it: %s is still active", describe(err), a.Label()))
		}
	}
	if err != nil {
		s.debugf("deactivate %s: refused: %s", a.Key(), describe(err))
		g, _ := asGraphError(err)
		switch {
		case g != nil && g.Code == codeTooShort:
			at := a.DeactivatableAt()
			if a.Start.IsZero() {
				at = s.now().Add(MinActiveDuration)
			}
			return fail(&TooShortError{Name: a.Label(), PossibleAt: at, Now: s.now(), FromService: true})
		case g != nil && g.Code == codeDoesNotExist && !a.Start.IsZero() && s.now().Sub(a.Start) < provisioningGrace:
			// Just activated: ARM does not show the assignment yet (AZ
			// §2.3). That is "still provisioning", never "not active".
			return fail(&TooShortError{Name: a.Label(), PossibleAt: a.DeactivatableAt(), Now: s.now(), FromService: true, Provisioning: true})
		case g != nil && g.Code == codeDoesNotExist:
			return fail(fmt.Errorf("%s is not active (it may have expired or been deactivated elsewhere)", a.Label()))
		default:
			return fail(wrapf(err, "%s", a.Label()))
		}
	}
	out.Status = rec.Status
	emit(StageDeactivated, "PIM answered "+rec.Status)
	if jerr := s.journal.event(a.Eligibility, "deactivate", rec.ID, rec.Status, s.now()); jerr != nil {
		out.Warnings = append(out.Warnings, jerr.Error())
	}
	if hadPrev && a.InTokens() {
		out.PreviousTokenExpiry = prev.Facts.ExpiresAt
	}
	if !opt.RefreshToken {
		return out
	}
	if _, err := tokens.ForceRefresh(ctx); err != nil {
		emit(StageFailed, "deactivated, but pimento's token could not be refreshed: "+describeAuth(err))
	} else {
		out.Refreshed = true
		emit(StageRefreshed, "pimento's own token refreshed without the role")
	}
	return out
}

// gone reports whether a's instance is no longer listed (after a lost
// deactivation answer, the listing is the truth).
func (s *Service) gone(ctx context.Context, a Active) (bool, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
	defer cancel()
	active, err := s.kind(a.Kind).listActive(rctx)
	if err != nil {
		return false, err
	}
	_, still := active[a.Key()]
	return !still, nil
}

func describeAuth(err error) string {
	var sr *auth.SignInRequiredError
	if errors.As(err, &sr) {
		return sr.Error()
	}
	return describe(err)
}

// Cancel withdraws a request that waits for approval (or a scheduled one).
func (s *Service) Cancel(ctx context.Context, p Pending) error {
	if err := s.kind(p.Kind).cancel(ctx, p); err != nil {
		return wrapf(err, "cancel the request for %s", p.Label())
	}
	_ = s.journal.event(p.Eligibility, "cancel", p.RequestID, "Canceled", s.now())
	return nil
}

// TokenValidUntil says when pimento's previous token would have expired,
// with the date when that is not today (by now).
func TokenValidUntil(t, now time.Time) string {
	return show.Clock(t, now)
}
