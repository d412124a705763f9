package pim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

func TestDeactivateActiveRole(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	gr := activeByName(t, snap, "Global Reader")
	prev, ok := e.session.LastToken()
	if !ok {
		t.Fatal("no token before deactivation")
	}
	e.tn.ResetLog()
	ev := &events{}
	out := e.svc.Deactivate(e.ctx(), gr, ev.add)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if out.Status != "Revoked" {
		t.Errorf("status = %q, want Revoked", out.Status)
	}
	if out.PreviousTokenExpiry.IsZero() || !out.PreviousTokenExpiry.Equal(prev.Facts.ExpiresAt) {
		t.Errorf("PreviousTokenExpiry = %v, want the old token's expiry %v", out.PreviousTokenExpiry, prev.Facts.ExpiresAt)
	}
	posts := e.postsWithAction("selfDeactivate")
	if len(posts) != 1 || len(e.activationPosts()) != 1 {
		t.Fatalf("deactivation POSTs = %d (all POSTs %d), want 1", len(posts), len(e.activationPosts()))
	}
	if !strings.Contains(posts[0].Body, `"directoryScopeId":"/"`) || strings.Contains(posts[0].Body, "scheduleInfo") {
		t.Errorf("deactivation body = %s", posts[0].Body)
	}
	for _, a := range e.tn.ActiveAssignments() {
		if a.RoleDefinitionID == sim.RoleGlobalReader && a.UserID == sim.DemoAdminUserID {
			t.Error("Global Reader is still active in the sim")
		}
	}
	// pimento's own token is refreshed without the role.
	tok, err := e.session.Token(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Facts.HasWID(sim.RoleGlobalReader) {
		t.Error("pimento's token still carries Global Reader")
	}
	if !out.Refreshed {
		t.Error("Refreshed = false after a refresh that worked")
	}
	if ev.count(pim.StageDeactivated) != 1 || ev.count(pim.StageRefreshed) != 1 {
		t.Errorf("stages = %v", ev.stages(""))
	}
	if _, ok := e.load().ActiveFor(gr.Eligibility); ok {
		t.Error("the snapshot still lists Global Reader")
	}
	entries := e.journal()
	if last := entries[len(entries)-1]; last.Action != "deactivate" || last.Result != "Revoked" || last.DeactivatedAt == nil {
		t.Errorf("journal = %+v", last)
	}
}

// A refresh that fails after the deactivation is not reported as done:
// pimento's token still carries the role.
func TestDeactivateWhoseRefreshFailsSaysSo(t *testing.T) {
	e := newEnv(t)
	gr := activeByName(t, e.load(), "Global Reader")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "/oauth2/v2.0/token", Kind: sim.FaultStatus, Status: 400})
	ev := &events{}
	out := e.svc.Deactivate(e.ctx(), gr, ev.add)
	if out.Err != nil || out.Status != "Revoked" {
		t.Fatalf("outcome = %+v", out)
	}
	if out.Refreshed || ev.count(pim.StageRefreshed) != 0 || ev.count(pim.StageFailed) != 1 {
		t.Errorf("Refreshed = %v, stages = %v: a failed refresh must read as failed", out.Refreshed, ev.stages(""))
	}
}

func TestDeactivateWithinFiveMinutes(t *testing.T) {
	e := newEnv(t)
	exch := elig(t, e.load(), "Exchange Administrator")
	out, _ := e.activate(pim.ActivateRequest{Target: exch, Duration: time.Hour, Justification: "mailflow", TicketNumber: "CHG-7", TicketSystem: "ServiceNow"}, true)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	a := activeByName(t, e.load(), "Exchange Administrator")
	if a.Start.IsZero() {
		t.Fatal("the new activation has no start time")
	}
	e.tn.ResetLog()
	res := e.svc.Deactivate(e.ctx(), a, nil)
	var ts *pim.TooShortError
	if !errors.As(res.Err, &ts) {
		t.Fatalf("err = %v, want *pim.TooShortError", res.Err)
	}
	if !ts.PossibleAt.Equal(a.Start.Add(5*time.Minute)) || ts.FromService {
		t.Errorf("TooShortError = %+v, want PossibleAt start+5m from the local check", ts)
	}
	if n := len(e.activationPosts()); n != 0 {
		t.Errorf("%d POSTs inside the five minutes, want none", n)
	}

	// Six minutes later it works.
	e.tn.Clock().Advance(6 * time.Minute)
	res = e.svc.Deactivate(e.ctx(), a, nil)
	if res.Err != nil || res.Status != "Revoked" {
		t.Fatalf("after 6 minutes: %+v", res)
	}
	if n := len(e.postsWithAction("selfDeactivate")); n != 1 {
		t.Errorf("deactivation POSTs = %d, want 1", n)
	}
}

func TestDeactivateTooShortFromService(t *testing.T) {
	e := newEnv(t)
	exch := elig(t, e.load(), "Exchange Administrator")
	if out, _ := e.activate(pim.ActivateRequest{Target: exch, Duration: time.Hour, Justification: "j", TicketNumber: "1", TicketSystem: "SN"}, false); out.Err != nil {
		t.Fatal(out.Err)
	}
	// Without a start time the local check cannot fire: PIM refuses.
	e.tn.ResetLog()
	now := e.tn.Now()
	res := e.svc.Deactivate(e.ctx(), pim.Active{Eligibility: exch}, nil)
	var ts *pim.TooShortError
	if !errors.As(res.Err, &ts) || !ts.FromService {
		t.Fatalf("err = %#v, want TooShortError from the service", res.Err)
	}
	if ts.PossibleAt.Before(now.Add(5*time.Minute)) || ts.PossibleAt.After(now.Add(5*time.Minute+5*time.Second)) {
		t.Errorf("PossibleAt = %v, want about now+5m", ts.PossibleAt)
	}
	if posts := e.activationPosts(); len(posts) != 1 || posts[0].Status != 400 {
		t.Errorf("POSTs = %+v, want one refused", posts)
	}
}

func TestDeactivateRefusals(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		sc.Active = append(sc.Active, sim.Activation{
			Eligibility: sim.Eligibility{UserID: sim.DemoAdminUserID, RoleDefinitionID: sim.RoleSharePointAdmin, DirectoryScopeID: "/"},
			StartedAgo:  sim.Duration(time.Hour), Remaining: sim.Duration(time.Hour), Assigned: true,
		})
	}))
	snap := e.load()
	sp := activeByName(t, snap, "SharePoint Administrator")
	if !sp.Assigned {
		t.Fatalf("SharePoint Administrator should be a permanent assignment: %+v", sp)
	}
	e.tn.ResetLog()
	if res := e.svc.Deactivate(e.ctx(), sp, nil); res.Err == nil || !strings.Contains(res.Err.Error(), "permanent") {
		t.Errorf("permanent assignment: %v", res.Err)
	}
	// Not active (any more): PIM says so, and so does pimento.
	user := elig(t, snap, "User Administrator")
	res := e.svc.Deactivate(e.ctx(), pim.Active{Eligibility: user, Start: e.tn.Now().Add(-time.Hour)}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "not active") {
		t.Errorf("inactive role: %v", res.Err)
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d, want 1 (none for the permanent assignment)", n)
	}
}

func TestDeactivateGroupAccess(t *testing.T) {
	e := newEnv(t)
	g := elig(t, e.load(), "SG-Tier0-Break-Glass-Ops", "member")
	if out, _ := e.activate(pim.ActivateRequest{Target: g, Duration: time.Hour, Justification: "drill"}, true); out.Err != nil {
		t.Fatal(out.Err)
	}
	a, ok := e.load().ActiveFor(g)
	if !ok || a.Assigned {
		t.Fatalf("group access active = %+v %v", a, ok)
	}
	e.tn.Clock().Advance(6 * time.Minute)
	e.tn.ResetLog()
	res := e.svc.Deactivate(e.ctx(), a, nil)
	if res.Err != nil || res.Status != "Revoked" {
		t.Fatalf("outcome = %+v", res)
	}
	posts := e.requests("POST", groupRequestsPath)
	if len(posts) != 1 || !strings.Contains(posts[0].Body, `"action":"selfDeactivate"`) || !strings.Contains(posts[0].Body, `"accessId":"member"`) {
		t.Errorf("group POSTs = %+v", posts)
	}
}

// A deactivation whose answer was lost, with no request found and the
// active roles unreadable: nothing was checked, so nothing is claimed
// ("still active" neither).
func TestDeactivationLostAndListingRefusedIsNotConfirmed(t *testing.T) {
	e := newEnv(t)
	gr := activeByName(t, e.load(), "Global Reader")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultNoMessage, Status: 503, Times: 1})
	e.tn.AddFault(sim.Fault{Method: "GET", Path: "roleAssignmentScheduleInstances", Kind: sim.FaultNoMessage, Status: 403})
	out := e.svc.Deactivate(e.ctx(), gr, nil)
	if out.Err == nil {
		t.Fatalf("outcome = %+v", out)
	}
	msg := out.Err.Error()
	if strings.Contains(msg, "still active") || !strings.Contains(msg, "could not confirm") || !strings.Contains(msg, "403") {
		t.Errorf("err = %q, want not confirmed, with the listing's error", msg)
	}
}
