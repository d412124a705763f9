package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/internal/state"
	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// core composes the real core (MSAL, the Graph SDK) over a simulated
// tenant for a fresh, isolated profile.
func core(t *testing.T, tn *sim.Tenant, mutate ...func(*app.Config)) *app.App {
	t.Helper()
	p, err := profile.Resolve(profile.Inputs{Getenv: func(k string) string {
		return map[string]string{"PIMENTO_TOKEN_CACHE": "file"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	env := simtest.Env(tn)
	cfg := app.Config{
		Profile: p, Getenv: func(k string) string { return env[k] }, Transport: tn.HTTPClient().Transport,
		OpenURL: tn.Browser(), Poll: pim.PollConfig{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Timeout: 10 * time.Second},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func isolate(t *testing.T) {
	simtest.Isolate(t)
	t.Setenv("PIMENTO_CONFIG", "")
	t.Setenv("PIMENTO_PROFILE", "")
}

// The TUI signs in through the core: the first sign-in pins the profile,
// and the next process (a `pimento status`) knows who it is.
func TestFirstSignInPinsTheProfileForTheNextProcess(t *testing.T) {
	isolate(t)
	tn := simtest.Start(t)
	a := core(t, tn)
	if err := a.RequireAccount(); err == nil {
		t.Fatal("a fresh profile has no account")
	}
	acct, err := a.SignIn(ctx(t), false, nil)
	if err != nil || acct.Username != sim.DemoAdminUPN {
		t.Fatalf("sign-in: %v %v", acct, err)
	}
	next := core(t, tn)
	if !next.Profile().Pinned || next.Profile().Account != sim.DemoAdminUPN {
		t.Fatalf("the next process does not know the pin: %+v", next.Profile())
	}
	if _, err := next.Load(ctx(t)); err != nil {
		t.Fatalf("the next process cannot load: %v", err)
	}
	// Another account in the browser is refused, and the pin stays.
	tn.SetBrowserUser(sim.DemoApproverUPN)
	if _, err := next.SignIn(ctx(t), false, nil); err == nil || !strings.Contains(err.Error(), "accepts only "+sim.DemoAdminUPN) {
		t.Fatalf("another account: %v", err)
	}
	if p := core(t, tn).Profile(); p.Account != sim.DemoAdminUPN {
		t.Errorf("the pin moved to %s", p.Account)
	}
}

func TestPromptFollowsActivationAndDeactivation(t *testing.T) {
	isolate(t)
	tn := simtest.Start(t, func(sc *sim.Scenario) { sc.ProvisioningDelay = sim.Duration(100 * time.Millisecond) })
	a := core(t, tn)
	if _, err := a.SignIn(ctx(t), false, nil); err != nil {
		t.Fatal(err)
	}
	snap, err := a.Load(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	seg := func() string { return state.Segment(state.PromptPath(a.Profile().StateDir), time.Now()) }
	if got := seg(); got != "⚡GlobalReader 19m" && got != "⚡GlobalReader 20m" {
		t.Errorf("after load: %q", got)
	}
	var sec pim.Eligibility
	for _, e := range snap.Eligible {
		if e.Name == "Security Administrator" {
			sec = e
		}
	}
	plan, err := a.Plan([]pim.Eligibility{sec}, app.PlanInput{Duration: "2h", Justification: "INC-7"})
	if err != nil {
		t.Fatal(err)
	}
	outs := a.Activate(ctx(t), plan.Requests, true, nil)
	if outs[0].Err != nil || !outs[0].Effective {
		t.Fatalf("activate: %+v", outs[0])
	}
	if got := seg(); !strings.Contains(got, "⚡SecAdmin 1h59m") && !strings.Contains(got, "⚡SecAdmin 2h") {
		t.Errorf("after activation: %q", got)
	}
	tn.Clock().Advance(6 * time.Minute)
	snap, err = a.Load(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := snap.ActiveFor(sec)
	if out := a.Deactivate(ctx(t), x, nil); out.Err != nil {
		t.Fatalf("deactivate: %v", out.Err)
	}
	if got := seg(); strings.Contains(got, "SecAdmin") {
		t.Errorf("after deactivation: %q", got)
	}
}

func TestPlanOwnsDurations(t *testing.T) {
	role := pim.Eligibility{
		Kind: pim.KindDirectoryRole, Name: "Exchange Administrator", RoleDefinitionID: "r", DirectoryScopeID: "/",
		Policy: pim.Policy{MaxDuration: 2 * time.Hour, Justification: true},
	}
	targets := []pim.Eligibility{role}
	// The profile's default above the maximum: the maximum, said in a note.
	plan, err := app.MakePlan(targets, app.PlanInput{Justification: "x"}, 8*time.Hour, time.Now())
	if err != nil || plan.Requests[0].Duration != 2*time.Hour || len(plan.Notes) != 1 || !strings.Contains(plan.Notes[0], "policy maximum") {
		t.Fatalf("default above max: %+v %v", plan, err)
	}
	// No default: 1h.
	if plan, _ := app.MakePlan(targets, app.PlanInput{Justification: "x"}, 0, time.Now()); plan.Requests[0].Duration != time.Hour || len(plan.Notes) != 0 {
		t.Errorf("no default: %+v", plan)
	}
	// An explicit duration above the maximum is refused, never shortened.
	var pe *pim.PolicyError
	if _, err := app.MakePlan(targets, app.PlanInput{Duration: "3h", Justification: "x"}, 0, time.Now()); !errors.As(err, &pe) {
		t.Errorf("3h over 2h: %v", err)
	}
	// Kiota's unanchored reading of PT1H30X (an hour) is not ours.
	var plErr *app.PlanError
	if _, err := app.MakePlan(targets, app.PlanInput{Duration: "PT1H30X", Justification: "x"}, 0, time.Now()); !errors.As(err, &plErr) {
		t.Errorf("PT1H30X: %v", err)
	}
	// Justifications lose their control characters, and are limited.
	plan, err = app.MakePlan(targets, app.PlanInput{Justification: "INC-1\x1b[2J\nrestore"}, 0, time.Now())
	if err != nil || plan.Requests[0].Justification != "INC-1 [2J restore" {
		t.Errorf("cleaned: %q %v", plan.Requests[0].Justification, err)
	}
	if _, err := app.MakePlan(targets, app.PlanInput{Justification: strings.Repeat("x", 501)}, 0, time.Now()); !errors.As(err, &pe) || !strings.Contains(err.Error(), "at most 500") {
		t.Errorf("501 characters: %v", err)
	}
}

// Plan owns the start too: read against the server's time, sent in it,
// shown back in the admin's time with the date, and a warning where
// approvers' 24 hours may run out before the start.
func TestPlanOwnsTheStart(t *testing.T) {
	server := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC)
	approval := pim.Eligibility{
		Kind: pim.KindDirectoryRole, Name: "Privileged Role Administrator", RoleDefinitionID: "p", DirectoryScopeID: "/",
		Policy: pim.Policy{MaxDuration: 2 * time.Hour, Justification: true, Approval: true},
	}
	plan, err := app.MakePlan([]pim.Eligibility{approval}, app.PlanInput{Justification: "x", Start: "+2h"}, 0, server)
	if err != nil || !plan.Requests[0].Start.Equal(server.Add(2*time.Hour)) || len(plan.Notes) != 1 ||
		!strings.Contains(plan.Notes[0], "scheduled: starts ") || !strings.Contains(plan.Notes[0], "sent as 2026-11-30T18:30:00Z") {
		t.Fatalf("+2h: %+v %v", plan, err)
	}
	plan, err = app.MakePlan([]pim.Eligibility{approval}, app.PlanInput{Justification: "x", Start: "+25h"}, 0, server)
	if err != nil || len(plan.Notes) != 2 || !strings.Contains(plan.Notes[1], "may expire before it is approved") {
		t.Errorf("+25h on an approval role: %+v %v", plan.Notes, err)
	}
	if plan, _ := app.MakePlan([]pim.Eligibility{approval}, app.PlanInput{Justification: "x", Start: "now"}, 0, server); !plan.Requests[0].Start.IsZero() || len(plan.Notes) != 0 {
		t.Errorf("now: %+v", plan)
	}
	var plErr *app.PlanError
	if _, err := app.MakePlan([]pim.Eligibility{approval}, app.PlanInput{Justification: "x", Start: "2026-11-30T10:00"}, 0, server); !errors.As(err, &plErr) {
		t.Errorf("a start in the past: %v", err)
	}
}

// Azure Resource Manager's answers tell the server's time like Graph's: a
// process whose first answer comes from ARM learns the clock from it.
func TestARMAnswersTellTheServerClock(t *testing.T) {
	isolate(t)
	tn := simtest.Start(t, func(sc *sim.Scenario) { sc.ARMPropagationDelay = 0 })
	first := core(t, tn)
	if _, err := first.SignIn(ctx(t), false, nil); err != nil {
		t.Fatal(err)
	}
	if line := first.AzureReady(ctx(t)); line != "" {
		t.Fatalf("no ARM token: %s", line)
	}
	const skew = 4 * time.Minute
	next := core(t, tn, func(c *app.Config) { c.LocalNow = func() time.Time { return time.Now().Add(skew) } })
	reader := pim.Eligibility{
		Kind: pim.KindAzureRole, Name: "Reader", Scope: "mg: Tier0", AzureScope: sim.DemoManagementGroupScope,
		RoleDefinitionID: "/providers/Microsoft.Authorization/roleDefinitions/" + sim.AzureRoleReader,
		Policy:           pim.Policy{MaxDuration: 8 * time.Hour},
	}
	tn.ResetLog()
	outs := next.Activate(ctx(t), []pim.ActivateRequest{{Target: reader, Duration: time.Hour}}, false, nil)
	if outs[0].Err != nil {
		t.Fatal(outs[0].Err)
	}
	for _, r := range tn.Requests() {
		if !strings.HasPrefix(r.Path, "/arm/") {
			t.Fatalf("a request to %s: the clock could have learned from it", r.Path)
		}
	}
	if off := next.ServerOffset(); off > -skew+2*time.Second || off < -skew-2*time.Second {
		t.Errorf("server offset %v after an ARM answer, want about %v", off, -skew)
	}
}
