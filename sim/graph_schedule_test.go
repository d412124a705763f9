package sim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Scheduled and back-dated activations, the schedules lists, the approver
// inbox and request filters, over HTTP; cancel of a scheduled activation
// for every kind.

const (
	schedulesPath      = "/roleManagement/directory/roleAssignmentSchedules/filterByCurrentUser(on='principal')"
	groupSchedulesPath = groupBase + "/assignmentSchedules/filterByCurrentUser(on='principal')"
	myRequestsPath     = reqPath + "/filterByCurrentUser(on='principal')"
)

func activationAt(role string, start time.Time, duration string) map[string]any {
	b := activation(role, "/", duration, "planned")
	b["scheduleInfo"].(map[string]any)["startDateTime"] = start.UTC().Format(time.RFC3339)
	return b
}

func (g *graphClient) wids() []string {
	g.t.Helper()
	tok, err := g.tenant.MintAccessToken(DemoAdminUPN, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	claims, _ := g.tenant.verify(tok)
	var out []string
	for _, w := range claims["wids"].([]any) {
		out = append(out, w.(string))
	}
	return out
}

func schedulesByRole(t *testing.T, g *graphClient) map[string]map[string]any {
	t.Helper()
	st, _, m := g.do("GET", schedulesPath+"?$expand=roleDefinition", nil)
	if st != 200 {
		t.Fatalf("schedules: %d %v", st, m)
	}
	out := map[string]map[string]any{}
	for _, v := range values(m) {
		out[v["roleDefinitionId"].(string)] = v
	}
	return out
}

func TestGraphScheduledActivation(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	start := tn.Now().Add(time.Hour).Truncate(time.Second)

	st, _, m := g.do("POST", reqPath, activationAt(RoleUserAdministrator, start, "PT2H"))
	if st != 201 || m["status"] != "Granted" || m["completedDateTime"] != graphTime(start) || m["targetScheduleId"] != m["id"] {
		t.Fatalf("scheduled: %d %v", st, m)
	}
	id := m["id"].(string)
	if si := m["scheduleInfo"].(map[string]any); si["startDateTime"] != graphTime(start) {
		t.Fatalf("scheduleInfo: %v", si)
	}
	// Not an instance, not in wids; a schedule with status Granted.
	if _, ok := g.activeRoles()[RoleUserAdministrator]; ok {
		t.Fatal("listed before its start")
	}
	if hasString(g.wids(), RoleUserAdministrator) {
		t.Fatal("in wids before its start")
	}
	sched := schedulesByRole(t, g)
	ua := sched[RoleUserAdministrator]
	if ua == nil || ua["status"] != "Granted" || ua["id"] != id || ua["assignmentType"] != "Activated" || ua["memberType"] != "Direct" {
		t.Fatalf("schedule: %v", ua)
	}
	if si := ua["scheduleInfo"].(map[string]any); si["startDateTime"] != graphTime(start) || si["expiration"].(map[string]any)["endDateTime"] != graphTime(start.Add(2*time.Hour)) {
		t.Fatalf("schedule info: %v", si)
	}
	if rd, _ := ua["roleDefinition"].(map[string]any); rd["displayName"] != "User Administrator" {
		t.Fatalf("expand: %v", ua)
	}
	if gr := sched[RoleGlobalReader]; gr == nil || gr["status"] != "Provisioned" {
		t.Fatalf("the current activation is a schedule too: %v", sched)
	}
	// A second activation, now or later, while one is scheduled.
	st, _, m = g.do("POST", reqPath, activation(RoleUserAdministrator, "/", "PT1H", "now"))
	if code, _ := errCode(m); st != 400 || code != "RoleAssignmentExists" {
		t.Fatalf("activation while scheduled: %d %v", st, m)
	}
	// Not in force: deactivation refused, cancel is the way.
	if st, _, m := g.do("POST", reqPath, deactivation(RoleUserAdministrator, "/")); st != 400 {
		t.Fatalf("deactivate scheduled: %d %v", st, m)
	}

	// At the start it is Provisioned; listed after the provisioning delay.
	tn.Clock().Set(start)
	if _, _, m := g.do("GET", reqPath+"/"+id, nil); m["status"] != "Provisioned" {
		t.Fatalf("at start: %v", m)
	}
	tn.Clock().Set(start.Add(3 * time.Second))
	if a := g.activeRoles()[RoleUserAdministrator]; a == nil || a["startDateTime"] != graphTime(start) {
		t.Fatalf("not listed after start: %v", a)
	}
	if !hasString(g.wids(), RoleUserAdministrator) {
		t.Fatal("not in wids after start")
	}
	if s := schedulesByRole(t, g)[RoleUserAdministrator]; s["status"] != "Provisioned" {
		t.Fatalf("schedule after start: %v", s)
	}
	st, _, m = g.do("POST", reqPath+"/"+id+"/cancel", nil)
	if code, _ := errCode(m); st != 400 || code != "InvalidRequest" {
		t.Fatalf("cancel provisioned: %d %v", st, m)
	}
}

func TestGraphBackDatedActivation(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	start := tn.Now().Add(-30 * time.Minute).Truncate(time.Second)
	st, _, m := g.do("POST", reqPath, activationAt(RoleSecurityAdministrator, start, "PT1H"))
	if st != 201 || m["status"] != "Provisioned" {
		t.Fatalf("back-dated: %d %v", st, m)
	}
	tn.Clock().Advance(3 * time.Second)
	a := g.activeRoles()[RoleSecurityAdministrator]
	if a == nil || a["endDateTime"] != graphTime(start.Add(time.Hour)) {
		t.Fatalf("instance: %v", a)
	}
	st, _, m = g.do("POST", reqPath, activationAt(RoleUserAdministrator, tn.Now().Add(-2*time.Hour), "PT1H"))
	if _, msg := errCode(m); st != 400 || msg != `The following policy rules failed: ["ExpirationRule"]` {
		t.Fatalf("long past: %d %v", st, m)
	}
	body := activation(RoleUserAdministrator, "/", "PT1H", "x")
	body["scheduleInfo"].(map[string]any)["startDateTime"] = "tomorrow"
	st, _, m = g.do("POST", reqPath, body)
	if code, msg := errCode(m); st != 400 || code != "BadRequest" || !strings.Contains(msg, "tomorrow") {
		t.Fatalf("bad start: %d %v", st, m)
	}
}

func TestGraphGroupScheduleAndCancel(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	start := tn.Now().Add(10 * time.Minute)
	body := map[string]any{
		"action": "selfActivate", "principalId": DemoAdminUserID, "groupId": DemoGroupID, "accessId": "member", "justification": "later",
		"scheduleInfo": map[string]any{"startDateTime": start.Format(time.RFC3339), "expiration": map[string]any{"type": "afterDuration", "duration": "PT1H"}},
	}
	st, _, m := g.do("POST", groupBase+"/assignmentScheduleRequests", body)
	if st != 201 || m["status"] != "Granted" {
		t.Fatalf("group scheduled: %d %v", st, m)
	}
	id := m["id"].(string)
	st, _, m = g.do("GET", groupSchedulesPath+"?$expand=group", nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("group schedules: %d %v", st, m)
	}
	if s := values(m)[0]; s["status"] != "Granted" || s["accessId"] != "member" || s["assignmentType"] != "activated" || s["memberType"] != "direct" || s["group"] == nil {
		t.Fatalf("group schedule: %v", s)
	}
	// The role list does not hold group schedules.
	if len(schedulesByRole(t, g)) != 1 {
		t.Fatal("role schedules include group ones")
	}
	if st, _, m := g.do("POST", groupBase+"/assignmentScheduleRequests/"+id+"/cancel", nil); st != 204 {
		t.Fatalf("cancel: %d %v", st, m)
	}
	if _, _, m := g.do("GET", groupSchedulesPath, nil); len(values(m)) != 0 {
		t.Fatalf("canceled schedule listed: %v", m)
	}
	if st, _, _ := g.do("GET", groupSchedulesPath+"?$filter="+url.QueryEscape("status eq 'Granted'"), nil); st != 400 {
		t.Fatalf("$filter on schedules: %d", st)
	}
	if st, _, _ := g.do("GET", strings.Replace(groupSchedulesPath, "principal", "approver", 1), nil); st != 400 {
		t.Fatalf("schedules on=approver: %d", st)
	}
}

func TestGraphRequestFiltersAndApproverInbox(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newGraphClient(t, tn, DemoAdminUPN)
	megan := newGraphClient(t, tn, DemoApproverUPN)
	_, _, m := alex.do("POST", reqPath, activation(RolePrivilegedRoleAdmin, "/", "PT1H", "consent"))
	pending := m["id"].(string)
	alex.do("POST", reqPath, activation(RoleUserAdministrator, "/", "PT1H", "users"))

	list := func(g *graphClient, path, filter string) (int, []string, string) {
		t.Helper()
		if filter != "" {
			path += "?$filter=" + url.QueryEscape(filter)
		}
		st, _, m := g.do("GET", path, nil)
		if st != 200 {
			_, msg := errCode(m)
			return st, nil, msg
		}
		var ids []string
		for _, v := range values(m) {
			ids = append(ids, v["roleDefinitionId"].(string))
		}
		return st, ids, ""
	}
	if _, ids, _ := list(alex, myRequestsPath, "status eq 'PendingApproval' and directoryScopeId eq '/' and appScopeId eq null"); len(ids) != 1 || ids[0] != RolePrivilegedRoleAdmin {
		t.Fatalf("filtered: %v", ids)
	}
	if _, ids, _ := list(alex, myRequestsPath, "status ne 'PendingApproval' and principalId eq '"+DemoAdminUserID+"'"); len(ids) != 1 || ids[0] != RoleUserAdministrator {
		t.Fatalf("ne: %v", ids)
	}
	st, _, msg := list(alex, myRequestsPath, "status eq 'PendingApproval' and createdDateTime ge 2025-01-01T00:00:00Z")
	if st != 400 || !strings.Contains(msg, "createdDateTime ge 2025-01-01T00:00:00Z") {
		t.Fatalf("createdDateTime: %d %q", st, msg)
	}
	if st, _, _ := alex.do("GET", myRequestsPath+"?$orderby=createdDateTime%20desc", nil); st != 400 {
		t.Fatalf("$orderby: %d", st)
	}
	if st, _, _ := alex.do("GET", myRequestsPath+"?$top=1", nil); st != 400 {
		t.Fatalf("$top: %d", st)
	}

	// Megan approves Privileged Role Administrator: Alex's request is in her inbox.
	inbox := reqPath + "/filterByCurrentUser(on='approver')"
	if _, ids, _ := list(megan, inbox, "status eq 'PendingApproval'"); len(ids) != 1 || ids[0] != RolePrivilegedRoleAdmin {
		t.Fatalf("inbox: %v", ids)
	}
	// Alex's inbox holds Megan's seeded request (the demo), never his own.
	if _, ids, _ := list(alex, inbox, ""); len(ids) != 1 || ids[0] != RoleBillingAdministrator {
		t.Fatalf("own inbox: %v", ids)
	}
	if st, _, _ := megan.do("GET", groupBase+"/assignmentScheduleRequests/filterByCurrentUser(on='approver')", nil); st != 200 {
		t.Fatalf("group inbox: %d", st)
	}
	if st, _, _ := megan.do("GET", reqPath+"/filterByCurrentUser(on='createdBy')", nil); st != 400 {
		t.Fatalf("on=createdBy: %d", st)
	}
	if err := tn.Approve(pending); err != nil {
		t.Fatal(err)
	}
	// Decided, it leaves the documented (status-filtered) inbox; the
	// unfiltered list keeps it (AF §9.5: filtering is the client's).
	if _, ids, _ := list(megan, inbox, "status eq 'PendingApproval'"); len(ids) != 0 {
		t.Fatalf("inbox after approval: %v", ids)
	}
	if _, ids, _ := list(megan, inbox, ""); len(ids) != 1 {
		t.Fatalf("unfiltered after approval: %v", ids)
	}
}

// Scheduled activations for every kind (approvals-facts §4.2): Granted
// with a future start, in the schedules and not the instances before it,
// withdrawn by cancel (Graph 204, ARM 200); cancel is only for Granted (or
// pending) requests, so a canceled or Provisioned one is 400.

func TestCancelScheduledEveryKind(t *testing.T) {
	type kindCase struct {
		name                 string
		create               func(start time.Time) (status int, id string, reqStatus string)
		get                  func(id string) string // the request's status
		cancel               func(id string) int
		schedules, instances func() int
		canceled             int // cancel's success status
	}
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	a := newARMClient(t, tn, TokenSpec{})
	count := func(st int, _ http.Header, m map[string]any) int {
		t.Helper()
		if st != 200 {
			t.Fatalf("list: %d %v", st, m)
		}
		return len(values(m))
	}
	graphKind := func(name, requests, schedules, instances string, body func(time.Time) map[string]any) kindCase {
		return kindCase{
			name: name,
			create: func(start time.Time) (int, string, string) {
				st, _, m := g.do("POST", requests, body(start))
				id, _ := m["id"].(string)
				status, _ := m["status"].(string)
				return st, id, status
			},
			get: func(id string) string {
				_, _, m := g.do("GET", requests+"/"+id, nil)
				s, _ := m["status"].(string)
				return s
			},
			cancel:    func(id string) int { st, _, _ := g.do("POST", requests+"/"+id+"/cancel", nil); return st },
			schedules: func() int { return count(g.do("GET", schedules, nil)) },
			instances: func() int { return count(g.do("GET", instances, nil)) },
			canceled:  204,
		}
	}
	armReqs := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/"
	kinds := []kindCase{
		graphKind("directory role", reqPath, "/roleManagement/directory/roleAssignmentSchedules/filterByCurrentUser(on='principal')", activePath,
			func(start time.Time) map[string]any { return activationAt(RoleUserAdministrator, start, "PT1H") }),
		graphKind("group", groupBase+"/assignmentScheduleRequests", groupSchedulesPath, groupBase+"/assignmentScheduleInstances/filterByCurrentUser(on='principal')",
			func(start time.Time) map[string]any {
				return map[string]any{
					"action": "selfActivate", "principalId": DemoAdminUserID, "groupId": DemoGroupID, "accessId": "member", "justification": "later",
					"scheduleInfo": map[string]any{"startDateTime": start.Format(time.RFC3339), "expiration": map[string]any{"type": "afterDuration", "duration": "PT1H"}},
				}
			}),
		{
			name: "Azure role",
			create: func(start time.Time) (int, string, string) {
				body := armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "later")
				props(body)["scheduleInfo"].(map[string]any)["startDateTime"] = start.Format(time.RFC3339)
				name := newGUID()
				st, _, m := a.do("PUT", armReqs+name, pimVersion, body)
				s, _ := props(m)["status"].(string)
				return st, name, s
			},
			get: func(id string) string {
				_, _, m := a.do("GET", armReqs+id, pimVersion, nil)
				s, _ := props(m)["status"].(string)
				return s
			},
			cancel:    func(id string) int { st, _, _ := a.do("POST", armReqs+id+"/cancel", pimVersion, nil); return st },
			schedules: func() int { return count(a.do("GET", authz+"roleAssignmentSchedules", pimVersion+asTarget, nil)) },
			instances: func() int {
				return count(a.do("GET", authz+"roleAssignmentScheduleInstances", pimVersion+asTarget, nil))
			},
			canceled: 200,
		},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			schedules0, instances0 := k.schedules(), k.instances()
			st, id, status := k.create(tn.Now().Add(time.Hour).Truncate(time.Second))
			if st != 201 || status != StatusGranted {
				t.Fatalf("scheduled: %d %s", st, status)
			}
			if k.schedules() != schedules0+1 || k.instances() != instances0 {
				t.Fatal("a scheduled activation must be in the schedules and not the instances")
			}
			if st := k.cancel(id); st != k.canceled {
				t.Fatalf("cancel: %d", st)
			}
			if k.get(id) != StatusCanceled || k.schedules() != schedules0 {
				t.Fatal("canceled, yet still scheduled")
			}
			if st := k.cancel(id); st != 400 {
				t.Fatalf("cancel twice: %d", st)
			}
			// Started now: Provisioned, and no longer cancelable.
			st, id, status = k.create(tn.Now())
			if st != 201 || status != StatusProvisioned {
				t.Fatalf("now: %d %s", st, status)
			}
			if st := k.cancel(id); st != 400 {
				t.Fatalf("cancel provisioned: %d", st)
			}
		})
	}
}
