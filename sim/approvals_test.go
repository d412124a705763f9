package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The approval rules without HTTP: the demo's Privileged Role
// Administrator (Megan approves it), with a third user who approves
// nothing and the requester listed among the approvers as well, so
// self-approval is refused by rule and not by luck.

const nestorID = "0d9c3a6e-5b71-4f28-9e4d-7a1c2b3d4e5f"

func newApprovalState(t *testing.T) *pimState {
	t.Helper()
	sc := DemoScenario()
	sc.ProvisioningDelay = Duration(testDelay)
	sc.Users = append(sc.Users, User{ID: nestorID, UserPrincipalName: "nestor.wilke@contoso.onmicrosoft.com", DisplayName: "Nestor Wilke"})
	for i, p := range sc.Policies {
		if p.RoleDefinitionID == RolePrivilegedRoleAdmin {
			sc.Policies[i].Approvers = append(p.Approvers, DemoAdminUPN)
		}
	}
	n := 0
	return newPIMState(sc, func() string { n++; return fmt.Sprintf("id-%d", n) })
}

func TestDecideStage(t *testing.T) {
	pra := roleTarget(RolePrivilegedRoleAdmin, "/")
	id := func(r *scheduleRequest) string { return r.ApprovalID }
	stage := func(r *scheduleRequest) string { return r.Stages[0].ID }
	cases := []struct {
		name            string
		start           time.Time // requested start; zero: t0
		prep            func(s *pimState, r *scheduleRequest)
		kind            pimKind
		approval, stage func(*scheduleRequest) string
		who             string
		approve         bool
		justification   string // empty: "reviewed"
		at              time.Time
		wantStatus      int    // of the error; 0: decided
		wantReq         string // the request's status after
	}{
		{name: "approver approves", who: DemoApproverUserID, approve: true, at: t0.Add(time.Hour), wantReq: StatusProvisioned},
		{name: "approver denies", who: DemoApproverUserID, at: t0.Add(time.Hour), wantReq: StatusDenied},
		{name: "the requester, though listed", who: DemoAdminUserID, approve: true, at: t0, wantStatus: 403, wantReq: StatusPendingApproval},
		{name: "not an approver", who: nestorID, approve: true, at: t0, wantStatus: 403, wantReq: StatusPendingApproval},
		{name: "unknown approval", approval: func(*scheduleRequest) string { return "nope" }, who: DemoApproverUserID, approve: true, at: t0, wantStatus: 404, wantReq: StatusPendingApproval},
		{name: "unknown stage", stage: func(r *scheduleRequest) string { return r.ApprovalID }, who: DemoApproverUserID, approve: true, at: t0, wantStatus: 404, wantReq: StatusPendingApproval},
		{name: "another kind's approval", kind: kindGroup, who: DemoApproverUserID, approve: true, at: t0, wantStatus: 404, wantReq: StatusPendingApproval},
		{
			name: "approved already", prep: func(s *pimState, r *scheduleRequest) { _ = s.decideByHook(r.ID, true, t0) },
			who: DemoApproverUserID, at: t0.Add(time.Minute), wantStatus: 409, wantReq: StatusProvisioned,
		},
		{
			name: "denied already", prep: func(s *pimState, r *scheduleRequest) { _ = s.decideByHook(r.ID, false, t0) },
			who: DemoApproverUserID, approve: true, at: t0.Add(time.Minute), wantStatus: 409, wantReq: StatusDenied,
		},
		{
			name: "canceled by the requester", prep: func(s *pimState, r *scheduleRequest) { _ = s.cancel(kindRole, r.ID, DemoAdminUserID, t0) },
			who: DemoApproverUserID, approve: true, at: t0.Add(time.Minute), wantStatus: 409, wantReq: StatusCanceled,
		},
		{name: "a second before the window closes", who: DemoApproverUserID, approve: true, at: t0.Add(approvalWindow - time.Second), wantReq: StatusProvisioned},
		{name: "expired after 24 hours", who: DemoApproverUserID, approve: true, at: t0.Add(approvalWindow), wantStatus: 400, wantReq: StatusTimedOut},
		{name: "no justification", justification: " ", who: DemoApproverUserID, approve: true, at: t0, wantStatus: 400, wantReq: StatusPendingApproval},
		{name: "approve a future start: scheduled", start: t0.Add(3 * time.Hour), who: DemoApproverUserID, approve: true, at: t0.Add(time.Hour), wantReq: StatusGranted},
		{name: "approve while the role is active", prep: func(s *pimState, r *scheduleRequest) {
			s.assignments = append(s.assignments, &assignment{ID: "a", Eligibility: pra, Start: t0, End: t0.Add(8 * time.Hour)})
		}, who: DemoApproverUserID, approve: true, at: t0.Add(time.Minute), wantStatus: 400, wantReq: StatusPendingApproval},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newApprovalState(t)
			start := c.start
			if start.IsZero() {
				start = t0
			}
			req, aerr := s.activate(in(pra, start, "PT2H"), t0)
			if aerr != nil {
				t.Fatal(aerr)
			}
			if c.prep != nil {
				c.prep(s, req)
			}
			before := *req.Stages[0]
			approval, stageID := id, stage
			if c.approval != nil {
				approval = c.approval
			}
			if c.stage != nil {
				stageID = c.stage
			}
			why := c.justification
			if why == "" {
				why = "reviewed"
			}
			aerr = s.decideStage(c.kind, approval(req), stageID(req), c.who, c.approve, why, c.at)
			if (aerr == nil) != (c.wantStatus == 0) || (aerr != nil && aerr.status != c.wantStatus) {
				t.Fatalf("err = %v, want status %d", aerr, c.wantStatus)
			}
			if req.Status != c.wantReq {
				t.Fatalf("request %s, want %s", req.Status, c.wantReq)
			}
			st := req.Stages[0]
			if c.wantStatus != 0 {
				if *st != before {
					t.Fatalf("a refused decision changed the stage: %+v", st)
				}
				return
			}
			want := reviewDeny
			if c.approve {
				want = reviewApprove
			}
			if st.Result != want || st.ReviewedBy != c.who || st.Justification != "reviewed" || !st.Reviewed.Equal(c.at) || stageStatus(req, st) != stageCompleted {
				t.Fatalf("stage %+v", st)
			}
			a := s.assignmentOf(req.ID)
			if !c.approve {
				if a != nil || !req.Completed.Equal(c.at) {
					t.Fatalf("denied, yet %+v", a)
				}
				return
			}
			// The activation runs its full length from its start: the
			// requested one if still ahead, else the approval.
			from := c.at
			if start.After(c.at) {
				from = start
			}
			if a == nil || !a.Start.Equal(from) || !a.End.Equal(from.Add(2*time.Hour)) || !a.ListedAt.Equal(from.Add(testDelay)) || !req.Completed.Equal(from) {
				t.Fatalf("assignment %+v", a)
			}
		})
	}
}

func TestApproverInbox(t *testing.T) {
	s := newApprovalState(t)
	req, _ := s.activate(in(roleTarget(RolePrivilegedRoleAdmin, "/"), t0, "PT1H"), t0)
	inbox := func(who string) int { return len(s.requestsToApprove(who, kindRole)) }
	if inbox(DemoApproverUserID) != 1 || inbox(DemoAdminUserID) != 0 || inbox(nestorID) != 0 || len(s.requestsToApprove(DemoApproverUserID, kindGroup)) != 0 {
		t.Fatalf("inboxes: megan %d, alex %d, nestor %d", inbox(DemoApproverUserID), inbox(DemoAdminUserID), inbox(nestorID))
	}
	if !s.approverOf(req, DemoApproverUserID) || s.approverOf(req, DemoAdminUserID) || s.approverOf(req, nestorID) || s.approverOf(req, "") {
		t.Fatal("assignedToMe: only Megan")
	}
	// Decided requests stay in the unfiltered inbox: the status filter is
	// the client's (AF §9.5).
	if aerr := s.decideStage(kindRole, req.ApprovalID, req.Stages[0].ID, DemoApproverUserID, false, "no", t0); aerr != nil || inbox(DemoApproverUserID) != 1 {
		t.Fatalf("after the decision: %v, inbox %d", aerr, inbox(DemoApproverUserID))
	}
	// readApproval: approvers and the requester read, others 403.
	for who, want := range map[string]int{DemoApproverUserID: 0, DemoAdminUserID: 0, nestorID: 403} {
		got := 0
		if _, aerr := s.readApproval(kindRole, req.ApprovalID, who, t0); aerr != nil {
			got = aerr.status
		}
		if got != want {
			t.Errorf("read by %s: %d, want %d", who, got, want)
		}
	}
	if _, aerr := s.readApproval(kindRole, "nope", DemoApproverUserID, t0); aerr == nil || aerr.status != http.StatusNotFound {
		t.Errorf("unknown: %v", aerr)
	}
}

func TestApprovalExpiry(t *testing.T) {
	s := newApprovalState(t)
	pra := roleTarget(RolePrivilegedRoleAdmin, "/")
	req, _ := s.activate(in(pra, t0, "PT1H"), t0)
	s.settle(t0.Add(approvalWindow - time.Second))
	if req.Status != StatusPendingApproval || stageStatus(req, req.Stages[0]) != stageInProgress {
		t.Fatalf("inside the window: %s", req.Status)
	}
	s.settle(t0.Add(approvalWindow))
	if req.Status != StatusTimedOut || !req.Completed.Equal(t0.Add(approvalWindow)) || stageStatus(req, req.Stages[0]) != stageExpired || req.Stages[0].Result != reviewNotReviewed {
		t.Fatalf("expired: %+v", req)
	}
	// The requester must resubmit, and may (E1).
	again, aerr := s.activate(in(pra, t0.Add(approvalWindow), "PT1H"), t0.Add(approvalWindow))
	if aerr != nil || again.Status != StatusPendingApproval || again.ID == req.ID {
		t.Fatalf("resubmit: %+v %v", again, aerr)
	}
	if aerr := s.decideByHook(req.ID, true, t0.Add(approvalWindow)); aerr == nil || aerr.status != 400 || !strings.Contains(aerr.message, "expired") {
		t.Fatalf("hook on an expired request: %v", aerr)
	}
}

func TestApprovalIDs(t *testing.T) {
	s := newApprovalState(t)
	role, _ := s.activate(in(roleTarget(RolePrivilegedRoleAdmin, "/"), t0, "PT1H"), t0)
	azure, _ := s.activate(azIn(AzureRoleOwner, DemoSubscriptionScope, "fea7a502-0000-4000-8000-000000000005", t0, "PT1H"), t0)
	plain, _ := s.activate(in(roleTarget(RoleUserAdministrator, "/"), t0, "PT1H"), t0)
	if role.ApprovalID != role.ID || len(role.Stages) != 1 || role.Stages[0].ID == role.ID || !isGUID(role.Stages[0].ID) {
		t.Fatalf("Graph: approval %s, stages %+v", role.ApprovalID, role.Stages)
	}
	if azure.ApprovalID == azure.ID || !isGUID(azure.ApprovalID) || s.approvalFor(kindARM, azure.ApprovalID) != azure || s.approvalFor(kindARM, azure.ID) != nil {
		t.Fatalf("ARM: approval %s of request %s", azure.ApprovalID, azure.ID)
	}
	if plain.ApprovalID != "" || plain.Stages != nil || s.approvalFor(kindRole, plain.ID) != nil {
		t.Fatalf("no approval needed, yet %+v", plain)
	}
}

func TestApproversResolve(t *testing.T) {
	s := newApprovalState(t)
	got := s.approvers(Policy{Approvers: []string{DemoApproverUserID, DemoAdminUPN, "megan bowen", "Nobody Here"}})
	want := []approver{
		{DemoApproverUserID, "Megan Bowen"},
		{DemoAdminUserID, "Alex Wilber (Admin)"},
		{DemoApproverUserID, "Megan Bowen"},
		{stableGUID("approver", "Nobody Here"), "Nobody Here"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("approvers = %v, want %v", got, want)
	}
}

// Scenario.Pending: another user's requests waiting at the start.

func TestSeedPending(t *testing.T) {
	pra := roleTarget(RolePrivilegedRoleAdmin, "/")
	ok := PendingRequest{Eligibility: pra, CreatedAgo: Duration(5 * time.Minute), Justification: "j"}
	with := func(f func(*PendingRequest)) PendingRequest { p := ok; f(&p); return p }
	cases := []struct {
		name    string
		p       PendingRequest
		wantErr string
	}{
		{name: "seeded", p: ok},
		{name: "scheduled", p: with(func(p *PendingRequest) { p.StartIn = Duration(time.Hour); p.Duration = Duration(2 * time.Hour) })},
		{name: "not eligible", p: with(func(p *PendingRequest) { p.UserID = DemoApproverUserID }), wantErr: "not eligible"},
		{name: "no approval needed", p: with(func(p *PendingRequest) { p.Eligibility = roleTarget(RoleUserAdministrator, "/") }), wantErr: "needs no approval"},
		{name: "negative age", p: with(func(p *PendingRequest) { p.CreatedAgo = -1 }), wantErr: "negative"},
		{name: "over the maximum", p: with(func(p *PendingRequest) { p.Duration = Duration(3 * time.Hour) }), wantErr: "maximum"},
		{name: "no justification", p: with(func(p *PendingRequest) { p.Justification = " " }), wantErr: "JustificationRule"},
		{name: "approval id on Graph", p: with(func(p *PendingRequest) { p.ApprovalID = newGUID() }), wantErr: "Azure roles only"},
		{name: "Azure request id not a GUID", p: PendingRequest{Eligibility: azTarget(AzureRoleOwner, DemoSubscriptionScope), ID: "r1", Justification: "j"}, wantErr: "GUID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestState()
			err := s.seedPending([]PendingRequest{c.p}, t0)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || len(s.requests) != 0 {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || len(s.requests) != 1 {
				t.Fatal(err)
			}
			r := s.requests[0]
			wantStart := t0.Add(-5 * time.Minute)
			if c.p.StartIn > 0 {
				wantStart = t0.Add(c.p.StartIn.D())
			}
			if r.Status != StatusPendingApproval || !r.seeded || !r.Created.Equal(t0.Add(-5*time.Minute)) || !r.Start.Equal(wantStart) ||
				r.ApprovalID != r.ID || len(r.Stages) != 1 || r.Duration != isoDuration(max(c.p.Duration.D(), time.Hour)) {
				t.Fatalf("seeded %+v", r)
			}
			if got := s.requestsToApprove(DemoApproverUserID, kindRole); len(got) != 1 {
				t.Fatalf("inbox %v", got)
			}
		})
	}
	t.Run("twice for one target", func(t *testing.T) {
		if err := newTestState().seedPending([]PendingRequest{ok, ok}, t0); err == nil || !strings.Contains(err.Error(), "pending request 1") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("older than the window", func(t *testing.T) {
		s := newTestState()
		old := with(func(p *PendingRequest) { p.CreatedAgo = Duration(25 * time.Hour) })
		if err := s.seedPending([]PendingRequest{old}, t0); err != nil {
			t.Fatal(err)
		}
		s.settle(t0)
		if s.requests[0].Status != StatusTimedOut {
			t.Fatalf("status %s", s.requests[0].Status)
		}
	})
	t.Run("Azure with an approval id", func(t *testing.T) {
		s := newTestState()
		name, approval := newGUID(), newGUID()
		p := PendingRequest{ID: name, Eligibility: azTarget(AzureRoleOwner, DemoSubscriptionScope), Justification: "j", ApprovalID: approval}
		if err := s.seedPending([]PendingRequest{p}, t0); err != nil {
			t.Fatal(err)
		}
		if r := s.approvalFor(kindARM, approval); r == nil || r.ID != name {
			t.Fatalf("approval %s not found", approval)
		}
	})
}

// Validate seeds into a throwaway state, so LoadScenario refuses what New
// would.
func TestValidatePending(t *testing.T) {
	sc := DemoScenario()
	sc.Pending = append(sc.Pending, PendingRequest{Eligibility: roleTarget(RoleUserAdministrator, "/"), Justification: "j"})
	if err := sc.Validate(); err == nil || !strings.Contains(err.Error(), "needs no approval") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(sc); err == nil {
		t.Fatal("New accepted it")
	}
}
