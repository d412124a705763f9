package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

// esc during a request leaves "Still running" on the list; once the
// request ends, its result shows instead.
func TestStillRunningGivesWayToTheResult(t *testing.T) {
	f := newFake()
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.typeText("INC-9")
	h.key("enter")
	h.settleUntil(func() bool { return hasStage(h.m.timeline.tracks[0], pim.StageVerified) })
	h.key("esc")
	h.mustShow("Still running")
	close(f.release)
	h.settle()
	h.mustShow("✓ verified: Global Reader")
	h.mustNotShow("Still running")
}

// A deactivation that failed says so on the list, not only in p.
func TestFailedDeactivationSaysSoOnTheList(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-20*time.Minute), time.Hour)}
	f.deactivate = func(a pim.Active, _ func(pim.Event)) pim.DeactivateOutcome {
		return pim.DeactivateOutcome{Target: a.Eligibility, Err: errors.New("PIM answered 500")}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "d", "y", "esc")
	if h.m.screen != screenMain {
		t.Fatalf("screen %v", h.m.screen)
	}
	h.mustShow("Global Reader: deactivation failed: p shows why")
}

// A renewal that failed says so on the list, not only in p.
func TestFailedRenewalSaysSoOnTheList(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-30*time.Minute), time.Hour)}
	f.activate = refused
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "r")
	h.typeText("INC-9")
	h.key("enter", "esc")
	if len(f.renewals) != 1 || h.m.screen != screenMain {
		t.Fatalf("renewals %d, screen %v", len(f.renewals), h.m.screen)
	}
	h.mustShow("Global Reader: renewal failed: p shows why")
}

// MSAL dates a device code's expiry by the PC's clock: with the PC three
// minutes behind the server, a code good for 15 minutes still says 15.
func TestDeviceCodeCountdownOnTheServersClock(t *testing.T) {
	f := newFake()
	f.id.Account = auth.Account{}
	f.offset = 3 * time.Minute // the server is ahead
	pcNow := t0.Add(-f.offset) // the PC's clock
	f.signInCode = &auth.DeviceCode{UserCode: "ABCD-EFGH", ExpiresAt: pcNow.Add(15 * time.Minute)}
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("d")
	h.settleUntil(func() bool { return h.m.signin.code != nil })
	h.mustShow("expires in 15m00s (at 14:17)")
	h.key("esc")
	close(f.release)
	h.settle()
}

// r on a scheduled activation sends nothing: it is not active yet, and d
// cancels it.
func TestReactivateRefusesAScheduledRow(t *testing.T) {
	f := newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageScheduled, At: t0})
		start := t0.Add(3 * time.Hour)
		f.snap.Scheduled = append(f.snap.Scheduled, pim.Scheduled{Eligibility: r.Target, RequestID: "r7", Start: start, End: start.Add(r.Duration)})
		sent := pim.Sent{Target: r.Target, Start: start, Duration: r.Duration, Justification: r.Justification}
		return pim.Outcome{Target: r.Target, Status: "Granted", RequestID: "r7", Scheduled: true, Sent: sent, End: start.Add(r.Duration)}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	activateReader(h, "INC-5 audit")
	h.mustShow("scheduled 17:02")
	h.key("r")
	if len(f.activations) != 1 || h.m.screen != screenMain || h.m.form != nil {
		t.Fatalf("r on a scheduled row: %d activations, screen %v", len(f.activations), h.m.screen)
	}
	h.mustShow("Global Reader is scheduled to start at 17:02: d cancels it.")
}

// r's form is filled from what the last load read of the journal: the key
// itself reads no file.
func TestRenewFormReadsNoFileOnTheKey(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-30*time.Minute), time.Hour)}
	f.renewInput = map[string]app.PlanInput{f.snap.Eligible[1].Key(): {Justification: "INC-9 \x1b[31maudit", Duration: "1h"}}
	h := newHarness(t, f, Options{}, 120, 40)
	f.mu.Lock()
	reads := f.renewInputReads
	f.mu.Unlock()
	h.key("down")
	_, _ = h.m.Update(keyMsg("r"))
	if h.m.form == nil || f.renewInputReads != reads {
		t.Fatalf("form %v; r read the journal %d times", h.m.form != nil, f.renewInputReads-reads)
	}
	if v := h.m.form.inputs[fieldJustification].Value(); v != `INC-9 \x1b[31maudit` {
		t.Fatalf("form prefilled with %q", v)
	}
}

// A reload that shows the role no longer active drops the deactivation
// question: y then sends nothing.
func TestDeactivateConfirmDroppedWhenNoLongerActive(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-20*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "d")
	h.mustShow("Deactivate Global Reader now?")
	f.mu.Lock()
	f.snap.Active = nil // deactivated in the portal meanwhile
	f.mu.Unlock()
	h.send(refreshTickMsg{})
	if h.m.confirm != nil {
		t.Fatal("the question outlived the activation")
	}
	h.key("y")
	if len(f.deactivated) != 0 {
		t.Fatal("deactivated a role that is no longer active")
	}
	h.mustShow("Global Reader is no longer active; nothing was sent.")
}

// The five-minute countdown goes too when the role is no longer active.
func TestTooShortDroppedWhenNoLongerActive(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-2*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "d")
	h.mustShow("PIM refuses deactivation for 5 minutes")
	f.mu.Lock()
	f.snap.Active = nil
	f.mu.Unlock()
	h.send(refreshTickMsg{})
	h.mustNotShow("PIM refuses deactivation for 5 minutes")
	h.mustShow("Global Reader is no longer active; nothing was sent.")
}

// cursorRowOnBackground reports whether every character of the cursor's
// row (the line that starts with ›) is drawn on a background colour.
func cursorRowOnBackground(t *testing.T, content string) {
	t.Helper()
	for _, l := range strings.Split(content, "\n") {
		if !strings.HasPrefix(ansi.Strip(l), "›") {
			continue
		}
		bg := false
		for i := 0; i < len(l); {
			if strings.HasPrefix(l[i:], "\x1b[") {
				end := strings.IndexByte(l[i:], 'm')
				bg = sgrBackground(bg, strings.Split(l[i+2:i+end], ";"))
				i += end + 1
				continue
			}
			if !bg {
				t.Fatalf("the cursor's row loses its background at byte %d: %q", i, l)
			}
			i++
		}
		return
	}
	t.Fatalf("no cursor row in:\n%s", ansi.Strip(content))
}

// sgrBackground is whether a background is set after the SGR parameters
// ps, given whether one was before.
func sgrBackground(bg bool, ps []string) bool {
	for j := 0; j < len(ps); j++ {
		switch ps[j] {
		case "", "0", "49":
			bg = false
		case "48":
			bg = true
			fallthrough
		case "38", "58":
			if j+1 < len(ps) && ps[j+1] == "5" {
				j += 2
			} else if j+1 < len(ps) && ps[j+1] == "2" {
				j += 4
			}
		}
	}
	return bg
}

// The approver's cursor row keeps the selection's background across every
// cell, as the roles' does.
func TestCursorRowBackgroundIsWhole(t *testing.T) {
	f := newFake()
	f.snap.Approvals = sampleApprovals()
	h := newHarness(t, f, Options{}, 120, 40)
	cursorRowOnBackground(t, h.m.View().Content)
	h.key("tab", "down")
	cursorRowOnBackground(t, h.m.View().Content)
}

// A request whose requester has no display name names them by UPN
// everywhere: the decision's title and the line that says it is on its way.
func TestRequesterWithoutNameIsNamedByUPN(t *testing.T) {
	f := newFake()
	f.snap.Approvals = sampleApprovals()[:1]
	f.snap.Approvals[0].Requester = ""
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("tab")
	h.mustShow("megan.bowen@contoso.onmicrosoft.com")
	h.key("a")
	h.mustShow("Approve Billing Administrator for megan.bowen@contoso.onmicrosoft.com")
	if s := decidingText(f.snap.Approvals[0], pim.Deny); s != "Denying Billing Administrator for megan.bowen@contoso.onmicrosoft.com…" {
		t.Fatalf("deciding text %q", s)
	}
}

// A timeline's steps count from when the request started, not from the
// last tick of the clock.
func TestTimelineCountsFromTheStart(t *testing.T) {
	f := newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: f.Now()})
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageSubmitted, Detail: "request r1", At: f.Now().Add(1200 * time.Millisecond)})
		return pim.Outcome{Target: r.Target, Status: "PendingApproval", RequestID: "r1"}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.typeText("INC-9")
	f.setNow(t0.Add(900 * time.Millisecond)) // the clock moved since the last tick
	h.key("enter")
	h.mustShow("✓ request submitted +1.2s")
}

// An elevation that ends while a load is in flight is reloaded once that
// load answered, not at the next refresh.
func TestEndDuringALoadStillReloads(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-50*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 120, 40)
	held := h.m.loadCmd() // a load in flight, answered later
	h.tick(10*time.Minute + time.Second)
	loads := f.loads
	h.launch(held)
	h.settle()
	if f.loads != loads+2 {
		t.Fatalf("%d loads after the end, want the one in flight and a reload", f.loads-loads)
	}
}

// The pinned account (config) and PIM's status words reach the screen and
// stderr as text, never as terminal sequences.
func TestPinnedAndStatusCannotDriveTheTerminal(t *testing.T) {
	const evil = "x\x1b]52;c;ZXZpbA==\x07"
	f := newFake()
	f.id.Account = auth.Account{}
	f.id.Pinned = "adm" + evil
	h := newHarness(t, f, Options{}, 120, 40)
	if c := h.m.View().Content; strings.Contains(c, "\x1b]52") || strings.Contains(c, "\a") {
		t.Errorf("the sign-in screen carries the pinned account's escape: %q", c)
	}

	f = newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageProvisioned, At: t0})
		return pim.Outcome{Target: r.Target, Status: "Pending" + evil}
	}
	h = newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.typeText("INC-9")
	h.key("enter")
	h.mustShow("PIM answered Pending")
	if c := h.m.View().Content; strings.Contains(c, "\x1b]52") || strings.Contains(c, "\a") {
		t.Errorf("the timeline carries PIM's status escape: %q", c)
	}

	e := sampleEligible()[1]
	for _, l := range []string{
		activationLine([]pim.Outcome{{Target: e, Status: evil}}),
		deactivationLine(pim.DeactivateOutcome{Target: e, Status: evil}),
		renewalLine(pim.RenewOutcome{Target: e, Activation: pim.Outcome{Status: evil}}),
	} {
		if strings.ContainsAny(l, "\x1b\a") {
			t.Errorf("the exit line carries PIM's status escape: %q", l)
		}
	}
}
