package sim

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// Approvals over HTTP: the v1.0 inboxes, the beta steps of a directory
// role approval (and v1.0 refusing that path), the v1.0 stages of a group
// approval; then the demo's seeded requests, one of each kind (ARM's own
// shapes are in arm_approvals_test.go).

const (
	betaRoleApprovals  = "/beta/roleManagement/directory/roleAssignmentApprovals/"
	groupApprovalsPath = groupBase + "/assignmentApprovals/"
	pendingFilter      = "?$filter=status%20eq%20%27PendingApproval%27"
)

// beta is the absolute URL of a beta path on tn.
func beta(tn *Tenant, path string) string { return tn.BaseURL() + path }

func stages(t *testing.T, m map[string]any, key string) []map[string]any {
	t.Helper()
	list, ok := m[key].([]any)
	if !ok {
		t.Fatalf("no %s in %v", key, m)
	}
	var out []map[string]any
	for _, v := range list {
		out = append(out, v.(map[string]any))
	}
	return out
}

func TestGraphRoleApprovalOnBeta(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newGraphClient(t, tn, DemoAdminUPN)
	megan := newGraphClient(t, tn, DemoApproverUPN)
	_, _, m := alex.do("POST", reqPath, activation(RolePrivilegedRoleAdmin, "/", "PT1H", "grant consent"))
	id := m["id"].(string)

	// The inbox, with the requester's name and UPN and the role's name.
	st, _, m := megan.do("GET", reqPath+"/filterByCurrentUser(on='approver')"+pendingFilter+"&$expand=principal,roleDefinition", nil)
	if st != 200 || len(values(m)) != 1 {
		t.Fatalf("inbox: %d %v", st, m)
	}
	item := values(m)[0]
	principal, _ := item["principal"].(map[string]any)
	roleDef, _ := item["roleDefinition"].(map[string]any)
	// AF §1.2: approvalId == id == targetScheduleId, completedDateTime set.
	if item["id"] != id || item["approvalId"] != id || item["targetScheduleId"] != id || item["completedDateTime"] == nil || principal["displayName"] != "Alex Wilber (Admin)" || principal["userPrincipalName"] != DemoAdminUPN ||
		roleDef["displayName"] != "Privileged Role Administrator" || item["justification"] != "grant consent" {
		t.Fatalf("inbox item: %v", item)
	}

	// The approval on beta: one step, in progress, assigned to Megan.
	st, _, m = megan.do("GET", beta(tn, betaRoleApprovals+id), nil)
	if st != 200 || m["id"] != id || !strings.HasSuffix(m["@odata.context"].(string), "/beta/$metadata#roleManagement/directory/roleAssignmentApprovals/$entity") {
		t.Fatalf("approval: %d %v", st, m)
	}
	steps := stages(t, m, "steps")
	step := steps[0]
	stepID, _ := step["id"].(string)
	if len(steps) != 1 || stepID == id || step["status"] != "InProgress" || step["reviewResult"] != "NotReviewed" || step["assignedToMe"] != true ||
		step["reviewedBy"] != nil || step["reviewedDateTime"] != nil || step["justification"] != "" {
		t.Fatalf("step: %v", step)
	}
	// The requester reads it too, not assigned.
	if st, _, m := alex.do("GET", beta(tn, betaRoleApprovals+id), nil); st != 200 || stages(t, m, "steps")[0]["assignedToMe"] != false {
		t.Fatalf("requester's view: %d %v", st, m)
	}
	if st, _, m := megan.do("GET", beta(tn, betaRoleApprovals+id+"/steps/"+stepID), nil); st != 200 || m["id"] != stepID {
		t.Fatalf("one step: %d %v", st, m)
	}
	if st, _, m := megan.do("GET", beta(tn, betaRoleApprovals+id+"/steps"), nil); st != 200 || len(values(m)) != 1 {
		t.Fatalf("steps: %d %v", st, m)
	}

	// v1.0 does not have the path (the shared-adapter trap, AF §3.1).
	for _, method := range []string{"GET", "PATCH"} {
		st, _, m := megan.do(method, "/roleManagement/directory/roleAssignmentApprovals/"+id+"/steps/"+stepID, map[string]any{"reviewResult": "Approve", "justification": "ok"})
		if code, msg := errCode(m); st != 400 || code != "BadRequest" || !strings.Contains(msg, "roleAssignmentApprovals") {
			t.Fatalf("v1.0 %s: %d %v", method, st, m)
		}
	}
	// Beta takes only Graph tokens.
	arm := newARMClient(t, tn, TokenSpec{UPN: DemoApproverUPN})
	if st, _, _ := arm.do("GET", beta(tn, betaRoleApprovals+id), "", nil); st != 401 {
		t.Fatalf("ARM token on beta: %d", st)
	}

	decide := func(g *graphClient, step, result, why string) (int, string) {
		t.Helper()
		st, _, m := g.do("PATCH", beta(tn, betaRoleApprovals+id+"/steps/"+step), map[string]any{"reviewResult": result, "justification": why})
		code, _ := errCode(m)
		return st, code
	}
	for _, c := range []struct {
		name, who, step, result, why string
		want                         int
	}{
		{"the requester", "alex", stepID, "Approve", "me", 403},
		{"step id = approval id", "megan", id, "Approve", "ok", 404},
		{"no such result", "megan", stepID, "Approved", "ok", 400},
		{"no justification", "megan", stepID, "Approve", "", 400},
	} {
		g := megan
		if c.who == "alex" {
			g = alex
		}
		if st, code := decide(g, c.step, c.result, c.why); st != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, st, code, c.want)
		}
	}
	if st, code := decide(megan, stepID, "Approve", "ticket CHG-1 checked"); st != 204 {
		t.Fatalf("approve: %d %s", st, code)
	}
	if st, code := decide(megan, stepID, "Deny", "too late"); st != 409 || code != "Conflict" {
		t.Fatalf("twice: %d %s", st, code)
	}
	_, _, m = megan.do("GET", beta(tn, betaRoleApprovals+id), nil)
	step = stages(t, m, "steps")[0]
	by, _ := step["reviewedBy"].([]any)
	if step["status"] != "Completed" || step["reviewResult"] != "Approve" || step["justification"] != "ticket CHG-1 checked" || step["reviewedDateTime"] == nil ||
		len(by) != 1 || by[0].(map[string]any)["id"] != DemoApproverUserID || by[0].(map[string]any)["userPrincipalName"] != DemoApproverUPN {
		t.Fatalf("decided step: %v", step)
	}
	if r, ok := tn.Request(id); !ok || r.Status != StatusProvisioned || r.ReviewResult != "Approve" || r.ReviewedBy != DemoApproverUserID || r.ReviewJustification != "ticket CHG-1 checked" {
		t.Fatalf("request: %+v", r)
	}
	// Beta calls carried the Graph token.
	n := 0
	for _, r := range tn.Requests() {
		if strings.HasPrefix(r.Path, "/beta/") && r.Status != 401 {
			n++
			if r.Audience != "https://graph.microsoft.com" || r.Claims["oid"] == nil {
				t.Errorf("%s %s: audience %q", r.Method, r.Path, r.Audience)
			}
		}
	}
	if n < 8 {
		t.Fatalf("beta calls logged: %d", n)
	}
}

func TestGraphGroupApprovalStages(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) {
		for i, p := range sc.Policies {
			if p.GroupID == DemoGroupID && p.AccessID == "member" {
				sc.Policies[i].Approval, sc.Policies[i].Approvers = true, []string{DemoApproverUPN}
			}
		}
	})
	alex := newGraphClient(t, tn, DemoAdminUPN)
	megan := newGraphClient(t, tn, DemoApproverUPN)
	body := map[string]any{
		"action": "selfActivate", "principalId": DemoAdminUserID, "groupId": DemoGroupID, "accessId": "member", "justification": "deploy",
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT2H"}},
	}
	st, _, m := alex.do("POST", groupBase+"/assignmentScheduleRequests", body)
	if st != 201 || m["status"] != StatusPendingApproval {
		t.Fatalf("request: %d %v", st, m)
	}
	id := m["id"].(string)
	st, _, m = megan.do("GET", groupBase+"/assignmentScheduleRequests/filterByCurrentUser(on='approver')"+pendingFilter+"&$expand=group,principal", nil)
	if st != 200 || len(values(m)) != 1 || values(m)[0]["approvalId"] != id || values(m)[0]["completedDateTime"] != nil || values(m)[0]["group"].(map[string]any)["displayName"] != "SG-Tier0-Break-Glass-Ops" ||
		values(m)[0]["principal"].(map[string]any)["userPrincipalName"] != DemoAdminUPN {
		t.Fatalf("group inbox: %d %v", st, m)
	}
	st, _, m = megan.do("GET", groupApprovalsPath+id, nil)
	if st != 200 || m["id"] != id || m["steps"] != nil {
		t.Fatalf("group approval: %d %v", st, m)
	}
	stage := stages(t, m, "stages")[0]
	stageID := stage["id"].(string)
	if stage["status"] != "InProgress" || stage["assignedToMe"] != true {
		t.Fatalf("stage: %v", stage)
	}
	// The beta twin names them steps, same ids.
	if st, _, m := megan.do("GET", beta(tn, "/beta"+groupApprovalsPath+id), nil); st != 200 || stages(t, m, "steps")[0]["id"] != stageID {
		t.Fatalf("beta group approval: %d %v", st, m)
	}
	// v1.0 has no steps segment on groups (AF §1.4 doc glitch).
	if st, _, _ := megan.do("PATCH", groupApprovalsPath+id+"/steps/"+stageID, map[string]any{"reviewResult": "Deny", "justification": "no"}); st != 404 {
		t.Fatalf("v1.0 steps: %d", st)
	}
	if st, _, m := megan.do("PATCH", groupApprovalsPath+id+"/stages/"+stageID, map[string]any{"reviewResult": "Deny", "justification": "no change ticket"}); st != 204 {
		t.Fatalf("deny: %d %v", st, m)
	}
	_, _, m = megan.do("GET", groupApprovalsPath+id+"/stages/"+stageID, nil)
	by, _ := m["reviewedBy"].(map[string]any)
	if m["reviewResult"] != "Deny" || m["status"] != "Completed" || by["displayName"] != "Megan Bowen" {
		t.Fatalf("denied stage: %v", m)
	}
	_, _, m = alex.do("GET", groupBase+"/assignmentScheduleRequests/"+id, nil)
	if m["status"] != StatusDenied {
		t.Fatalf("request after deny: %v", m)
	}
	// The beta twin decides too; this one is decided already.
	if st, _, m := megan.do("PATCH", beta(tn, "/beta"+groupApprovalsPath+id+"/steps/"+stageID), map[string]any{"reviewResult": "Approve", "justification": "on second thought"}); st != 409 {
		t.Fatalf("beta group step: %d %v", st, m)
	}
	if st, _, _ := megan.do("GET", groupApprovalsPath+"no-such-approval", nil); st != 404 {
		t.Fatalf("unknown: %d", st)
	}
}

// After 24 hours (tenant clock) the approval has expired: gone from the
// filtered inbox, the step Expired, the request TimedOut, no decision.
func TestGraphApprovalExpires(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newGraphClient(t, tn, DemoAdminUPN)
	_, _, m := alex.do("POST", reqPath, activation(RolePrivilegedRoleAdmin, "/", "PT1H", "night"))
	id := m["id"].(string)
	tn.Clock().Advance(approvalWindow + time.Minute)
	megan := newGraphClient(t, tn, DemoApproverUPN) // a token from the tenant's new now
	inbox := reqPath + "/filterByCurrentUser(on='approver')"
	if _, _, m := megan.do("GET", inbox+pendingFilter, nil); len(values(m)) != 0 {
		t.Fatalf("expired request offered: %v", m)
	}
	if _, _, m := megan.do("GET", inbox+"?$filter="+url.QueryEscape("status eq 'TimedOut'"), nil); len(values(m)) != 1 || values(m)[0]["completedDateTime"] == nil {
		t.Fatalf("timed out: %v", m)
	}
	_, _, m = megan.do("GET", beta(tn, betaRoleApprovals+id), nil)
	step := stages(t, m, "steps")[0]
	if step["status"] != "Expired" || step["reviewResult"] != "NotReviewed" {
		t.Fatalf("step: %v", step)
	}
	st, _, m := megan.do("PATCH", beta(tn, betaRoleApprovals+id+"/steps/"+step["id"].(string)), map[string]any{"reviewResult": "Approve", "justification": "late"})
	if _, msg := errCode(m); st != 400 || !strings.Contains(msg, "expired") {
		t.Fatalf("decide expired: %d %v", st, m)
	}
}

// The demo's approvals: Megan's three requests wait in the admin's inbox
// for each kind, with most of the 24-hour window left, and the admin can
// decide each; the admin's own side is as before.

func TestDemoSeededRequestsInTheAdminsInbox(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newGraphClient(t, tn, DemoAdminUPN)
	start := tn.Now()

	_, _, m := alex.do("GET", reqPath+"/filterByCurrentUser(on='approver')"+pendingFilter+"&$expand=principal,roleDefinition", nil)
	if v := values(m); len(v) != 1 || v[0]["id"] != DemoPendingRoleRequestID || v[0]["principal"].(map[string]any)["userPrincipalName"] != DemoApproverUPN ||
		v[0]["roleDefinition"].(map[string]any)["displayName"] != "Billing Administrator" || v[0]["scheduleInfo"].(map[string]any)["expiration"].(map[string]any)["duration"] != "PT2H" {
		t.Fatalf("role inbox: %v", m)
	}
	created, err := time.Parse(time.RFC3339, values(m)[0]["createdDateTime"].(string))
	if age := start.Sub(created); err != nil || age < 11*time.Minute || age > 13*time.Minute {
		t.Fatalf("created %v before the start (%v)", age, err)
	}
	_, _, m = alex.do("GET", groupBase+"/assignmentScheduleRequests/filterByCurrentUser(on='approver')"+pendingFilter+"&$expand=group,principal", nil)
	if v := values(m); len(v) != 1 || v[0]["id"] != DemoPendingGroupRequestID || v[0]["group"].(map[string]any)["displayName"] != "SG-Finance-Payroll-Admins" {
		t.Fatalf("group inbox: %v", m)
	}
	groupStart, _ := time.Parse(time.RFC3339, values(m)[0]["scheduleInfo"].(map[string]any)["startDateTime"].(string))
	if d := groupStart.Sub(start); d < 179*time.Minute || d > 3*time.Hour {
		t.Fatalf("group request starts %v after the tenant", d)
	}
	a := newARMClient(t, tn, TokenSpec{})
	_, _, m = a.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+asApprover, nil)
	if v := values(m); len(v) != 1 || v[0]["name"] != DemoPendingAzureRequestID ||
		props(v[0])["approvalId"] != armApprovalPath(DemoPendingAzureApprovalID) || props(v[0])["ticketInfo"].(map[string]any)["ticketNumber"] != "INC-4711" {
		t.Fatalf("Azure inbox: %v", m)
	}

	// The admin decides each one.
	stageID := func(path string, key string, g *graphClient) string {
		_, _, m := g.do("GET", path, nil)
		return stages(t, m, key)[0]["id"].(string)
	}
	step := stageID(beta(tn, betaRoleApprovals+DemoPendingRoleRequestID), "steps", alex)
	if st, _, m := alex.do("PATCH", beta(tn, betaRoleApprovals+DemoPendingRoleRequestID+"/steps/"+step), map[string]any{"reviewResult": "Approve", "justification": "quarter close"}); st != 204 {
		t.Fatalf("role: %d %v", st, m)
	}
	stage := stageID(groupApprovalsPath+DemoPendingGroupRequestID, "stages", alex)
	if st, _, m := alex.do("PATCH", groupApprovalsPath+DemoPendingGroupRequestID+"/stages/"+stage, map[string]any{"reviewResult": "Approve", "justification": "payroll"}); st != 204 {
		t.Fatalf("group: %d %v", st, m)
	}
	approval := armApprovalPath(DemoPendingAzureApprovalID)
	_, _, m = a.do("GET", approval+"/stages", approvalVersion, nil)
	if st, _, m := a.do("PUT", approval+"/stages/"+values(m)[0]["name"].(string), approvalVersion, map[string]any{"properties": map[string]any{"reviewResult": "Deny", "justification": "use a JIT vault role"}}); st != 200 {
		t.Fatalf("Azure: %d %v", st, m)
	}
	for id, want := range map[string]string{DemoPendingRoleRequestID: StatusProvisioned, DemoPendingGroupRequestID: StatusGranted, DemoPendingAzureRequestID: StatusDenied} {
		if r, ok := tn.Request(id); !ok || r.Status != want || r.ReviewedBy != DemoAdminUserID || r.UserID != DemoApproverUserID {
			t.Errorf("%s: %+v, want %s", id, r, want)
		}
	}
	// Megan sees the outcome of her own requests.
	megan := newGraphClient(t, tn, DemoApproverUPN)
	if _, _, m := megan.do("GET", groupBase+"/assignmentSchedules/filterByCurrentUser(on='principal')", nil); len(values(m)) != 1 || values(m)[0]["status"] != StatusGranted {
		t.Fatalf("Megan's scheduled group access: %v", m)
	}
}

// The seeded requests are the scenario's, not a client's: ScheduleRequests
// leaves them out (client tests count what they sent), Request finds them.
func TestDemoSeededRequestsAreNotClientRequests(t *testing.T) {
	tn := startDemo(t, nil)
	if got := tn.ScheduleRequests(); len(got) != 0 {
		t.Fatalf("ScheduleRequests = %+v", got)
	}
	r, ok := tn.Request(DemoPendingAzureRequestID)
	if !ok || r.Status != StatusPendingApproval || r.ApprovalID != DemoPendingAzureApprovalID || r.ReviewResult != "NotReviewed" || r.Scope != DemoSubscriptionScope {
		t.Fatalf("Request = %+v %v", r, ok)
	}
	// A day later they have expired.
	tn.Clock().Advance(24 * time.Hour)
	if r, _ := tn.Request(DemoPendingRoleRequestID); r.Status != StatusTimedOut {
		t.Fatalf("a day later: %s", r.Status)
	}
	if err := tn.Approve(DemoPendingGroupRequestID); err == nil {
		t.Fatal("approved an expired request")
	}
}

// The admin's own side of the demo is what it was: the same
// eligibilities, one active role, nothing pending of his own.
func TestDemoAdminSideUnchanged(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newGraphClient(t, tn, DemoAdminUPN)
	if _, _, m := alex.do("GET", eligPath, nil); len(values(m)) != 9 {
		t.Fatalf("directory eligibilities: %d", len(values(m)))
	}
	if _, _, m := alex.do("GET", groupBase+"/eligibilityScheduleInstances/filterByCurrentUser(on='principal')", nil); len(values(m)) != 2 {
		t.Fatalf("group eligibilities: %d", len(values(m)))
	}
	a := newARMClient(t, tn, TokenSpec{})
	if _, _, m := a.do("GET", authz+"roleEligibilityScheduleInstances", pimVersion+asTarget, nil); len(values(m)) != 5 {
		t.Fatalf("Azure eligibilities: %d", len(values(m)))
	}
	if _, _, m := alex.do("GET", reqPath+"/filterByCurrentUser(on='principal')", nil); len(values(m)) != 0 {
		t.Fatalf("own requests: %v", m)
	}
	if got := tn.ActiveAssignments(); len(got) != 1 || got[0].RoleDefinitionID != RoleGlobalReader {
		t.Fatalf("active: %+v", got)
	}
}
