package sim

import (
	"testing"
	"time"
)

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
