package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

func TestFilterAsYouType(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	h.mustShow("Global Administrator", "Helpdesk Administrator", "SG-Prod-Break-Glass")

	h.key("/")
	h.typeText("glo")
	if got := len(h.m.list.visible); got != 2 {
		t.Fatalf("visible = %d, want 2", got)
	}
	h.mustShow("/ glo", "2 of 6", "Global Administrator", "Global Reader")
	h.mustNotShow("Helpdesk Administrator")

	h.typeText(" read") // every word must match
	h.mustShow("1 of 6", "Global Reader")
	h.mustNotShow("Global Administrator")

	h.key("esc")
	if h.m.filtering || h.m.filter.Value() != "" || len(h.m.list.visible) != 6 {
		t.Fatalf("esc did not clear the filter: %q, %d rows", h.m.filter.Value(), len(h.m.list.visible))
	}
}

func TestFilterTypesLettersThatAreKeysElsewhere(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	h.key("/")
	h.typeText("qjkdr?")
	if h.quit || h.m.showHelp || h.m.filter.Value() != "qjkdr?" {
		t.Fatalf("keys leaked out of the filter: quit=%v help=%v value=%q", h.quit, h.m.showHelp, h.m.filter.Value())
	}
	h.key("enter") // keep the filter, leave the input
	if h.m.filtering || h.m.filter.Value() != "qjkdr?" {
		t.Fatal("enter should keep the filter")
	}
	h.mustShow("Nothing matches")
}

func TestScopeMatchesFilter(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	h.key("/")
	h.typeText("berlin")
	if r := h.m.list.currentRow(); r == nil || r.elig.Name != "Helpdesk Administrator" {
		t.Fatalf("filter by scope: %+v", r)
	}
}

func TestMultiSelectActivatesTogether(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "space", "space") // Global Reader, then Helpdesk Administrator
	if len(h.m.selected) != 2 {
		t.Fatalf("selected = %v", h.m.selected)
	}
	h.mustShow("2 selected")
	h.key("enter")
	if h.m.screen != screenForm {
		t.Fatal("enter should open the form")
	}
	h.mustShow("Activate 2 roles and groups together", "max 4h")
	h.typeText("INC-1 patching")
	h.key("enter")

	if len(f.activations) != 1 || len(f.activations[0]) != 2 {
		t.Fatalf("activations = %+v", f.activations)
	}
	for _, r := range f.activations[0] {
		if r.Duration != time.Hour || r.Justification != "INC-1 patching" {
			t.Fatalf("request = %+v", r)
		}
	}
	if got := f.activations[0][1].Target.Name; got != "Helpdesk Administrator" {
		t.Fatalf("second target = %s", got)
	}
	if len(h.m.selected) != 0 {
		t.Fatal("selection should clear after sending")
	}
}

func TestSelectRefusesActiveRole(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[0], t0.Add(-30*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("space")
	if len(h.m.selected) != 0 {
		t.Fatal("an active role must not be selectable")
	}
	h.mustShow("already active until 14:32")
}

func TestFormBlocksOverMaxDuration(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("enter") // Global Administrator: max 2h, justification, ticket
	h.mustShow("Duration · max 2h", "Ticket number · required")
	h.typeText("INC-7 break fix")
	h.key("tab", "ctrl+u")
	h.typeText("3h")
	h.mustShow("over the policy maximum of 2h") // as you type, before enter
	h.key("tab")
	h.typeText("INC-7")
	h.key("tab")
	h.typeText("ServiceNow")
	h.key("enter")
	if len(f.activations) != 0 {
		t.Fatal("an over-max duration was sent")
	}
	if h.m.form.focusName() != fieldDuration {
		t.Fatal("submit should focus the bad field")
	}
	h.key("ctrl+u")
	h.typeText("PT1H30M")
	h.mustShow("1h30m, until about 15:32")
	h.key("enter")
	if len(f.activations) != 1 {
		t.Fatal("a valid form was not sent")
	}
	r := f.activations[0][0]
	if r.Duration != 90*time.Minute || r.TicketNumber != "INC-7" || r.TicketSystem != "ServiceNow" {
		t.Fatalf("request = %+v", r)
	}
}

func TestFormPresetsStayUnderMax(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "down", "down", "enter") // Privileged Role Administrator: max 1h
	h.key("tab")
	for range 5 {
		h.key("right")
	}
	if v := h.m.form.inputs[fieldDuration].Value(); v != "1h" {
		t.Fatalf("presets went past the max: %q", v)
	}
	h.key("left")
	if v := h.m.form.inputs[fieldDuration].Value(); v != "30m" {
		t.Fatalf("left = %q, want 30m", v)
	}
}

func TestFormRequiresJustification(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "enter") // Global Reader
	h.mustNotShow("required by policy")
	h.key("enter")
	if len(f.activations) != 0 {
		t.Fatal("sent without the required justification")
	}
	h.mustShow("✗ required by policy")
	h.key("ctrl+r") // reuse the most recent justification
	if v := h.m.form.inputs[fieldJustification].Value(); v != "INC-4411 restore mailbox" {
		t.Fatalf("recent = %q", v)
	}
	h.key("enter")
	if len(f.activations) != 1 || f.activations[0][0].Justification != "INC-4411 restore mailbox" {
		t.Fatalf("activations = %+v", f.activations)
	}
}

func TestEscSendsNothing(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "enter")
	h.typeText("never mind")
	h.key("esc")
	if len(f.activations) != 0 {
		t.Fatal("esc sent a request")
	}
	if h.m.screen != screenMain || h.m.form != nil {
		t.Fatal("esc should return to the list")
	}
	h.mustShow("Nothing was sent.")
}

func TestProgressToVerifiedInToken(t *testing.T) {
	f := newFake()
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.typeText("INC-9")
	h.key("enter")

	// The service has streamed every stage but not returned yet.
	h.settleUntil(func() bool { return hasStage(h.m.timeline.tracks[0], pim.StageVerified) })
	h.mustShow("Activating Global Reader…", "✓ checked against policy", "✓ request submitted +1.2s · request 7f3a", "✓ token refreshed")

	// Back on the list, the row is in flight, not active.
	h.key("esc")
	h.mustShow("activating…", "Still running")
	h.mustNotShow("active 1h")

	close(f.release)
	h.settle()
	h.key("p")
	h.mustShow("Activation of Global Reader: done", "✓ verified in token after 4.2s · active until 15:02")
	h.key("esc")
	h.mustShow("active 1h00m00s")
	if f.loads < 2 {
		t.Fatalf("no reload after the activation (loads = %d)", f.loads)
	}
}

func TestProgressPendingApproval(t *testing.T) {
	f := newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		e := r.Target
		progress(pim.Event{Key: e.Key(), Stage: pim.StageChecked, At: t0})
		progress(pim.Event{Key: e.Key(), Stage: pim.StageSubmitted, At: t0.Add(time.Second)})
		progress(pim.Event{Key: e.Key(), Stage: pim.StagePending, At: t0.Add(2 * time.Second)})
		f.snap.Pending = append(f.snap.Pending, pim.Pending{Eligibility: e, RequestID: "r1", Status: "PendingApproval", Created: t0})
		return pim.Outcome{Target: e, Status: "PendingApproval", RequestID: "r1"}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "down", "down", "enter") // Privileged Role Administrator
	h.typeText("quarterly access review")
	h.key("enter")
	h.mustShow("◷ pending approval", "nothing is active until an approver says yes (Ada Lovelace)")
	h.mustNotShow("verified in token")
	h.key("esc")
	h.mustShow("pending approval since 14:02")
	h.mustNotShow("active 1h", "active 59m")
}

func TestProgressFailureSaysNextStep(t *testing.T) {
	f := newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: t0})
		return pim.Outcome{Target: r.Target, Err: &pim.PolicyError{Name: r.Target.Name, Rule: "ticket", Msg: "a ticket number is required"}}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.typeText("x")
	h.key("enter")
	h.mustShow("✗ failed: Global Reader: a ticket number is required", "Nothing was sent. Fix the ticket")
}

func TestDeactivateInsideFiveMinutesShowsCountdown(t *testing.T) {
	f := newFake()
	reader := f.snap.Eligible[1]
	f.snap.Active = []pim.Active{f.at(reader, t0.Add(-2*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "d")
	if h.m.confirm != nil {
		t.Fatal("must not offer to deactivate inside 5 minutes")
	}
	h.mustShow("PIM refuses deactivation for 5 minutes after activation: possible at 14:05:00", "3m00s)")
	h.tick(time.Second)
	h.mustShow("2m59s)")
	if len(f.deactivated) != 0 {
		t.Fatal("sent a deactivation PIM would refuse")
	}

	h.tick(3 * time.Minute)
	h.key("d")
	h.mustShow("Deactivate Global Reader now?", "y yes")
	h.key("n")
	if len(f.deactivated) != 0 {
		t.Fatal("n deactivated")
	}
	h.key("d", "y")
	if len(f.deactivated) != 1 {
		t.Fatal("y did not deactivate")
	}
	h.mustShow("Deactivation of Global Reader: done", "✓ deactivated by PIM",
		"pimento's own token was refreshed", "Other apps", "60–90 minutes", "28 hours")
}

func TestDeactivateRefusedByServiceShowsCountdown(t *testing.T) {
	f := newFake()
	reader := f.snap.Eligible[1]
	f.snap.Active = []pim.Active{f.at(reader, t0.Add(-6*time.Minute), time.Hour)}
	f.deactivate = func(a pim.Active, _ func(pim.Event)) pim.DeactivateOutcome {
		return pim.DeactivateOutcome{Target: a.Eligibility, Err: &pim.TooShortError{Name: a.Name, PossibleAt: t0.Add(90 * time.Second), FromService: true}}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "d", "y")
	h.mustShow("✗ failed: PIM refuses deactivation for 5 minutes after activation: possible at 14:03:30 (in 1m30s)")
}

// A role whose policy needs approval is never renewed while active (the
// new request would wait while the old one is gone): r arms its
// re-activation for when it ends.
func TestExpiryBannerBellAndReactivate(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{ExpiryWarning: 10 * time.Minute}, 80, 24)
	h.key("down", "down", "down", "enter") // Privileged Role Administrator: approval
	h.typeText("INC-5 audit")
	h.key("enter", "esc")
	h.mustNotShow("ends in")

	h.tick(50*time.Minute + time.Second)
	h.mustShow("⚠ Privileged Role Administrator ends in 9m59s (15:02)", "r re-activates")
	if h.bells() != 1 {
		t.Fatalf("bell = %q", h.raw)
	}
	h.tick(time.Second)
	if h.bells() != 1 {
		t.Fatal("the bell rang twice for one elevation")
	}

	h.key("r") // still active: armed, nothing sent yet
	if _, armed := h.m.armed[f.snap.Eligible[3].Key()]; len(f.activations) != 1 || !armed {
		t.Fatalf("r while active: activations=%d armed=%v", len(f.activations), h.m.armed)
	}
	h.mustShow("re-activates when it e", "requires approval")

	h.tick(10 * time.Minute)
	if len(f.activations) != 2 {
		t.Fatalf("armed re-activation did not fire: %d", len(f.activations))
	}
	if got := f.activations[1][0].Justification; got != "INC-5 audit" {
		t.Fatalf("re-activated with %q", got)
	}
}

func TestExpiryWarningIsConfigurable(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-40*time.Minute), 55*time.Minute)}
	h := newHarness(t, f, Options{ExpiryWarning: 20 * time.Minute}, 80, 24)
	h.mustShow("ends in 15m00s")
	h2 := newHarness(t, f, Options{ExpiryWarning: -1}, 80, 24)
	h2.mustNotShow("ends in")
}

func TestSignInWithDeviceCode(t *testing.T) {
	f := newFake()
	acct := f.id.Account
	f.id.Account = auth.Account{}
	f.signInAcct = acct
	f.signInCode = &auth.DeviceCode{UserCode: "ABCD-EFGH", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: t0.Add(14 * time.Minute)}
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 80, 24)
	h.mustShow("Sign in to pimento", "not signed in", "accepts only adm-alex@contoso.onmicrosoft.com")
	if f.loads != 0 {
		t.Fatal("loaded before sign-in")
	}
	h.key("d")
	h.settleUntil(func() bool { return h.m.signin.code != nil })
	h.mustShow("A B C D - E F G H", "https://microsoft.com/devicelogin", "expires in 14m00s (at 14:16)")
	h.tick(time.Second)
	h.mustShow("expires in 13m59s")
	close(f.release)
	h.settle()
	if h.m.screen != screenMain || f.loads != 1 {
		t.Fatalf("after sign-in: screen=%v loads=%d", h.m.screen, f.loads)
	}
	h.mustShow("adm-alex@contoso.onmicrosoft.com", "Global Administrator")
}

func TestSignInRefusesOtherAccount(t *testing.T) {
	f := newFake()
	f.id.Account = auth.Account{}
	f.signInErr = errWrongAccount
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("b")
	if h.m.screen != screenSignIn {
		t.Fatal("a refused account must stay on the sign-in screen")
	}
	h.mustShow("Sign-in refused", "signed in as alex@contoso.com", "only accepts")
}

func TestSignInCancel(t *testing.T) {
	f := newFake()
	f.id.Account = auth.Account{}
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("b")
	h.settleUntil(func() bool { return h.m.signin.browserURL != "" })
	h.mustShow("Waiting for the browser")
	h.key("esc")
	h.settle() // the cancelled SignIn returns; its reply is dropped
	if h.m.signin.busy || h.m.signin.err != nil || h.m.screen != screenSignIn {
		t.Fatalf("cancel: %+v", h.m.signin)
	}
}

func TestQuitKeys(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	h.key("q")
	if !h.quit {
		t.Fatal("q did not quit")
	}
	h = newHarness(t, newFake(), Options{}, 80, 24)
	h.key("enter")
	h.typeText("q")
	if h.quit {
		t.Fatal("q typed in the form quit")
	}
	h.key("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestHelpByState(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	h.mustShow("enter activate", "space select")
	h.key("?")
	h.mustShow("Keys", "deactivate", "re-activate", "J = justification")
	h.key("esc")
	h.key("enter")
	h.mustShow("enter submit", "esc back, send nothing")
	h.mustNotShow("q quit")
}

func TestResizeKeepsFrameInBounds(t *testing.T) {
	f := newFake()
	f.id.Simulated = true
	f.snap.Eligible = manyEligible(200)
	h := newHarness(t, f, Options{}, 80, 24)
	for _, sz := range [][2]int{{120, 40}, {60, 15}, {80, 24}, {200, 60}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		h.key("G")
		lines := strings.Split(h.screen(), "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > sz[0] {
				t.Fatalf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, l)
			}
		}
		h.mustShow("0199") // the cursor row stays on screen
	}
}

func TestSimulationBanner(t *testing.T) {
	f := newFake()
	f.id.Simulated = true
	h := newHarness(t, f, Options{}, 80, 24)
	h.mustShow("SIMULATION")
}

func TestStaleLoadIsDropped(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.send(loadedMsg{seq: h.m.loadSeq - 1, snap: &pim.Snapshot{}})
	if len(h.m.list.rows) != 6 {
		t.Fatal("a stale load replaced the list")
	}
}

func TestRefreshTimerReloads(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{RefreshInterval: time.Minute}, 80, 24)
	found := false
	for _, d := range h.timers {
		found = found || d == time.Minute
	}
	if !found {
		t.Fatalf("no refresh timer scheduled: %v", h.timers)
	}
	before := f.loads
	h.send(refreshTickMsg{})
	if f.loads != before+1 {
		t.Fatal("refresh tick did not reload")
	}
}

func TestLiveCountdownWithoutRefetch(t *testing.T) {
	f := newFake()
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-30*time.Minute), time.Hour)}
	h := newHarness(t, f, Options{}, 80, 24)
	h.mustShow("active 30m00s")
	loads := f.loads
	h.tick(time.Second)
	h.mustShow("active 29m59s")
	if f.loads != loads {
		t.Fatal("a tick must not reload")
	}
}

// pendingFake has Privileged Role Administrator (row 4) waiting for approval.
func pendingFake() *fakeService {
	f := newFake()
	f.snap.Pending = []pim.Pending{{Eligibility: f.snap.Eligible[3], RequestID: "req-42", Status: "PendingApproval", Created: t0.Add(-5 * time.Minute)}}
	return f
}

func TestCancelPendingRequest(t *testing.T) {
	f := pendingFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "down", "down") // Privileged Role Administrator
	h.mustShow("pending approval since 13:57, not active yet · d cancels the request", "d cancel request")
	h.mustNotShow("d deactivate")

	// d only asks: no command runs until y.
	_, cmd := h.m.Update(keyMsg("d"))
	if cmd != nil {
		t.Fatal("d must only ask, not send")
	}
	h.mustShow("Cancel the request for Privileged Role Administrator? y yes · n no", "y yes, cancel request")

	// y returns the cancellation as a command; Update itself calls nothing.
	loads := f.loads
	_, cmd = h.m.Update(keyMsg("y"))
	if cmd == nil {
		t.Fatal("y returned no command")
	}
	if len(f.cancelled) != 0 {
		t.Fatal("Cancel ran inside Update")
	}
	h.mustShow("Cancelling the request for Privileged Role Administrator…", "cancelling…")

	msg := cmd()
	if len(f.cancelled) != 1 || f.cancelled[0].RequestID != "req-42" {
		t.Fatalf("cancelled = %+v", f.cancelled)
	}
	h.send(msg)
	if f.loads != loads+1 {
		t.Fatalf("no reload after cancelling (loads %d → %d)", loads, f.loads)
	}
	h.mustShow("✓ Request for Privileged Role Administrator cancelled")
	h.mustNotShow("pending approval", "cancelling…")
	if r := h.m.list.currentRow(); r == nil || r.pending != nil || h.m.cancelling[r.key] {
		t.Fatalf("row after cancel: %+v", r)
	}
	h.mustShow("d deactivate") // the row is plain eligible again
}

func TestCancelPendingRequestDeclined(t *testing.T) {
	for _, k := range []string{"n", "esc"} {
		f := pendingFake()
		h := newHarness(t, f, Options{}, 80, 24)
		h.key("down", "down", "down", "d")
		loads := f.loads
		_, cmd := h.m.Update(keyMsg(k))
		if cmd != nil {
			t.Fatalf("%s returned a command", k)
		}
		if h.m.confirmCancel != nil || len(f.cancelled) != 0 || f.loads != loads {
			t.Fatalf("%s: confirm=%v cancelled=%v", k, h.m.confirmCancel, f.cancelled)
		}
		h.mustShow("stays pending; nothing was sent")
	}
}

func TestCancelPendingRequestError(t *testing.T) {
	f := pendingFake()
	f.cancelErr = errors.New("the request was already approved")
	h := newHarness(t, f, Options{}, 80, 24)
	loads := f.loads
	h.key("down", "down", "down", "d", "y")
	if len(f.cancelled) != 1 || f.loads != loads+1 {
		t.Fatalf("cancelled=%d loads=%d", len(f.cancelled), f.loads-loads)
	}
	if h.m.err == nil || h.m.status != "" {
		t.Fatalf("err=%v status=%q", h.m.err, h.m.status)
	}
	h.mustShow("✗ cancelling the request for Privileged Role Administrator: the request was", "already approved (esc dismisses)")
	h.mustNotShow("Cancelling the request", "cancelling…")
	h.key("esc")
	if h.m.err != nil {
		t.Fatal("esc did not dismiss the error")
	}
}

func TestCancelConfirmDroppedWhenNoLongerPending(t *testing.T) {
	f := pendingFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "down", "down", "d")
	f.mu.Lock()
	f.snap.Pending = nil // approved meanwhile
	f.snap.Active = []pim.Active{f.at(f.snap.Eligible[3], t0, time.Hour)}
	f.mu.Unlock()
	h.send(refreshTickMsg{})
	if h.m.confirmCancel != nil {
		t.Fatal("the question outlived the pending request")
	}
	h.key("y")
	if len(f.cancelled) != 0 {
		t.Fatal("cancelled a request that no longer waits")
	}
	h.mustShow("no longer waits for approval;", "nothing was sent.")
}

func TestHelpOnPendingRow(t *testing.T) {
	h := newHarness(t, pendingFake(), Options{}, 120, 40)
	h.key("down", "down", "down")
	h.key("?")
	h.mustShow("d cancel request")
	h.mustNotShow("deactivate")
	h.key("esc", "up")
	h.mustShow("d deactivate")
	h.key("?")
	h.mustShow("deactivate")
	h.mustNotShow("cancel request")
}

func TestEscLeavesFinishedProgressAtOnce(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, Options{}, 80, 24)
	h.key("down", "enter")
	h.typeText("INC-9")
	h.key("enter")
	if h.m.screen != screenProgress || !h.m.timeline.done {
		t.Fatal("not on a finished progress screen")
	}
	h.key("esc")
	if h.m.screen != screenMain {
		t.Fatal("one esc should return to the list")
	}
	h.key("d") // a letter right after esc acts on the list
	h.mustShow("PIM refuses deactivation for 5 minutes")
}

// q while a request is in flight interrupts it and waits for the truth:
// "Finishing…" shows, the TUI ends once the core reports, and the exit
// line says what became of the request.
func TestQuitWithARequestInFlightFinishesFirst(t *testing.T) {
	f := newFake()
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("enter")
	h.typeText("INC-1")
	h.key("tab", "tab")
	h.typeText("INC-1")
	h.key("tab")
	h.typeText("SNOW")
	h.key("enter")
	h.settleUntil(func() bool { return h.m.op != nil && len(h.m.timeline.tracks) > 0 })
	h.key("q")
	if h.quit {
		t.Fatal("q quit before the request in flight told its outcome")
	}
	h.mustShow("Finishing… waiting for PIM's answer")
	h.mustNotShow("q quit")
	close(f.release)
	h.settle()
	if !h.quit {
		t.Fatal("the TUI did not end once the request finished")
	}
	if !strings.Contains(h.m.exitLine, "Global Administrator: effective") {
		t.Errorf("exit line = %q", h.m.exitLine)
	}
}

// A second ctrl+c stops waiting: the TUI ends at once and says the request
// may still complete.
func TestSecondCtrlCStopsWaiting(t *testing.T) {
	f := newFake()
	f.release = make(chan struct{})
	defer close(f.release)
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("enter")
	h.typeText("INC-1")
	h.key("tab", "tab")
	h.typeText("INC-1")
	h.key("tab")
	h.typeText("SNOW")
	h.key("enter")
	h.settleUntil(func() bool { return h.m.op != nil && len(h.m.timeline.tracks) > 0 })
	h.key("ctrl+c")
	if h.quit || !h.m.finishing {
		t.Fatal("the first ctrl+c should finish, not abandon")
	}
	h.key("ctrl+c")
	if !h.quit || !strings.Contains(h.m.exitLine, "pimento status") {
		t.Fatalf("quit=%v exit line %q", h.quit, h.m.exitLine)
	}
}

// A late callback after its operation ended is dropped, never a panic.
func TestLateCallbackAfterOperationEndedIsDropped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan tea.Msg, 1)
	b := bridge{ctx: ctx, op: 1, ch: ch, g: &sendGuard{}}
	b.close()
	cancel()
	for i := 0; i < 50; i++ {
		b.BrowserOpened("https://example.test", "")
		b.Progress(pim.Event{})
	}
	if _, ok := <-ch; ok {
		t.Fatal("a message arrived after close")
	}
}

// An activation PIM accepted but pimento could not prove is never shown
// as a success.
func TestAcceptedButUnprovenIsSaidPlainly(t *testing.T) {
	f := newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageProvisioned, At: t0})
		return pim.Outcome{Target: r.Target, Status: "PendingScheduleCreation"}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("enter")
	h.typeText("INC-1")
	h.key("tab", "tab")
	h.typeText("INC-1")
	h.key("tab")
	h.typeText("SNOW")
	h.key("enter")
	h.settle()
	h.mustShow("accepted, not proven yet")
	h.mustNotShow("✓ verified")
}

// Names from the tenant reach the screen as text: an escape sequence in a
// group's or an administrative unit's name never acts on the terminal, and
// a newline never splits a row.
func TestTenantStringsCannotDriveTheTerminal(t *testing.T) {
	f := newFake()
	f.snap.Eligible[2].Scope = "AU: \x1b[2JBerlin"
	f.snap.Eligible[5].Name = "SG-Ops\x1b]52;c;ZXZpbA==\x07\nsecond line"
	f.recent = []string{"INC-1\x1b[31m red"}
	h := newHarness(t, f, Options{}, 160, 40)
	content := h.m.View().Content
	for _, bad := range []string{"\x1b[2J", "\x1b]52", "\a", "second line\n"} {
		if strings.Contains(content, bad) {
			t.Errorf("the screen carries %q", bad)
		}
	}
	h.mustShow(`AU: \x1b[2JBerlin`)
}

// A profile that names no tenant learns it from the sign-in: the header
// reads the identity again once signed in, before any load answers.
func TestHeaderShowsTenantLearntAtSignIn(t *testing.T) {
	f := newFake()
	acct := f.id.Account
	acct.TenantID = "9f8e7d6c-tenant"
	f.id.Account, f.id.Tenant = auth.Account{}, ""
	f.signInAcct = acct
	h := newHarness(t, f, Options{}, 120, 40)
	h.mustShow("tenant —")
	_, cmd := h.m.Update(keyMsg("b"))
	h.launch(cmd)
	h.settleUntil(func() bool { return h.m.screen == screenMain })
	h.mustShow("tenant 9f8e7d6c-tenant")
	h.mustNotShow("tenant —")
	h.settle()
	h.mustShow("tenant 9f8e7d6c-tenant")
}
