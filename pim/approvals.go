package pim

import (
	"context"
	"sort"
	"sync"
)

// Approvals reads the approver's inbox, every kind at once: the requests
// that wait for the admin's decision, oldest first (closest to expiring),
// and with withStages the stages of each (one more round trip, at once).
// The snapshot carries only the inbox, the Azure line and warnings.
func (s *Service) Approvals(ctx context.Context, withStages bool) (*Snapshot, error) {
	snap, err := s.load(ctx, loadPlan{approvals: true})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(snap.Approvals, func(i, j int) bool { return snap.Approvals[i].Created.Before(snap.Approvals[j].Created) })
	// The requesters' names and the stages are read at once: one more
	// round trip, not two. Each goroutine has its own results until both
	// are done.
	var ids []string
	for _, a := range snap.Approvals {
		if a.Kind == KindAzureRole && a.RequesterID != "" {
			ids = append(ids, a.RequesterID)
		}
	}
	names := make(chan map[string][2]string, 1)
	go func() { names <- s.lookUpUsers(ctx, ids) }()
	if withStages {
		snap.Warnings = append(snap.Warnings, s.readStages(ctx, snap.Approvals)...)
	}
	found := <-names
	for i, a := range snap.Approvals {
		if u, ok := found[a.RequesterID]; ok && a.Kind == KindAzureRole && u[1] != "" {
			snap.Approvals[i].Requester, snap.Approvals[i].RequesterUPN = u[0], u[1]
		}
	}
	return snap, nil
}

// lookUpUsers names users by id as Graph does (display name, UPN): for
// Azure requesters, whom ARM's expandedProperties give a display name and
// an e-mail address, not the UPN (AF §1.5). A lookup that fails (no
// permission to read users) leaves ARM's words; nil when none was read.
func (s *Service) lookUpUsers(ctx context.Context, ids []string) map[string][2]string {
	reqs, err := s.userLookups(ctx, ids, map[string]bool{})
	if err != nil || len(reqs) == 0 {
		return nil
	}
	res, _, err := s.runBatch(ctx, reqs)
	if err != nil {
		s.debugf("requesters: %s", describe(err))
		return nil
	}
	users := map[string][2]string{}
	for _, r := range reqs {
		s.readUser(res, r.key, users)
	}
	if len(users) == 0 {
		return nil
	}
	return users
}

// FindApproval reads the one request the admin approves whose request or
// approval id is id, whatever its status (decided, expired, withdrawn),
// with its stages: what a decision on a request no longer in the inbox
// tells the admin. ok is false when there is none.
func (s *Service) FindApproval(ctx context.Context, id string) (Approval, bool, error) {
	snap, err := s.load(ctx, loadPlan{approvals: true, approvalID: id})
	if err != nil {
		return Approval{}, false, err
	}
	for _, a := range snap.Approvals {
		if a.Matches(id) {
			if st, err := s.approver(a.Kind).stages(ctx, a); err == nil {
				a.Stages = st
			}
			return a, true, nil
		}
	}
	return Approval{}, false, nil
}

// readStages fills in the stages of each approval, at most eight reads at
// once. A stage that cannot be read is a warning: the decision reads it
// again and says why.
func (s *Service) readStages(ctx context.Context, list []Approval) []string {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		warnings []string
		sem      = make(chan struct{}, maxPolicyReads)
	)
	for i := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			st, err := s.approver(list[i].Kind).stages(ctx, list[i])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				warnings = append(warnings, "the approval stages of "+list[i].Label()+" could not be read: "+describe(err))
				return
			}
			list[i].Stages = st
		}()
	}
	wg.Wait()
	return warnings
}
