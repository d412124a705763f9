package sim

import (
	"strings"
	"testing"
	"time"
)

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
