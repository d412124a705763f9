package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Edges: the approver's side of an ARM request, a scheduled activation,
// MfaRule on Graph too, and malformed requests that must come back as
// clean CloudErrors.

func TestARMApproverInboxAndApprove(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	name := newGUID()
	if st, _, m := a.do("PUT", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion,
		armActivation(AzureRoleOwner, DemoSubscriptionScope, "PT2H", "db failover")); st != 201 {
		t.Fatalf("PUT: %d %v", st, m)
	}
	approver := newARMClient(t, tn, TokenSpec{UPN: DemoApproverUPN})
	st, _, m := approver.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+"&$filter=asApprover%28%29", nil)
	if st != 200 || len(values(m)) != 1 || values(m)[0]["name"] != name || props(values(m)[0])["principalId"] != DemoAdminUserID {
		t.Fatalf("inbox: %d %v", st, m)
	}
	// Alex's inbox holds Megan's seeded request (the demo), never his own.
	st, _, m = a.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+"&$filter=asApprover%28%29", nil)
	if st != 200 || len(values(m)) != 1 || values(m)[0]["name"] != DemoPendingAzureRequestID {
		t.Fatalf("own request in own inbox: %d %v", st, m)
	}
	if err := tn.Approve(name); err != nil {
		t.Fatal(err)
	}
	// The hook decides as the first listed approver who is not the requester.
	if r, _ := tn.Request(name); r.ReviewResult != "Approve" || r.ReviewedBy != DemoApproverUserID {
		t.Fatalf("decision: %+v", r)
	}
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion, nil); st != 200 || props(m)["status"] != StatusProvisioned {
		t.Fatalf("after approval: %d %v", st, m)
	}
	tn.Clock().Advance(3 * time.Second)
	if got := tn.ActiveAssignments(); len(got) != 2 || got[1].Scope != DemoSubscriptionScope || !got[1].Listed {
		t.Fatalf("active: %+v", got)
	}
}

func TestARMScheduledActivation(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	start := tn.Now().Add(time.Hour).Truncate(time.Second)
	body := armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "planned")
	props(body)["scheduleInfo"].(map[string]any)["startDateTime"] = start.Format(time.RFC3339)
	name := newGUID()
	st, _, m := a.do("PUT", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion, body)
	if st != 201 || props(m)["status"] != StatusGranted || props(m)["scheduleInfo"].(map[string]any)["startDateTime"] != start.Format(time.RFC3339) {
		t.Fatalf("scheduled: %d %v", st, m)
	}
	st, _, m = a.do("GET", authz+"roleAssignmentSchedules", pimVersion+asTarget, nil)
	if st != 200 || len(values(m)) != 1 || props(values(m)[0])["status"] != StatusGranted ||
		props(values(m)[0])["roleAssignmentScheduleRequestId"] != DemoSubscriptionScope+"/providers/Microsoft.Authorization/RoleAssignmentScheduleRequests/"+name {
		t.Fatalf("schedules: %d %v", st, m)
	}
	if st, _, m := a.do("GET", authz+"roleAssignmentScheduleInstances", pimVersion+asTarget, nil); st != 200 || len(values(m)) != 0 {
		t.Fatalf("an instance before the start: %d %v", st, m)
	}
	tn.Clock().Advance(time.Hour + 3*time.Second)
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion, nil); st != 200 || props(m)["status"] != StatusProvisioned {
		t.Fatalf("after the start: %d %v", st, m)
	}
}

// One instance by name needs asTarget on the GET as well (I3).
func TestARMGetInstanceByName(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	_, _, m := a.do("GET", authz+"roleEligibilityScheduleInstances", pimVersion+asTarget, nil)
	var id string
	for _, v := range values(m) {
		if props(v)["scope"] == DemoResourceGroupScope {
			id = v["id"].(string)
		}
	}
	if st, _, m := a.do("GET", id, pimVersion, nil); st != 400 {
		t.Fatalf("without asTarget: %d %v", st, m)
	}
	if st, _, m := a.do("GET", id, pimVersion+asTarget, nil); st != 200 || m["id"] != id {
		t.Fatalf("with asTarget: %d %v", st, m)
	}
	if st, _, m := a.do("GET", authz+"roleEligibilityScheduleInstances/"+newGUID(), pimVersion+asTarget, nil); st != 404 {
		t.Fatalf("unknown: %d %v", st, m)
	}
}

func TestGraphMfaRuleWithoutMFA(t *testing.T) {
	tn := startDemo(t, nil)
	tok, err := tn.MintToken(TokenSpec{UPN: DemoAdminUPN, NoMFA: true})
	if err != nil {
		t.Fatal(err)
	}
	g := &graphClient{t: t, tenant: tn, http: tn.HTTPClient(), token: tok}
	st, _, m := g.do("POST", reqPath, activation(RoleUserAdministrator, "/", "PT1H", "triage"))
	if code, msg := errCode(m); st != 400 || code != "RoleAssignmentRequestPolicyValidationFailed" || !strings.Contains(msg, "MfaRule") {
		t.Fatalf("Graph without MFA: %d %v", st, m)
	}
	// No MFA in the policy: fine.
	if st, _, m := g.do("POST", reqPath, activation(RoleHelpdeskAdministrator, "/administrativeUnits/"+DemoAUID, "PT1H", "desk")); st != 201 {
		t.Fatalf("no MFA needed: %d %v", st, m)
	}
}

// Malformed input of every kind is a CloudError, never a 5xx or a panic.
func TestARMMalformedRequests(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	put := func(scope string) string {
		return tn.ARMURL() + scope + authz + "roleAssignmentScheduleRequests/" + newGUID() + "?" + pimVersion
	}
	cases := []struct{ method, url, body string }{
		{"GET", tn.ARMURL(), ""},
		{"GET", tn.ARMURL() + "/providers/Microsoft.Authorization", ""},
		{"GET", tn.ARMURL() + "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/x/y/z?" + pimVersion, ""},
		{"GET", tn.ARMURL() + "/subscriptions/" + DemoSubscriptionID + "/resourceGroups/rg-secrets/providers/A" + authz + "permissions?api-version=2022-04-01", ""},
		{"GET", tn.ARMURL() + "/providers/Microsoft.Management/managementGroups/nope" + authz + "permissions?api-version=2022-04-01", ""},
		{"GET", tn.ARMURL() + authz + "roleEligibilityScheduleInstances?" + pimVersion + "&$filter=" + url.QueryEscape("asTarget('x')"), ""},
		{"GET", tn.ARMURL() + authz + "roleEligibilityScheduleInstances?" + pimVersion + "&$filter=" + url.QueryEscape("principalId eq 'unclosed"), ""},
		{"GET", tn.ARMURL() + authz + "roleEligibilityScheduleInstances?" + pimVersion + "&$filter=" + url.QueryEscape("roleDefinitionId eq 'nope' and asTarget()"), ""},
		{"GET", tn.ARMURL() + authz + "roleEligibilityScheduleInstances?" + pimVersion + "&$filter=asTarget()&$skiptoken=-1", ""},
		{"DELETE", tn.ARMURL() + authz + "roleEligibilityScheduleInstances?" + pimVersion, ""},
		{"PUT", put(DemoSubscriptionScope), `{"properties": 5}`},
		{"PUT", put(DemoSubscriptionScope), `{"properties": {"principalId": "` + DemoAdminUserID + `", "roleDefinitionId": "x/y", "requestType": "SelfActivate"}}`},
		{"PUT", put(DemoSubscriptionScope), `{"properties": {"principalId": "` + DemoApproverUserID + `", "roleDefinitionId": "` + AzureRoleReader + `", "requestType": "SelfActivate"}}`},
		{"PUT", put(DemoSubscriptionScope), `{"properties": {"principalId": "` + DemoAdminUserID + `", "roleDefinitionId": "` + AzureRoleReader + `", "requestType": "SelfExtend"}}`},
		{"PUT", put(DemoSubscriptionScope), `{"properties": {"principalId": "` + DemoAdminUserID + `", "roleDefinitionId": "` + AzureRoleContributor +
			`", "requestType": "SelfActivate", "scheduleInfo": {"startDateTime": "tomorrow"}}}`},
		{"PUT", put(DemoSubscriptionScope), `{"properties": {"principalId": "` + DemoAdminUserID + `", "roleDefinitionId": "` + AzureRoleContributor +
			`", "requestType": "SelfActivate", "justification": "j", "scheduleInfo": {"expiration": {"type": "AfterDuration", "duration": "P1Y"}}}}`},
		{"POST", tn.ARMURL() + DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/" + newGUID() + "/cancel?" + pimVersion, ""},
		{"POST", tn.ARMURL() + DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/" + newGUID() + "/explode?" + pimVersion, ""},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, c.url, bytes.NewReader([]byte(c.body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := a.http.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.url, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		if code, msg := errCode(m); resp.StatusCode < 400 || resp.StatusCode >= 500 || code == "" || msg == "" {
			t.Errorf("%s %s %s: %d %s", c.method, c.url, c.body, resp.StatusCode, raw)
		}
	}
}
