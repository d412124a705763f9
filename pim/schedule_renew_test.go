package pim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// longTokens keeps tokens valid across clock jumps of hours (MSAL judges
// expiry by the PC's clock, which does not jump with the sim's).
func longTokens() func(*envOption) {
	return withScenario(func(sc *sim.Scenario) { sc.TokenLifetime = sim.Duration(48 * time.Hour) })
}

// An activation with a later start, of every kind: PIM answers Granted,
// nothing is waited for, the schedules list it (the instances do not), it
// starts at its time, and cancel withdraws one before its start.
func TestScheduledActivationListedStartedAndCancelled(t *testing.T) {
	e := newEnv(t, withAzure(), longTokens())
	snap := e.load()
	start := e.tn.Now().Add(2 * time.Hour).Truncate(time.Second)
	targets := []pim.Eligibility{
		elig(t, snap, "Application Administrator"),
		elig(t, snap, "SG-Tier0-Break-Glass-Ops", "member"),
		azureElig(t, snap, "Reader", "mg: Tier0"),
	}
	var reqs []pim.ActivateRequest
	for _, tg := range targets {
		reqs = append(reqs, pim.ActivateRequest{Target: tg, Start: start, Duration: time.Hour, Justification: "maintenance window"})
	}
	ev := &events{}
	outs := e.svc.Activate(e.ctx(), reqs, pim.ActivateOptions{Wait: true}, ev.add)
	for _, o := range outs {
		if o.Err != nil || !o.Scheduled || o.Status != "Granted" || o.Effective || !o.Sent.Start.Equal(start) || !o.End.Equal(start.Add(time.Hour)) {
			t.Errorf("%s: %+v", o.Target.Name, o)
		}
	}
	if n := ev.count(pim.StageScheduled); n != 3 {
		t.Errorf("%d scheduled events", n)
	}
	if n := ev.count(pim.StageListed); n != 0 {
		t.Errorf("a scheduled activation was waited for: %d listed events", n)
	}
	for _, r := range append(e.postsWithAction("selfActivate"), e.azurePUTs()...) {
		if !strings.Contains(r.Body, start.UTC().Format("2006-01-02T15:04:05")) {
			t.Errorf("the start was not sent in the server's time: %s", r.Body)
		}
	}
	status, err := e.svc.Status(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(status.Scheduled) != 3 || len(status.Active) != 1 { // Global Reader is active in the demo
		t.Fatalf("status: %d scheduled, %d active: %+v", len(status.Scheduled), len(status.Active), status.Scheduled)
	}
	for _, x := range status.Scheduled {
		if !x.Start.Equal(start) || x.RequestID == "" {
			t.Errorf("scheduled %+v", x)
		}
	}
	app, _ := status.ScheduledFor(targets[0])
	if err := e.svc.Cancel(e.ctx(), app.Request()); err != nil {
		t.Fatalf("cancel before the start: %v", err)
	}
	if _, ok := e.load().ScheduledFor(targets[0]); ok {
		t.Error("cancelled, still scheduled")
	}
	e.tn.Clock().Advance(2*time.Hour + time.Minute)
	after := e.load()
	if len(after.Scheduled) != 0 {
		t.Errorf("still scheduled after the start: %+v", after.Scheduled)
	}
	for _, tg := range targets[1:] {
		if a, ok := after.ActiveFor(tg); !ok || !a.Start.Equal(start) {
			t.Errorf("%s did not start at its time: %+v %v", tg.Name, a, ok)
		}
	}
	if _, ok := after.ActiveFor(targets[0]); ok {
		t.Error("the cancelled activation started")
	}
}

// Renew is refused inside PIM's 5 minutes and where the policy needs
// approval; after the 5 minutes it is one deactivation and one
// activation with the same justification, both journaled.
func TestRenewRefusedInsideFiveMinutesThenDone(t *testing.T) {
	e := newEnv(t, longTokens())
	app := elig(t, e.load(), "Application Administrator")
	if out, _ := e.activate(pim.ActivateRequest{Target: app, Duration: time.Hour, Justification: "INC-7 rotate secrets"}, true); !out.Effective {
		t.Fatalf("activation: %+v", out)
	}
	active := activeByName(t, e.load(), "Application Administrator")
	e.tn.ResetLog()
	again := pim.ActivateRequest{Duration: 2 * time.Hour, Justification: "INC-7 rotate secrets"}
	out := e.svc.Renew(e.ctx(), active, again, nil)
	var refused *pim.RenewRefusedError
	if !errors.As(out.Err, &refused) || refused.PossibleAt.IsZero() || len(e.tn.Requests()) != 0 {
		t.Fatalf("inside 5 minutes: %+v, %d requests", out, len(e.tn.Requests()))
	}
	e.tn.Clock().Advance(6 * time.Minute)
	before := len(e.journal())
	ev := &events{}
	out = e.svc.Renew(e.ctx(), active, again, ev.add)
	if out.Err != nil || out.Deactivation.Status != "Revoked" || !out.Activation.Effective || out.Retried {
		t.Fatalf("renew: %+v", out)
	}
	if d, a := len(e.postsWithAction("selfDeactivate")), len(e.postsWithAction("selfActivate")); d != 1 || a != 1 {
		t.Errorf("%d deactivations and %d activations, want one each", d, a)
	}
	renewed := activeByName(t, e.load(), "Application Administrator")
	if got := renewed.End.Sub(renewed.Start); got != 2*time.Hour {
		t.Errorf("renewed for %s, want a fresh 2h", got)
	}
	entries := e.journal()[before:]
	if len(entries) != 2 || entries[0].Action != "deactivate" || entries[1].Action != "activate" || entries[1].Justification != "INC-7 rotate secrets" {
		t.Errorf("journal: %+v", entries)
	}

	pra := active
	pra.Policy.Approval = true
	if err := pim.RenewRefusal(pra, e.tn.Now()); err == nil || !strings.Contains(err.Error(), "requires approval") {
		t.Errorf("approval policy: %v", err)
	}
}

// Right after the deactivation ARM may still hold the old assignment:
// RoleAssignmentExists. Renew waits (bounded) and sends the activation
// once more, and says renewed only when it is.
func TestRenewWaitsOnceForTheOldAssignmentToGo(t *testing.T) {
	p := fastPoll
	p.Renew = 1500 * time.Millisecond
	e := newEnv(t, withAzure(), withPoll(p), withScenario(func(sc *sim.Scenario) { sc.ARMPropagationDelay = sim.Duration(time.Second) }), longTokens())
	r := reader(t, e)
	if out, _ := e.activate(r, true); !out.Effective {
		t.Fatalf("activation: %+v", out)
	}
	e.tn.Clock().Advance(6 * time.Minute)
	active := activeByName(t, e.load(), "Reader")
	out := e.svc.Renew(e.ctx(), active, pim.ActivateRequest{Duration: time.Hour, Justification: "audit"}, nil)
	if out.Err != nil || !out.Retried || !out.Activation.Effective {
		t.Fatalf("renew: %+v", out)
	}

	// Held for longer than the one wait: not renewed, and said so.
	e2 := newEnv(t, withAzure(), withPoll(p), withScenario(func(sc *sim.Scenario) { sc.ARMPropagationDelay = sim.Duration(time.Minute) }), longTokens())
	r2 := reader(t, e2)
	e2.activate(r2, false)
	e2.tn.Clock().Advance(6 * time.Minute)
	out = e2.svc.Renew(e2.ctx(), activeByName(t, e2.load(), "Reader"), pim.ActivateRequest{Duration: time.Hour}, nil)
	if out.Err == nil || !out.Retried || !strings.Contains(out.Err.Error(), "not active now") {
		t.Fatalf("held: %+v", out)
	}
}

// PIM accepted the new activation and only the wait for it failed (here:
// the listing refused): the renewal says it was activated again and not
// seen active, never "failed, not active now".
func TestRenewAcceptedButUnverifiedIsNotCalledFailed(t *testing.T) {
	p := fastPoll
	p.Timeout = time.Second
	e := newEnv(t, withPoll(p), longTokens())
	app := elig(t, e.load(), "Application Administrator")
	if out, _ := e.activate(pim.ActivateRequest{Target: app, Duration: time.Hour, Justification: "INC-7"}, true); !out.Effective {
		t.Fatalf("activation: %+v", out)
	}
	active := activeByName(t, e.load(), "Application Administrator")
	e.tn.Clock().Advance(6 * time.Minute)
	e.tn.AddFault(sim.Fault{Method: "GET", Path: "roleAssignmentScheduleInstances", Kind: sim.FaultNoMessage, Status: 403})
	out := e.svc.Renew(e.ctx(), active, pim.ActivateRequest{Duration: time.Hour, Justification: "INC-7"}, nil)
	if out.Deactivation.Status != "Revoked" || out.Activation.Status != "Provisioned" || out.Err == nil {
		t.Fatalf("renew: %+v", out)
	}
	msg := out.Err.Error()
	if strings.Contains(msg, "not active now") || strings.Contains(msg, "failed") || !strings.Contains(msg, "activated again") || !strings.Contains(msg, "not seen it active") {
		t.Errorf("err = %q: PIM accepted the new activation", msg)
	}
	if n := activeCount(e.tn, sim.RoleApplicationAdmin); n != 1 {
		t.Errorf("%d activations in PIM, want the new one", n)
	}
}
