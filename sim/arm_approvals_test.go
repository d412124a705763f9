package sim

import (
	"strings"
	"testing"
	"time"
)

// ARM approvals over HTTP: the asApprover inbox, the approval and its
// stages on 2021-01-01-preview, decisions by PUT (wrapped) and PATCH
// (flat), and what they do to the requester's request.

const (
	approvalVersion = "api-version=2021-01-01-preview"
	asApprover      = "&%24filter=asApprover%28%29"
)

// armPending PUTs a SelfActivate of Owner on the subscription (approval
// by Megan) from start (zero: none sent) and returns the request's name
// and its approval's path.
func armPending(t *testing.T, a *armClient, start time.Time) (name, approval string) {
	t.Helper()
	body := armActivation(AzureRoleOwner, DemoSubscriptionScope, "PT2H", "db failover")
	if !start.IsZero() {
		props(body)["scheduleInfo"].(map[string]any)["startDateTime"] = start.Format(time.RFC3339)
	}
	name = newGUID()
	st, _, m := a.do("PUT", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/"+name, pimVersion, body)
	if st != 201 || props(m)["status"] != StatusPendingApproval {
		t.Fatalf("PUT: %d %v", st, m)
	}
	approval, _ = props(m)["approvalId"].(string)
	return name, approval
}

func TestARMApprovalStagesAndDecision(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newARMClient(t, tn, TokenSpec{})
	megan := newARMClient(t, tn, TokenSpec{UPN: DemoApproverUPN})
	name, approval := armPending(t, alex, time.Time{})
	guid := strings.TrimPrefix(approval, "/providers/Microsoft.Authorization/roleAssignmentApprovals/")
	if guid == approval || guid == name || !isGUID(guid) {
		t.Fatalf("approvalId %q of request %s", approval, name)
	}

	// The inbox.
	st, _, m := megan.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+asApprover, nil)
	if st != 200 || len(values(m)) != 1 || props(values(m)[0])["approvalId"] != approval ||
		props(values(m)[0])["expandedProperties"].(map[string]any)["principal"].(map[string]any)["email"] != DemoAdminUPN {
		t.Fatalf("inbox: %d %v", st, m)
	}

	// The approval and its stages, on the preview api-version only.
	st, _, m = megan.do("GET", approval, approvalVersion, nil)
	if st != 200 || m["id"] != approval || m["name"] != guid || m["type"] != "Microsoft.Authorization/roleAssignmentApprovals" {
		t.Fatalf("approval: %d %v", st, m)
	}
	stage := props(m)["stages"].([]any)[0].(map[string]any)
	stageID := stage["name"].(string)
	if stageID == guid || stage["id"] != approval+"/stages/"+stageID || props(stage)["status"] != "InProgress" || props(stage)["assignedToMe"] != true ||
		props(stage)["reviewResult"] != "NotReviewed" || props(stage)["reviewedBy"] != nil {
		t.Fatalf("stage: %v", stage)
	}
	if st, _, m := megan.do("GET", approval+"/stages", approvalVersion, nil); st != 200 || len(values(m)) != 1 || values(m)[0]["name"] != stageID {
		t.Fatalf("stages: %d %v", st, m)
	}
	if st, _, m := alex.do("GET", approval+"/stages/"+stageID, approvalVersion, nil); st != 200 || props(m)["assignedToMe"] != false {
		t.Fatalf("the requester's view: %d %v", st, m)
	}
	for _, c := range []struct {
		name, path, query string
		want              int
		code              string
	}{
		{"GA api-version", approval, pimVersion, 400, "InvalidApiVersionParameter"},
		{"no api-version", approval, "", 400, "MissingApiVersionParameter"},
		{"older steps", approval + "/steps/" + stageID, approvalVersion, 404, "ResourceNotFound"},
		{"at a scope", DemoSubscriptionScope + approval, approvalVersion, 404, "ResourceNotFound"},
		{"unknown", authz + "roleAssignmentApprovals/" + newGUID(), approvalVersion, 404, "ResourceNotFound"},
	} {
		st, _, m := megan.do("GET", c.path, c.query, nil)
		if code, _ := errCode(m); st != c.want || code != c.code {
			t.Errorf("%s: %d %v", c.name, st, m)
		}
	}
	// ARM tokens only.
	g := newGraphClient(t, tn, DemoApproverUPN)
	if st, _, _ := g.do("GET", tn.ARMURL()+approval+"?"+approvalVersion, nil); st != 401 {
		t.Fatalf("Graph token: %d", st)
	}

	decide := func(a *armClient, method, stage string, body map[string]any) (int, map[string]any) {
		t.Helper()
		st, _, m := a.do(method, approval+"/stages/"+stage, approvalVersion, body)
		return st, m
	}
	wrapped := func(result, why string) map[string]any {
		return map[string]any{"properties": map[string]any{"reviewResult": result, "justification": why}}
	}
	if st, m := decide(alex, "PUT", stageID, wrapped("Approve", "mine")); st != 403 || m["error"].(map[string]any)["code"] != "AuthorizationFailed" {
		t.Fatalf("self-approval: %d %v", st, m)
	}
	if st, m := decide(megan, "PUT", guid, wrapped("Approve", "ok")); st != 404 {
		t.Fatalf("stage id = approval id: %d %v", st, m)
	}
	if st, m := decide(megan, "PUT", stageID, map[string]any{"properties": map[string]any{"justification": "ok"}}); st != 400 {
		t.Fatalf("no reviewResult: %d %v", st, m)
	}
	st, m = decide(megan, "PUT", stageID, wrapped("Approve", "failover approved"))
	if p := props(m); st != 200 || p["reviewResult"] != "Approve" || p["status"] != "Completed" || p["justification"] != "failover approved" ||
		p["reviewedBy"].(map[string]any)["principalName"] != "Megan Bowen" || p["reviewedBy"].(map[string]any)["principalType"] != "user" || p["reviewedDateTime"] == nil {
		t.Fatalf("approve: %d %v", st, m)
	}
	if st, m := decide(megan, "PATCH", stageID, map[string]any{"reviewResult": "Deny", "justification": "changed my mind"}); st != 409 {
		t.Fatalf("twice: %d %v", st, m)
	}

	// The requester's request: Provisioned, listed after the provisioning
	// delay, usable after ARM's propagation delay.
	reqPath := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/" + name
	if st, _, m := alex.do("GET", reqPath, pimVersion, nil); st != 200 || props(m)["status"] != StatusProvisioned {
		t.Fatalf("request: %d %v", st, m)
	}
	if len(permissionsOf(t, alex, DemoSubscriptionScope)) != 0 {
		t.Fatal("usable before propagation")
	}
	tn.Clock().Advance(9 * time.Second)
	if len(permissionsOf(t, alex, DemoSubscriptionScope)) != 1 {
		t.Fatal("not usable after propagation")
	}
	// Decided, still in the unfiltered inbox: the status filter is the
	// client's (AF §9.5).
	if _, _, m := megan.do("GET", authz+"roleAssignmentScheduleRequests", pimVersion+asApprover, nil); len(values(m)) != 1 || props(values(m)[0])["status"] != StatusProvisioned {
		t.Fatalf("inbox after: %v", m)
	}
}

// A flat PATCH denies; an approved future start is scheduled (Granted, in
// the schedules, not the instances) and can be canceled before it starts;
// a started one cannot.
func TestARMApprovalDenyAndScheduled(t *testing.T) {
	tn := startDemo(t, nil)
	alex := newARMClient(t, tn, TokenSpec{})
	megan := newARMClient(t, tn, TokenSpec{UPN: DemoApproverUPN})
	stageOfApproval := func(approval string) string {
		_, _, m := megan.do("GET", approval+"/stages", approvalVersion, nil)
		return values(m)[0]["name"].(string)
	}
	name, approval := armPending(t, alex, time.Time{})
	if st, _, m := megan.do("PATCH", approval+"/stages/"+stageOfApproval(approval), approvalVersion, map[string]any{"reviewResult": "Deny", "justification": "no ticket"}); st != 200 {
		t.Fatalf("deny: %d %v", st, m)
	}
	reqs := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/"
	if _, _, m := alex.do("GET", reqs+name, pimVersion, nil); props(m)["status"] != StatusDenied {
		t.Fatalf("denied: %v", m)
	}

	start := tn.Now().Add(2 * time.Hour).Truncate(time.Second)
	name, approval = armPending(t, alex, start)
	if st, _, m := megan.do("PUT", approval+"/stages/"+stageOfApproval(approval), approvalVersion, map[string]any{"properties": map[string]any{"reviewResult": "Approve", "justification": "window"}}); st != 200 {
		t.Fatalf("approve: %d %v", st, m)
	}
	if _, _, m := alex.do("GET", reqs+name, pimVersion, nil); props(m)["status"] != StatusGranted {
		t.Fatalf("scheduled: %v", m)
	}
	if _, _, m := alex.do("GET", authz+"roleAssignmentSchedules", pimVersion+asTarget, nil); len(values(m)) != 1 || props(values(m)[0])["startDateTime"] != start.Format(time.RFC3339) {
		t.Fatalf("schedules: %v", m)
	}
	if _, _, m := alex.do("GET", authz+"roleAssignmentScheduleInstances", pimVersion+asTarget, nil); len(values(m)) != 0 {
		t.Fatalf("instances before the start: %v", m)
	}
	if st, _, m := alex.do("POST", reqs+name+"/cancel", pimVersion, nil); st != 200 {
		t.Fatalf("cancel: %d %v", st, m)
	}
	if _, _, m := alex.do("GET", authz+"roleAssignmentSchedules", pimVersion+asTarget, nil); len(values(m)) != 0 {
		t.Fatalf("schedules after cancel: %v", m)
	}

	// Started: Provisioned, and cancel is 400 (AF §4.2).
	name, approval = armPending(t, alex, time.Time{})
	if st, _, m := megan.do("PUT", approval+"/stages/"+stageOfApproval(approval), approvalVersion, map[string]any{"properties": map[string]any{"reviewResult": "Approve", "justification": "now"}}); st != 200 {
		t.Fatalf("approve: %d %v", st, m)
	}
	if st, _, m := alex.do("POST", reqs+name+"/cancel", pimVersion, nil); st != 400 {
		t.Fatalf("cancel provisioned: %d %v", st, m)
	}
}
