package pim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/auth"
)

// transient reports whether a failed poll is worth repeating: the network,
// a throttle or a server error. A refusal (403), a needed sign-in or a
// pinned-account conflict will not fix itself by waiting.
func transient(err error) bool {
	var sr *auth.SignInRequiredError
	var am *auth.AccountMismatchError
	if errors.As(err, &sr) || errors.As(err, &am) {
		return false
	}
	if g, ok := asGraphError(err); ok {
		return g.Status == 0 || g.Status == 408 || g.Status == 429 || g.Status >= 500
	}
	return true
}

// waitEffective polls, with an adaptive bounded interval, until every
// accepted target is listed, then forces a token refresh and looks for
// tenant-scope roles in its wids. Only what was seen is called effective.
// It stops at once on a permanent error, and tells an interrupt from its
// own timeout.
func (s *Service) waitEffective(parent context.Context, reqs []ActivateRequest, outs []Outcome, started []time.Time, emit emitter) {
	waiting := map[int]bool{}
	for i, o := range outs {
		if o.Err == nil && IsAccepted(o.Status) && !o.Scheduled {
			waiting[i] = true
		}
	}
	if len(waiting) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(parent, s.poll.Timeout)
	defer cancel()
	stop := func(i int, err error) {
		outs[i].Err = err
		emit(reqs[i].Target, StageFailed, err.Error())
		delete(waiting, i)
	}
	interrupted := func() {
		for i := range waiting {
			stop(i, &InterruptedError{Name: reqs[i].Target.Label(), Accepted: true, Status: outs[i].Status})
		}
	}

	interval := s.poll.Initial
	listedAt := map[int]time.Time{}
	for len(listedAt) < len(waiting) {
		kinds := map[Kind]bool{}
		for i := range waiting {
			if _, ok := listedAt[i]; !ok {
				kinds[reqs[i].Target.Kind] = true
			}
		}
		for kind := range kinds {
			active, err := s.kind(kind).listActive(ctx)
			switch {
			case parent.Err() != nil:
				interrupted()
				return
			case err != nil && !transient(err):
				s.debugf("poll %s: permanent error, stopping: %s", kind, describeAuth(err))
				for i := range waiting {
					if _, ok := listedAt[i]; !ok && reqs[i].Target.Kind == kind {
						stop(i, fmt.Errorf("PIM accepted the activation (%s), but pimento cannot check it: %s", outs[i].Status, describeAuth(err)))
					}
				}
				continue
			case err != nil:
				s.debugf("poll active %s: %s (retrying)", kind, describe(err))
				continue
			}
			for i := range waiting {
				if _, ok := listedAt[i]; ok || reqs[i].Target.Kind != kind {
					continue
				}
				if a, ok := active[reqs[i].Target.Key()]; ok {
					listedAt[i] = s.now()
					s.debugf("poll: %s listed after %s", reqs[i].Target.Key(), listedAt[i].Sub(started[i]).Round(time.Millisecond))
					if !a.End.IsZero() {
						outs[i].End = a.End
					}
					emit(reqs[i].Target, StageListed, "the active assignment is listed")
				}
			}
		}
		if len(listedAt) == len(waiting) {
			break
		}
		select {
		case <-ctx.Done():
			if parent.Err() != nil {
				interrupted()
				return
			}
			for i := range waiting {
				if _, ok := listedAt[i]; !ok {
					stop(i, fmt.Errorf("PIM accepted the activation (%s) but did not list it within %s: it may still be provisioning; check `pimento status`", outs[i].Status, s.poll.Timeout))
				}
			}
			if len(waiting) == 0 {
				return
			}
		case <-time.After(interval):
		}
		interval = min(time.Duration(float64(interval)*1.5), s.poll.Max)
	}

	needWID, propagating := map[int]bool{}, map[int]bool{}
	for i := range listedAt {
		e := reqs[i].Target
		if e.InTokenWIDs() {
			needWID[i] = true
			continue
		}
		ok, err := s.kind(e.Kind).effective(ctx, e)
		switch {
		case parent.Err() != nil:
			outs[i].Err = &InterruptedError{Name: e.Label(), Accepted: true, Status: outs[i].Status}
			emit(e, StageFailed, outs[i].Err.Error())
		case errors.Is(err, errListingIsProof):
			note := "scoped roles never appear in the token's wids: the listed assignment is the proof"
			if e.Kind == KindGroup {
				note = "group membership reaches other apps only in the tokens they get from now on"
			}
			s.proven(&outs[i], e, ProofListing, started[i], note, emit)
		case err != nil && (transient(err) || notYetApplied(err)):
			// A refusal at the scope is the role not applied there yet:
			// the propagation wait goes on, bounded.
			propagating[i] = true
		case err != nil:
			s.debugf("proof %s: permissions not readable: %s", e.Key(), describeAuth(err))
			s.proven(&outs[i], e, ProofListing, started[i], "the permissions at the scope could not be read ("+describeAuth(err)+"), so the listed active instance is the proof", emit)
		case ok:
			s.proven(&outs[i], e, ProofPermissions, started[i], "", emit)
		default:
			propagating[i] = true
		}
	}
	if len(needWID) > 0 {
		s.proveInToken(ctx, parent, reqs, outs, started, needWID, emit)
	}
	if len(propagating) > 0 {
		s.provePropagation(parent, reqs, outs, propagating, started, emit)
	}
}

func (s *Service) proven(o *Outcome, e Eligibility, proof Proof, started time.Time, note string, emit emitter) {
	o.Effective, o.Proof, o.EffectiveAfter = true, proof, s.now().Sub(started)
	s.debugf("proof %s: %s after %s %s", e.Key(), proof, o.EffectiveAfter.Round(time.Millisecond), note)
	detail := fmt.Sprintf("active after %.1fs", o.EffectiveAfter.Seconds())
	switch proof {
	case ProofToken:
		detail = fmt.Sprintf("verified in token after %.1fs", o.EffectiveAfter.Seconds())
	case ProofPermissions:
		detail = fmt.Sprintf("usable after %.1fs: the permissions at its scope show the role's actions", o.EffectiveAfter.Seconds())
	}
	if note != "" {
		detail += " (" + note + ")"
	}
	emit(e, StageVerified, detail)
}

// proveInToken forces refreshes until a fresh token carries each role's
// template id. wids can lag the listing briefly, so it refreshes a few
// times, bounded. A token pimento cannot read makes the listing the proof,
// and says so.
func (s *Service) proveInToken(ctx, parent context.Context, reqs []ActivateRequest, outs []Outcome, started []time.Time, need map[int]bool, emit emitter) {
	backoff := 500 * time.Millisecond
	for attempt := 0; attempt < 5 && len(need) > 0; attempt++ {
		tok, err := s.tokens.ForceRefresh(ctx)
		s.debugf("forced token refresh %d: err=%v decoded=%v", attempt+1, err != nil, tok.Facts.Decoded)
		if err != nil {
			for i := range need {
				if parent.Err() != nil {
					outs[i].Err = &InterruptedError{Name: reqs[i].Target.Label(), Accepted: true, Status: outs[i].Status}
				} else {
					outs[i].Err = fmt.Errorf("activated and listed, but the token refresh failed: %s", describeAuth(err))
				}
				emit(reqs[i].Target, StageFailed, outs[i].Err.Error())
			}
			return
		}
		for i := range need {
			emit(reqs[i].Target, StageRefreshed, "token refreshed")
			switch {
			case !tok.Facts.Decoded:
				s.proven(&outs[i], reqs[i].Target, ProofListing, started[i], "token proof unavailable: the access token could not be read, so the listed assignment is the proof", emit)
				delete(need, i)
			case tok.Facts.HasWID(reqs[i].Target.TemplateID):
				s.proven(&outs[i], reqs[i].Target, ProofToken, started[i], "", emit)
				delete(need, i)
			}
		}
		if len(need) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			attempt = 5
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	for i := range need {
		if parent.Err() != nil {
			outs[i].Err = &InterruptedError{Name: reqs[i].Target.Label(), Accepted: true, Status: outs[i].Status}
		} else {
			outs[i].Err = errors.New("activated and listed, but a fresh token does not carry the role yet: run `pimento status` again in a minute")
		}
		emit(reqs[i].Target, StageFailed, outs[i].Err.Error())
	}
}
