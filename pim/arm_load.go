package pim

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/pimento-cli/pimento/auth"
)

// azureLoad is what the Azure side of a load found. Azure never fails a
// load: without it, directory roles and groups still work, and missing
// says why Azure roles are not there.
type azureLoad struct {
	eligible  []Eligibility
	active    []Active
	pending   []Pending
	scheduled []Scheduled
	approvals []Approval
	missing   string
	warnings  []string
	trips     int // sequential round trips
}

// maxPolicyReads bounds the policy reads in flight at once.
const maxPolicyReads = 8

// loadAzure reads the admin's Azure roles: the three lists at once (one
// round trip, beside Graph's $batch), then the policies not in the cache
// (one more, also at once).
func (s *Service) loadAzure(ctx context.Context, plan loadPlan) azureLoad {
	if s.arm == nil {
		return azureLoad{missing: s.azureOff}
	}
	// The token first: a missing consent is said once, not three times. It
	// comes from MSAL's cache, or from the refresh token without a prompt.
	if _, err := s.armTokens.Token(ctx); err != nil {
		s.debugf("azure: no token for Azure Resource Manager: %s", describeAuth(err))
		return azureLoad{missing: azureMissing(err)}
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		elig  []*armauthorization.RoleEligibilityScheduleInstance
		act   []*armauthorization.RoleAssignmentScheduleInstance
		pend  []*armauthorization.RoleAssignmentScheduleRequest
		sched []*armauthorization.RoleAssignmentSchedule
		inbox []*armauthorization.RoleAssignmentScheduleRequest
		pages = map[string]int{}
		errs  []error
	)
	run := func(name string, list func() (int, error)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := list()
			mu.Lock()
			defer mu.Unlock()
			pages[name] = n
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	if plan.eligible {
		run("eligible", func() (int, error) {
			return s.arm.eachEligible(ctx, func(v *armauthorization.RoleEligibilityScheduleInstance) { elig = append(elig, v) })
		})
	}
	if plan.mine {
		run("active", func() (int, error) {
			return s.arm.eachActive(ctx, func(v *armauthorization.RoleAssignmentScheduleInstance) { act = append(act, v) })
		})
		run("pending", func() (int, error) {
			return s.arm.eachRequest(ctx, func(v *armauthorization.RoleAssignmentScheduleRequest) { pend = append(pend, v) })
		})
		run("scheduled", func() (int, error) {
			return s.arm.eachSchedule(ctx, func(v *armauthorization.RoleAssignmentSchedule) { sched = append(sched, v) })
		})
	}
	if plan.approvals {
		run("approvals", func() (int, error) {
			return s.arm.eachToApprove(ctx, func(v *armauthorization.RoleAssignmentScheduleRequest) { inbox = append(inbox, v) })
		})
	}
	wg.Wait()
	out := azureLoad{}
	for _, n := range pages {
		out.trips = max(out.trips, n)
	}
	if len(errs) > 0 {
		s.debugf("azure: listing failed: %s", describeAuth(errs[0]))
		return azureLoad{missing: azureMissing(errs[0]), trips: out.trips}
	}
	names := newAzureNames(s)
	for _, v := range elig {
		names.see(v.Properties.ExpandedProperties)
	}
	for _, v := range act {
		names.see(v.Properties.ExpandedProperties)
	}
	seen := map[string]bool{}
	for _, v := range elig {
		// The same role may come back once per path to it (AZ §1.5: MG
		// inheritance): one eligibility per role and scope.
		if e := names.eligibility(v); !seen[e.Key()] {
			seen[e.Key()] = true
			out.eligible = append(out.eligible, e)
		}
	}
	for _, v := range act {
		out.active = append(out.active, azureActive(v, names))
	}
	for _, v := range pend {
		if p, ok := azurePending(v, names); ok {
			out.pending = append(out.pending, p)
		}
	}
	now := s.now()
	for _, v := range sched {
		if x, ok := azureScheduled(v, names, now); ok {
			out.scheduled = append(out.scheduled, x)
		}
	}
	for _, v := range inbox {
		if a := azureApproval(v, names); plan.approvalID == "" || a.Matches(plan.approvalID) {
			out.approvals = append(out.approvals, a)
		}
	}
	if n := s.azurePolicies(ctx, out.eligible, &out.warnings); n > 0 {
		out.trips++
	}
	for i := range out.eligible {
		if p, ok := s.cachedPolicy(out.eligible[i]); ok {
			out.eligible[i].Policy = p
		}
	}
	return out
}

// azurePolicies reads the policies of eligibilities not in the cache, at
// once (bounded), and caches them. A policy that cannot be read is a
// warning, not a failure: PIM checks the request all the same. It returns
// how many it asked for.
func (s *Service) azurePolicies(ctx context.Context, elig []Eligibility, warnings *[]string) int {
	var todo []Eligibility
	for _, e := range elig {
		if _, ok := s.cachedPolicy(e); !ok {
			todo = append(todo, e)
		}
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		sem = make(chan struct{}, maxPolicyReads)
	)
	for _, e := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p, err := s.azurePolicy(ctx, e)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				s.debugf("azure: policy of %s: %s", e.Key(), describe(err))
				*warnings = append(*warnings, "the activation policy of "+e.Label()+" could not be read ("+describe(err)+"): PIM checks it when you activate")
				return
			}
			s.putPolicy(policyKey(e), p)
		}()
	}
	wg.Wait()
	return len(todo)
}

// azureMissing says in one short line (a terminal's width, where it can)
// why Azure roles are not listed, and what to do about it; the README's
// "Azure roles" section has the rest.
func azureMissing(err error) string {
	var ce *auth.ConsentError
	var sr *auth.SignInRequiredError
	switch {
	case errors.As(err, &ce) && ce.Code == "AADSTS65002":
		return "Azure roles are missing: AADSTS65002, this Microsoft app may not call Azure: use your own app with user_impersonation (README)"
	case errors.As(err, &ce):
		return "Azure roles are missing: AADSTS65001, no consent for Azure Service Management user_impersonation: an admin grants it"
	case errors.As(err, &sr):
		return "Azure roles are missing: Azure Resource Manager needs a new sign-in: run `" + sr.Command + "`"
	}
	return "Azure roles are missing: Azure Resource Manager could not be read (" + describeAuth(err) + "); reloading tries again"
}

// addAzure puts what the Azure side found after the directory roles and
// groups, by name and then scope, and says why it is missing if it is.
func (snap *Snapshot) addAzure(az azureLoad) {
	sort.SliceStable(az.eligible, func(i, j int) bool {
		a, b := az.eligible[i], az.eligible[j]
		if !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.Scope < b.Scope
	})
	byKey := map[string]Eligibility{}
	for _, e := range az.eligible {
		byKey[e.Key()] = e
	}
	for i, a := range az.active {
		if e, ok := byKey[a.Key()]; ok {
			az.active[i].Eligibility = e
		}
	}
	for i, p := range az.pending {
		if e, ok := byKey[p.Key()]; ok {
			az.pending[i].Eligibility = e
		}
	}
	for i, x := range az.scheduled {
		if e, ok := byKey[x.Key()]; ok {
			az.scheduled[i].Eligibility = e
		}
	}
	snap.Eligible = append(snap.Eligible, az.eligible...)
	snap.Active = append(snap.Active, az.active...)
	snap.Pending = append(snap.Pending, az.pending...)
	snap.Scheduled = append(snap.Scheduled, az.scheduled...)
	snap.Approvals = append(snap.Approvals, az.approvals...)
	snap.Warnings = append(snap.Warnings, az.warnings...)
	snap.AzureMissing = az.missing
}

// AzureReady gets a token for Azure Resource Manager (from the cache or
// the refresh token), so the next load has it, and says in one line why
// Azure roles will be missing if it cannot ("" when they will not be).
func (s *Service) AzureReady(ctx context.Context) string {
	if s.arm == nil {
		return s.azureOff
	}
	if _, err := s.armTokens.Token(ctx); err != nil {
		return azureMissing(err)
	}
	return ""
}
