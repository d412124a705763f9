package sim

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Propagation over HTTP: listed after the provisioning delay, usable (the
// permissions API) after the ARM delay, gone from it a delay after the
// deactivation; role assignments as the server's truth; policies; faults.

func permissionsOf(t *testing.T, a *armClient, scope string) []map[string]any {
	t.Helper()
	st, _, m := a.do("GET", scope+authz+"permissions", "api-version=2022-04-01", nil)
	if st != 200 {
		t.Fatalf("permissions at %s: %d %v", scope, st, m)
	}
	return values(m)
}

func TestARMPropagationAndPermissions(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.ARMPropagationDelay = Duration(30 * time.Second) })
	a := newARMClient(t, tn, TokenSpec{})
	for _, scope := range []string{DemoManagementGroupScope, DemoSubscriptionScope, DemoResourceGroupScope, DemoKeyVaultScope} {
		if p := permissionsOf(t, a, scope); len(p) != 0 {
			t.Fatalf("permissions before activation at %s: %v", scope, p)
		}
	}
	if st, _, m := a.do("GET", "/providers/Microsoft.Authorization/permissions", "api-version=2022-04-01", nil); st != 400 {
		t.Fatalf("permissions at the root: %d %v", st, m)
	}
	// Reader on the management group, which holds the subscription.
	name := newGUID()
	if st, _, m := a.do("PUT", DemoManagementGroupScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion,
		armActivation(AzureRoleReader, DemoManagementGroupScope, "PT1H", "")); st != 201 {
		t.Fatalf("activate Reader: %d %v", st, m)
	}
	active := func() int {
		_, _, m := a.do("GET", authz+"roleAssignmentScheduleInstances", pimVersion+asTarget, nil)
		return len(values(m))
	}
	tn.Clock().Advance(3 * time.Second)
	if n, p := active(), permissionsOf(t, a, DemoResourceGroupScope); n != 1 || len(p) != 0 {
		t.Fatalf("listed but propagating: %d listed, permissions %v", n, p)
	}
	// Not readable yet: the unfiltered list needs roleAssignments/read.
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleAssignmentScheduleInstances", pimVersion, nil); st != 400 {
		t.Fatalf("unfiltered before propagation: %d %v", st, m)
	}
	tn.Clock().Advance(30 * time.Second)
	p := permissionsOf(t, a, DemoResourceGroupScope)
	if len(p) != 1 || !reflect.DeepEqual(p[0]["actions"], []any{"*/read"}) || !reflect.DeepEqual(p[0]["notActions"], []any{}) || p[0]["dataActions"] == nil {
		t.Fatalf("Reader's permissions below the group: %v", p)
	}
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleAssignmentScheduleInstances", pimVersion, nil); st != 200 || len(values(m)) != 1 {
		t.Fatalf("unfiltered after propagation: %d %v", st, m)
	}
	// The server's truth: the role assignment, at the group, seen from the
	// subscription below it.
	filter := "&$filter=" + url.QueryEscape("assignedTo('"+DemoAdminUserID+"')")
	st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleAssignments", "api-version=2022-04-01"+filter, nil)
	if st != 200 || len(values(m)) != 1 || props(values(m)[0])["scope"] != DemoManagementGroupScope {
		t.Fatalf("role assignments: %d %v", st, m)
	}
	atScope := "&$filter=" + url.QueryEscape("atScope() and assignedTo('"+DemoAdminUserID+"')")
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleAssignments", "api-version=2022-04-01"+atScope, nil); st != 200 || len(values(m)) != 1 {
		t.Fatalf("atScope from below: %d %v", st, m)
	}

	// Key Vault Administrator on the resource group: two entries below it.
	kva := armActivation(AzureRoleKeyVaultAdmin, DemoResourceGroupScope, "PT1H", "rotate")
	props(kva)["ticketInfo"] = map[string]any{"ticketNumber": "CHG-1", "ticketSystem": "ServiceNow"}
	if st, _, m := a.do("PUT", DemoResourceGroupScope+authz+"roleAssignmentScheduleRequests/"+newGUID(), pimVersion, kva); st != 201 {
		t.Fatalf("activate KVA: %d %v", st, m)
	}
	tn.Clock().Advance(30 * time.Second)
	if p := permissionsOf(t, a, DemoKeyVaultScope); len(p) != 2 {
		t.Fatalf("two roles on the vault: %v", p)
	}

	// Deactivate Reader after five minutes: unlisted at once, permissions
	// and the role assignment linger for the delay.
	tn.Clock().Advance(5 * time.Minute)
	off := map[string]any{"properties": map[string]any{"principalId": DemoAdminUserID, "roleDefinitionId": roleDefinitionPath + AzureRoleReader, "requestType": "SelfDeactivate"}}
	st, _, m = a.do("PUT", DemoManagementGroupScope+authz+"roleAssignmentScheduleRequests/"+newGUID(), pimVersion, off)
	if st != 201 || props(m)["status"] != StatusRevoked || props(m)["requestType"] != "SelfDeactivate" {
		t.Fatalf("deactivate: %d %v", st, m)
	}
	if n, p := active(), permissionsOf(t, a, DemoSubscriptionScope); n != 1 || len(p) != 1 {
		t.Fatalf("just after deactivation: %d listed (KVA), %d permission entries", n, len(p))
	}
	again := DemoManagementGroupScope + authz + "roleAssignmentScheduleRequests/" + newGUID()
	if st, _, m := a.do("PUT", again, pimVersion, armActivation(AzureRoleReader, DemoManagementGroupScope, "PT1H", "")); st != 400 {
		t.Fatalf("re-activate while ARM still holds it: %d %v", st, m)
	}
	tn.Clock().Advance(30 * time.Second)
	if p := permissionsOf(t, a, DemoSubscriptionScope); len(p) != 0 {
		t.Fatalf("after the removal delay: %v", p)
	}
	if st, _, m := a.do("PUT", again, pimVersion, armActivation(AzureRoleReader, DemoManagementGroupScope, "PT1H", "")); st != 201 {
		t.Fatalf("re-activate after it: %d %v", st, m)
	}
}

func TestARMPolicies(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	list := DemoKeyVaultScope + authz + "roleManagementPolicyAssignments"
	st, _, m := a.do("GET", list, pimVersion, nil)
	if st != 200 || len(values(m)) != len(BuiltInAzureRoles()) {
		t.Fatalf("all roles: %d %v", st, m)
	}
	filter := "&$filter=" + url.QueryEscape("roleDefinitionId eq '"+roleDefinitionID(DemoKeyVaultScope, AzureRoleOwner)+"'")
	st, _, m = a.do("GET", list, pimVersion+filter, nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("filtered: %d %v", st, m)
	}
	pa := values(m)[0]
	p := props(pa)
	rules := map[string]map[string]any{}
	for _, r := range p["effectiveRules"].([]any) {
		rm := r.(map[string]any)
		rules[rm["id"].(string)] = rm
	}
	if rules["AuthenticationContext_EndUser_Assignment"]["claimValue"] != "c2" || rules["AuthenticationContext_EndUser_Assignment"]["isEnabled"] != true ||
		rules["Expiration_EndUser_Assignment"]["maximumDuration"] != "PT1H" ||
		!reflect.DeepEqual(rules["Enablement_EndUser_Assignment"]["enabledRules"], []any{"MultiFactorAuthentication", "Justification"}) ||
		rules["Expiration_EndUser_Assignment"]["ruleType"] != "RoleManagementPolicyExpirationRule" {
		t.Fatalf("rules: %v", rules)
	}
	if !strings.Contains(pa["id"].(string), "/providers/Microsoft.Authorization/roleManagementPolicyAssignment/") || !strings.HasSuffix(pa["name"].(string), "_"+AzureRoleOwner) {
		t.Fatalf("id %v name %v", pa["id"], pa["name"])
	}
	// The policy itself, by id, and the documented filter on policies.
	policyID := p["policyId"].(string)
	st, _, m = a.do("GET", strings.TrimPrefix(policyID, ""), pimVersion, nil)
	if st != 200 || m["name"] != policyID[strings.LastIndex(policyID, "/")+1:] || len(props(m)["rules"].([]any)) == 0 {
		t.Fatalf("policy by id: %d %v", st, m)
	}
	// Approval, inherited by the resource group from the subscription.
	st, _, m = a.do("GET", DemoResourceGroupScope+authz+"roleManagementPolicies", pimVersion+"&$filter="+url.QueryEscape("roleDefinitionId eq '"+DemoResourceGroupScope+roleDefinitionPath+AzureRoleOwner+"'"), nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("policies filtered: %d %v", st, m)
	}
	for _, r := range props(values(m)[0])["rules"].([]any) {
		if rm := r.(map[string]any); rm["id"] == "Approval_EndUser_Assignment" && rm["setting"].(map[string]any)["isApprovalRequired"] != true {
			t.Fatalf("approval not inherited: %v", rm)
		}
	}
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleDefinitions/"+AzureRoleKeyVaultAdmin, "api-version=2022-04-01", nil); st != 200 || props(m)["roleName"] != "Key Vault Administrator" {
		t.Fatalf("role definition: %d %v", st, m)
	}
	if st, _, m := a.do("GET", authz+"roleDefinitions/"+newGUID(), "api-version=2022-04-01", nil); st != 404 {
		t.Fatalf("unknown role definition: %d %v", st, m)
	}
}

// A PUT processed and its answer lost: the GUID finds the request.
func TestARMDropAfterWriteThenGet(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	tn.AddFault(Fault{Method: "PUT", Path: "/roleAssignmentScheduleRequests/", Kind: FaultDropAfterWrite, Times: 1, Hold: Duration(50 * time.Millisecond)})
	name := newGUID()
	put := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/" + name
	body, _ := json.Marshal(armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy"))
	req, _ := newJSONRequest("PUT", tn.ARMURL()+put+"?"+pimVersion, body, a.token)
	if resp, err := a.http.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("answer arrived: %d", resp.StatusCode)
	}
	if st, _, m := a.do("GET", put, pimVersion, nil); st != 200 || props(m)["status"] != StatusProvisioned {
		t.Fatalf("GET after the drop: %d %v", st, m)
	}
	if st, _, m := a.do("PUT", put, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy")); st != 409 {
		t.Fatalf("resent PUT: %d %v", st, m)
	}
	// Throttling on ARM paths is ARM-shaped.
	tn.AddFault(Fault{Path: "/arm/", Kind: FaultStatus, Status: 429, RetryAfter: 7, Times: 1})
	if st, h, m := a.do("GET", authz+"roleEligibilityScheduleInstances", pimVersion+asTarget, nil); st != 429 || h.Get("Retry-After") != "7" {
		t.Fatalf("throttled: %d %v", st, m)
	} else if code, _ := errCode(m); code != "SubscriptionRequestsThrottled" {
		t.Fatalf("throttled: %v", m)
	}
}

func TestAzureScenarioRoundTrip(t *testing.T) {
	sc := DemoScenario()
	sc.AzureRoles = []AzureRole{{ID: roleDefinitionPath + "11111111-2222-4333-8444-555555555555", RoleName: "Ops", Type: "CustomRole", Actions: []string{"Microsoft.Compute/*/read"}}}
	sc.Active = append(sc.Active, Activation{
		Eligibility: Eligibility{UserID: DemoAdminUserID, RoleDefinitionID: "11111111-2222-4333-8444-555555555555", Scope: DemoResourceGroupScope},
		StartedAgo:  Duration(time.Hour), Assigned: true, Remaining: Duration(time.Hour),
	})
	sc.ARMConsentMissing, sc.ARMWriteRequiresACRS, sc.SignInWithoutMFA = true, "p1", true
	raw, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sc.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	back, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, sc) {
		t.Fatalf("round trip differs:\n%s", raw)
	}
	for _, bad := range []func(*Scenario){
		func(s *Scenario) { s.Eligibilities[len(s.Eligibilities)-1].Scope = "/subscriptions/" + newGUID() },
		func(s *Scenario) { s.Eligibilities[len(s.Eligibilities)-1].RoleDefinitionID = newGUID() },
		func(s *Scenario) { s.Subscriptions[0].ManagementGroup = "nope" },
		func(s *Scenario) {
			s.Resources[0].ID = DemoSubscriptionScope + "/resourceGroups/rg-x/providers/A.B/c/d"
		},
		func(s *Scenario) { s.Policies[len(s.Policies)-1].Scope = "/subscriptions/x" },
	} {
		s := DemoScenario()
		bad(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("accepted %+v", s.Eligibilities[len(s.Eligibilities)-1])
		}
	}
}
