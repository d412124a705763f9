package tui

import (
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// heldActivation is a fake activation that reports stages as the test
// lets it: each receive on next releases the following group of stages.
func heldActivation(f *fakeService, next chan struct{}, groups ...[]pim.Stage) {
	f.release = make(chan struct{})
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		for i, g := range groups {
			if i > 0 {
				<-next
			}
			for _, s := range g {
				progress(pim.Event{Key: r.Target.Key(), Stage: s, At: t0.Add(time.Second)})
			}
		}
		return pim.Outcome{Target: r.Target, Status: "Provisioned", Effective: true, Proof: pim.ProofToken, End: t0.Add(time.Hour)}
	}
}

// The running step is the first stage the service has not reported, in
// timeline order: a tenant-wide role is listed before its token is
// refreshed, so "token refreshed…" never runs while the listing is awaited.
func TestRunningStepIsTheFirstNotReported(t *testing.T) {
	f := newFake()
	next := make(chan struct{})
	heldActivation(f, next,
		[]pim.Stage{pim.StageChecked, pim.StageSubmitted, pim.StageProvisioned},
		[]pim.Stage{pim.StageListed},
		[]pim.Stage{pim.StageRefreshed, pim.StageVerified})
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter") // Global Reader: tenant-wide
	h.typeText("INC-9")
	h.key("enter")
	tr := h.m.timeline.tracks[0]

	h.settleUntil(func() bool { return hasStage(tr, pim.StageProvisioned) })
	h.mustShow("✓ provisioned by PIM", "› listed as active…", "· token refreshed", "· verified in token")
	h.mustNotShow("› token refreshed")

	next <- struct{}{}
	h.settleUntil(func() bool { return hasStage(tr, pim.StageListed) })
	h.mustShow("✓ listed as active", "› token refreshed…")

	next <- struct{}{}
	close(f.release)
	h.settle()
	h.mustShow("✓ token refreshed", "✓ verified in token")
}

// A scoped role is proven by its listing: no token step, and the running
// step after provisioning is the listing.
func TestScopedRoleIsProvenByTheListing(t *testing.T) {
	f := newFake()
	next := make(chan struct{})
	heldActivation(f, next,
		[]pim.Stage{pim.StageChecked, pim.StageSubmitted, pim.StageProvisioned},
		[]pim.Stage{pim.StageListed, pim.StageVerified})
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "down", "down", "down", "enter") // Application Administrator: app scope
	h.key("enter")
	tr := h.m.timeline.tracks[0]
	h.settleUntil(func() bool { return hasStage(tr, pim.StageProvisioned) })
	h.mustShow("› listed as active…", "· verified by the listing")
	h.mustNotShow("token refreshed", "verified in token")
	next <- struct{}{}
	close(f.release)
	h.settle()
}

// The core reports step-up when the sign-in starts: the step runs, with
// the device code or the browser's address beside it, until the service
// reports the next stage; then the code is gone.
func TestStepUpRunsUntilTheRequestIsSubmitted(t *testing.T) {
	for _, how := range []string{"device code", "browser"} {
		t.Run(how, func(t *testing.T) {
			f := newFake()
			f.release = make(chan struct{})
			next := make(chan struct{})
			f.activate = func(r pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) pim.Outcome {
				progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: t0})
				progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageStepUp, Detail: "signing in with authentication context c1", At: t0.Add(time.Second)})
				if how == "browser" {
					in.BrowserOpened("https://login.example/authorize", "c1")
				} else {
					in.DeviceCodeShown(auth.DeviceCode{UserCode: "QWERTY12", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: t0.Add(15 * time.Minute)}, "c1")
				}
				<-next
				return f.verifyInToken(r, in, progress)
			}
			h := newHarness(t, f, Options{}, 120, 40)
			h.key("enter") // Global Administrator: context c1
			h.typeText("INC-1")
			h.key("tab", "tab")
			h.typeText("INC-1")
			h.key("tab")
			h.typeText("SNOW")
			h.key("enter")
			tr := h.m.timeline.tracks[0]
			h.settleUntil(func() bool { return h.m.timeline.signIn() != nil })
			h.mustShow("Step-up", "› step-up sign-in…", "· request submitted")
			h.mustNotShow("✓ step-up sign-in")
			if how == "browser" {
				h.mustShow("https://login.example/authorize")
			} else {
				h.mustShow("Q W E R T Y 1 2", "expires in 15m00s", "c copy code")
			}

			next <- struct{}{}
			h.settleUntil(func() bool { return hasStage(tr, pim.StageSubmitted) })
			h.mustShow("✓ step-up sign-in", "✓ request submitted")
			h.mustNotShow("Q W E R T Y 1 2", "https://login.example/authorize", "c copy code")
			close(f.release)
			h.settle()
			h.mustShow("✓ step-up sign-in", "✓ verified in token")
		})
	}
}

func pendingOutcome(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
	progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: t0})
	progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageSubmitted, At: t0.Add(time.Second)})
	progress(pim.Event{Key: r.Target.Key(), Stage: pim.StagePending, At: t0.Add(2 * time.Second)})
	return pim.Outcome{Target: r.Target, Status: "PendingApproval", RequestID: "r1"}
}

// A request waiting for approval is neither done nor failed, and says who
// approves when the policy names them.
func TestPendingApprovalReadsAsWaiting(t *testing.T) {
	cases := []struct {
		name  string
		keys  []string
		title string
	}{
		{"named approvers", []string{"down", "down", "down", "enter"}, "Activation of Privileged Role Administrator: waiting for approval by Ada Lovelace"},
		{"no approvers named", []string{"G", "enter"}, "Activation of SG-Prod-Break-Glass (member): waiting for approval"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			f.activate = pendingOutcome
			h := newHarness(t, f, Options{}, 120, 40)
			h.key(c.keys...)
			h.typeText("quarterly review")
			h.key("enter")
			h.mustShow(c.title, "◷ pending approval")
			h.mustNotShow(": done", "failed", "waiting for approval by Ada Lovelace by")
		})
	}
}

// A failed activation is headed as failed, not done.
func TestFailedActivationIsNotHeadedDone(t *testing.T) {
	f := newFake()
	f.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
		return pim.Outcome{Target: r.Target, Err: &pim.PolicyError{Name: r.Target.Name, Rule: "ticket", Msg: "a ticket number is required"}}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("down", "enter")
	h.typeText("x")
	h.key("enter")
	h.mustShow("Activation of Global Reader: failed")
	h.mustNotShow(": done")
}

// A sign-in the core needs later (a token refresh after the role was
// listed) is shown too, without a step-up step, until the service goes on.
func TestSignInPromptAfterSubmissionIsShown(t *testing.T) {
	f := newFake()
	f.release = make(chan struct{})
	next := make(chan struct{})
	f.activate = func(r pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) pim.Outcome {
		for _, s := range []pim.Stage{pim.StageChecked, pim.StageSubmitted, pim.StageProvisioned, pim.StageListed} {
			progress(pim.Event{Key: r.Target.Key(), Stage: s, At: t0})
		}
		in.DeviceCodeShown(auth.DeviceCode{UserCode: "LATE1234", VerificationURL: "https://microsoft.com/devicelogin"}, "")
		<-next
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageRefreshed, At: t0})
		progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageVerified, At: t0})
		return pim.Outcome{Target: r.Target, Status: "Provisioned", Effective: true, Proof: pim.ProofToken}
	}
	h := newHarness(t, f, Options{}, 120, 40)
	activateReader(h, "INC-9")
	h.key("p")
	h.settleUntil(func() bool { return h.m.timeline.deviceCode() != nil })
	h.mustShow("L A T E 1 2 3 4", "needs a fresh sign-in", "› token refreshed…")
	h.mustNotShow("step-up")
	next <- struct{}{}
	h.settleUntil(func() bool { return hasStage(h.m.timeline.tracks[0], pim.StageRefreshed) })
	h.mustNotShow("L A T E 1 2 3 4")
	close(f.release)
	h.settle()
}
