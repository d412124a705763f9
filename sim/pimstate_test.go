package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The PIM rules without HTTP: a state built from the demo scenario, a
// fixed clock, ids counted up.

var t0 = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)

const testDelay = 2 * time.Second

func newTestState() *pimState {
	sc := DemoScenario()
	sc.ProvisioningDelay = Duration(testDelay)
	n := 0
	return newPIMState(sc, func() string { n++; return fmt.Sprintf("id-%d", n) })
}

func roleTarget(role, scope string) Eligibility {
	return Eligibility{UserID: DemoAdminUserID, RoleDefinitionID: role, DirectoryScopeID: scope}
}

var groupMember = Eligibility{UserID: DemoAdminUserID, GroupID: DemoGroupID, AccessID: "member"}

// in is a selfActivate of target for dur (ISO 8601) from start (zero: none sent).
func in(target Eligibility, start time.Time, dur string) requestInput {
	return requestInput{
		Target: target, Justification: "j", Start: start,
		Expiration: expirationInput{Type: "afterDuration", Duration: dur},
	}
}

func errCodeOf(e *apiError) string {
	if e == nil {
		return ""
	}
	return e.code + " " + e.message
}

func TestActivateRules(t *testing.T) {
	user := roleTarget(RoleUserAdministrator, "/")
	cases := []struct {
		name      string
		in        requestInput
		wantErr   string // substring of code+message
		status    string
		from, end time.Time // the assignment's, if one is made
	}{
		{name: "no start sent: now", in: in(user, time.Time{}, "PT1H"), status: StatusProvisioned, from: t0, end: t0.Add(time.Hour)},
		{name: "start now", in: in(user, t0, "PT1H"), status: StatusProvisioned, from: t0, end: t0.Add(time.Hour)},
		{name: "client clock a second behind", in: in(user, t0.Add(-time.Second), "PT1H"), status: StatusProvisioned, from: t0, end: t0.Add(time.Hour - time.Second)},
		{name: "within the tolerance ahead", in: in(user, t0.Add(time.Second), "PT1H"), status: StatusProvisioned, from: t0, end: t0.Add(time.Hour + time.Second)},
		{name: "start in the past loses the minutes", in: in(user, t0.Add(-30*time.Minute), "PT1H"), status: StatusProvisioned, from: t0, end: t0.Add(30 * time.Minute)},
		{name: "start so far back it is over", in: in(user, t0.Add(-2*time.Hour), "PT1H"), wantErr: `["ExpirationRule"]`},
		{name: "ends exactly now", in: in(user, t0.Add(-time.Hour), "PT1H"), wantErr: `["ExpirationRule"]`},
		{name: "future start: scheduled", in: in(user, t0.Add(2*time.Hour), "PT1H"), status: StatusGranted, from: t0.Add(2 * time.Hour), end: t0.Add(3 * time.Hour)},
		{name: "just past the tolerance", in: in(user, t0.Add(1100*time.Millisecond), "PT1H"), status: StatusGranted, from: t0.Add(1100 * time.Millisecond), end: t0.Add(time.Hour + 1100*time.Millisecond)},
		{name: "afterDateTime", in: requestInput{Target: user, Justification: "j", Expiration: expirationInput{Type: "afterDateTime", End: t0.Add(90 * time.Minute)}}, status: StatusProvisioned, from: t0, end: t0.Add(90 * time.Minute)},
		{name: "afterDateTime from a future start", in: requestInput{Target: user, Justification: "j", Start: t0.Add(time.Hour), Expiration: expirationInput{Type: "afterDateTime", End: t0.Add(2 * time.Hour)}}, status: StatusGranted, from: t0.Add(time.Hour), end: t0.Add(2 * time.Hour)},
		{name: "noExpiration", in: requestInput{Target: user, Justification: "j", Expiration: expirationInput{Type: "noExpiration"}}, wantErr: `["ExpirationRule"]`},
		{name: "over the maximum", in: in(user, t0, "PT4H1M"), wantErr: `["ExpirationRule"]`},
		{name: "no justification", in: requestInput{Target: user, Expiration: expirationInput{Duration: "PT1H"}}, wantErr: `["JustificationRule"]`},
		{name: "ticket and justification", in: requestInput{Target: roleTarget(RoleExchangeAdministrator, "/"), Expiration: expirationInput{Duration: "PT1H"}}, wantErr: `["JustificationRule","TicketingRule"]`},
		{name: "not eligible", in: in(roleTarget(RoleSharePointAdmin, "/"), t0, "PT1H"), wantErr: `["EligibilityRule"]`},
		{name: "eligible elsewhere only", in: in(roleTarget(RoleHelpdeskAdministrator, "/"), t0, "PT1H"), wantErr: `["EligibilityRule"]`},
		{name: "already active", in: in(roleTarget(RoleGlobalReader, "/"), t0, "PT1H"), wantErr: "RoleAssignmentExists"},
		{name: "future start while active", in: in(roleTarget(RoleGlobalReader, "/"), t0.Add(3*time.Hour), "PT1H"), wantErr: "RoleAssignmentExists"},
		{name: "auth context missing", in: in(roleTarget(RoleGlobalAdministrator, "/"), t0, "PT1H"), wantErr: "RoleAssignmentRequestAcrsValidationFailed &claims="},
		{name: "auth context present", in: func() requestInput {
			r := in(roleTarget(RoleGlobalAdministrator, "/"), t0, "PT1H")
			r.ACRS = []string{"c1"}
			return r
		}(), status: StatusProvisioned, from: t0, end: t0.Add(time.Hour)},
		{name: "approval", in: in(roleTarget(RolePrivilegedRoleAdmin, "/"), t0, "PT1H"), status: StatusPendingApproval},
		{name: "group member", in: in(groupMember, t0.Add(time.Hour), "PT4H"), status: StatusGranted, from: t0.Add(time.Hour), end: t0.Add(5 * time.Hour)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestState()
			s.assignments = append(s.assignments, &assignment{ID: "gr", Eligibility: roleTarget(RoleGlobalReader, "/"), Start: t0.Add(-40 * time.Minute), End: t0.Add(20 * time.Minute), Activated: true})
			before := len(s.assignments)
			req, aerr := s.activate(c.in, t0)
			if c.wantErr != "" {
				if aerr == nil || aerr.status != 400 || !strings.Contains(errCodeOf(aerr), c.wantErr) {
					t.Fatalf("err = %v, want %q", aerr, c.wantErr)
				}
				if len(s.requests) != 0 || len(s.assignments) != before {
					t.Fatal("a refused request changed the state")
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			if req.Status != c.status || req.Action != actionSelfActivate || len(s.requests) != 1 {
				t.Fatalf("status %s, %d stored", req.Status, len(s.requests))
			}
			if c.status == StatusPendingApproval {
				// AF §1.2: approvalId == id == targetScheduleId, completedDateTime set.
				if req.ApprovalID != req.ID || req.TargetSchedule != req.ID || !req.Completed.Equal(t0) || len(s.assignments) != before {
					t.Fatalf("pending: %+v", req)
				}
				return
			}
			a := s.assignmentOf(req.ID)
			if a == nil || !a.Start.Equal(c.from) || !a.End.Equal(c.end) || !a.ListedAt.Equal(c.from.Add(testDelay)) {
				t.Fatalf("assignment %+v, want %v..%v", a, c.from, c.end)
			}
			if req.TargetSchedule != req.ID || !req.Completed.Equal(c.from) || req.ApprovalID != "" {
				t.Fatalf("request %+v", req)
			}
		})
	}
}

func TestValidationOnlyStoresNothing(t *testing.T) {
	s := newTestState()
	r := in(roleTarget(RoleSecurityAdministrator, "/"), t0, "PT1H")
	r.ValidationOnly = true
	req, aerr := s.activate(r, t0)
	if aerr != nil || req.Status != StatusGranted || !req.ValidationOnly || len(s.requests)+len(s.assignments) != 0 {
		t.Fatalf("%+v %v", req, aerr)
	}
	r = in(roleTarget(RolePrivilegedRoleAdmin, "/"), t0, "PT1H")
	r.ValidationOnly = true
	if req, aerr = s.activate(r, t0); aerr != nil || req.Status != StatusPendingApproval || len(s.requests) != 0 {
		t.Fatalf("approval, validation only: %+v %v", req, aerr)
	}
}

// A scheduled activation: not listed (nor in wids) before its start and
// the provisioning delay, Granted until it starts, Provisioned after.
func TestScheduledActivationTimeline(t *testing.T) {
	s := newTestState()
	start := t0.Add(time.Hour)
	req, aerr := s.activate(in(roleTarget(RoleUserAdministrator, "/"), start, "PT2H"), t0)
	if aerr != nil {
		t.Fatal(aerr)
	}
	at := func(now time.Time) (instances, schedules int, status string) {
		s.settle(now)
		return len(s.instancesFor(DemoAdminUserID, kindRole, now)), len(s.schedulesFor(DemoAdminUserID, kindRole, now)), req.Status
	}
	for _, c := range []struct {
		now                  time.Time
		instances, schedules int
		status               string
	}{
		{t0, 0, 1, StatusGranted},
		{start.Add(-time.Second), 0, 1, StatusGranted},
		{start, 0, 1, StatusProvisioned},
		{start.Add(testDelay), 1, 1, StatusProvisioned},
		{start.Add(2 * time.Hour), 0, 0, StatusProvisioned},
	} {
		i, sc, st := at(c.now)
		if i != c.instances || sc != c.schedules || st != c.status {
			t.Errorf("at %v: instances %d schedules %d status %s; want %d %d %s", c.now.Sub(t0), i, sc, st, c.instances, c.schedules, c.status)
		}
	}
	// Group schedules are their own list.
	if n := len(s.schedulesFor(DemoAdminUserID, kindGroup, t0)); n != 0 {
		t.Errorf("group schedules = %d", n)
	}
}

func TestScheduledActivationBlocksAnother(t *testing.T) {
	s := newTestState()
	target := roleTarget(RoleUserAdministrator, "/")
	if _, aerr := s.activate(in(target, t0.Add(time.Hour), "PT1H"), t0); aerr != nil {
		t.Fatal(aerr)
	}
	for _, start := range []time.Time{t0, t0.Add(3 * time.Hour)} {
		if _, aerr := s.activate(in(target, start, "PT1H"), t0); aerr == nil || aerr.code != "RoleAssignmentExists" {
			t.Fatalf("start %v: %v", start, aerr)
		}
	}
	// Not in force yet, so there is nothing to deactivate.
	if _, aerr := s.deactivate(requestInput{Target: target}, t0.Add(10*time.Minute)); aerr == nil || aerr.code != "RoleAssignmentDoesNotExist" {
		t.Fatalf("deactivate scheduled: %v", aerr)
	}
}

func TestCancel(t *testing.T) {
	s := newTestState()
	target := roleTarget(RoleUserAdministrator, "/")
	sched, _ := s.activate(in(target, t0.Add(time.Hour), "PT1H"), t0)
	pending, _ := s.activate(in(roleTarget(RolePrivilegedRoleAdmin, "/"), t0, "PT1H"), t0)
	now, _ := s.activate(in(roleTarget(RoleSecurityAdministrator, "/"), t0, "PT1H"), t0)
	later, _ := s.activate(in(groupMember, t0.Add(time.Minute), "PT1H"), t0)

	cases := []struct {
		name      string
		kind      pimKind
		id, who   string
		at        time.Time
		wantCode  string
		wantState string
	}{
		{"someone else's", kindRole, sched.ID, DemoApproverUserID, t0, "ResourceNotFound", StatusGranted},
		{"unknown", kindRole, "nope", DemoAdminUserID, t0, "ResourceNotFound", ""},
		{"wrong kind", kindGroup, sched.ID, DemoAdminUserID, t0, "ResourceNotFound", StatusGranted},
		{"provisioned", kindRole, now.ID, DemoAdminUserID, t0, "InvalidRequest", StatusProvisioned},
		{"started since", kindGroup, later.ID, DemoAdminUserID, t0.Add(time.Minute), "InvalidRequest", StatusProvisioned},
		{"scheduled", kindRole, sched.ID, DemoAdminUserID, t0, "", StatusCanceled},
		{"twice", kindRole, sched.ID, DemoAdminUserID, t0, "InvalidRequest", StatusCanceled},
		{"pending approval", kindRole, pending.ID, DemoAdminUserID, t0, "", StatusCanceled},
	}
	for _, c := range cases {
		aerr := s.cancel(c.kind, c.id, c.who, c.at)
		if got := errCodeOf(aerr); !strings.HasPrefix(got, c.wantCode) || (c.wantCode == "") != (aerr == nil) {
			t.Errorf("%s: err %q, want %q", c.name, got, c.wantCode)
		}
		if r := s.request(kindRole, c.id); r == nil {
			r = s.request(kindGroup, c.id)
			if r != nil && r.Status != c.wantState {
				t.Errorf("%s: status %s, want %s", c.name, r.Status, c.wantState)
			}
		} else if r.Status != c.wantState {
			t.Errorf("%s: status %s, want %s", c.name, r.Status, c.wantState)
		}
	}
	// The canceled schedule is gone: the role can be activated again.
	if s.assignmentOf(sched.ID) != nil {
		t.Fatal("canceled schedule kept")
	}
	if _, aerr := s.activate(in(target, t0, "PT1H"), t0); aerr != nil {
		t.Fatalf("activate after cancel: %v", aerr)
	}
}

func TestDeactivateFiveMinuteRule(t *testing.T) {
	s := newTestState()
	target := roleTarget(RoleUserAdministrator, "/")
	act, _ := s.activate(in(target, t0, "PT1H"), t0)
	if _, aerr := s.deactivate(requestInput{Target: target}, t0.Add(5*time.Minute-time.Second)); aerr == nil || aerr.code != "ActiveDurationTooShort" {
		t.Fatalf("early: %v", aerr)
	}
	end := t0.Add(5 * time.Minute)
	req, aerr := s.deactivate(requestInput{Target: target}, end)
	if aerr != nil || req.Status != StatusRevoked || req.TargetSchedule != act.ID || req.Action != actionSelfDeactivate {
		t.Fatalf("deactivate: %+v %v", req, aerr)
	}
	if a := s.assignmentOf(act.ID); !a.End.Equal(end) || len(s.instancesFor(DemoAdminUserID, kindRole, end)) != 0 {
		t.Fatalf("still in force: %+v", a)
	}
	if _, aerr := s.deactivate(requestInput{Target: target}, end); aerr == nil || aerr.code != "RoleAssignmentDoesNotExist" {
		t.Fatalf("twice: %v", aerr)
	}
	// A scenario assignment (Assigned, not activated) cannot be deactivated.
	s.assignments = append(s.assignments, &assignment{ID: "perm", Eligibility: roleTarget(RoleSecurityAdministrator, "/"), Start: t0.Add(-time.Hour), End: t0.Add(time.Hour)})
	if _, aerr := s.deactivate(requestInput{Target: roleTarget(RoleSecurityAdministrator, "/")}, end); aerr == nil || aerr.code != "RoleAssignmentDoesNotExist" {
		t.Fatalf("assigned: %v", aerr)
	}
}
