package pim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// inbox reads the approver's inbox with stages and fails the test on error.
func (e *env) inbox() []pim.Approval {
	e.tb.Helper()
	snap, err := e.svc.Approvals(e.ctx(), true)
	if err != nil {
		e.tb.Fatalf("Approvals: %v", err)
	}
	if (snap.AzureMissing != "" && e.arm != nil) || len(snap.Warnings) > 0 {
		e.tb.Fatalf("Azure missing %q, warnings %v", snap.AzureMissing, snap.Warnings)
	}
	return snap.Approvals
}

func approvalOf(tb testing.TB, list []pim.Approval, id string) pim.Approval {
	tb.Helper()
	for _, a := range list {
		if a.Matches(id) {
			return a
		}
	}
	tb.Fatalf("no approval %s in %d", id, len(list))
	return pim.Approval{}
}

// Megan Bowen's three requests wait for the demo admin: one per kind, each
// with requester, role, scope in words, the requested duration and start,
// justification, ticket, the 24-hour window and the stage assigned to me.
func TestInboxListsEveryKind(t *testing.T) {
	e := newEnv(t, withAzure())
	now := e.tn.Now()
	list := e.inbox()
	if len(list) != 3 {
		t.Fatalf("inbox has %d requests, want Megan's 3: %+v", len(list), list)
	}
	want := []struct {
		id, kind, name, scope, justification, ticket string
		duration                                     time.Duration
		startsLater                                  bool
	}{
		{sim.DemoPendingRoleRequestID, "directoryRole", "Billing Administrator", "tenant", "Renew the E5 licences before the quarter closes", "", 2 * time.Hour, false},
		{sim.DemoPendingGroupRequestID, "group", "SG-Finance-Payroll-Admins", "group member", "March payroll run in tonight's window", "", 4 * time.Hour, true},
		{sim.DemoPendingAzureRequestID, "azureRole", "User Access Administrator", "sub: Contoso Prod", "Grant the backup operator access to kv-prod", "INC-4711", time.Hour, false},
	}
	for _, w := range want {
		a := approvalOf(t, list, w.id)
		if string(a.Kind) != w.kind || a.Name != w.name || a.Scope != w.scope || a.Justification != w.justification || a.TicketNumber != w.ticket || a.Duration != w.duration {
			t.Errorf("%s: %+v", w.id, a)
		}
		if a.Requester != "Megan Bowen" || a.RequesterUPN != sim.DemoApproverUPN || a.RequesterID != sim.DemoApproverUserID {
			t.Errorf("%s: requester %q %q %q", w.id, a.Requester, a.RequesterUPN, a.RequesterID)
		}
		if a.Start.After(now) != w.startsLater {
			t.Errorf("%s: start %v (now %v)", w.id, a.Start, now)
		}
		if left := a.Expires().Sub(now); left <= 23*time.Hour || left > 24*time.Hour {
			t.Errorf("%s: %s left of the 24-hour window", w.id, left)
		}
		if len(a.Stages) != 1 || !a.Stages[0].Open() || pim.StageWords(a.Stages) != "stage 1 of 1 in progress, yours" {
			t.Errorf("%s: stages %+v", w.id, a.Stages)
		}
	}
	if a := approvalOf(t, list, sim.DemoPendingAzureApprovalID); a.RequestID != sim.DemoPendingAzureRequestID || a.TicketSystem != "ServiceNow" {
		t.Errorf("the Azure approval id does not find its request: %+v", a)
	}
	// The first screen reads the inbox in the same round trip.
	if snap := e.load(); len(snap.Approvals) != 3 || snap.RoundTrips > 2 {
		t.Errorf("first screen: %d approvals in %d round trips", len(snap.Approvals), snap.RoundTrips)
	}
}

// decisionRequests are the decision writes in the log: Graph PATCHes and
// ARM PUTs on approvals.
func (e *env) decisionRequests() []sim.Request {
	var out []sim.Request
	for _, r := range e.tn.Requests() {
		if (r.Method == "PATCH" || r.Method == "PUT") && strings.Contains(strings.ToLower(r.Path), "approvals/") {
			out = append(out, r)
		}
	}
	return out
}

// Each kind is decided where it must be: directory roles on Graph beta
// with a Graph token (never v1.0), groups on v1.0 stages, Azure roles on
// ARM's preview stages with an ARM token; each decision is journaled and
// changes the requester's request.
func TestDecideEveryKindAtItsOwnEndpoint(t *testing.T) {
	for _, d := range []pim.Decision{pim.Approve, pim.Deny} {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, withAzure())
			list := e.inbox()
			e.tn.ResetLog()
			for _, id := range []string{sim.DemoPendingRoleRequestID, sim.DemoPendingGroupRequestID, sim.DemoPendingAzureRequestID} {
				out := e.svc.Decide(e.ctx(), approvalOf(t, list, id), d, "checked with Megan on the phone")
				if out.Err != nil || !out.Recorded || out.Reconciled {
					t.Fatalf("%s %s: %+v", d, id, out)
				}
			}
			writes := e.decisionRequests()
			if len(writes) != 3 {
				t.Fatalf("%d decision writes, want 3: %+v", len(writes), writes)
			}
			role, group, azure := writes[0], writes[1], writes[2]
			if role.Method != "PATCH" || !strings.HasPrefix(role.Path, "/beta/roleManagement/directory/roleAssignmentApprovals/"+sim.DemoPendingRoleRequestID+"/steps/") {
				t.Errorf("directory role decision went to %s %s", role.Method, role.Path)
			}
			// The Graph token: the audience every v1.0 call carries.
			if role.Audience == "" || role.Audience == sim.ARMResource || role.Audience != group.Audience {
				t.Errorf("directory role decision carried a token for %q, want Graph's (%q)", role.Audience, group.Audience)
			}
			if group.Method != "PATCH" || !strings.HasPrefix(group.Path, "/v1.0/identityGovernance/privilegedAccess/group/assignmentApprovals/"+sim.DemoPendingGroupRequestID+"/stages/") {
				t.Errorf("group decision went to %s %s", group.Method, group.Path)
			}
			if azure.Method != "PUT" || !strings.HasPrefix(azure.Path, "/arm/providers/Microsoft.Authorization/roleAssignmentApprovals/"+sim.DemoPendingAzureApprovalID+"/stages/") ||
				!strings.Contains(azure.Query, "api-version=2021-01-01-preview") || azure.Audience != sim.ARMResource {
				t.Errorf("Azure decision went to %s %s?%s with %q", azure.Method, azure.Path, azure.Query, azure.Audience)
			}
			for _, w := range writes {
				if !strings.Contains(w.Body, `"reviewResult":"`+string(d)+`"`) || !strings.Contains(w.Body, "checked with Megan on the phone") {
					t.Errorf("%s body %s", w.Path, w.Body)
				}
			}
			if n := e.tn.CountRequests("", "/v1.0/roleManagement/directory/roleAssignmentApprovals"); n != 0 {
				t.Errorf("%d directory role approval calls went to v1.0", n)
			}
			wantStatus := map[pim.Decision]string{pim.Approve: "Provisioned", pim.Deny: "Denied"}[d]
			for _, id := range []string{sim.DemoPendingRoleRequestID, sim.DemoPendingAzureRequestID} {
				if r, _ := e.tn.Request(id); r.Status != wantStatus {
					t.Errorf("%s is %s, want %s", id, r.Status, wantStatus)
				}
			}
			if r, _ := e.tn.Request(sim.DemoPendingGroupRequestID); d == pim.Approve && r.Status != "Granted" {
				t.Errorf("the group request (later start) is %s after approval, want Granted", r.Status)
			}
			if left := e.inbox(); len(left) != 0 {
				t.Errorf("still in the inbox: %+v", left)
			}
			var journaled int
			for _, en := range e.journal() {
				if en.Action == d.Verb() && en.Result == "recorded" && en.Requester == "Megan Bowen <"+sim.DemoApproverUPN+">" {
					journaled++
				}
			}
			if journaled != 3 {
				t.Errorf("%d decisions journaled as recorded: %+v", journaled, e.journal())
			}
		})
	}
}

// withSelfApprover makes the demo admin also an approver of Privileged
// Role Administrator, whose policy needs approval.
func withSelfApprover() func(*envOption) {
	return withScenario(func(sc *sim.Scenario) {
		for i, p := range sc.Policies {
			if p.RoleDefinitionID == sim.RolePrivilegedRoleAdmin {
				sc.Policies[i].Approvers = append(sc.Policies[i].Approvers, sim.DemoAdminUPN)
			}
		}
	})
}

// The admin's own request is never offered, even where they are an
// approver, and deciding it is refused before anything is sent.
func TestOwnRequestIsNeverOffered(t *testing.T) {
	e := newEnv(t, withSelfApprover())
	pra := elig(t, e.load(), "Privileged Role Administrator")
	out, _ := e.activate(pim.ActivateRequest{Target: pra, Duration: time.Hour, Justification: "rotate break-glass"}, false)
	if out.Status != "PendingApproval" {
		t.Fatalf("activation: %+v", out)
	}
	for _, a := range e.inbox() {
		if a.Name == "Privileged Role Administrator" {
			t.Fatalf("own request offered: %+v", a)
		}
	}
	if snap := e.load(); len(snap.Approvals) != 2 {
		t.Errorf("first screen offers %d approvals, want Megan's directory role and group", len(snap.Approvals))
	}
	e.tn.ResetLog()
	mine := pim.Approval{Eligibility: pra, RequestID: out.RequestID, ApprovalID: out.RequestID, RequesterID: sim.DemoAdminUserID, Status: "PendingApproval"}
	res := e.svc.Decide(e.ctx(), mine, pim.Approve, "self")
	if res.Recorded || res.Err == nil || !strings.Contains(res.Err.Error(), "your own request") || len(e.decisionRequests()) != 0 {
		t.Errorf("own request: %+v, %d writes", res, len(e.decisionRequests()))
	}
}

// A request another approver decided, or one whose 24 hours passed, gets
// one clear line from a re-read of its stage, and nothing is sent.
func TestDecidedAndExpiredRequestsSayWhatIsTrue(t *testing.T) {
	// Tokens outlive the day the clock jumps (MSAL judges expiry by the
	// PC's clock, which does not jump). Ada Lovelace approves beside the
	// admin, and decides first (the sim's hooks decide as the first
	// approver listed).
	const ada = "0d5c7a3e-6b21-4f8e-9a47-c3e1b2d4f605"
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) {
		sc.TokenLifetime = sim.Duration(48 * time.Hour)
		sc.Users = append(sc.Users, sim.User{ID: ada, UserPrincipalName: "ada.lovelace@contoso.onmicrosoft.com", DisplayName: "Ada Lovelace"})
		for i, p := range sc.Policies {
			if p.RoleDefinitionID == sim.RoleBillingAdministrator || (p.Scope == sim.DemoSubscriptionScope && p.RoleDefinitionID == sim.AzureRoleUserAccessAdmin) {
				sc.Policies[i].Approvers = append([]string{"Ada Lovelace"}, p.Approvers...)
			}
		}
	}))
	list := e.inbox()
	if err := e.tn.Approve(sim.DemoPendingRoleRequestID); err != nil {
		t.Fatal(err)
	}
	if err := e.tn.Deny(sim.DemoPendingAzureRequestID); err != nil {
		t.Fatal(err)
	}
	e.tn.ResetLog()
	for id, want := range map[string]string{sim.DemoPendingRoleRequestID: "already approved by Ada Lovelace at ", sim.DemoPendingAzureRequestID: "already denied by Ada Lovelace at "} {
		out := e.svc.Decide(e.ctx(), approvalOf(t, list, id), pim.Deny, "too late")
		if out.Recorded || out.Err == nil || !strings.Contains(out.Err.Error(), want) || !strings.Contains(out.Err.Error(), "nothing was sent") {
			t.Errorf("%s: %+v", id, out)
		}
	}
	e.tn.Clock().Advance(24*time.Hour + time.Minute)
	out := e.svc.Decide(e.ctx(), approvalOf(t, list, sim.DemoPendingGroupRequestID), pim.Approve, "late")
	if out.Recorded || out.Err == nil || !strings.Contains(out.Err.Error(), "expired: the 24-hour approval window closed") {
		t.Errorf("expired: %+v", out)
	}
	if n := len(e.decisionRequests()); n != 0 {
		t.Errorf("%d decisions were sent", n)
	}
	if left := e.inbox(); len(left) != 0 {
		t.Errorf("inbox after decisions and expiry: %+v", left)
	}
	a, ok, err := e.svc.FindApproval(e.ctx(), sim.DemoPendingGroupRequestID)
	if err != nil || !ok || a.Status != sim.StatusTimedOut || pim.StageWords(a.Stages) != "stage 1 of 1 expired" {
		t.Errorf("FindApproval of the expired request: %+v %v %v", a, ok, err)
	}
}

// A decision whose answer never comes back (the admin gave up while PIM
// had already recorded it) is reconciled by re-reading the stage: it is
// recorded, and it was sent once.
func TestLostDecisionAnswerIsReconciledFromTheStage(t *testing.T) {
	for _, tc := range []struct{ name, method, path, id string }{
		{"directory role on beta", "PATCH", "roleAssignmentApprovals", sim.DemoPendingRoleRequestID},
		{"Azure role on ARM", "PUT", "roleAssignmentApprovals", sim.DemoPendingAzureRequestID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withAzure())
			a := approvalOf(t, e.inbox(), tc.id)
			e.tn.AddFault(sim.Fault{Method: tc.method, Path: tc.path, Kind: sim.FaultDropAfterWrite, Hold: sim.Duration(time.Minute), Times: 1})
			e.tn.ResetLog()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				for len(e.decisionRequests()) == 0 { // processed by PIM, the answer held back
					time.Sleep(5 * time.Millisecond)
				}
				cancel()
			}()
			out := e.svc.Decide(ctx, a, pim.Approve, "on call")
			if out.Err != nil || !out.Recorded || !out.Reconciled {
				t.Fatalf("outcome: %+v", out)
			}
			if n := len(e.decisionRequests()); n != 1 {
				t.Errorf("%d decision writes, want exactly 1", n)
			}
			if r, _ := e.tn.Request(tc.id); r.Status != "Provisioned" {
				t.Errorf("request is %s", r.Status)
			}
			last := e.journal()[len(e.journal())-1]
			if last.Action != "approve" || !strings.HasPrefix(last.Result, "recorded (the answer was lost") {
				t.Errorf("journal: %+v", last)
			}
		})
	}
}

// A request the admin is not an approver of: PIM refuses to show its
// stages (403), and the line says so; nothing is sent.
func TestNotAnApproverSaysSoAndSendsNothing(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		for i, p := range sc.Policies {
			if p.RoleDefinitionID == sim.RoleBillingAdministrator {
				sc.Policies[i].Approvers = []string{sim.DemoApproverUserID} // only Megan, who may not decide her own
			}
		}
	}))
	for _, a := range e.inbox() {
		if a.RequestID == sim.DemoPendingRoleRequestID {
			t.Fatal("a request the admin does not approve is in the inbox")
		}
	}
	billing := pim.Approval{
		Eligibility: pim.Eligibility{Kind: pim.KindDirectoryRole, Name: "Billing Administrator", RoleDefinitionID: sim.RoleBillingAdministrator, DirectoryScopeID: "/"},
		RequestID:   sim.DemoPendingRoleRequestID, ApprovalID: sim.DemoPendingRoleRequestID, RequesterID: sim.DemoApproverUserID, Status: "PendingApproval",
	}
	e.tn.ResetLog()
	out := e.svc.Decide(e.ctx(), billing, pim.Approve, "not mine to decide")
	if out.Recorded || out.Err == nil || !strings.Contains(out.Err.Error(), "you are not one of its approvers") || len(e.decisionRequests()) != 0 {
		t.Errorf("not an approver: %+v, %d writes", out, len(e.decisionRequests()))
	}
	if r, _ := e.tn.Request(sim.DemoPendingRoleRequestID); r.Status != "PendingApproval" {
		t.Errorf("the request is %s", r.Status)
	}
}
