package sim

import (
	"strings"
	"testing"
	"time"
)

// The Azure resource role rules without HTTP: the demo scenario's Azure
// side, a fixed clock, a propagation delay of a minute.

const testARMDelay = time.Minute

func newARMTestState() *pimState {
	s := newTestState()
	s.armDelay = testARMDelay
	return s
}

func azTarget(role, scope string) Eligibility {
	return canonicalTarget(Eligibility{UserID: DemoAdminUserID, RoleDefinitionID: role, Scope: scope})
}

// azIn is a SelfActivate of role at scope under request name id.
func azIn(role, scope, id string, start time.Time, dur string) requestInput {
	r := in(azTarget(role, scope), start, dur)
	r.ID = id
	return r
}

func TestARMActivateRules(t *testing.T) {
	contrib := func(id string, start time.Time, dur string) requestInput {
		return azIn(AzureRoleContributor, DemoSubscriptionScope, id, start, dur)
	}
	with := func(r requestInput, f func(*requestInput)) requestInput { f(&r); return r }
	cases := []struct {
		name    string
		in      requestInput
		status  int // of the error
		wantErr string
		want    string // request status when accepted
		from    time.Time
	}{
		{name: "now", in: contrib("r1", time.Time{}, "PT1H"), want: StatusProvisioned, from: t0},
		{name: "future start: Granted", in: contrib("r1", t0.Add(time.Hour), "PT1H"), want: StatusGranted, from: t0.Add(time.Hour)},
		{name: "back-dated start loses the minutes", in: contrib("r1", t0.Add(-10*time.Minute), "PT1H"), want: StatusProvisioned, from: t0},
		{name: "back-dated past its end", in: contrib("r1", t0.Add(-2*time.Hour), "PT1H"), status: 400, wantErr: `["ExpirationRule"]`},
		{name: "over the maximum", in: contrib("r1", t0, "PT9H"), status: 400, wantErr: `["ExpirationRule"]`},
		{name: "no justification", in: with(contrib("r1", t0, "PT1H"), func(r *requestInput) { r.Justification = "" }), status: 400, wantErr: `["JustificationRule"]`},
		{name: "ticket", in: azIn(AzureRoleKeyVaultAdmin, DemoResourceGroupScope, "r1", t0, "PT1H"), status: 400, wantErr: `["TicketingRule"]`},
		{
			name: "token without MFA", in: with(contrib("r1", t0, "PT1H"), func(r *requestInput) { r.WithoutMFA = true }),
			status: 400, wantErr: `RoleAssignmentRequestPolicyValidationFailed The following policy rules failed: ["MfaRule"]`,
		},
		{
			name: "no MFA where none is required", in: with(azIn(AzureRoleReader, DemoManagementGroupScope, "r1", t0, "PT1H"), func(r *requestInput) { r.WithoutMFA = true }),
			want: StatusProvisioned, from: t0,
		},
		{name: "not eligible", in: azIn(AzureRoleUserAccessAdmin, DemoSubscriptionScope, "r1", t0, "PT1H"), status: 400, wantErr: `["EligibilityRule"]`},
		{name: "eligible below only", in: azIn(AzureRoleKeyVaultAdmin, DemoSubscriptionScope, "r1", t0, "PT1H"), status: 400, wantErr: `["EligibilityRule"]`},
		{name: "child scope of an eligibility", in: azIn(AzureRoleContributor, DemoResourceGroupScope, "r1", t0, "PT1H"), want: StatusProvisioned, from: t0},
		{name: "role by bare GUID", in: func() requestInput {
			r := contrib("r1", t0, "PT1H")
			r.Target.RoleDefinitionID = roleDefinitionPath + AzureRoleContributor
			return r
		}(), want: StatusProvisioned, from: t0},
		{
			name: "auth context missing", in: azIn(AzureRoleOwner, DemoKeyVaultScope, "r1", t0, "PT1H"), status: 400,
			wantErr: "RoleAssignmentRequestAcrsValidationFailed &claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c2%22%7D%7D%7D",
		},
		{
			name: "auth context present", in: with(azIn(AzureRoleOwner, DemoKeyVaultScope, "r1", t0, "PT1H"), func(r *requestInput) { r.ACRS = []string{"c2"} }),
			want: StatusProvisioned, from: t0,
		},
		{name: "approval", in: azIn(AzureRoleOwner, DemoSubscriptionScope, "r1", t0, "PT1H"), want: StatusPendingApproval},
		{name: "approval inherited by a child scope", in: azIn(AzureRoleOwner, DemoResourceGroupScope, "r1", t0, "PT1H"), want: StatusPendingApproval},
		{name: "name used before", in: contrib("used", t0, "PT1H"), status: 409, wantErr: "RoleAssignmentRequestExists A role assignment request with Id: used already exists"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newARMTestState()
			s.requests = append(s.requests, &scheduleRequest{ID: "used", Eligibility: azTarget(AzureRoleReader, DemoManagementGroupScope), Status: StatusDenied})
			req, aerr := s.activate(c.in, t0)
			if c.wantErr != "" {
				if aerr == nil || aerr.status != c.status || !strings.Contains(errCodeOf(aerr), c.wantErr) {
					t.Fatalf("err = %v, want %d %q", aerr, c.status, c.wantErr)
				}
				if len(s.requests) != 1 || len(s.assignments) != 0 {
					t.Fatal("a refused request changed the state")
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			if req.Status != c.want || req.ID != "r1" || kindOf(req.Eligibility) != kindARM {
				t.Fatalf("request %+v", req)
			}
			if c.want == StatusPendingApproval {
				// The approval is a GUID of its own on ARM (AF §1.5).
				if len(s.assignments) != 0 || req.ApprovalID != stableGUID("approval", "r1") {
					t.Fatalf("pending made an assignment: %+v", req)
				}
				return
			}
			a := s.assignmentOf("r1")
			if a == nil || !a.Start.Equal(c.from) || !a.ListedAt.Equal(c.from.Add(testDelay)) || a.Scope != c.in.Target.Scope {
				t.Fatalf("assignment %+v", a)
			}
		})
	}
}

func TestARMPendingAndExisting(t *testing.T) {
	s := newARMTestState()
	owner := azIn(AzureRoleOwner, DemoSubscriptionScope, "p1", t0, "PT1H")
	if _, aerr := s.activate(owner, t0); aerr != nil {
		t.Fatal(aerr)
	}
	owner.ID = "p2"
	if _, aerr := s.activate(owner, t0); aerr == nil || aerr.status != 400 || aerr.code != "RoleAssignmentRequestExists" || !strings.Contains(aerr.message, "pending") {
		t.Fatalf("pending: %v", aerr)
	}
	// Graph keeps its own code for the same situation.
	pra := in(roleTarget(RolePrivilegedRoleAdmin, "/"), t0, "PT1H")
	_, _ = s.activate(pra, t0)
	if _, aerr := s.activate(pra, t0); aerr == nil || aerr.code != "PendingRoleAssignmentRequest" {
		t.Fatalf("graph pending: %v", aerr)
	}
	// Active, provisioning or scheduled: RoleAssignmentExists.
	if _, aerr := s.activate(azIn(AzureRoleContributor, DemoSubscriptionScope, "c1", t0.Add(time.Hour), "PT1H"), t0); aerr != nil {
		t.Fatal(aerr)
	}
	if _, aerr := s.activate(azIn(AzureRoleContributor, DemoSubscriptionScope, "c2", t0, "PT1H"), t0); aerr == nil || aerr.code != "RoleAssignmentExists" {
		t.Fatalf("while scheduled: %v", aerr)
	}
	// The same role at a child scope is another target.
	if _, aerr := s.activate(azIn(AzureRoleContributor, DemoResourceGroupScope, "c3", t0, "PT1H"), t0); aerr != nil {
		t.Fatalf("child scope: %v", aerr)
	}
}

func TestARMDeactivateAndPropagation(t *testing.T) {
	s := newARMTestState()
	target := azTarget(AzureRoleContributor, DemoSubscriptionScope)
	if _, aerr := s.activate(azIn(AzureRoleContributor, DemoSubscriptionScope, "a1", t0, "PT1H"), t0); aerr != nil {
		t.Fatal(aerr)
	}
	off := func(id string) requestInput { return requestInput{ID: id, Target: target} }
	// Still provisioning: ARM says it does not exist.
	if _, aerr := s.deactivate(off("d1"), t0.Add(time.Second)); aerr == nil || aerr.code != "RoleAssignmentDoesNotExist" {
		t.Fatalf("while provisioning: %v", aerr)
	}
	if _, aerr := s.deactivate(off("d1"), t0.Add(4*time.Minute)); aerr == nil || aerr.code != "ActiveDurationTooShort" {
		t.Fatalf("inside five minutes: %v", aerr)
	}
	rg := DemoResourceGroupScope
	perms := func(at time.Time, scope string) int { return len(s.effectiveRoles(DemoAdminUserID, scope, at)) }
	for _, c := range []struct {
		at        time.Duration
		scope     string
		n         int
		canDelete bool
	}{
		{0, DemoSubscriptionScope, 0, false},
		{testARMDelay - time.Second, DemoSubscriptionScope, 0, false},
		{testARMDelay, DemoSubscriptionScope, 1, false},
		{testARMDelay, rg, 1, false},                       // inherited below
		{testARMDelay, DemoManagementGroupScope, 0, false}, // not above
	} {
		if got := perms(t0.Add(c.at), c.scope); got != c.n {
			t.Errorf("at %v on %s: %d roles, want %d", c.at, c.scope, got, c.n)
		}
	}
	if !s.allowed(DemoAdminUserID, rg, "Microsoft.Compute/virtualMachines/write", t0.Add(testARMDelay)) ||
		s.allowed(DemoAdminUserID, rg, "Microsoft.Authorization/roleAssignments/write", t0.Add(testARMDelay)) ||
		!s.allowed(DemoAdminUserID, rg, "Microsoft.Authorization/roleAssignments/read", t0.Add(testARMDelay)) {
		t.Fatal("Contributor's actions and notActions")
	}

	end := t0.Add(10 * time.Minute)
	req, aerr := s.deactivate(off("d2"), end)
	if aerr != nil || req.Status != StatusRevoked || req.ID != "d2" {
		t.Fatalf("deactivate: %+v %v", req, aerr)
	}
	if _, aerr := s.deactivate(off("d2"), end); aerr == nil || aerr.status != 409 {
		t.Fatalf("same name again: %v", aerr)
	}
	// Permissions and the role assignment linger for the delay; so does
	// RoleAssignmentExists for a new activation.
	if perms(end.Add(testARMDelay-time.Second), DemoSubscriptionScope) != 1 || perms(end.Add(testARMDelay), DemoSubscriptionScope) != 0 {
		t.Fatal("permissions after deactivation")
	}
	if n := len(s.armRoleAssignments(end.Add(time.Second))); n != 1 {
		t.Fatalf("role assignments just after: %d", n)
	}
	if _, aerr := s.activate(azIn(AzureRoleContributor, DemoSubscriptionScope, "a2", time.Time{}, "PT1H"), end.Add(time.Second)); aerr == nil || aerr.code != "RoleAssignmentExists" {
		t.Fatalf("re-activate in the removal window: %v", aerr)
	}
	if _, aerr := s.activate(azIn(AzureRoleContributor, DemoSubscriptionScope, "a3", time.Time{}, "PT1H"), end.Add(testARMDelay)); aerr != nil {
		t.Fatalf("re-activate after it: %v", aerr)
	}
}

func TestARMCancelScheduled(t *testing.T) {
	s := newARMTestState()
	if _, aerr := s.activate(azIn(AzureRoleReader, DemoManagementGroupScope, "s1", t0.Add(time.Hour), "PT1H"), t0); aerr != nil {
		t.Fatal(aerr)
	}
	if aerr := s.cancel(kindARM, "s1", DemoAdminUserID, t0); aerr != nil {
		t.Fatal(aerr)
	}
	if r := s.request(kindARM, "s1"); r.Status != StatusCanceled || s.assignmentOf("s1") != nil {
		t.Fatalf("%+v", r)
	}
	if s.request(kindRole, "s1") != nil {
		t.Fatal("an ARM request found as a directory role request")
	}
}

func TestActionMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, action string
		want            bool
	}{
		{"*", "Microsoft.Compute/virtualMachines/write", true},
		{"*/read", "Microsoft.KeyVault/vaults/read", true},
		{"*/read", "Microsoft.KeyVault/vaults/write", false},
		{"Microsoft.Authorization/*/Write", "microsoft.authorization/roleAssignments/write", true},
		{"Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/read", true},
		{"Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/read", false},
		{"Microsoft.Support/*", "Microsoft.Support/tickets/write", true},
		{"Microsoft.Support/*", "Microsoft.Storage/x", false},
	} {
		if got := actionMatch(c.pattern, c.action); got != c.want {
			t.Errorf("%s ~ %s = %v", c.pattern, c.action, got)
		}
	}
}
