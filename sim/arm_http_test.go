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

// ARM over HTTP without the SDK: paths, api-versions, filters, shapes.

type armClient struct {
	t     *testing.T
	tn    *Tenant
	http  *http.Client
	token string
}

func newARMClient(t *testing.T, tn *Tenant, spec TokenSpec) *armClient {
	t.Helper()
	if spec.UPN == "" {
		spec.UPN = DemoAdminUPN
	}
	if spec.Resource == "" {
		spec.Resource = ARMResource
	}
	tok, err := tn.MintToken(spec)
	if err != nil {
		t.Fatal(err)
	}
	return &armClient{t: t, tn: tn, http: tn.HTTPClient(), token: tok}
}

// do sends method to path (under the ARM base unless absolute) with the
// raw query, and decodes the JSON answer.
func (a *armClient) do(method, path, query string, body any) (int, http.Header, map[string]any) {
	a.t.Helper()
	u := path
	if !strings.HasPrefix(path, "https://") {
		u = a.tn.ARMURL() + path
		if query != "" {
			u += "?" + query
		}
	}
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			a.t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, m
}

const (
	authz      = "/providers/Microsoft.Authorization/"
	pimVersion = "api-version=2020-10-01"
	asTarget   = "&%24filter=asTarget%28%29" // as the SDK encodes it
)

func props(m map[string]any) map[string]any { p, _ := m["properties"].(map[string]any); return p }

// armActivation is a PUT body for a SelfActivate of role at scope.
func armActivation(role, scope, duration, justification string) map[string]any {
	return map[string]any{"properties": map[string]any{
		"principalId":      DemoAdminUserID,
		"roleDefinitionId": roleDefinitionID(scope, role),
		"requestType":      "SelfActivate",
		"justification":    justification,
		"scheduleInfo":     map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": duration}},
	}}
}

func TestARMEligibilitiesAtRoot(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})

	st, _, m := a.do("GET", authz+"roleEligibilityScheduleInstances", pimVersion+asTarget, nil)
	if st != 200 {
		t.Fatalf("list: %d %v", st, m)
	}
	byScope := map[string]map[string]any{}
	for _, v := range values(m) {
		p := props(v)
		byScope[p["scope"].(string)+" "+p["expandedProperties"].(map[string]any)["roleDefinition"].(map[string]any)["displayName"].(string)] = v
	}
	if len(byScope) != 5 {
		t.Fatalf("eligibilities = %v", keys(byScope))
	}
	sub := byScope[DemoSubscriptionScope+" Contributor"]
	if sub == nil {
		t.Fatalf("no Contributor on the subscription: %v", keys(byScope))
	}
	p := props(sub)
	exp := p["expandedProperties"].(map[string]any)
	if sc := exp["scope"].(map[string]any); sc["displayName"] != "Contoso Prod" || sc["type"] != "subscription" {
		t.Fatalf("scope: %v", sc)
	}
	if pr := exp["principal"].(map[string]any); pr["displayName"] != "Alex Wilber (Admin)" || pr["type"] != "User" {
		t.Fatalf("principal: %v", pr)
	}
	if p["roleDefinitionId"] != DemoSubscriptionScope+roleDefinitionPath+AzureRoleContributor || p["memberType"] != "Direct" || p["status"] != "Provisioned" {
		t.Fatalf("properties: %v", p)
	}
	if !strings.HasPrefix(sub["id"].(string), DemoSubscriptionScope+"/providers/Microsoft.Authorization/RoleEligibilityScheduleInstances/") ||
		sub["type"] != "Microsoft.Authorization/RoleEligibilityScheduleInstances" {
		t.Fatalf("id/type: %v %v", sub["id"], sub["type"])
	}
	mg := props(byScope[DemoManagementGroupScope+" Reader"])
	if mg == nil || mg["roleDefinitionId"] != roleDefinitionPath+AzureRoleReader || mg["expandedProperties"].(map[string]any)["scope"].(map[string]any)["type"] != "managementgroup" {
		t.Fatalf("MG eligibility: %v", mg)
	}
	kv := props(byScope[DemoKeyVaultScope+" Owner"])
	if kv == nil || kv["expandedProperties"].(map[string]any)["scope"].(map[string]any)["displayName"] != "kv-prod" {
		t.Fatalf("resource eligibility: %v", kv)
	}

	// The same list without asTarget, and the SDK's "//providers" path.
	st, _, m = a.do("GET", authz+"roleEligibilityScheduleInstances", pimVersion, nil)
	if code, msg := errCode(m); st != 400 || code != "InsufficientPermissions" || !strings.Contains(msg, DemoAdminUserID) || !strings.Contains(msg, "$filter=asTarget") {
		t.Fatalf("without asTarget: %d %v", st, m)
	}
	if st, _, m := a.do("GET", "//providers/Microsoft.Authorization/roleEligibilityScheduleInstances", pimVersion+"&$filter=asTarget", nil); st != 200 || len(values(m)) != 5 {
		t.Fatalf("double slash, bare asTarget: %d %v", st, m)
	}
	// At a subscription: the subscription's own, the MG one above it, and
	// those below it.
	if st, _, m := a.do("GET", DemoSubscriptionScope+authz+"roleEligibilityScheduleInstances", pimVersion+asTarget, nil); st != 200 || len(values(m)) != 5 {
		t.Fatalf("at the subscription: %d %d", st, len(values(m)))
	}
	if st, _, m := a.do("GET", DemoResourceGroupScope+authz+"roleEligibilityScheduleInstances", pimVersion+asTarget+"%20and%20atScope%28%29", nil); st != 200 || len(values(m)) != 4 {
		t.Fatalf("atScope at the resource group: %d %d", st, len(values(m)))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestARMAPIVersionsAndErrors(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	list := authz + "roleEligibilityScheduleInstances"
	cases := []struct {
		name, path, query string
		status            int
		code              string
	}{
		{"missing api-version", list, "$filter=asTarget()", 400, "MissingApiVersionParameter"},
		{"preview api-version", list, "api-version=2022-04-01-preview&$filter=asTarget()", 400, "InvalidApiVersionParameter"},
		{"RBAC version on a PIM type", list, "api-version=2022-04-01&$filter=asTarget()", 400, "InvalidApiVersionParameter"},
		{"PIM version on permissions", DemoResourceGroupScope + authz + "permissions", pimVersion, 400, "InvalidApiVersionParameter"},
		{"unknown filter", list, pimVersion + "&$filter=" + url.QueryEscape("status eq 'Provisioned'"), 400, "InvalidFilter"},
		{"or", list, pimVersion + "&$filter=" + url.QueryEscape("asTarget() or atScope()"), 400, "InvalidFilter"},
		{"unknown subscription", "/subscriptions/00000000-0000-4000-8000-000000000001" + list, pimVersion + asTarget, 404, "SubscriptionNotFound"},
		{"unknown resource group", DemoSubscriptionScope + "/resourceGroups/rg-nope" + list, pimVersion + asTarget, 404, "ResourceGroupNotFound"},
		{"bad scope", "/subscriptions/not-a-guid" + list, pimVersion + asTarget, 400, "InvalidScope"},
		{"unknown type", authz + "denyAssignments", pimVersion, 404, "InvalidResourceType"},
		{"no provider", "/subscriptions/" + DemoSubscriptionID, pimVersion, 404, "InvalidResourceType"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, _, m := a.do("GET", c.path, c.query, nil)
			if code, msg := errCode(m); st != c.status || code != c.code || msg == "" {
				t.Fatalf("%d %v, want %d %s", st, m, c.status, c.code)
			}
			if e := m["error"].(map[string]any); len(e) != 2 {
				t.Fatalf("CloudError has extra fields: %v", e)
			}
		})
	}
	// Malformed bodies are clean CloudErrors.
	name := "/" + newGUID()
	put := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests" + name
	for _, body := range []any{[]byte("{"), map[string]any{}, map[string]any{"properties": map[string]any{"requestType": "SelfActivate"}}} {
		var st int
		var m map[string]any
		if raw, ok := body.([]byte); ok {
			req, _ := http.NewRequest("PUT", tn.ARMURL()+put+"?"+pimVersion, bytes.NewReader(raw))
			req.Header.Set("Authorization", "Bearer "+a.token)
			resp, err := a.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			st = resp.StatusCode
			_ = json.NewDecoder(resp.Body).Decode(&m)
			_ = resp.Body.Close()
		} else {
			st, _, m = a.do("PUT", put, pimVersion, body)
		}
		if code, _ := errCode(m); st != 400 || code == "" {
			t.Fatalf("body %v: %d %v", body, st, m)
		}
	}
	if st, _, m := a.do("PUT", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/not-a-guid", pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "x")); st != 400 {
		t.Fatalf("non-GUID name: %d %v", st, m)
	}
}

func TestARMPaging(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.PageSize = 2 })
	a := newARMClient(t, tn, TokenSpec{})
	next := authz + "roleEligibilityScheduleInstances"
	query := pimVersion + asTarget
	seen, pages := map[string]bool{}, 0
	for next != "" && pages < 10 {
		st, _, m := a.do("GET", next, query, nil)
		if st != 200 {
			t.Fatalf("page %d: %d %v", pages, st, m)
		}
		pages++
		for _, v := range values(m) {
			seen[v["id"].(string)] = true
		}
		next, _ = m["nextLink"].(string)
		query = ""
		if next != "" && (!strings.HasPrefix(next, tn.ARMURL()+"/providers/") || !strings.Contains(next, "api-version=2020-10-01") || !strings.Contains(next, "asTarget")) {
			t.Fatalf("nextLink %s", next)
		}
	}
	if pages != 3 || len(seen) != 5 {
		t.Fatalf("pages %d items %d", pages, len(seen))
	}
}

func TestARMActivateGetListCancel(t *testing.T) {
	tn := startDemo(t, nil)
	a := newARMClient(t, tn, TokenSpec{})
	reqs := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/"
	name := newGUID()
	st, _, m := a.do("PUT", reqs+name, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT2H", "deploy"))
	p := props(m)
	if st != 201 || p["status"] != "Provisioned" || m["name"] != name || p["requestType"] != "SelfActivate" || p["requestorId"] != DemoAdminUserID {
		t.Fatalf("PUT: %d %v", st, m)
	}
	if m["id"] != DemoSubscriptionScope+"/providers/Microsoft.Authorization/RoleAssignmentScheduleRequests/"+name {
		t.Fatalf("id %v", m["id"])
	}
	exp := p["scheduleInfo"].(map[string]any)["expiration"].(map[string]any)
	if exp["type"] != "AfterDuration" || exp["duration"] != "PT2H" || p["targetRoleAssignmentScheduleId"] != name {
		t.Fatalf("scheduleInfo %v target %v", exp, p["targetRoleAssignmentScheduleId"])
	}
	if _, err := time.Parse(time.RFC3339, p["createdOn"].(string)); err != nil || !strings.HasSuffix(p["createdOn"].(string), "Z") {
		t.Fatalf("createdOn %v", p["createdOn"])
	}

	// The same GUID again is a conflict naming it; GET returns the request.
	st, _, m = a.do("PUT", reqs+name, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT2H", "deploy"))
	if code, msg := errCode(m); st != 409 || code != "RoleAssignmentRequestExists" || !strings.Contains(msg, name) {
		t.Fatalf("re-PUT: %d %v", st, m)
	}
	if st, _, m := a.do("GET", reqs+name, pimVersion, nil); st != 200 || m["name"] != name || props(m)["status"] != "Provisioned" {
		t.Fatalf("GET: %d %v", st, m)
	}
	if st, _, _ := a.do("GET", DemoResourceGroupScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion, nil); st != 404 {
		t.Fatalf("GET at another scope: %d", st)
	}
	// A new GUID for the same role while it is provisioning.
	st, _, m = a.do("PUT", reqs+newGUID(), pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "again"))
	if code, _ := errCode(m); st != 400 || code != "RoleAssignmentExists" {
		t.Fatalf("second activation: %d %v", st, m)
	}

	// Listed after the provisioning delay, with names expanded.
	active := authz + "roleAssignmentScheduleInstances"
	if st, _, m := a.do("GET", active, pimVersion+asTarget, nil); st != 200 || len(values(m)) != 0 {
		t.Fatalf("listed while provisioning: %d %v", st, m)
	}
	tn.Clock().Advance(3 * time.Second)
	st, _, m = a.do("GET", active, pimVersion+asTarget, nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("active: %d %v", st, m)
	}
	ip := props(values(m)[0])
	if ip["assignmentType"] != "Activated" || ip["roleAssignmentScheduleId"] != DemoSubscriptionScope+"/providers/Microsoft.Authorization/RoleAssignmentSchedules/"+name ||
		ip["linkedRoleEligibilityScheduleId"] == nil || ip["expandedProperties"].(map[string]any)["roleDefinition"].(map[string]any)["displayName"] != "Contributor" {
		t.Fatalf("instance: %v", ip)
	}

	// Requests list: asTarget at the root, and principalId needs read.
	if st, _, m := a.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+asTarget, nil); st != 200 || len(values(m)) != 1 {
		t.Fatalf("requests: %d %v", st, m)
	}
	if st, _, m := a.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+"&$filter="+url.QueryEscape("principalId eq '"+DemoAdminUserID+"'"), nil); st != 400 {
		t.Fatalf("principalId at root: %d %v", st, m)
	}

	// Approval: pending, the pending error for a second try, then cancel.
	pending := newGUID()
	st, _, m = a.do("PUT", reqs+pending, pimVersion, armActivation(AzureRoleOwner, DemoSubscriptionScope, "PT1H", "break glass"))
	if p := props(m); st != 201 || p["status"] != "PendingApproval" || p["approvalId"] != "/providers/Microsoft.Authorization/roleAssignmentApprovals/"+stableGUID("approval", pending) {
		t.Fatalf("approval: %d %v", st, m)
	}
	st, _, m = a.do("PUT", reqs+newGUID(), pimVersion, armActivation(AzureRoleOwner, DemoSubscriptionScope, "PT1H", "again"))
	if code, msg := errCode(m); st != 400 || code != "RoleAssignmentRequestExists" || !strings.Contains(msg, "pending") {
		t.Fatalf("pending again: %d %v", st, m)
	}
	if st, _, m := a.do("POST", reqs+pending+"/cancel", pimVersion, nil); st != 200 || m != nil {
		t.Fatalf("cancel: %d %v", st, m)
	}
	if st, _, m := a.do("GET", reqs+pending, pimVersion, nil); st != 200 || props(m)["status"] != StatusCanceled {
		t.Fatalf("after cancel: %d %v", st, m)
	}
	if st, _, m := a.do("POST", reqs+name+"/cancel", pimVersion, nil); st != 400 {
		t.Fatalf("cancel a provisioned request: %d %v", st, m)
	}

	// Validating a role that needs approval: PendingEvaluation, no
	// approval opened, nothing stored (AF §2.3).
	v := newGUID()
	st, _, m = a.do("POST", reqs+v+"/validate", pimVersion, armActivation(AzureRoleOwner, DemoSubscriptionScope, "PT1H", "check"))
	if p := props(m); st != 200 || p["status"] != StatusPendingEvaluation || p["approvalId"] != nil {
		t.Fatalf("validate, approval: %d %v", st, m)
	}
	if st, _, _ := a.do("GET", reqs+v, pimVersion, nil); st != 404 {
		t.Fatalf("validated request stored: %d", st)
	}

	// Validate stores nothing.
	v = newGUID()
	st, _, m = a.do("POST", DemoResourceGroupScope+authz+"roleAssignmentScheduleRequests/"+v+"/validate", pimVersion,
		armActivation(AzureRoleKeyVaultAdmin, DemoResourceGroupScope, "PT1H", "check"))
	if code, msg := errCode(m); st != 400 || code != "RoleAssignmentRequestPolicyValidationFailed" || !strings.Contains(msg, "TicketingRule") {
		t.Fatalf("validate: %d %v", st, m)
	}
	if st, _, _ := a.do("GET", DemoResourceGroupScope+authz+"roleAssignmentScheduleRequests/"+v, pimVersion, nil); st != 404 {
		t.Fatalf("validated request stored: %d", st)
	}
}

func newJSONRequest(method, u string, body []byte, token string) (*http.Request, error) {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
