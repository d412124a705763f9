package pim_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/state"
	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

func TestActivateTenantRoleVerifiedInToken(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	sec := elig(t, snap, "Security Administrator")
	e.tn.ResetLog()
	before := e.tn.Now()
	out, ev := e.activate(pim.ActivateRequest{Target: sec, Duration: 2 * time.Hour, Justification: "INC-1 triage"}, true)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if !out.Effective || out.Proof != "token" || out.Status != "Provisioned" || out.RequestID == "" {
		t.Fatalf("outcome = %+v", out)
	}
	if out.EffectiveAfter <= 0 {
		t.Errorf("EffectiveAfter = %v, want > 0", out.EffectiveAfter)
	}
	if out.End.Sub(before) < 2*time.Hour-time.Minute || out.End.Sub(before) > 2*time.Hour+time.Minute {
		t.Errorf("End = %v, want about 2h from now", out.End)
	}
	want := []pim.Stage{pim.StageChecked, pim.StageSubmitted, pim.StageProvisioned, pim.StageListed, pim.StageRefreshed, pim.StageVerified}
	if got := ev.stages(sec.Key()); !reflect.DeepEqual(got, want) {
		t.Errorf("stages = %v, want %v", got, want)
	}

	// Exactly one POST, with the exact body PIM needs.
	posts := e.activationPosts()
	if len(posts) != 1 {
		t.Fatalf("activation POSTs = %d, want 1", len(posts))
	}
	body := posts[0].Body
	for _, s := range []string{
		`"action":"selfActivate"`, `"directoryScopeId":"/"`, `"roleDefinitionId":"` + sim.RoleSecurityAdministrator + `"`,
		`"principalId":"` + sim.DemoAdminUserID + `"`, `"duration":"PT2H"`, `"justification":"INC-1 triage"`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("POST body lacks %s: %s", s, body)
		}
	}
	if strings.Contains(body, "ticketInfo") {
		t.Errorf("no ticket was given, but the body has ticketInfo: %s", body)
	}

	// The proof: a freshly minted token carries the role.
	if len(e.tokenGrants("refresh_token")) == 0 {
		t.Error("no token refresh after activation")
	}
	tok, err := e.session.Token(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Facts.HasWID(sim.RoleSecurityAdministrator) {
		t.Errorf("cached token wids = %v, want Security Administrator", tok.Facts.WIDs)
	}
	// The sim has exactly one new activation.
	n := 0
	for _, a := range e.tn.ActiveAssignments() {
		if a.RoleDefinitionID == sim.RoleSecurityAdministrator {
			n++
		}
	}
	if n != 1 {
		t.Errorf("active Security Administrator assignments = %d, want 1", n)
	}
	// A fresh load lists it.
	if _, ok := e.load().ActiveFor(sec); !ok {
		t.Error("the snapshot does not list the new activation")
	}
}

func TestActivateAUScopedRoleSendsExactScopeAndDoesNotWaitForWIDs(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	hd := elig(t, snap, "Helpdesk Administrator")
	e.tn.ResetLog()
	out, ev := e.activate(pim.ActivateRequest{Target: hd, Duration: time.Hour, Justification: "Berlin tickets"}, true)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if !out.Effective || out.Proof != "listing" || out.EffectiveAfter <= 0 {
		t.Fatalf("outcome = %+v, want effective by listing", out)
	}
	posts := e.activationPosts()
	if len(posts) != 1 {
		t.Fatalf("activation POSTs = %d, want 1", len(posts))
	}
	if !strings.Contains(posts[0].Body, `"directoryScopeId":"/administrativeUnits/`+sim.DemoAUID+`"`) {
		t.Errorf("POST body does not carry the AU scope exactly: %s", posts[0].Body)
	}
	// wids never carry scoped roles: no forced refresh to look for them.
	if n := len(e.tokenGrants("refresh_token")); n != 0 {
		t.Errorf("%d refresh-token grants for an AU-scoped role, want 0", n)
	}
	if ev.count(pim.StageRefreshed) != 0 {
		t.Error("a refreshed stage was reported for an AU-scoped role")
	}
	want := []pim.Stage{pim.StageChecked, pim.StageSubmitted, pim.StageProvisioned, pim.StageListed, pim.StageVerified}
	if got := ev.stages(hd.Key()); !reflect.DeepEqual(got, want) {
		t.Errorf("stages = %v, want %v", got, want)
	}
	var active []sim.ActiveAssignment
	for _, a := range e.tn.ActiveAssignments() {
		if a.RoleDefinitionID == sim.RoleHelpdeskAdministrator {
			active = append(active, a)
		}
	}
	if len(active) != 1 || active[0].DirectoryScopeID != "/administrativeUnits/"+sim.DemoAUID {
		t.Errorf("sim assignments = %+v", active)
	}
}

func TestActivateAppScopedRole(t *testing.T) {
	e := newEnv(t)
	app := elig(t, e.load(), "Application Administrator")
	out, _ := e.activate(pim.ActivateRequest{Target: app, Duration: time.Hour, Justification: "payroll creds"}, true)
	if out.Err != nil || !out.Effective || out.Proof != "listing" {
		t.Fatalf("outcome = %+v", out)
	}
	if p := e.activationPosts(); len(p) != 1 || !strings.Contains(p[0].Body, `"directoryScopeId":"/`+sim.DemoAppObjectID+`"`) {
		t.Errorf("POST = %+v", p)
	}
}

func TestActivateGroupMember(t *testing.T) {
	e := newEnv(t)
	g := elig(t, e.load(), "SG-Tier0-Break-Glass-Ops", "member")
	e.tn.ResetLog()
	out, ev := e.activate(pim.ActivateRequest{Target: g, Duration: 30 * time.Minute, Justification: "break glass drill"}, true)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if !out.Effective || out.Proof != "listing" || out.Status != "Provisioned" {
		t.Fatalf("outcome = %+v", out)
	}
	posts := e.requests("POST", groupRequestsPath)
	if len(posts) != 1 || len(e.activationPosts()) != 0 {
		t.Fatalf("group POSTs = %d, role POSTs = %d", len(posts), len(e.activationPosts()))
	}
	for _, s := range []string{`"accessId":"member"`, `"groupId":"` + sim.DemoGroupID + `"`, `"action":"selfActivate"`, `"duration":"PT30M"`} {
		if !strings.Contains(posts[0].Body, s) {
			t.Errorf("group POST lacks %s: %s", s, posts[0].Body)
		}
	}
	if ev.count(pim.StageRefreshed) != 0 || len(e.tokenGrants("refresh_token")) != 0 {
		t.Error("group activation forced a token refresh")
	}
	found := false
	for _, a := range e.tn.ActiveAssignments() {
		if a.GroupID == sim.DemoGroupID && a.AccessID == "member" {
			found = true
		}
	}
	if !found {
		t.Error("the sim has no group membership")
	}
}

func TestPolicyViolationsSendNothing(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	exch := elig(t, snap, "Exchange Administrator") // max 2h, justification, ticket
	user := elig(t, snap, "User Administrator")     // justification
	reader := elig(t, snap, "Global Reader")
	cases := []struct {
		name string
		req  pim.ActivateRequest
		rule string
	}{
		{"over max", pim.ActivateRequest{Target: exch, Duration: 3 * time.Hour, Justification: "j", TicketNumber: "1", TicketSystem: "SN"}, "maximum duration"},
		{"no justification", pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "  "}, "justification"},
		{"no ticket", pim.ActivateRequest{Target: exch, Duration: time.Hour, Justification: "j"}, "ticket"},
		{"ticket without system", pim.ActivateRequest{Target: exch, Duration: time.Hour, Justification: "j", TicketNumber: "1"}, "ticket"},
		{"no duration", pim.ActivateRequest{Target: reader}, "duration"},
		{"under minimum", pim.ActivateRequest{Target: reader, Duration: 2 * time.Minute}, "minimum duration"},
	}
	e.tn.ResetLog()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, ev := e.activate(c.req, true)
			var pe *pim.PolicyError
			if !errors.As(out.Err, &pe) {
				t.Fatalf("err = %v, want *pim.PolicyError", out.Err)
			}
			if pe.Rule != c.rule {
				t.Errorf("rule = %q, want %q", pe.Rule, c.rule)
			}
			if !strings.Contains(out.Err.Error(), c.req.Target.Name) {
				t.Errorf("error does not name the role: %v", out.Err)
			}
			if got := ev.stages(""); !reflect.DeepEqual(got, []pim.Stage{pim.StageFailed}) {
				t.Errorf("stages = %v", got)
			}
		})
	}
	// One bad request in a batch stops the good one too.
	good := pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "ok"}
	bad := pim.ActivateRequest{Target: exch, Duration: 3 * time.Hour, Justification: "j", TicketNumber: "1", TicketSystem: "SN"}
	outs := e.svc.Activate(e.ctx(), []pim.ActivateRequest{good, bad}, pim.ActivateOptions{}, nil)
	if outs[0].Err == nil || !strings.Contains(outs[0].Err.Error(), "not sent") {
		t.Errorf("good request: %v, want not sent", outs[0].Err)
	}
	if n := len(e.activationPosts()) + len(e.requests("POST", groupRequestsPath)); n != 0 {
		t.Errorf("%d schedule requests POSTed, want none", n)
	}
	if n := len(e.tokenGrants("refresh_token")); n != 0 {
		t.Errorf("%d token grants for refused requests, want none", n)
	}
}

func TestProactiveStepUpOncePerContext(t *testing.T) {
	// Give Intune Administrator the same context as Global Administrator.
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		for i, p := range sc.Policies {
			if p.RoleDefinitionID == sim.RoleIntuneAdministrator {
				sc.Policies[i].AuthContext = "c1"
			}
		}
	}))
	snap := e.load()
	ga, intune := elig(t, snap, "Global Administrator"), elig(t, snap, "Intune Administrator")
	if ga.Policy.AuthContext != "c1" || intune.Policy.AuthContext != "c1" {
		t.Fatalf("contexts: %q %q", ga.Policy.AuthContext, intune.Policy.AuthContext)
	}
	e.tn.ResetLog()
	ev := &events{}
	outs := e.svc.Activate(e.ctx(), []pim.ActivateRequest{
		{Target: ga, Duration: 30 * time.Minute, Justification: "tenant change"},
		{Target: intune, Duration: 30 * time.Minute},
	}, pim.ActivateOptions{Wait: true}, ev.add)
	for _, o := range outs {
		if o.Err != nil || !o.Effective || o.Proof != "token" {
			t.Errorf("%s: %+v", o.Target.Name, o)
		}
	}
	if n := ev.count(pim.StageStepUp); n != 1 {
		t.Errorf("step-up events = %d, want 1 for one shared context", n)
	}
	stepUps := 0
	for _, g := range e.tokenGrants("refresh_token") {
		if strings.Contains(formValue(g, "claims"), `"c1"`) {
			stepUps++
		}
	}
	if stepUps != 1 {
		t.Errorf("token requests asking for acrs c1 = %d, want 1", stepUps)
	}
	posts := e.activationPosts()
	if len(posts) != 2 {
		t.Fatalf("activation POSTs = %d, want 2 (no ACRS refusal, no resend)", len(posts))
	}
	for _, p := range posts {
		if !hasACRS(p, "c1") {
			t.Errorf("POST sent without acrs c1: claims %v", p.Claims["acrs"])
		}
	}
	if e.opened.Load() != 1 {
		t.Errorf("browser opened %d times, want only the login", e.opened.Load())
	}
}

func TestReactiveStepUpOnStalePolicy(t *testing.T) {
	e := newEnv(t)
	e.load() // fills the policy cache
	// The cached policy goes stale: Global Administrator's context is
	// removed from it, so the service does not step up proactively.
	editPolicyCache(t, e.cacheDir, "role:"+sim.RoleGlobalAdministrator, func(p map[string]any) { delete(p, "authContext") })
	svc := e.newService(e.cacheDir, fastPoll)
	snap, err := svc.Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	ga := elig(t, snap, "Global Administrator")
	if ga.Policy.AuthContext != "" || snap.RoundTrips != 1 {
		t.Fatalf("the stale cache was not used: context %q, round trips %d", ga.Policy.AuthContext, snap.RoundTrips)
	}
	e.tn.ResetLog()
	ev := &events{}
	outs := svc.Activate(e.ctx(), []pim.ActivateRequest{{Target: ga, Duration: 30 * time.Minute, Justification: "change"}}, pim.ActivateOptions{Wait: true}, ev.add)
	out := outs[0]
	if out.Err != nil || !out.Effective || out.Proof != "token" {
		t.Fatalf("outcome = %+v", out)
	}
	posts := e.activationPosts()
	if len(posts) != 2 {
		t.Fatalf("activation POSTs = %d, want 2 (refused for ACRS, then resent stepped up)", len(posts))
	}
	if posts[0].Status != 400 || hasACRS(posts[0], "c1") {
		t.Errorf("first POST: status %d, acrs %v", posts[0].Status, posts[0].Claims["acrs"])
	}
	if posts[1].Status != 201 || !hasACRS(posts[1], "c1") {
		t.Errorf("second POST: status %d, acrs %v", posts[1].Status, posts[1].Claims["acrs"])
	}
	var claims []string
	for _, g := range e.tokenGrants("refresh_token") {
		if c := formValue(g, "claims"); strings.Contains(c, "acrs") {
			claims = append(claims, c)
		}
	}
	if len(claims) != 1 || !strings.Contains(claims[0], `"c1"`) || !strings.Contains(claims[0], "essential") {
		t.Errorf("step-up token requests = %q, want one with the claims from PIM's message", claims)
	}
	if ev.count(pim.StageStepUp) != 1 {
		t.Errorf("step-up events = %d", ev.count(pim.StageStepUp))
	}
	n := 0
	for _, a := range e.tn.ActiveAssignments() {
		if a.RoleDefinitionID == sim.RoleGlobalAdministrator {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Global Administrator activations = %d, want 1", n)
	}
}

func TestStepUpThatNeedsTheBrowser(t *testing.T) {
	e := newEnv(t)
	ga := elig(t, e.load(), "Global Administrator")
	e.tn.SetStepUpNeedsInteraction(true)
	e.tn.ResetLog()
	out, ev := e.activate(pim.ActivateRequest{Target: ga, Duration: 30 * time.Minute, Justification: "change"}, true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome = %+v", out)
	}
	if e.opened.Load() != 2 {
		t.Errorf("browser opened %d times, want login + step-up", e.opened.Load())
	}
	codes := e.tokenGrants("authorization_code")
	if len(codes) != 1 {
		t.Fatalf("authorization code grants = %d, want 1 (the interactive step-up)", len(codes))
	}
	posts := e.activationPosts()
	if len(posts) != 1 || !hasACRS(posts[0], "c1") {
		t.Errorf("POSTs = %d, want one carrying acrs c1", len(posts))
	}
	if ev.count(pim.StageStepUp) != 1 {
		t.Errorf("step-up events = %d", ev.count(pim.StageStepUp))
	}
}

func TestStepUpRefusedSendsNothing(t *testing.T) {
	e := newEnv(t)
	ga := elig(t, e.load(), "Global Administrator")
	e.tn.SetStepUpNeedsInteraction(true)
	e.tn.SetInteractionDenied(true)
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: ga, Duration: 30 * time.Minute, Justification: "change"}, true)
	if out.Err == nil || !strings.Contains(out.Err.Error(), "c1") {
		t.Fatalf("err = %v, want the step-up failure naming the context", out.Err)
	}
	if n := len(e.activationPosts()); n != 0 {
		t.Errorf("activation POSTs = %d, want 0 without the stepped-up token", n)
	}
}

func TestApprovalIsPendingNotEffective(t *testing.T) {
	e := newEnv(t)
	pra := elig(t, e.load(), "Privileged Role Administrator")
	e.tn.ResetLog()
	out, ev := e.activate(pim.ActivateRequest{Target: pra, Duration: time.Hour, Justification: "role cleanup"}, true)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if out.Status != "PendingApproval" || out.Effective || out.RequestID == "" {
		t.Fatalf("outcome = %+v, want PendingApproval, not effective", out)
	}
	if ev.count(pim.StagePending) != 1 || ev.count(pim.StageVerified) != 0 || ev.count(pim.StageListed) != 0 {
		t.Errorf("stages = %v", ev.stages(""))
	}
	// Nothing was polled for a request that waits for a human.
	if n := e.tn.CountRequests("GET", "roleAssignmentScheduleInstances"); n != 0 {
		t.Errorf("%d polls of active instances for a pending request", n)
	}
	snap := e.load()
	p, ok := snap.PendingFor(pra)
	if !ok || p.RequestID != out.RequestID || p.Name != "Privileged Role Administrator" || p.Status != "PendingApproval" {
		t.Fatalf("pending = %+v (found %v)", snap.Pending, ok)
	}
	// Asking again while pending is refused by PIM, in words.
	again, _ := e.activate(pim.ActivateRequest{Target: pra, Duration: time.Hour, Justification: "again"}, false)
	if again.Err == nil || !strings.Contains(again.Err.Error(), "waiting for approval") {
		t.Errorf("second request: %v", again.Err)
	}
	if err := e.svc.Cancel(e.ctx(), p); err != nil {
		t.Fatal(err)
	}
	if n := len(e.requests("POST", roleRequestsPath+"/"+p.RequestID+"/cancel")); n != 1 {
		t.Errorf("cancel POSTs = %d, want 1", n)
	}
	for _, r := range e.tn.ScheduleRequests() {
		if r.ID == p.RequestID && r.Status != sim.StatusCanceled {
			t.Errorf("request status = %s, want Canceled", r.Status)
		}
	}
	if snap := e.load(); len(snap.Pending) != 0 {
		t.Errorf("still pending after cancel: %+v", snap.Pending)
	}
	entries := e.journal()
	if last := entries[len(entries)-1]; last.Action != "cancel" || last.RequestID != p.RequestID {
		t.Errorf("last journal entry = %+v", last)
	}
}

func TestActivatingAnActiveRoleIsAClearError(t *testing.T) {
	e := newEnv(t)
	reader := elig(t, e.load(), "Global Reader")
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: reader, Duration: time.Hour}, true)
	if out.Err == nil || !strings.Contains(out.Err.Error(), "already active") || !strings.Contains(out.Err.Error(), "Global Reader") {
		t.Fatalf("err = %v, want 'Global Reader is already active'", out.Err)
	}
	if out.Effective || out.Status != "" {
		t.Errorf("outcome = %+v", out)
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d, want 1", n)
	}
}

func TestServiceRefusalForgetsTheStalePolicy(t *testing.T) {
	e := newEnv(t)
	e.load()
	// The cache says 8h; the tenant's policy now allows 2h.
	editPolicyCache(t, e.cacheDir, "role:"+sim.RoleExchangeAdministrator, func(p map[string]any) { p["maxDuration"] = "8h0m0s" })
	svc := e.newService(e.cacheDir, fastPoll)
	snap, err := svc.Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	exch := elig(t, snap, "Exchange Administrator")
	if exch.Policy.MaxDuration != 8*time.Hour {
		t.Fatalf("stale max = %v", exch.Policy.MaxDuration)
	}
	e.tn.ResetLog()
	outs := svc.Activate(e.ctx(), []pim.ActivateRequest{{Target: exch, Duration: 3 * time.Hour, Justification: "j", TicketNumber: "1", TicketSystem: "SN"}}, pim.ActivateOptions{Wait: true}, nil)
	if outs[0].Err == nil || !strings.Contains(outs[0].Err.Error(), "over the policy maximum") {
		t.Fatalf("err = %v, want PIM's expiration rule in words", outs[0].Err)
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d, want 1", n)
	}
	// The next load fetches the policy again and knows the real maximum.
	e.tn.ResetLog()
	snap, err = e.newService(e.cacheDir, fastPoll).Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if got := elig(t, snap, "Exchange Administrator").Policy.MaxDuration; got != 2*time.Hour {
		t.Errorf("max after refetch = %v, want 2h", got)
	}
	if snap.RoundTrips != 2 || e.tn.CountRequests("GET", "roleManagementPolicyAssignments") != 1 {
		t.Errorf("round trips = %d, policy reads = %d, want 2 and 1", snap.RoundTrips, e.tn.CountRequests("GET", "roleManagementPolicyAssignments"))
	}
}

func TestPolicyCacheExpires(t *testing.T) {
	e := newEnv(t)
	e.load()
	later := pim.New(pim.Options{
		Graph: e.graph, Tokens: e.session, Cache: state.OpenCache(e.cacheDir, "policies.json", func() time.Time { return e.tn.Now().Add(pim.PolicyTTL + time.Hour) }),
		Now: func() time.Time { return e.tn.Now().Add(pim.PolicyTTL + time.Hour) },
	})
	e.tn.ResetLog()
	snap, err := later.Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if snap.RoundTrips != 2 {
		t.Errorf("round trips with an expired cache = %d, want 2", snap.RoundTrips)
	}
}

func TestWaitGivesUpTruthfully(t *testing.T) {
	e := newEnv(t,
		withScenario(func(sc *sim.Scenario) { sc.ProvisioningDelay = sim.Duration(time.Hour) }),
		withPoll(pim.PollConfig{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, Timeout: 300 * time.Millisecond}))
	user := elig(t, e.load(), "User Administrator")
	out, ev := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err == nil || out.Effective || !strings.Contains(out.Err.Error(), "did not list it") || out.Status != "Provisioned" {
		t.Fatalf("outcome = %+v", out)
	}
	if ev.count(pim.StageListed) != 0 || ev.count(pim.StageVerified) != 0 {
		t.Errorf("stages = %v", ev.stages(""))
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d", n)
	}
}

func TestActivateWithoutLoadUsesTheTokensOID(t *testing.T) {
	e := newEnv(t)
	target := pim.Eligibility{
		Kind: pim.KindDirectoryRole, Name: "User Administrator", RoleDefinitionID: sim.RoleUserAdministrator,
		TemplateID: sim.RoleUserAdministrator, DirectoryScopeID: "/", Policy: pim.Policy{MaxDuration: 4 * time.Hour, Justification: true},
	}
	out, _ := e.activate(pim.ActivateRequest{Target: target, Duration: time.Hour, Justification: "scripted"}, true)
	if out.Err != nil || !out.Effective || out.Proof != "token" {
		t.Fatalf("outcome = %+v", out)
	}
	if p := e.activationPosts(); len(p) != 1 || !strings.Contains(p[0].Body, `"principalId":"`+sim.DemoAdminUserID+`"`) {
		t.Errorf("POST = %+v", p)
	}
}

func TestActivateSeveralReportsEach(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	hd, user, reader := elig(t, snap, "Helpdesk Administrator"), elig(t, snap, "User Administrator"), elig(t, snap, "Global Reader")
	ev := &events{}
	outs := e.svc.Activate(e.ctx(), []pim.ActivateRequest{
		{Target: hd, Duration: time.Hour, Justification: "j"},
		{Target: reader, Duration: time.Hour},
		{Target: user, Duration: time.Hour, Justification: "j"},
	}, pim.ActivateOptions{Wait: true}, ev.add)
	if outs[0].Err != nil || outs[0].Proof != "listing" {
		t.Errorf("Helpdesk: %+v", outs[0])
	}
	if outs[1].Err == nil || !strings.Contains(outs[1].Err.Error(), "already active") {
		t.Errorf("Global Reader: %v", outs[1].Err)
	}
	if outs[2].Err != nil || outs[2].Proof != "token" {
		t.Errorf("User Administrator: %+v", outs[2])
	}
	if n := len(e.tokenGrants("refresh_token")); n != 1 {
		t.Errorf("forced refreshes = %d, want 1 for the one tenant-scope role", n)
	}
	entries := e.journal()
	if len(entries) != 3 {
		t.Errorf("journal entries = %d, want 3", len(entries))
	}
}

// An eligibility at an app-specific scope is sent back as Graph gave it:
// appScopeId, never turned into a directoryScopeId.
func TestAppScopedEligibilitySendsAppScopeID(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) {
		sc.Eligibilities = append(sc.Eligibilities, sim.Eligibility{UserID: sim.DemoAdminUserID, RoleDefinitionID: sim.RoleSharePointAdmin, AppScopeID: "/"})
		sc.Policies = append(sc.Policies, sim.Policy{RoleDefinitionID: sim.RoleSharePointAdmin, MaxDuration: sim.Duration(2 * time.Hour)})
	}))
	sp := elig(t, e.load(), "SharePoint Administrator")
	if sp.AppScopeID != "/" || sp.DirectoryScopeID != "" || sp.InTokenWIDs() {
		t.Fatalf("eligibility = %+v", sp)
	}
	out, _ := e.activate(pim.ActivateRequest{Target: sp, Duration: time.Hour}, true)
	if out.Err != nil || !out.Effective || out.Proof != pim.ProofListing {
		t.Fatalf("outcome = %+v", out)
	}
	posts := e.activationPosts()
	if len(posts) != 1 || !strings.Contains(posts[0].Body, `"appScopeId":"/"`) || strings.Contains(posts[0].Body, `"directoryScopeId"`) {
		t.Errorf("POST body = %s", posts[0].Body)
	}
}

// countingTokens counts the reads of the current token.
type countingTokens struct {
	pim.Tokens
	reads atomic.Int32
}

func (c *countingTokens) Token(ctx context.Context) (auth.Token, error) {
	c.reads.Add(1)
	return c.Tokens.Token(ctx)
}

// A policy with both MFA and an authentication context reads the current
// token once before the request, not once per rule.
func TestStepUpReadsTheTokenOnce(t *testing.T) {
	e := newEnv(t)
	tokens := &countingTokens{Tokens: e.session}
	svc := pim.New(pim.Options{Graph: e.graph, Tokens: tokens, Now: e.tn.Now, Poll: fastPoll})
	snap, err := svc.Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	ga := elig(t, snap, "Global Administrator")
	if !ga.Policy.MFA || ga.Policy.AuthContext == "" {
		t.Fatalf("policy: %+v", ga.Policy)
	}
	tokens.reads.Store(0)
	out := svc.Activate(e.ctx(), []pim.ActivateRequest{{Target: ga, Duration: 30 * time.Minute, Justification: "tenant change"}}, pim.ActivateOptions{}, nil)[0]
	if out.Err != nil || out.Status != "Provisioned" {
		t.Fatalf("outcome: %+v", out)
	}
	if n := tokens.reads.Load(); n != 1 {
		t.Errorf("%d reads of the current token, want 1", n)
	}
}
