package tui

import (
	"errors"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// What waits for the admin is announced in the header, one key away; the
// view reads the inbox again (with stages) when it opens.
func TestInboxAnnouncedAndOneKeyAway(t *testing.T) {
	f := newFake()
	f.snap.Approvals = sampleApprovals()
	h := newHarness(t, f, Options{}, 120, 40)
	h.mustShow("To approve (3) · from Megan Bowen · tab shows them")
	h.key("tab")
	if h.m.screen != screenApprovals || f.approvalReads != 1 {
		t.Fatalf("screen %v, %d reads", h.m.screen, f.approvalReads)
	}
	h.mustShow("To approve (3)", "REQUESTER", "Billing Administrator", "az User Access Administrator (sub: Contoso Prod)", "stage 1 of 1 in progress, yours")
	h.mustNotShow("tab shows them")
	h.key("tab")
	if h.m.screen != screenMain {
		t.Fatal("tab did not go back to the roles")
	}
}

// A decision needs the approver's justification; nothing is sent without
// one, and after it the inbox and the roles reload.
func TestDecisionNeedsAJustificationThenReloads(t *testing.T) {
	f := newFake()
	f.snap.Approvals = sampleApprovals()
	h := newHarness(t, f, Options{}, 120, 40)
	loads := f.loads
	h.key("tab", "down", "down", "a")
	h.mustShow("Approve User Access Administrator (sub: Contoso Prod) for Megan Bowen", "Ticket: INC-4711 (ServiceNow)")
	h.key("enter")
	h.mustShow("✗ required")
	if len(f.decisions) != 0 {
		t.Fatal("sent without a justification")
	}
	h.key("esc")
	h.mustShow("Nothing was sent.")
	h.key("a")
	h.typeText("backup rotation, CHG-88")
	h.key("enter")
	if len(f.decisions) != 1 || f.decisions[0].Decision != pim.Approve || f.decisions[0].Approval.RequestID != "7e4a1c9d-2f6b-4b38-a5e0-9d3c8f1b6a24" {
		t.Fatalf("decisions: %+v", f.decisions)
	}
	if f.approvalReads != 2 || f.loads != loads+1 {
		t.Errorf("after the decision: %d inbox reads, %d loads (was %d)", f.approvalReads, f.loads, loads)
	}
	h.mustShow("To approve (2)", "✓ Approved User Access Administrator (sub: Contoso Prod) for Megan Bowen")
}

// A decision PIM did not record says why, and the request stays listed.
func TestDecisionNotRecordedSaysWhy(t *testing.T) {
	f := newFake()
	f.snap.Approvals = sampleApprovals()
	f.decide = func(a pim.Approval, d pim.Decision, _ string) pim.DecisionOutcome {
		return pim.DecisionOutcome{Approval: a, Decision: d, Err: errors.New("already approved by Ada Lovelace at 14:01; nothing was sent")}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("tab", "x")
	h.typeText("no ticket")
	h.key("enter")
	h.mustShow("✗ not denied: Billing Administrator for Megan Bowen", "already approved by Ada", "To approve (3)")
}

// The form's start field: "now" by default; a later start is sent as the
// request's start and the timeline says scheduled.
func TestFormStartSchedulesTheActivation(t *testing.T) {
	f := newFake()
	scheduled := func(r pim.ActivateRequest) pim.Outcome {
		return pim.Outcome{Target: r.Target, Status: "Granted", End: r.Start.Add(r.Duration), Scheduled: true, Sent: pim.Sent{Start: r.Start}}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.mustShow("Start · now or later, your time", "› now")
	h.typeText("CHG-88")
	h.key("tab", "tab", "ctrl+u")
	h.typeText("yesterday")
	h.key("enter")
	if len(f.activations) != 0 {
		t.Fatal("a bad start was sent")
	}
	h.key("ctrl+u")
	h.typeText("+2h")
	h.mustShow("✓ starts Mon 2 Mar 2026 16:02 UTC", "1h from 16:02, until about 17:02")
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: t0})
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageSubmitted, At: t0})
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageScheduled, At: t0})
		return scheduled(r)
	}
	h.key("enter")
	if len(f.activations) != 1 || !f.activations[0][0].Start.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("activations: %+v", f.activations)
	}
	h.mustShow("Activation of Global Reader: scheduled", "✓ scheduled by PIM", "◷ scheduled: starts 16:02, until 17:02")
}
