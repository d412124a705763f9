package pim_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

const armRequestsType = "/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/"

// azurePUTs lists the schedule request PUTs in the log, in order.
func (e *env) azurePUTs() []sim.Request { return e.armRequests("PUT", armRequestsType) }

// putName is the GUID a PUT was sent under.
func putName(r sim.Request) string { return r.Path[strings.LastIndexByte(r.Path, '/')+1:] }

// putBody decodes a PUT's properties.
func putBody(t *testing.T, r sim.Request) map[string]any {
	t.Helper()
	var b struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		t.Fatalf("PUT body %q: %v", r.Body, err)
	}
	return b.Properties
}

func reader(t *testing.T, e *env) pim.ActivateRequest {
	t.Helper()
	return pim.ActivateRequest{Target: azureElig(t, e.load(), "Reader", "mg: Tier0"), Duration: time.Hour, Justification: "audit"}
}

// Activation is effective when ARM's permissions at the scope show the
// role's actions: "propagating" until then, and the listing alone is not
// enough.
func TestAzureActivatePropagatesThenProvesByPermissions(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) { sc.ARMPropagationDelay = sim.Duration(1500 * time.Millisecond) }))
	r := reader(t, e)
	out, ev := e.activate(r, true)
	if out.Err != nil || !out.Effective || out.Proof != pim.ProofPermissions || out.Status != "Provisioned" {
		t.Fatalf("outcome: %+v", out)
	}
	if out.EffectiveAfter < time.Second {
		t.Errorf("effective after %s, before ARM applied the permissions", out.EffectiveAfter)
	}
	st := ev.stages(r.Target.Key())
	want := []pim.Stage{pim.StageChecked, pim.StageSubmitted, pim.StageProvisioned, pim.StageListed, pim.StagePropagating, pim.StageVerified}
	if !subsequence(st, want) {
		t.Errorf("stages %v, want %v in order", st, want)
	}
	puts := e.azurePUTs()
	if len(puts) != 1 {
		t.Fatalf("%d PUTs", len(puts))
	}
	if !strings.HasPrefix(puts[0].Path, "/arm"+sim.DemoManagementGroupScope+armRequestsType) {
		t.Errorf("PUT at %s, not at the eligibility's scope", puts[0].Path)
	}
	b := putBody(t, puts[0])
	si, _ := b["scheduleInfo"].(map[string]any)
	exp, _ := si["expiration"].(map[string]any)
	if b["requestType"] != "SelfActivate" || b["principalId"] != sim.DemoAdminUserID || b["roleDefinitionId"] != r.Target.RoleDefinitionID ||
		b["justification"] != "audit" || b["linkedRoleEligibilityScheduleId"] != r.Target.EligibilityScheduleID || r.Target.EligibilityScheduleID == "" ||
		si["startDateTime"] == nil || exp["type"] != "AfterDuration" || exp["duration"] != "PT1H" {
		t.Errorf("PUT body %v", b)
	}
	if n := len(e.armRequests("GET", "/providers/Microsoft.Authorization/permissions")); n < 2 {
		t.Errorf("%d permission checks: the first must have come before propagation", n)
	}
	journal := e.journal()
	last := journal[len(journal)-1]
	if last.RequestID != putName(puts[0]) || last.AzureScope != sim.DemoManagementGroupScope || last.Proof != "permissions" {
		t.Errorf("journal: %+v", last)
	}
	e.assertAudiences()
}

// When the permissions cannot be read (here: at the tenant root, where ARM
// lists none), the listed active instance is the proof, and the outcome
// says so.
func TestAzurePermissionsUnreadableMakesTheListingTheProof(t *testing.T) {
	e := newEnv(t, withAzure(), withScenario(func(sc *sim.Scenario) {
		sc.Eligibilities = append(sc.Eligibilities, sim.Eligibility{UserID: sim.DemoAdminUserID, RoleDefinitionID: sim.AzureRoleReader, Scope: "/"})
	}))
	r := pim.ActivateRequest{Target: azureElig(t, e.load(), "Reader", "tenant root"), Duration: time.Hour, Justification: "audit"}
	out, ev := e.activate(r, true)
	if out.Err != nil || !out.Effective || out.Proof != pim.ProofListing {
		t.Fatalf("outcome: %+v", out)
	}
	if ev.count(pim.StageVerified) != 1 || !strings.Contains(ev.list[len(ev.list)-1].Detail, "could not be read") {
		t.Errorf("the outcome must say why the listing is the proof: %+v", ev.list[len(ev.list)-1])
	}
}

// An answer lost after ARM processed the PUT: the request is read back
// by its GUID, never sent again.
func TestAzureLostPUTAnswerIsReadBackByName(t *testing.T) {
	e := newEnv(t, withAzure())
	r := reader(t, e)
	e.tn.AddFault(sim.Fault{Method: "PUT", Path: armRequestsType, Kind: sim.FaultDropAfterWrite, Times: 1})
	out, _ := e.activate(r, true)
	if out.Err != nil || !out.Effective || out.Status != "Provisioned" {
		t.Fatalf("outcome: %+v", out)
	}
	puts := e.azurePUTs()
	if len(puts) != 1 {
		t.Fatalf("%d PUTs: the activation was sent again", len(puts))
	}
	gets := e.armRequests("GET", armRequestsType+putName(puts[0]))
	if len(gets) != 1 || gets[0].Status != 200 || out.RequestID != putName(puts[0]) {
		t.Errorf("read back: %d GETs of %s, request %s", len(gets), putName(puts[0]), out.RequestID)
	}
}

// Interrupted while ARM holds the answer: pimento still finds out what
// it sent, by name, and says PIM accepted it.
func TestAzureInterruptedPUTIsReconciled(t *testing.T) {
	e := newEnv(t, withAzure())
	r := reader(t, e)
	e.tn.AddFault(sim.Fault{Method: "PUT", Path: armRequestsType, Kind: sim.FaultDropAfterWrite, Times: 1, Hold: sim.Duration(5 * time.Second)})
	ctx, cancel := context.WithCancel(e.ctx())
	time.AfterFunc(300*time.Millisecond, cancel)
	outs := e.svc.Activate(ctx, []pim.ActivateRequest{r}, pim.ActivateOptions{Wait: true}, nil)
	var ie *pim.InterruptedError
	if !errors.As(outs[0].Err, &ie) || !ie.Accepted {
		t.Fatalf("want an accepted InterruptedError, got %v", outs[0].Err)
	}
	if n := len(e.azurePUTs()); n != 1 {
		t.Errorf("%d PUTs", n)
	}
	if n := len(e.armRequests("GET", armRequestsType)); n != 1 {
		t.Errorf("%d GETs by name", n)
	}
}

// RoleAssignmentExists reads as for directory roles: already active.
func TestAzureAlreadyActive(t *testing.T) {
	e := newEnv(t, withAzure())
	r := reader(t, e)
	if out, _ := e.activate(r, false); out.Err != nil {
		t.Fatal(out.Err)
	}
	out, _ := e.activate(r, false)
	var ae *pim.AlreadyError
	if !errors.As(out.Err, &ae) || ae.Pending {
		t.Fatalf("want AlreadyError, got %v", out.Err)
	}
	puts := e.azurePUTs()
	if len(puts) != 2 || putName(puts[0]) == putName(puts[1]) {
		t.Errorf("each activation has its own GUID: %d PUTs", len(puts))
	}
}

// A policy PIM enforces but the cached one did not know: refused, named,
// and the stale policy forgotten.
func TestAzurePolicyFailureReadsAsForDirectoryRoles(t *testing.T) {
	e := newEnv(t, withAzure())
	kv := azureElig(t, e.load(), "Key Vault Administrator", "rg: rg-secrets (Contoso Prod)")
	kv.Policy.Ticket = false // as a stale cache would say
	out, _ := e.activate(pim.ActivateRequest{Target: kv, Duration: time.Hour, Justification: "rotate"}, false)
	var re *pim.RefusedError
	if !errors.As(out.Err, &re) || !strings.Contains(re.Reason, "ticket") {
		t.Fatalf("want RefusedError naming the ticket, got %v", out.Err)
	}
	if n := len(e.azurePUTs()); n != 1 {
		t.Errorf("%d PUTs: a policy failure is never resent", n)
	}
}

// Approval: pending, listed as pending, withdrawn with cancel.
func TestAzureApprovalAndCancel(t *testing.T) {
	e := newEnv(t, withAzure())
	owner := azureElig(t, e.load(), "Owner", "sub: Contoso Prod")
	out, _ := e.activate(pim.ActivateRequest{Target: owner, Duration: time.Hour, Justification: "deploy"}, true)
	if out.Err != nil || !pim.IsPending(out.Status) || out.Effective {
		t.Fatalf("outcome: %+v", out)
	}
	snap := e.load()
	p, ok := snap.PendingFor(owner)
	if !ok || p.RequestID != out.RequestID {
		t.Fatalf("pending not listed: %+v", snap.Pending)
	}
	again, _ := e.activate(pim.ActivateRequest{Target: owner, Duration: time.Hour, Justification: "deploy"}, false)
	var ae *pim.AlreadyError
	if !errors.As(again.Err, &ae) || !ae.Pending {
		t.Errorf("a second request while one waits: %v", again.Err)
	}
	if err := e.svc.Cancel(e.ctx(), p); err != nil {
		t.Fatal(err)
	}
	if n := len(e.armRequests("POST", armRequestsType+p.RequestID+"/cancel")); n != 1 {
		t.Errorf("%d cancel POSTs", n)
	}
	if _, ok := e.load().PendingFor(owner); ok {
		t.Error("still pending after cancel")
	}
}

func subsequence(have, want []pim.Stage) bool {
	i := 0
	for _, s := range have {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

// A throttled PUT was not processed: sent once more after Retry-After,
// under a new name; a 503 may or may not have been: read back, not resent.
func TestAzureThrottledAndFailedPUTs(t *testing.T) {
	e := newEnv(t, withAzure())
	r := reader(t, e)
	e.tn.AddFault(sim.Fault{Method: "PUT", Path: armRequestsType, Kind: sim.FaultStatus, Status: 429, RetryAfter: 1, Times: 1})
	out, _ := e.activate(r, false)
	puts := e.azurePUTs()
	if out.Err != nil || len(puts) != 2 || puts[0].Status != 429 || puts[1].Status != 201 || putName(puts[0]) == putName(puts[1]) {
		t.Fatalf("throttled: %v, %d PUTs", out.Err, len(puts))
	}
	e.tn.ResetLog()
	kv := azureElig(t, e.load(), "Key Vault Administrator", "rg: rg-secrets (Contoso Prod)")
	e.tn.AddFault(sim.Fault{Method: "PUT", Path: armRequestsType, Kind: sim.FaultStatus, Status: 503, Times: 1})
	out, _ = e.activate(pim.ActivateRequest{Target: kv, Duration: time.Hour, Justification: "x", TicketNumber: "1", TicketSystem: "J"}, false)
	puts = e.azurePUTs()
	if out.Err == nil || !strings.Contains(out.Err.Error(), "no record") || len(puts) != 1 {
		t.Fatalf("503: %v, %d PUTs", out.Err, len(puts))
	}
	if n := len(e.armRequests("GET", armRequestsType+putName(puts[0]))); n != 1 {
		t.Errorf("%d reads by name after a 503", n)
	}
}

// A PUT whose answer was lost, read back from a request list longer than
// pimento reads (GET by name refused): not among the pages read is not
// known, never "PIM has no record of it: nothing was activated".
func TestAzureLostPUTBeyondTheReadPagesIsNotConfirmed(t *testing.T) {
	e := newEnv(t, withAzure(), longTokens(), withScenario(func(sc *sim.Scenario) { sc.PageSize = 1 }))
	r := reader(t, e)
	// 52 earlier requests fill more pages than pimento reads (50).
	for i := 0; i < 26; i++ {
		if out, _ := e.activate(r, false); out.Err != nil {
			t.Fatalf("activation %d: %v", i, out.Err)
		}
		e.tn.Clock().Advance(6 * time.Minute)
		if d := e.svc.DeactivateWith(e.ctx(), pim.Active{Eligibility: r.Target}, pim.DeactivateOptions{}, nil); d.Err != nil {
			t.Fatalf("deactivation %d: %v", i, d.Err)
		}
		e.tn.Clock().Advance(3 * time.Minute)
	}
	e.tn.AddFault(sim.Fault{Method: "PUT", Path: armRequestsType, Kind: sim.FaultNoMessage, Status: 503, Times: 1})
	e.tn.AddFault(sim.Fault{Method: "GET", Path: armRequestsType, Kind: sim.FaultStatus, Status: 403})
	out, _ := e.activate(r, true)
	if out.Err == nil || strings.Contains(out.Err.Error(), "nothing was activated") || !strings.Contains(out.Err.Error(), "could not confirm") {
		t.Fatalf("err = %v, want not confirmed", out.Err)
	}
	if n := len(e.azurePUTs()); n != 53 {
		t.Errorf("%d PUTs, want 53: the lost one never sent again", n)
	}
}
