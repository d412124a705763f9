package pim_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// azureElig finds an Azure eligibility by name and scope words.
func azureElig(tb testing.TB, snap *pim.Snapshot, name, scope string) pim.Eligibility {
	tb.Helper()
	for _, e := range snap.Eligible {
		if e.Kind == pim.KindAzureRole && e.Name == name && e.Scope == scope {
			return e
		}
	}
	var have []string
	for _, e := range snap.Eligible {
		have = append(have, e.Label())
	}
	tb.Fatalf("no Azure eligibility %q at %q in %v", name, scope, have)
	return pim.Eligibility{}
}

// armRequests lists the logged ARM requests whose path contains substr.
func (e *env) armRequests(method, substr string) []sim.Request {
	var out []sim.Request
	for _, r := range e.tn.Requests() {
		if strings.HasPrefix(r.Path, "/arm/") && (method == "" || r.Method == method) && strings.Contains(strings.ToLower(r.Path), strings.ToLower(substr)) {
			out = append(out, r)
		}
	}
	return out
}

// assertAudiences fails unless every ARM request carried an ARM token and
// every Graph request a Graph token.
func (e *env) assertAudiences() {
	e.tb.Helper()
	arm, graph := 0, 0
	for _, r := range e.tn.Requests() {
		switch {
		case strings.HasPrefix(r.Path, "/arm/"):
			arm++
			if r.Audience != sim.ARMResource {
				e.tb.Errorf("%s %s carried a token for %q", r.Method, r.Path, r.Audience)
			}
		case strings.HasPrefix(r.Path, "/v1.0/") && r.Audience != "":
			graph++
			if !strings.Contains(r.Audience, "graph") && !strings.HasPrefix(r.Audience, "https://127.0.0.1") {
				e.tb.Errorf("%s %s carried a token for %q", r.Method, r.Path, r.Audience)
			}
		}
	}
	if arm == 0 || graph == 0 {
		e.tb.Errorf("want both APIs called: %d ARM and %d Graph requests", arm, graph)
	}
}

// Every kind of scope, read across the whole tenant with asTarget at the
// root, every page, named from expandedProperties alone.
func TestAzureListingAcrossScopesWithPaging(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.PageSize = 2 }))
	snap := e.load()
	if snap.AzureMissing != "" {
		t.Fatalf("Azure missing: %s", snap.AzureMissing)
	}
	want := map[string]string{
		"Contributor":             "sub: Contoso Prod",
		"Key Vault Administrator": "rg: rg-secrets (Contoso Prod)",
		"Reader":                  "mg: Tier0",
	}
	for name, scope := range want {
		azureElig(t, snap, name, scope)
	}
	owner := azureElig(t, snap, "Owner", "kv-prod (Key Vault) in rg-secrets")
	if owner.AzureScope != sim.DemoKeyVaultScope || !strings.HasSuffix(owner.RoleDefinitionID, "/roleDefinitions/"+sim.AzureRoleOwner) {
		t.Errorf("ids: scope %q role %q", owner.AzureScope, owner.RoleDefinitionID)
	}
	if owner.Policy.AuthContext != "c2" || owner.Policy.MaxDuration != time.Hour {
		t.Errorf("kv-prod Owner policy: %+v", owner.Policy)
	}
	azureElig(t, snap, "Owner", "sub: Contoso Prod")
	lists := e.armRequests("GET", "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances")
	if len(lists) != 3 {
		t.Errorf("5 eligibilities in pages of 2: %d list requests, want 3", len(lists))
	}
	for _, r := range lists {
		q, _ := url.ParseQuery(r.Query)
		if r.Path != "/arm/providers/Microsoft.Authorization/roleEligibilityScheduleInstances" && !strings.HasPrefix(r.Path, "/arm//providers") {
			t.Errorf("not at the root scope: %s", r.Path)
		}
		if q.Get("$filter") != "asTarget()" || q.Get("api-version") != "2020-10-01" {
			t.Errorf("query %q", r.Query)
		}
	}
	// Names came with the lists: nothing was asked about scopes or roles.
	for _, r := range e.armRequests("GET", "") {
		if strings.Contains(strings.ToLower(r.Path), "roledefinitions") || strings.Contains(r.Path, "/subscriptions/"+sim.DemoSubscriptionID+"?") {
			t.Errorf("an extra call for names: %s", r.Path)
		}
	}
	e.assertAudiences()
}

// The policy of a resource group eligibility comes from the policy
// assignments at that resource group, filtered by role.
func TestAzurePolicyAtAResourceGroup(t *testing.T) {
	e := newEnv(t, withAzure())
	snap := e.load()
	kv := azureElig(t, snap, "Key Vault Administrator", "rg: rg-secrets (Contoso Prod)")
	p := kv.Policy
	if p.MaxDuration != 4*time.Hour || !p.Justification || !p.Ticket || p.MFA || p.Approval || p.AuthContext != "" {
		t.Errorf("policy = %+v", p)
	}
	reads := e.armRequests("GET", sim.DemoResourceGroupScope+"/providers/Microsoft.Authorization/roleManagementPolicyAssignments")
	if len(reads) != 1 {
		t.Fatalf("%d policy reads at the resource group, want 1", len(reads))
	}
	q, _ := url.ParseQuery(reads[0].Query)
	if !strings.Contains(q.Get("$filter"), "roleDefinitionId eq '"+kv.RoleDefinitionID+"'") {
		t.Errorf("filter %q", q.Get("$filter"))
	}
	owner := azureElig(t, snap, "Owner", "sub: Contoso Prod")
	if !owner.Policy.Approval || len(owner.Policy.Approvers) != 1 || owner.Policy.Approvers[0] != "Megan Bowen" {
		t.Errorf("approval policy = %+v", owner.Policy)
	}
	// A second run reads no policy: the cache holds them for 12 hours.
	e.tn.ResetLog()
	svc := e.newService(e.cacheDir, fastPoll)
	if _, err := svc.Load(e.ctx()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.armRequests("GET", "roleManagementPolicyAssignments")); n != 0 {
		t.Errorf("warm cache: %d policy reads", n)
	}
}

// Without consent for Azure Resource Manager, directory roles and groups
// are listed as ever, and one line says why Azure roles are missing.
func TestAzureWithoutConsentStillListsDirectoryRoles(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.ARMConsentMissing = true }))
	snap := e.load()
	if !strings.Contains(snap.AzureMissing, "AADSTS65001") || !strings.Contains(snap.AzureMissing, "user_impersonation") || strings.Contains(snap.AzureMissing, "\n") {
		t.Errorf("missing line = %q", snap.AzureMissing)
	}
	elig(t, snap, "Exchange Administrator")
	elig(t, snap, "SG-Tier0-Break-Glass-Ops", "member")
	for _, x := range snap.Eligible {
		if x.Kind == pim.KindAzureRole {
			t.Errorf("an Azure role without a token: %s", x.Label())
		}
	}
	if n := len(e.armRequests("", "")); n != 0 {
		t.Errorf("%d ARM requests without an ARM token", n)
	}
	if e.opened.Load() != 1 {
		t.Errorf("missing consent must not open the browser (%d opens)", e.opened.Load())
	}
}

func TestAzureOffSaysSo(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	if snap.AzureMissing == "" {
		t.Error("a service without ARM must say Azure roles are missing")
	}
	if n := len(e.armRequests("", "")); n != 0 {
		t.Errorf("%d ARM requests with Azure off", n)
	}
}

// status reads what is active and pending, with the server's times.
func TestAzureStatusListsActiveAndPending(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) {
		sc.Active = append(sc.Active, sim.Activation{
			Eligibility: sim.Eligibility{UserID: sim.DemoAdminUserID, RoleDefinitionID: sim.AzureRoleReader, Scope: sim.DemoManagementGroupScope},
			StartedAgo:  sim.Duration(10 * time.Minute), Remaining: sim.Duration(50 * time.Minute),
		})
	}))
	snap, err := e.svc.Status(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	var got *pim.Active
	for i, a := range snap.Active {
		if a.Kind == pim.KindAzureRole {
			got = &snap.Active[i]
		}
	}
	if got == nil || got.Name != "Reader" || got.Scope != "mg: Tier0" || got.Assigned || got.Remaining(e.tn.Now()) < 49*time.Minute {
		t.Fatalf("active Azure role = %+v", got)
	}
	if n := len(e.armRequests("GET", "roleEligibilityScheduleInstances")); n != 0 {
		t.Errorf("status read %d eligibility lists", n)
	}
}
