package tui

import (
	"errors"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

func refused(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
	progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageSubmitted, At: t0})
	err := errors.New("PIM answered Denied")
	progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageFailed, Detail: err.Error(), At: t0})
	return pim.Outcome{Target: r.Target, Err: err}
}

// activateReader sends an activation of Global Reader (row 2) from the form.
func activateReader(h *harness, justification string) {
	h.key("down", "enter")
	h.typeText(justification)
	h.key("enter", "esc")
}

// r never resends a request that failed: it opens the form, filled with
// what was sent, and sends nothing until the admin submits.
func TestReactivateNeverResendsAFailedRequest(t *testing.T) {
	f := newFake()
	f.activate = refused
	h := newHarness(t, f, Options{}, 120, 40)
	activateReader(h, "INC-5 audit")
	h.key("r")
	if len(f.activations) != 1 {
		t.Fatalf("r resent a failed request: %d activations", len(f.activations))
	}
	if h.m.screen != screenForm || h.m.form.targets[0].Name != "Global Reader" {
		t.Fatalf("r did not open Global Reader's form: screen %v", h.m.screen)
	}
	if v := h.m.form.inputs[fieldJustification].Value(); v != "INC-5 audit" {
		t.Fatalf("form prefilled with %q", v)
	}
}

// r on the row under the cursor resends, without a form, only the last
// request for that row that succeeded.
func TestReactivateResendsTheLastSuccessSilently(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 120, 40)
	activateReader(h, "INC-5 audit")
	h.tick(time.Hour + time.Second) // it ended
	h.key("r")
	if len(f.activations) != 2 || f.activations[1][0].Justification != "INC-5 audit" {
		t.Fatalf("activations = %+v", f.activations)
	}
}

// With the cursor elsewhere, r acts on the expiry banner's role, the
// banner says so, and it asks with the form rather than sending.
func TestBannerReactivationTargetsTheBannersRole(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{ExpiryWarning: 10 * time.Minute}, 120, 40)
	h.key("down", "down", "enter") // Helpdesk Administrator
	h.typeText("INC-2 unlock user")
	h.key("enter", "esc")
	h.tick(50*time.Minute + time.Second)
	h.key("g") // Global Administrator: never sent from here
	h.mustShow("⚠ Helpdesk Administrator (AU: Berlin Helpdesk) ends in 9m59s", "r renews it")
	h.key("r")
	if len(f.activations) != 1 || len(h.m.armed) != 0 || len(f.renewals) != 0 {
		t.Fatalf("r from the banner sent or armed without asking: %d, %v", len(f.activations), h.m.armed)
	}
	h.mustShow("Renew Helpdesk Administrator (AU: Berlin Helpdesk) now", "for a few seconds between the two you do not have it")
	if v := h.m.form.inputs[fieldJustification].Value(); v != "INC-2 unlock user" {
		t.Fatalf("form prefilled with %q", v)
	}
}

// When the row under the cursor is r's target, the banner does not claim r.
func TestBannerDoesNotClaimRForAnotherRow(t *testing.T) {
	f := newFake()
	f.activate = refused
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[2], t0.Add(-232*time.Minute), 4*time.Hour)} // Helpdesk: 8m left
	h := newHarness(t, f, Options{ExpiryWarning: 10 * time.Minute}, 120, 40)
	h.mustShow("⚠ Helpdesk Administrator", "r renews it")
	activateReader(h, "INC-5 audit") // refused; the cursor stays on Global Reader
	h.mustShow("⚠ Helpdesk Administrator")
	h.mustNotShow("r renews it", "r re-activates it")
	h.key("r")
	if len(f.activations) != 1 || h.m.form == nil || h.m.form.targets[0].Name != "Global Reader" || h.m.form.rearm {
		t.Fatalf("r acted on another row: activations %d, form %+v", len(f.activations), h.m.form)
	}
}

// The re-activation form of a role still active (one that needs
// approval, so it is not renewed) says when the new elevation would end:
// from the current one's end, not from now, and why it is not renewed.
func TestReactivationFormCountsFromTheCurrentEnd(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[3], t0.Add(-30*time.Minute), time.Hour)} // PRA ends 14:32
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "down", "down", "r")
	h.mustShow("Re-activate Privileged Role Administrator when it ends", "until about 15:32", "requires approval")
	h.mustNotShow("until about 15:02", "Start ·")
	h.key("tab", "left") // 30m
	h.mustShow("until about 15:02")
}

// r on an active role PIM lets be renewed: a form says the gap, nothing is
// sent until it is submitted, then one renewal with the same justification
// and a fresh duration.
func TestRenewFromTheList(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-30*time.Minute), time.Hour)} // Global Reader
	f.renewInput = map[string]app.PlanInput{f.snap.Eligible[1].Key(): {Justification: "INC-9 audit", Duration: "1h"}}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down")
	h.mustShow("r renew")
	h.key("r")
	h.mustShow("Renew Global Reader now", "for a few seconds between the two you do not have it", "1h, until about 15:02")
	h.mustNotShow("Start ·")
	if v := h.m.form.inputs[fieldJustification].Value(); v != "INC-9 audit" || len(f.renewals) != 0 {
		t.Fatalf("form prefilled with %q; %d renewals before submit", v, len(f.renewals))
	}
	h.key("tab", "right", "enter") // 2h
	if len(f.renewals) != 1 || len(f.deactivated) != 1 || len(f.activations) != 1 || f.activations[0][0].Duration != 2*time.Hour || f.activations[0][0].Justification != "INC-9 audit" {
		t.Fatalf("renewals %d, deactivations %d, activations %+v", len(f.renewals), len(f.deactivated), f.activations)
	}
	h.mustShow("Renewal of Global Reader: done", "✓ the running activation deactivated", "✓ verified in token")
}

// Inside PIM's 5 minutes r says when renewing becomes possible, and sends
// nothing.
func TestRenewTooSoonSaysWhen(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-2*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "r")
	h.mustShow("cannot renew Global Reader", "until 14:05:00")
	if h.m.form != nil || len(f.renewals) != 0 {
		t.Fatal("a form or a renewal inside 5 minutes")
	}
}
