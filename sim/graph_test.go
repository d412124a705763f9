package sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type graphClient struct {
	t      *testing.T
	tenant *Tenant
	http   *http.Client
	token  string
}

func startDemo(t *testing.T, edit func(*Scenario)) *Tenant {
	t.Helper()
	sc := DemoScenario()
	sc.Latency = 0
	if edit != nil {
		edit(&sc)
	}
	tn, err := New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := tn.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tn.Close() })
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		for _, f := range tn.UnfiredFaults() {
			t.Errorf("armed fault never fired: %s", f)
		}
	})
	return tn
}

func newGraphClient(t *testing.T, tn *Tenant, upn string, acrs ...string) *graphClient {
	t.Helper()
	tok, err := tn.MintAccessToken(upn, acrs)
	if err != nil {
		t.Fatal(err)
	}
	return &graphClient{t: t, tenant: tn, http: tn.HTTPClient(), token: tok}
}

// do sends a request; path is relative to the Graph root (…/v1.0) unless
// it is absolute.
func (g *graphClient) do(method, path string, body any, hdr ...string) (int, http.Header, map[string]any) {
	g.t.Helper()
	u := path
	if !strings.HasPrefix(path, "https://") {
		u = g.tenant.GraphURL() + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			g.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		g.t.Fatal(err)
	}
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := g.http.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			g.t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, m
}

func errCode(m map[string]any) (code, msg string) {
	e, _ := m["error"].(map[string]any)
	code, _ = e["code"].(string)
	msg, _ = e["message"].(string)
	return
}

func values(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

const (
	eligPath   = "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')"
	activePath = "/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')"
	reqPath    = "/roleManagement/directory/roleAssignmentScheduleRequests"
	groupBase  = "/identityGovernance/privilegedAccess/group"
)

func activation(role, scope, duration, justification string) map[string]any {
	return map[string]any{
		"action":           "selfActivate",
		"principalId":      DemoAdminUserID,
		"roleDefinitionId": role,
		"directoryScopeId": scope,
		"justification":    justification,
		"scheduleInfo": map[string]any{
			"startDateTime": time.Now().UTC().Format(time.RFC3339),
			"expiration":    map[string]any{"type": "afterDuration", "duration": duration},
		},
	}
}

func deactivation(role, scope string) map[string]any {
	return map[string]any{"action": "selfDeactivate", "principalId": DemoAdminUserID, "roleDefinitionId": role, "directoryScopeId": scope}
}

func (g *graphClient) activeRoles() map[string]map[string]any {
	g.t.Helper()
	st, _, m := g.do("GET", activePath+"?$expand=roleDefinition", nil)
	if st != 200 {
		g.t.Fatalf("active list: %d %v", st, m)
	}
	out := map[string]map[string]any{}
	for _, v := range values(m) {
		out[v["roleDefinitionId"].(string)] = v
	}
	return out
}

func TestGraphAuthAndMe(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)

	anon := &graphClient{t: t, tenant: tn, http: tn.HTTPClient()}
	st, _, m := anon.do("GET", "/me", nil)
	if code, _ := errCode(m); st != 401 || code != "InvalidAuthenticationToken" {
		t.Fatalf("no token: %d %v", st, m)
	}
	anon.token = "not.a.jwt"
	if st, _, _ := anon.do("GET", "/me", nil); st != 401 {
		t.Fatalf("bad token: %d", st)
	}

	st, _, m = g.do("GET", "/me?$select=id,userPrincipalName,displayName,mail,otherMails,onPremisesSyncEnabled,assignedLicenses", nil)
	if st != 200 {
		t.Fatalf("/me: %d %v", st, m)
	}
	if m["id"] != DemoAdminUserID || m["userPrincipalName"] != DemoAdminUPN || m["mail"] != nil || m["onPremisesSyncEnabled"] != false {
		t.Fatalf("/me: %v", m)
	}
	if lic, ok := m["assignedLicenses"].([]any); !ok || len(lic) != 0 {
		t.Fatalf("assignedLicenses: %v", m["assignedLicenses"])
	}
	if _, ok := m["jobTitle"]; ok {
		t.Fatalf("$select not honoured: %v", m)
	}

	// Expired token.
	tn.Clock().Advance(2 * time.Hour)
	st, _, m = g.do("GET", "/me", nil)
	if code, _ := errCode(m); st != 401 || code != "InvalidAuthenticationToken" {
		t.Fatalf("expired: %d %v", st, m)
	}

	// Unknown path.
	g = newGraphClient(t, tn, DemoAdminUPN)
	if st, _, m := g.do("GET", "/nope/nothing", nil); st != 404 {
		t.Fatalf("unknown path: %d %v", st, m)
	}
}

func TestGraphEligibilityPaging(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.PageSize = 4 })
	g := newGraphClient(t, tn, DemoAdminUPN)

	next := eligPath + "?$expand=roleDefinition&$select=id,roleDefinitionId"
	seen := map[string]bool{}
	pages := 0
	for next != "" {
		st, _, m := g.do("GET", next, nil)
		if st != 200 {
			t.Fatalf("page %d: %d %v", pages, st, m)
		}
		pages++
		for _, v := range values(m) {
			rd, _ := v["roleDefinition"].(map[string]any)
			if rd == nil || rd["displayName"] == "" || rd["isBuiltIn"] != true || rd["templateId"] != v["roleDefinitionId"] {
				t.Fatalf("roleDefinition not expanded: %v", v)
			}
			if v["memberType"] != "Direct" || v["principalId"] != DemoAdminUserID {
				t.Fatalf("item: %v", v)
			}
			seen[v["roleDefinitionId"].(string)+v["directoryScopeId"].(string)] = true
		}
		next, _ = m["@odata.nextLink"].(string)
		if next != "" {
			if !strings.HasPrefix(next, tn.BaseURL()+"/v1.0/roleManagement/") {
				t.Fatalf("nextLink not absolute: %s", next)
			}
			if !strings.Contains(next, "expand=roleDefinition") {
				t.Fatalf("nextLink lost the query: %s", next)
			}
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || len(seen) != 9 {
		t.Fatalf("pages=%d items=%d", pages, len(seen))
	}
	if !seen[RoleHelpdeskAdministrator+"/administrativeUnits/"+DemoAUID] || !seen[RoleApplicationAdmin+"/"+DemoAppObjectID] {
		t.Fatalf("scoped eligibilities missing: %v", seen)
	}

	// The SDK may percent-encode the function call.
	enc := "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser%28on%3D%27principal%27%29"
	if st, _, m := g.do("GET", enc, nil); st != 200 || len(values(m)) != 4 {
		t.Fatalf("encoded path: %d %v", st, m)
	}
	bad := "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='approver')"
	if st, _, _ := g.do("GET", bad, nil); st != 400 {
		t.Fatalf("on=approver: %d", st)
	}
}

func TestGraphActivateProvisionDeactivate(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)

	active := g.activeRoles()
	gr := active[RoleGlobalReader]
	if gr == nil || gr["assignmentType"] != "Activated" {
		t.Fatalf("Global Reader should be active: %v", active)
	}
	end, _ := time.Parse(time.RFC3339, gr["endDateTime"].(string))
	if left := end.Sub(tn.Now()); left < 19*time.Minute || left > 21*time.Minute {
		t.Fatalf("Global Reader has %v left", left)
	}

	st, _, m := g.do("POST", reqPath, activation(RoleUserAdministrator, "/", "PT2H", "ticket triage"))
	if st != 201 || m["status"] != "Provisioned" {
		t.Fatalf("activate: %d %v", st, m)
	}
	reqID := m["id"].(string)
	if m["targetScheduleId"] != reqID || m["action"] != "selfActivate" || m["principalId"] != DemoAdminUserID {
		t.Fatalf("response: %v", m)
	}
	si := m["scheduleInfo"].(map[string]any)
	if exp := si["expiration"].(map[string]any); exp["duration"] != "PT2H" || exp["type"] != "afterDuration" {
		t.Fatalf("scheduleInfo: %v", si)
	}

	// Not listed until the provisioning delay has passed.
	if _, ok := g.activeRoles()[RoleUserAdministrator]; ok {
		t.Fatal("listed before the provisioning delay")
	}
	// A second activation while provisioning is refused.
	st, _, m = g.do("POST", reqPath, activation(RoleUserAdministrator, "/", "PT1H", "again"))
	if code, msg := errCode(m); st != 400 || code != "RoleAssignmentExists" || msg != "The Role assignment already exists." {
		t.Fatalf("second activation: %d %v", st, m)
	}
	tn.Clock().Advance(3 * time.Second)
	ua := g.activeRoles()[RoleUserAdministrator]
	if ua == nil || ua["roleAssignmentScheduleId"] != reqID || ua["assignmentType"] != "Activated" {
		t.Fatalf("not listed after the delay: %v", ua)
	}
	start, _ := time.Parse(time.RFC3339, ua["startDateTime"].(string))
	end, _ = time.Parse(time.RFC3339, ua["endDateTime"].(string))
	if d := end.Sub(start); d < 2*time.Hour-time.Second || d > 2*time.Hour+time.Second {
		t.Fatalf("duration %v", d)
	}

	// The five-minute rule.
	st, _, m = g.do("POST", reqPath, deactivation(RoleUserAdministrator, "/"))
	if code, msg := errCode(m); st != 400 || code != "ActiveDurationTooShort" || msg != "The Active duration is too short. Miniumum Required is 5 minutes." {
		t.Fatalf("early deactivation: %d %v", st, m)
	}
	tn.Clock().Advance(5 * time.Minute)
	st, _, m = g.do("POST", reqPath, deactivation(RoleUserAdministrator, "/"))
	if st != 201 || m["status"] != "Revoked" {
		t.Fatalf("deactivation: %d %v", st, m)
	}
	if _, ok := g.activeRoles()[RoleUserAdministrator]; ok {
		t.Fatal("still active after deactivation")
	}
	st, _, m = g.do("POST", reqPath, deactivation(RoleUserAdministrator, "/"))
	if code, msg := errCode(m); st != 400 || code != "RoleAssignmentDoesNotExist" || msg != "The Role assignment does not exist." {
		t.Fatalf("deactivate twice: %d %v", st, m)
	}

	// Global Reader started 40 minutes ago: deactivation is allowed at once.
	st, _, m = g.do("POST", reqPath, deactivation(RoleGlobalReader, "/"))
	if st != 201 || m["status"] != "Revoked" {
		t.Fatalf("deactivate Global Reader: %d %v", st, m)
	}

	// Someone else's principal id.
	body := activation(RoleSecurityAdministrator, "/", "PT1H", "x")
	body["principalId"] = DemoApproverUserID
	if st, _, m := g.do("POST", reqPath, body); st != 403 {
		t.Fatalf("foreign principal: %d %v", st, m)
	}
	// Not eligible (SharePoint) and wrong scope (Helpdesk at "/").
	for _, b := range []map[string]any{
		activation(RoleSharePointAdmin, "/", "PT1H", "x"),
		activation(RoleHelpdeskAdministrator, "/", "PT1H", "x"),
	} {
		st, _, m := g.do("POST", reqPath, b)
		if code, msg := errCode(m); st != 400 || code != "RoleAssignmentRequestPolicyValidationFailed" || msg != `The following policy rules failed: ["EligibilityRule"]` {
			t.Fatalf("not eligible: %d %v", st, m)
		}
	}
	// The AU-scoped eligibility activates with its own scope.
	st, _, m = g.do("POST", reqPath, activation(RoleHelpdeskAdministrator, "/administrativeUnits/"+DemoAUID, "PT1H", "x"))
	if st != 201 || m["directoryScopeId"] != "/administrativeUnits/"+DemoAUID {
		t.Fatalf("AU activation: %d %v", st, m)
	}
	// Validation only changes nothing.
	b := activation(RoleSecurityAdministrator, "/", "PT1H", "x")
	b["isValidationOnly"] = true
	st, _, m = g.do("POST", reqPath, b)
	if st != 201 || m["status"] != "Granted" || m["isValidationOnly"] != true {
		t.Fatalf("validation only: %d %v", st, m)
	}
	for _, a := range tn.ActiveAssignments() {
		if a.RoleDefinitionID == RoleSecurityAdministrator {
			t.Fatal("validation-only request activated the role")
		}
	}
}

func TestGraphPolicyRuleFailures(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)

	cases := []struct {
		body map[string]any
		msg  string
	}{
		{activation(RoleSecurityAdministrator, "/", "PT9H", "x"), `The following policy rules failed: ["ExpirationRule"]`},
		{activation(RoleIntuneAdministrator, "/", "PT1H31M", ""), `The following policy rules failed: ["ExpirationRule"]`},
		{activation(RoleExchangeAdministrator, "/", "PT1H", ""), `The following policy rules failed: ["JustificationRule","TicketingRule"]`},
		{activation(RoleUserAdministrator, "/", "", "x"), `The following policy rules failed: ["ExpirationRule"]`},
	}
	for i, c := range cases {
		if c.body["scheduleInfo"].(map[string]any)["expiration"].(map[string]any)["duration"] == "" {
			delete(c.body, "scheduleInfo")
		}
		st, _, m := g.do("POST", reqPath, c.body)
		if code, msg := errCode(m); st != 400 || code != "RoleAssignmentRequestPolicyValidationFailed" || msg != c.msg {
			t.Errorf("case %d: %d %v", i, st, m)
		}
	}
	// Ticketing satisfied.
	b := activation(RoleExchangeAdministrator, "/", "PT1H30M", "mailbox restore")
	b["ticketInfo"] = map[string]any{"ticketNumber": "INC0012345", "ticketSystem": "ServiceNow"}
	st, _, m := g.do("POST", reqPath, b)
	if st != 201 || m["status"] != "Provisioned" {
		t.Fatalf("with ticket: %d %v", st, m)
	}
	if ti := m["ticketInfo"].(map[string]any); ti["ticketNumber"] != "INC0012345" {
		t.Fatalf("ticketInfo: %v", ti)
	}
	if len(tn.ScheduleRequests()) != 1 {
		t.Fatalf("stored requests: %v", tn.ScheduleRequests())
	}
}

func TestGraphAuthContextChallenge(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	st, _, m := g.do("POST", reqPath, activation(RoleGlobalAdministrator, "/", "PT1H", "break glass"))
	code, msg := errCode(m)
	want := "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"
	if st != 400 || code != "RoleAssignmentRequestAcrsValidationFailed" || msg != want {
		t.Fatalf("acrs: %d %q %q", st, code, msg)
	}
	claims, err := url.QueryUnescape(strings.TrimPrefix(msg, "&claims="))
	if err != nil || claims != `{"access_token":{"acrs":{"essential":true, "value":"c1"}}}` {
		t.Fatalf("claims %q %v", claims, err)
	}
	stepped := newGraphClient(t, tn, DemoAdminUPN, "c1")
	st, _, m = stepped.do("POST", reqPath, activation(RoleGlobalAdministrator, "/", "PT1H", "break glass"))
	if st != 201 || m["status"] != "Provisioned" {
		t.Fatalf("with acrs: %d %v", st, m)
	}
}

func TestGraphApprovalAndCancel(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	st, _, m := g.do("POST", reqPath, activation(RolePrivilegedRoleAdmin, "/", "PT2H", "grant app consent"))
	if st != 201 || m["status"] != "PendingApproval" {
		t.Fatalf("approval: %d %v", st, m)
	}
	id := m["id"].(string)
	if _, ok := g.activeRoles()[RolePrivilegedRoleAdmin]; ok {
		t.Fatal("pending request activated the role")
	}
	st, _, m = g.do("POST", reqPath, activation(RolePrivilegedRoleAdmin, "/", "PT2H", "again"))
	if code, _ := errCode(m); st != 400 || code != "PendingRoleAssignmentRequest" {
		t.Fatalf("duplicate pending: %d %v", st, m)
	}
	pending := reqPath + "/filterByCurrentUser(on='principal')?$filter=" + url.QueryEscape("status eq 'PendingApproval'")
	st, _, m = g.do("GET", pending, nil)
	if st != 200 || len(values(m)) != 1 || values(m)[0]["id"] != id {
		t.Fatalf("pending list: %d %v", st, m)
	}
	if st, _, m := g.do("POST", reqPath+"/"+id+"/cancel", nil); st != 204 {
		t.Fatalf("cancel: %d %v", st, m)
	}
	if st, _, m := g.do("POST", reqPath+"/"+id+"/cancel", nil); st != 400 {
		t.Fatalf("cancel twice: %d %v", st, m)
	}
	if st, _, _ := g.do("POST", reqPath+"/no-such-request/cancel", nil); st != 404 {
		t.Fatalf("cancel unknown: %d", st)
	}
	if _, _, m := g.do("GET", pending, nil); len(values(m)) != 0 {
		t.Fatalf("still pending: %v", m)
	}

	// Approve through the test hook.
	_, _, m = g.do("POST", reqPath, activation(RolePrivilegedRoleAdmin, "/", "PT1H", "second try"))
	id = m["id"].(string)
	if err := tn.Approve(id); err != nil {
		t.Fatal(err)
	}
	if err := tn.Approve(id); err == nil {
		t.Fatal("approved twice")
	}
	tn.Clock().Advance(3 * time.Second)
	if a := g.activeRoles()[RolePrivilegedRoleAdmin]; a == nil || a["roleAssignmentScheduleId"] != id {
		t.Fatalf("approved role not active: %v", a)
	}
	_, _, m = g.do("GET", reqPath+"/filterByCurrentUser(on='principal')", nil)
	statuses := map[string]string{}
	for _, v := range values(m) {
		statuses[v["id"].(string)] = v["status"].(string)
	}
	if statuses[id] != "Provisioned" || len(statuses) != 2 {
		t.Fatalf("requests: %v", statuses)
	}
}

func TestGraphGroups(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	st, _, m := g.do("GET", groupBase+"/eligibilityScheduleInstances/filterByCurrentUser(on='principal')?$expand=group", nil)
	if st != 200 || len(values(m)) != 2 {
		t.Fatalf("group eligibilities: %d %v", st, m)
	}
	for _, v := range values(m) {
		grp, _ := v["group"].(map[string]any)
		if grp == nil || grp["displayName"] != "SG-Tier0-Break-Glass-Ops" || v["groupId"] != DemoGroupID || v["memberType"] != "direct" {
			t.Fatalf("item: %v", v)
		}
	}
	body := map[string]any{
		"action": "selfActivate", "principalId": DemoAdminUserID, "groupId": DemoGroupID, "accessId": "member",
		"justification": "incident 42",
		"scheduleInfo":  map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT4H"}},
	}
	st, _, m = g.do("POST", groupBase+"/assignmentScheduleRequests", body)
	if st != 201 || m["status"] != "Provisioned" || m["accessId"] != "member" || m["groupId"] != DemoGroupID {
		t.Fatalf("group activation: %d %v", st, m)
	}
	if _, ok := m["roleDefinitionId"]; ok {
		t.Fatalf("group request has roleDefinitionId: %v", m)
	}
	// Owner needs a ticket and at most one hour.
	owner := map[string]any{
		"action": "selfActivate", "principalId": DemoAdminUserID, "groupId": DemoGroupID, "accessId": "owner",
		"justification": "x",
		"scheduleInfo":  map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT2H"}},
	}
	st, _, m = g.do("POST", groupBase+"/assignmentScheduleRequests", owner)
	if _, msg := errCode(m); st != 400 || msg != `The following policy rules failed: ["ExpirationRule","TicketingRule"]` {
		t.Fatalf("owner: %d %v", st, m)
	}

	tn.Clock().Advance(3 * time.Second)
	st, _, m = g.do("GET", groupBase+"/assignmentScheduleInstances/filterByCurrentUser(on='principal')?$expand=group", nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("group active: %d %v", st, m)
	}
	if v := values(m)[0]; v["accessId"] != "member" || v["assignmentType"] != "activated" || v["group"] == nil {
		t.Fatalf("group instance: %v", v)
	}
	st, _, m = g.do("GET", groupBase+"/assignmentScheduleRequests/filterByCurrentUser(on='principal')", nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("group requests: %d %v", st, m)
	}
	// Role endpoints do not see group requests and vice versa.
	_, _, m = g.do("GET", reqPath+"/filterByCurrentUser(on='principal')", nil)
	if len(values(m)) != 0 {
		t.Fatalf("role requests include group ones: %v", m)
	}
}

func TestGraphPolicies(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	q := func(filter string) string {
		return "/policies/roleManagementPolicyAssignments?$filter=" + url.QueryEscape(filter) + "&$expand=" + url.QueryEscape("policy($expand=rules)")
	}
	// Helpdesk Administrator is eligible at an AU scope; its policy lives at "/".
	st, _, m := g.do("GET", q("scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '"+RoleHelpdeskAdministrator+"'"), nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("policy: %d %v", st, m)
	}
	pa := values(m)[0]
	if pa["roleDefinitionId"] != RoleHelpdeskAdministrator || pa["scopeId"] != "/" || pa["scopeType"] != "DirectoryRole" {
		t.Fatalf("assignment: %v", pa)
	}
	rules := map[string]map[string]any{}
	for _, r := range pa["policy"].(map[string]any)["rules"].([]any) {
		rm := r.(map[string]any)
		rules[rm["id"].(string)] = rm
	}
	exp := rules["Expiration_EndUser_Assignment"]
	if exp["@odata.type"] != "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule" || exp["maximumDuration"] != "PT8H" {
		t.Fatalf("expiration rule: %v", exp)
	}
	if rules["Notification_Admin_EndUser_Assignment"]["@odata.type"] != "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule" {
		t.Fatalf("notification rule missing: %v", rules)
	}

	st, _, m = g.do("GET", q("scopeId eq '/administrativeUnits/"+DemoAUID+"' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '"+RoleHelpdeskAdministrator+"'"), nil)
	if st != 200 || len(values(m)) != 0 {
		t.Fatalf("AU scope should be empty: %d %v", st, m)
	}
	st, _, m = g.do("GET", q("roleDefinitionId eq '"+RoleHelpdeskAdministrator+"'"), nil)
	if code, _ := errCode(m); st != 400 || code != "BadRequest" {
		t.Fatalf("no scope filter: %d %v", st, m)
	}

	// Auth context, approval and enablement of other roles.
	st, _, m = g.do("GET", q("scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '"+RoleGlobalAdministrator+"'"), nil)
	if st != 200 {
		t.Fatal(st)
	}
	for _, r := range values(m)[0]["policy"].(map[string]any)["rules"].([]any) {
		rm := r.(map[string]any)
		switch rm["id"] {
		case "AuthenticationContext_EndUser_Assignment":
			if rm["isEnabled"] != true || rm["claimValue"] != "c1" {
				t.Fatalf("auth context: %v", rm)
			}
		case "Expiration_EndUser_Assignment":
			if rm["maximumDuration"] != "PT1H" {
				t.Fatalf("max: %v", rm)
			}
		}
	}
	st, _, m = g.do("GET", q("scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '"+RolePrivilegedRoleAdmin+"'"), nil)
	if st != 200 {
		t.Fatal(st)
	}
	for _, r := range values(m)[0]["policy"].(map[string]any)["rules"].([]any) {
		rm := r.(map[string]any)
		if rm["id"] != "Approval_EndUser_Assignment" {
			continue
		}
		set := rm["setting"].(map[string]any)
		stage := set["approvalStages"].([]any)[0].(map[string]any)
		appr := stage["primaryApprovers"].([]any)[0].(map[string]any)
		if set["isApprovalRequired"] != true || appr["userId"] != DemoApproverUserID || appr["@odata.type"] != "#microsoft.graph.singleUser" {
			t.Fatalf("approval rule: %v", rm)
		}
	}

	// Group policies.
	st, _, m = g.do("GET", q("scopeId eq '"+DemoGroupID+"' and scopeType eq 'Group' and roleDefinitionId eq 'owner'"), nil)
	if st != 200 || len(values(m)) != 1 || values(m)[0]["roleDefinitionId"] != "owner" {
		t.Fatalf("group policy: %d %v", st, m)
	}
	// Without $expand there is no policy.
	st, _, m = g.do("GET", "/policies/roleManagementPolicyAssignments?$filter="+url.QueryEscape("scopeId eq '/' and scopeType eq 'DirectoryRole'"), nil)
	if st != 200 || len(values(m)) != 11 || values(m)[0]["policy"] != nil {
		t.Fatalf("all directory policies: %d %d", st, len(values(m)))
	}
}

func TestGraphDirectoryObjects(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	st, _, m := g.do("GET", "/directory/administrativeUnits/"+DemoAUID, nil)
	if st != 200 || m["displayName"] != "Berlin Helpdesk" {
		t.Fatalf("AU: %d %v", st, m)
	}
	st, _, m = g.do("GET", "/directoryObjects/"+DemoAppObjectID, nil)
	if st != 200 || m["@odata.type"] != "#microsoft.graph.application" || m["displayName"] != "Payroll Connector" {
		t.Fatalf("app: %d %v", st, m)
	}
	st, _, m = g.do("GET", "/directoryObjects/"+DemoAUID, nil)
	if st != 200 || m["@odata.type"] != "#microsoft.graph.administrativeUnit" {
		t.Fatalf("AU object: %d %v", st, m)
	}
	st, _, m = g.do("GET", "/directoryObjects/00000000-0000-0000-0000-000000000001", nil)
	if code, _ := errCode(m); st != 404 || code != "Request_ResourceNotFound" {
		t.Fatalf("unknown object: %d %v", st, m)
	}
}

func TestGraphGzipBody(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	raw, _ := json.Marshal(activation(RoleSecurityAdministrator, "/", "PT30M", "gzip"))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	st, _, m := g.do("POST", reqPath, buf.Bytes(), "Content-Encoding", "gzip")
	if st != 201 || m["status"] != "Provisioned" || m["justification"] != "gzip" {
		t.Fatalf("gzip: %d %v", st, m)
	}
}

func TestGraphBatch(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	tn.AddFault(Fault{Path: "roleEligibilityScheduleInstances", Kind: FaultStatus, Status: 429, RetryAfter: 7, InBatch: true, Times: 1})

	// The fault only matches batch items.
	if st, _, _ := g.do("GET", eligPath, nil); st != 200 {
		t.Fatalf("plain request hit the batch fault: %d", st)
	}
	batch := map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/me"},
		map[string]any{"id": "2", "method": "GET", "url": strings.TrimPrefix(eligPath, "/") + "?$expand=roleDefinition"},
		map[string]any{"id": "3", "method": "GET", "url": activePath},
		map[string]any{"id": "4", "method": "GET", "url": tn.GraphURL() + "/me"},
		map[string]any{
			"id": "5", "method": "POST", "url": reqPath, "headers": map[string]string{"Content-Type": "application/json"},
			"body": activation(RoleSecurityAdministrator, "/", "PT1H", "batched"),
		},
	}}
	st, _, m := g.do("POST", "/$batch", batch)
	if st != 200 {
		t.Fatalf("batch: %d %v", st, m)
	}
	byID := map[string]map[string]any{}
	for _, r := range m["responses"].([]any) {
		rm := r.(map[string]any)
		byID[rm["id"].(string)] = rm
	}
	status := func(id string) float64 { return byID[id]["status"].(float64) }
	if status("1") != 200 || status("2") != 429 || status("3") != 200 || status("4") != 400 || status("5") != 201 {
		t.Fatalf("statuses: %v", byID)
	}
	hdr := byID["2"]["headers"].(map[string]any)
	if hdr["Retry-After"] != "7" || !strings.HasPrefix(hdr["Content-Type"].(string), "application/json") {
		t.Fatalf("429 headers: %v", hdr)
	}
	if code, _ := errCode(byID["2"]["body"].(map[string]any)); code != "TooManyRequests" {
		t.Fatalf("429 body: %v", byID["2"]["body"])
	}
	if me := byID["1"]["body"].(map[string]any); me["id"] != DemoAdminUserID {
		t.Fatalf("me: %v", me)
	}
	if b := byID["5"]["body"].(map[string]any); b["status"] != "Provisioned" {
		t.Fatalf("batched activation: %v", b)
	}
	inBatch := 0
	for _, r := range tn.Requests() {
		if r.InBatch {
			inBatch++
		}
	}
	if inBatch != 4 {
		t.Fatalf("logged batch items: %d", inBatch)
	}

	// More than 20 requests.
	var many []any
	for i := range 21 {
		many = append(many, map[string]any{"id": string(rune('a' + i)), "method": "GET", "url": "/me"})
	}
	st, _, m = g.do("POST", "/$batch", map[string]any{"requests": many})
	if code, _ := errCode(m); st != 400 || code != "BadRequest" {
		t.Fatalf("21 requests: %d %v", st, m)
	}
}

func TestISODuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		8 * time.Hour:                "PT8H",
		90 * time.Minute:             "PT1H30M",
		30 * time.Minute:             "PT30M",
		0:                            "PT0S",
		26 * time.Hour:               "P1DT2H",
		365 * 24 * time.Hour:         "P365D",
		time.Minute + 30*time.Second: "PT1M30S",
	} {
		if got := isoDuration(d); got != want {
			t.Errorf("isoDuration(%v) = %s, want %s", d, got, want)
		}
		back, err := parseISODuration(want)
		if err != nil || back != d {
			t.Errorf("parseISODuration(%s) = %v, %v", want, back, err)
		}
	}
	for s, want := range map[string]time.Duration{"PT1.5H": 90 * time.Minute, "P1W": 7 * 24 * time.Hour, "pt2h": 2 * time.Hour, "P1DT30M": 24*time.Hour + 30*time.Minute} {
		if got, err := parseISODuration(s); err != nil || got != want {
			t.Errorf("parseISODuration(%s) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "P", "PT", "1H", "P1Y", "P1M", "PTH", "P1DT"} {
		if _, err := parseISODuration(s); err == nil {
			t.Errorf("parseISODuration(%q) should fail", s)
		}
	}
}

func TestGraphBatchDropAfterWrite(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	tn.AddFault(Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: FaultDropAfterWrite, InBatch: true, Times: 1})
	raw, _ := json.Marshal(map[string]any{"requests": []any{
		map[string]any{
			"id": "1", "method": "POST", "url": reqPath, "headers": map[string]string{"Content-Type": "application/json"},
			"body": activation(RoleSecurityAdministrator, "/", "PT1H", "dropped"),
		},
		map[string]any{"id": "2", "method": "GET", "url": "/me"},
	}})
	req, _ := http.NewRequest("POST", tn.GraphURL()+"/$batch", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := g.http.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("batch answered %d, want a dropped connection", resp.StatusCode)
	}
	// The activation happened anyway.
	found := false
	for _, a := range tn.ActiveAssignments() {
		found = found || a.RoleDefinitionID == RoleSecurityAdministrator
	}
	if !found {
		t.Fatal("the dropped item was not processed")
	}
	// The next request works (the client retries on a new connection).
	if st, _, m := g.do("GET", "/me", nil); st != 200 {
		t.Fatalf("after drop: %d %v", st, m)
	}
}
