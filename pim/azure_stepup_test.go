package pim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// mfaOf reports whether a logged request's token came from an MFA sign-in.
func mfaOf(r sim.Request) bool {
	list, _ := r.Claims["amr"].([]any)
	for _, v := range list {
		if v == "mfa" {
			return true
		}
	}
	return false
}

// The policy's authentication context, up front: the ARM token gets the
// acrs before the PUT, which PIM then accepts at once.
func TestAzureStepUpFromThePolicyAuthContext(t *testing.T) {
	e := newEnv(t, withAzure())
	owner := azureElig(t, e.load(), "Owner", "kv-prod (Key Vault) in rg-secrets")
	out, ev := e.activate(pim.ActivateRequest{Target: owner, Duration: 30 * time.Minute, Justification: "rotate keys"}, true)
	if out.Err != nil || !out.Effective || out.Proof != pim.ProofPermissions {
		t.Fatalf("outcome: %+v", out)
	}
	puts := e.azurePUTs()
	if len(puts) != 1 || puts[0].Status != 201 || !hasACRS(puts[0], "c2") {
		t.Fatalf("want one PUT carrying acrs c2, got %d (%v)", len(puts), puts)
	}
	if ev.count(pim.StageStepUp) != 1 {
		t.Errorf("%d step-up events", ev.count(pim.StageStepUp))
	}
	for _, r := range e.tn.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") && hasACRS(r, "c2") {
			t.Errorf("the ARM step-up reached a Graph token: %s", r.Path)
		}
	}
	e.assertAudiences()
}

// RoleAssignmentRequestAcrsValidationFailed (the policy changed since it
// was cached): step up with the claims in the message, then PUT once more
// under a new GUID.
func TestAzureStepUpOnAcrsValidationFailed(t *testing.T) {
	e := newEnv(t, withAzure())
	owner := azureElig(t, e.load(), "Owner", "kv-prod (Key Vault) in rg-secrets")
	owner.Policy.AuthContext = "" // a stale cached policy
	out, _ := e.activate(pim.ActivateRequest{Target: owner, Duration: 30 * time.Minute, Justification: "rotate keys"}, true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome: %+v", out)
	}
	puts := e.azurePUTs()
	if len(puts) != 2 || puts[0].Status != 400 || puts[1].Status != 201 || !hasACRS(puts[1], "c2") {
		t.Fatalf("want a refused PUT then an accepted one with c2: %d PUTs", len(puts))
	}
	if putName(puts[0]) == putName(puts[1]) {
		t.Error("the second PUT must use a new GUID")
	}
	var grant sim.Request
	for _, g := range e.tokenGrants("refresh_token") {
		if strings.Contains(formValue(g, "claims"), "c2") {
			grant = g
		}
	}
	if !strings.Contains(formValue(grant, "scope"), "management.core.windows.net") {
		t.Errorf("the step-up must be for ARM: %q", formValue(grant, "scope"))
	}
	if j := e.journal(); j[len(j)-1].RequestID != putName(puts[1]) {
		t.Errorf("journal keeps the name sent last: %+v", j[len(j)-1])
	}
}

// A 401 claims challenge on the PUT (mandatory MFA or a CA policy on ARM):
// the Azure SDK asks the credential again with the claims and replays the
// same PUT once.
func TestAzureClaimsChallengeIsReplayedByTheSDK(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.ARMWriteRequiresACRS = "p1" }))
	out, _ := e.activate(reader(t, e), true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome: %+v", out)
	}
	puts := e.azurePUTs()
	if len(puts) != 2 || puts[0].Status != 401 || puts[1].Status != 201 || putName(puts[0]) != putName(puts[1]) || !hasACRS(puts[1], "p1") {
		t.Fatalf("want 401 then 201 for one GUID, the replay with acrs p1: %d PUTs", len(puts))
	}
	if e.opened.Load() != 1 {
		t.Errorf("the challenge was satisfied silently; browser opened %d times", e.opened.Load())
	}
}

// MFA required by the policy and a password-only session: a new sign-in
// before the PUT, which then carries MFA.
func TestAzureStepUpForMFAFromThePolicy(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.SignInWithoutMFA = true }))
	contrib := azureElig(t, e.load(), "Contributor", "sub: Contoso Prod")
	e.tn.SetSignInWithoutMFA(false) // the next sign-in does MFA
	out, _ := e.activate(pim.ActivateRequest{Target: contrib, Duration: time.Hour, Justification: "deploy"}, false)
	if out.Err != nil || out.Status != "Provisioned" {
		t.Fatalf("outcome: %+v", out)
	}
	puts := e.azurePUTs()
	if len(puts) != 1 || !mfaOf(puts[0]) {
		t.Fatalf("want one PUT with an MFA token: %d", len(puts))
	}
	if e.opened.Load() != 2 {
		t.Errorf("browser opened %d times, want the login and the MFA sign-in", e.opened.Load())
	}
}

// MfaRule (the cached policy did not ask for MFA): sign in again, PUT once
// more under a new GUID.
func TestAzureStepUpOnMfaRule(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.SignInWithoutMFA = true }))
	contrib := azureElig(t, e.load(), "Contributor", "sub: Contoso Prod")
	contrib.Policy.MFA = false // stale
	e.tn.SetSignInWithoutMFA(false)
	out, ev := e.activate(pim.ActivateRequest{Target: contrib, Duration: time.Hour, Justification: "deploy"}, false)
	if out.Err != nil || out.Status != "Provisioned" {
		t.Fatalf("outcome: %+v", out)
	}
	puts := e.azurePUTs()
	if len(puts) != 2 || puts[0].Status != 400 || !mfaOf(puts[1]) || putName(puts[0]) == putName(puts[1]) {
		t.Fatalf("want MfaRule, then a new PUT with MFA: %d PUTs", len(puts))
	}
	if ev.count(pim.StageStepUp) != 1 {
		t.Errorf("%d step-ups", ev.count(pim.StageStepUp))
	}
}

// The five-minute rule: refused by PIM (the clock unconfirmed), said as
// for directory roles; "does not exist" right after activating is
// provisioning; afterwards SelfDeactivate ends it.
func TestAzureDeactivate(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.ProvisioningDelay = sim.Duration(time.Second) }))
	r := reader(t, e)
	out, _ := e.activate(r, false)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	act := pim.Active{Eligibility: r.Target, Start: out.Sent.Start, End: out.End}
	early := e.svc.DeactivateWith(e.ctx(), act, pim.DeactivateOptions{ClockUnconfirmed: true}, nil)
	var ts *pim.TooShortError
	if !errors.As(early.Err, &ts) || !ts.Provisioning || !ts.PossibleAt.Equal(act.DeactivatableAt()) {
		t.Fatalf("just activated: want provisioning, got %v", early.Err)
	}
	time.Sleep(1200 * time.Millisecond) // listed now
	tooSoon := e.svc.DeactivateWith(e.ctx(), act, pim.DeactivateOptions{ClockUnconfirmed: true}, nil)
	if !errors.As(tooSoon.Err, &ts) || ts.Provisioning || !ts.FromService {
		t.Fatalf("inside 5 minutes: want ActiveDurationTooShort, got %v", tooSoon.Err)
	}
	e.tn.Clock().Advance(6 * time.Minute)
	done := e.svc.Deactivate(e.ctx(), act, nil)
	if done.Err != nil || done.Status != "Revoked" {
		t.Fatalf("deactivate: %+v", done)
	}
	if !done.PreviousTokenExpiry.IsZero() {
		t.Error("no token carries Azure roles: there is no token expiry to report")
	}
	puts := e.azurePUTs()
	last := putBody(t, puts[len(puts)-1])
	if last["requestType"] != "SelfDeactivate" || last["roleDefinitionId"] != r.Target.RoleDefinitionID {
		t.Errorf("deactivation body %v", last)
	}
	if _, still := e.load().ActiveFor(r.Target); still {
		t.Error("still listed as active")
	}
}
