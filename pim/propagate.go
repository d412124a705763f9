package pim

import (
	"context"
	"fmt"
	"time"
)

// propagatingEvery is how often the wait says it is still waiting.
const propagatingEvery = 5 * time.Second

// refreshEvery is how often the wait mints a new token for the kind's API:
// ARM re-reads the caller's role assignments for a new token (D10).
const refreshEvery = time.Minute

// provePropagation polls, bounded by the poll's Propagation, until each
// listed activation has taken effect where it applies (an Azure role: the
// permissions at its scope show its actions), saying "propagating" with
// the time waited so far. Only what was seen is called effective. ARM
// refusing the check at the scope (403 AuthorizationFailed: no role there
// yet) is still propagating; a check that fails otherwise makes the
// listing the proof, and says so.
func (s *Service) provePropagation(parent context.Context, reqs []ActivateRequest, outs []Outcome, waiting map[int]bool, started []time.Time, emit emitter) {
	ctx, cancel := context.WithTimeout(parent, s.poll.Propagation)
	defer cancel()
	begun := s.now()
	said, refreshed := time.Time{}, time.Time{}
	// refused holds the last check ARM refused (403 AuthorizationFailed),
	// while no later check answered.
	refused := map[int]error{}
	interval := s.poll.Initial
	for len(waiting) > 0 {
		now := s.now()
		if now.Sub(refreshed) >= refreshEvery {
			refreshed = now
			kinds := map[Kind]bool{}
			for i := range waiting {
				kinds[reqs[i].Target.Kind] = true
			}
			for k := range kinds {
				_, err := s.kind(k).tokens().ForceRefresh(ctx)
				s.debugf("propagation: token refresh for %s: err=%v", k, err != nil)
			}
		}
		if now.Sub(said) >= propagatingEvery {
			said = now
			for i := range waiting {
				emit(reqs[i].Target, StagePropagating, fmt.Sprintf("active, waiting for Azure to apply its permissions (%s so far; ARM caches role assignments for up to 10 minutes)", now.Sub(begun).Round(time.Second)))
			}
		}
		for i := range waiting {
			e := reqs[i].Target
			ok, err := s.kind(e.Kind).effective(ctx, e)
			switch {
			case parent.Err() != nil || ctx.Err() != nil:
				continue
			case err != nil && notYetApplied(err):
				// No role at the scope yet: still propagating.
				refused[i] = err
				s.debugf("propagation %s: %s (not applied yet, waiting)", e.Key(), describe(err))
			case err != nil && !transient(err):
				s.proven(&outs[i], e, ProofListing, started[i], "the permissions at the scope could not be read ("+describeAuth(err)+"), so the listed active instance is the proof", emit)
				delete(waiting, i)
			case err != nil:
				s.debugf("propagation %s: %s (retrying)", e.Key(), describe(err))
			case ok:
				s.proven(&outs[i], e, ProofPermissions, started[i], "", emit)
				delete(waiting, i)
			default:
				delete(refused, i)
			}
		}
		if len(waiting) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			for i := range waiting {
				e := reqs[i].Target
				switch {
				case parent.Err() != nil:
					outs[i].Err = &InterruptedError{Name: e.Label(), Accepted: true, Status: outs[i].Status}
				case refused[i] != nil:
					outs[i].Err = fmt.Errorf("PIM activated and lists %s, but ARM still refuses to show your permissions at %s after %s (HTTP 403 AuthorizationFailed): the role is not applied there yet, or grants no read there; run `pimento status` and try it in a few minutes", e.Label(), e.AzureScope, s.poll.Propagation)
				default:
					outs[i].Err = fmt.Errorf("PIM activated and lists %s, but Azure has not applied its permissions at %s after %s: ARM can take longer (management groups especially); run `pimento status` and try it in a few minutes", e.Label(), e.AzureScope, s.poll.Propagation)
				}
				emit(e, StageFailed, outs[i].Err.Error())
			}
			return
		case <-time.After(interval):
		}
		interval = min(time.Duration(float64(interval)*1.5), s.poll.Max)
	}
}
