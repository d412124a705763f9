package pim_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// The demo admin: 9 role eligibilities, 2 group accesses.
const demoEligible = 11

func TestLoadColdIsTwoRoundTripsWarmIsOne(t *testing.T) {
	e := newEnv(t)
	e.tn.ResetLog()
	snap := e.load()
	if snap.RoundTrips != 2 {
		t.Errorf("cold load: RoundTrips = %d, want 2 (lists, then policies and scope names)", snap.RoundTrips)
	}
	if n := len(e.requests("POST", batchPath)); n != 2 {
		t.Errorf("cold load sent %d $batch requests, want 2", n)
	}
	// Everything went through $batch: no stray single GETs.
	for _, r := range e.tn.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") && !r.InBatch && r.Path != batchPath {
			t.Errorf("unbatched request during load: %s %s", r.Method, r.Path)
		}
	}
	if snap.Me.ID != sim.DemoAdminUserID || snap.Me.UserPrincipalName != sim.DemoAdminUPN {
		t.Errorf("Me = %+v", snap.Me)
	}
	if len(snap.Eligible) != demoEligible {
		t.Fatalf("eligible = %d, want %d", len(snap.Eligible), demoEligible)
	}
	for _, el := range snap.Eligible {
		if el.Policy.MaxDuration == 0 {
			t.Errorf("%s: no policy loaded", el.Label())
		}
	}
	gr := activeByName(t, snap, "Global Reader")
	if gr.Assigned || gr.Remaining(e.tn.Now()) <= 19*time.Minute {
		t.Errorf("Global Reader active = %+v", gr)
	}
	ga := elig(t, snap, "Global Administrator")
	if ga.Policy.AuthContext != "c1" || ga.Policy.MaxDuration != time.Hour || !ga.Policy.Justification || !ga.Policy.MFA {
		t.Errorf("Global Administrator policy = %+v", ga.Policy)
	}
	pra := elig(t, snap, "Privileged Role Administrator")
	if !pra.Policy.Approval || len(pra.Policy.Approvers) != 1 || pra.Policy.Approvers[0] != "Megan Bowen" {
		t.Errorf("Privileged Role Administrator policy = %+v", pra.Policy)
	}
	owner := elig(t, snap, "SG-Tier0-Break-Glass-Ops", "owner")
	if !owner.Policy.Ticket || owner.Policy.MaxDuration != time.Hour {
		t.Errorf("group owner policy = %+v", owner.Policy)
	}

	// A second run over the same cache directory: one round trip.
	e.tn.ResetLog()
	warm, err := e.newService(e.cacheDir, fastPoll).Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if warm.RoundTrips != 1 {
		t.Errorf("warm load: RoundTrips = %d, want 1", warm.RoundTrips)
	}
	if n := len(e.requests("POST", batchPath)); n != 1 {
		t.Errorf("warm load sent %d $batch requests, want 1", n)
	}
	if e.tn.CountRequests("GET", "roleManagementPolicyAssignments") != 0 {
		t.Error("warm load fetched policies again")
	}
	if len(warm.Eligible) != demoEligible || !reflect.DeepEqual(elig(t, warm, "Global Administrator").Policy, ga.Policy) {
		t.Errorf("warm snapshot differs: %d eligible", len(warm.Eligible))
	}
	if elig(t, warm, "Helpdesk Administrator").Scope != "AU: Berlin Helpdesk" {
		t.Error("warm load lost the cached scope name")
	}
}

func TestLoadFollowsPages(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) { sc.PageSize = 2 }))
	e.tn.ResetLog()
	snap := e.load()
	if len(snap.Eligible) != demoEligible {
		t.Fatalf("eligible = %d, want all %d across pages", len(snap.Eligible), demoEligible)
	}
	seen := map[string]bool{}
	for _, el := range snap.Eligible {
		if seen[el.Key()] {
			t.Errorf("duplicate eligibility %s", el.Key())
		}
		seen[el.Key()] = true
		if el.Policy.MaxDuration == 0 {
			t.Errorf("%s: no policy", el.Label())
		}
	}
	if len(snap.Active) != 1 {
		t.Errorf("active = %d, want Global Reader only", len(snap.Active))
	}
	batches := len(e.requests("POST", batchPath))
	if snap.RoundTrips != batches {
		t.Errorf("RoundTrips = %d, but %d $batch requests were sent", snap.RoundTrips, batches)
	}
	// 9 role eligibilities in pages of 2: the first page and 4 more.
	pages := 0
	for _, r := range e.tn.Requests() {
		if r.InBatch && strings.Contains(r.Path, "roleEligibilityScheduleInstances") {
			pages++
			if strings.Contains(r.Query, "skiptoken") && !strings.Contains(r.Query, "expand") {
				t.Errorf("a later page lost the query: %s", r.Query)
			}
		}
	}
	if pages != 5 {
		t.Errorf("eligibility pages fetched = %d, want 5", pages)
	}
	// Policies ride along with the next page; the last page's policies
	// need one more trip.
	if snap.RoundTrips != 6 {
		t.Errorf("RoundTrips = %d, want 6 (five pages, then the last page's policies)", snap.RoundTrips)
	}
}

func TestLoadScopedEligibilities(t *testing.T) {
	e := newEnv(t)
	e.tn.ResetLog()
	snap := e.load()
	hd := elig(t, snap, "Helpdesk Administrator")
	if hd.DirectoryScopeID != "/administrativeUnits/"+sim.DemoAUID || hd.Scope != "AU: Berlin Helpdesk" {
		t.Errorf("Helpdesk Administrator scope = %q (%s)", hd.Scope, hd.DirectoryScopeID)
	}
	if hd.Label() != "Helpdesk Administrator (AU: Berlin Helpdesk)" {
		t.Errorf("label = %q", hd.Label())
	}
	app := elig(t, snap, "Application Administrator")
	if app.DirectoryScopeID != "/"+sim.DemoAppObjectID || app.Scope != "app: Payroll Connector" {
		t.Errorf("Application Administrator scope = %q (%s)", app.Scope, app.DirectoryScopeID)
	}
	if hd.InTokenWIDs() || app.InTokenWIDs() || !elig(t, snap, "Global Reader").InTokenWIDs() {
		t.Error("only tenant-scope roles show in wids")
	}
	// The AU-scoped role's policy is looked up at scope "/" (policies are
	// per role), and found.
	if hd.Policy.MaxDuration != 8*time.Hour || !hd.Policy.Justification {
		t.Errorf("Helpdesk Administrator policy = %+v", hd.Policy)
	}
	found := false
	for _, r := range e.tn.Requests() {
		if !strings.HasSuffix(r.Path, "/policies/roleManagementPolicyAssignments") {
			continue
		}
		q, _ := url.ParseQuery(r.Query)
		f := q.Get("$filter")
		if strings.Contains(f, "scopeType eq 'DirectoryRole'") && !strings.Contains(f, "scopeId eq '/'") {
			t.Errorf("role policy looked up at another scope: %s", f)
		}
		if strings.Contains(f, "roleDefinitionId eq '"+sim.RoleHelpdeskAdministrator+"'") {
			found = true
			if !strings.Contains(f, "scopeId eq '/'") {
				t.Errorf("AU-scoped role's policy filter = %q, want scopeId eq '/'", f)
			}
			if r.Status != 200 || !r.InBatch {
				t.Errorf("policy lookup: status %d, in batch %v", r.Status, r.InBatch)
			}
		}
	}
	if !found {
		t.Error("no policy lookup for the AU-scoped role")
	}
}

func TestLoadRetriesAThrottledBatchItem(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		sc.Faults = append(sc.Faults, sim.Fault{Path: "roleEligibilityScheduleInstances", Kind: sim.FaultStatus, Status: 429, RetryAfter: 1, Times: 1, InBatch: true})
	}))
	snap := e.load()
	if len(snap.Eligible) != demoEligible {
		t.Fatalf("eligible = %d, want %d after the throttled item was retried", len(snap.Eligible), demoEligible)
	}
	var statuses []int
	for _, r := range e.tn.Requests() {
		if r.InBatch && strings.Contains(r.Path, "roleEligibilityScheduleInstances") {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != 429 || statuses[1] != 200 {
		t.Errorf("eligibility item statuses = %v, want [429 200]", statuses)
	}
	// Only the throttled item was sent again: /me went once.
	if n := e.tn.CountRequests("GET", "/v1.0/me"); n != 1 {
		t.Errorf("/me sent %d times, want 1", n)
	}
	if snap.RoundTrips != 3 || len(e.requests("POST", batchPath)) != 3 {
		t.Errorf("RoundTrips = %d, batches = %d, want 3 (lists, retry, policies)", snap.RoundTrips, len(e.requests("POST", batchPath)))
	}
}

func TestLoadReportsAFailedItemWithoutMessage(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		sc.Faults = append(sc.Faults, sim.Fault{Path: "/me", Kind: sim.FaultNoMessage, Status: 403, InBatch: true})
	}))
	_, err := e.svc.Load(e.ctx())
	if err == nil {
		t.Fatal("Load succeeded although /me failed")
	}
	if !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "account") {
		t.Errorf("error = %q, want it to name the failed read and the status", err)
	}
}

func TestLoadHasNoPendingAtStart(t *testing.T) {
	e := newEnv(t)
	if snap := e.load(); len(snap.Pending) != 0 {
		t.Fatalf("pending = %+v", snap.Pending)
	}
}

// A list with more pages than a load follows (one per wave) leaves pages
// unread: the snapshot says the list may be incomplete, never silently
// short.
func TestLoadPastItsWavesSaysTheListMayBeIncomplete(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		sc.PageSize = 1
		au := "/administrativeUnits/" + sim.DemoAUID
		for _, x := range []struct{ role, scope string }{
			{sim.RoleUserAdministrator, au}, {sim.RoleHelpdeskAdministrator, "/"}, {sim.RoleExchangeAdministrator, au}, {sim.RoleSecurityAdministrator, au},
		} {
			sc.Eligibilities = append(sc.Eligibilities, sim.Eligibility{UserID: sim.DemoAdminUserID, RoleDefinitionID: x.role, DirectoryScopeID: x.scope})
		}
	}))
	snap := e.load()
	roles := 0
	for _, el := range snap.Eligible {
		if el.Kind == pim.KindDirectoryRole {
			roles++
		}
	}
	if roles >= 13 {
		t.Skipf("all %d role eligibilities were read: the load follows more pages now", roles)
	}
	found := false
	for _, w := range snap.Warnings {
		if strings.Contains(w, "eligible roles") && strings.Contains(w, "may be incomplete") {
			found = true
		}
	}
	if !found {
		t.Errorf("%d of 13 role eligibilities read, and the warnings %q do not say the list may be incomplete", roles, snap.Warnings)
	}
}
