package pim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// reconcileTimeout bounds the re-read after a lost answer or an interrupt.
const reconcileTimeout = 20 * time.Second

// errNotConfirmed means the re-read could not say what PIM did.
var errNotConfirmed = errors.New("could not confirm what PIM did: run `pimento status` before trying again")

// findSent looks for the request pimento sent, by what it sent: the
// target (narrowed by Graph's own $filter), the action and, for an
// activation, the start to the second and the justification. No clock is
// compared with another: a PC minutes off finds its request all the same.
// The newest match wins.
//
// requestsFor reads the admin's own requests for a target (filtered by
// Graph on the target, every page up to maxPages), handing each to each;
// errCapped when the cap was reached.
func (s *Service) findSent(ctx context.Context, sent Sent, requestsFor func(context.Context, Eligibility, func(requestRecord)) error) (requestRecord, bool, error) {
	var matches []requestRecord
	err := requestsFor(ctx, sent.Target, func(r requestRecord) {
		if r.Action != sent.Action || r.Target.Key() != sent.Target.Key() {
			return
		}
		switch sent.Action {
		case ActionActivate:
			if !r.Start.Truncate(time.Second).Equal(sent.Start.Truncate(time.Second)) || r.Justification != sent.Justification {
				return
			}
		case ActionDeactivate:
			// A deactivation has no start of its own: one created since
			// the activation started ended it.
			if !sent.After.IsZero() && r.Created.Before(sent.After) {
				return
			}
		}
		matches = append(matches, r)
	})
	if errors.Is(err, errCapped) && len(matches) == 0 {
		return requestRecord{}, false, errNotConfirmed
	}
	if err != nil && !errors.Is(err, errCapped) {
		return requestRecord{}, false, err
	}
	if len(matches) == 0 {
		return requestRecord{}, false, nil
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].Created.After(matches[j].Created) })
	return matches[0], true, nil
}

// reconcile re-reads PIM after an answer that may or may not have been
// processed (a dropped connection, a 5xx, an interrupt). It never resends.
// It runs on its own bounded context: an admin's Ctrl+C must not stop
// pimento from finding out what it already sent.
func (s *Service) reconcile(ctx context.Context, sent Sent) (requestRecord, bool, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
	defer cancel()
	r, found, err := s.kind(sent.Target.Kind).find(rctx, sent)
	if err != nil && !errors.Is(err, errNotConfirmed) {
		return r, false, fmt.Errorf("%w (%s)", errNotConfirmed, describe(err))
	}
	return r, found, err
}
