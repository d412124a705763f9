package tui

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

// scenario drives a harness to one screen worth keeping as a golden.
type scenario struct {
	name  string
	setup func(f *fakeService)
	drive func(h *harness)
	// narrow adds a 50×20 golden: the screens a small pane must keep usable.
	narrow bool
}

func busyFake(f *fakeService) {
	f.id.Simulated = true
	e := f.snap.Eligible
	f.snap.Active = []pim.Active{
		f.at(e[1], t0.Add(-18*time.Minute), time.Hour),                                                    // Global Reader: 42m left
		f.at(e[2], t0.Add(-232*time.Minute), 4*time.Hour),                                                 // Helpdesk: 8m left, expiring
		{Eligibility: role("Directory Readers", "88d8e3e3", "/", "tenant", pim.Policy{}), Assigned: true}, // permanent
	}
	f.snap.Pending = []pim.Pending{{Eligibility: e[3], RequestID: "r1", Status: "PendingApproval", Created: t0.Add(-5 * time.Minute)}}
	withOwnerRow(f)
}

var scenarios = []scenario{
	{name: "main", setup: busyFake, narrow: true, drive: func(h *harness) { h.key("down", "down", "down", "down", "space", "up") }},
	{name: "filter", setup: busyFake, drive: func(h *harness) { h.key("/"); h.typeText("admin") }},
	{name: "form", narrow: true, drive: func(h *harness) {
		h.key("enter")
		h.typeText("INC-4411 restore mailbox")
		h.key("tab", "ctrl+u")
		h.typeText("3h")
	}},
	{name: "progress", drive: func(h *harness) {
		h.key("down", "enter")
		h.typeText("INC-9 audit")
		h.key("enter")
	}},
	{name: "pending", drive: func(h *harness) {
		h.svc.activate = func(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
			progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: t0})
			progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageSubmitted, Detail: "request r1", At: t0.Add(time.Second)})
			return pim.Outcome{Target: r.Target, Status: "PendingApproval", RequestID: "r1"}
		}
		h.key("down", "down", "down", "enter")
		h.typeText("quarterly review")
		h.key("enter")
	}},
	{name: "deactivate_wait", setup: func(f *fakeService) {
		f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-2*time.Minute), time.Hour)}
	}, drive: func(h *harness) { h.key("down", "d") }},
	{name: "deactivated", setup: func(f *fakeService) {
		f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-20*time.Minute), time.Hour)}
	}, drive: func(h *harness) { h.key("down", "d", "y") }},
	{name: "signin_device_code", setup: func(f *fakeService) {
		f.id.Account = auth.Account{}
		f.signInCode = &auth.DeviceCode{UserCode: "ABCD-EFGH", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: t0.Add(14*time.Minute + 32*time.Second)}
		f.release = make(chan struct{})
	}, drive: func(h *harness) {
		h.key("d")
		h.settleUntil(func() bool { return h.m.signin.code != nil })
	}},
	{name: "signin_refused", setup: func(f *fakeService) {
		f.id.Account = auth.Account{}
		f.signInErr = errWrongAccount
	}, drive: func(h *harness) { h.key("b") }},
	{name: "stepup", setup: func(f *fakeService) {
		f.release = make(chan struct{})
		f.activate = func(r pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) pim.Outcome {
			progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageChecked, At: t0})
			// As the core does: step-up is reported when the sign-in starts.
			progress(pim.Event{Key: r.Target.Key(), Stage: pim.StageStepUp, Detail: "signing in", At: t0.Add(time.Second)})
			in.DeviceCodeShown(auth.DeviceCode{UserCode: "QWERTY12", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: t0.Add(15 * time.Minute)}, "c1")
			return pim.Outcome{Target: r.Target, Status: "Provisioned", Effective: true, Proof: "token"}
		}
	}, drive: func(h *harness) {
		h.key("down", "down", "enter") // Helpdesk Administrator: MFA
		h.typeText("INC-2 unlock user")
		h.key("enter")
		h.settleUntil(func() bool { return h.m.timeline.deviceCode() != nil })
	}},
	{name: "help", drive: func(h *harness) { h.key("?") }},
	{name: "form_start", drive: func(h *harness) {
		h.key("down", "enter") // Global Reader: justification, duration, start
		h.typeText("CHG-88 maintenance window")
		h.key("tab", "tab", "ctrl+u")
		h.typeText("+3h")
	}},
	{name: "renew_form", setup: func(f *fakeService) {
		f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-50*time.Minute), time.Hour)}
		f.renewInput = map[string]app.PlanInput{f.snap.Eligible[1].Key(): {Justification: "INC-9 audit", Duration: "1h"}}
	}, drive: func(h *harness) { h.key("down", "r") }},
	{name: "scheduled", setup: func(f *fakeService) {
		f.snap.Scheduled = []pim.Scheduled{{Eligibility: f.snap.Eligible[2], RequestID: "r7", Start: t0.Add(3 * time.Hour), End: t0.Add(5 * time.Hour)}}
	}, drive: func(h *harness) { h.key("down", "down") }},
	{name: "to_approve_header", setup: withApprovals, narrow: true, drive: func(*harness) {}},
	{name: "approvals", setup: withApprovals, narrow: true, drive: func(h *harness) { h.key("tab", "down") }},
	{name: "decide", setup: withApprovals, narrow: true, drive: func(h *harness) {
		h.key("tab", "x")
		h.typeText("no change ticket: open one first")
	}},
}

// withApprovals gives the admin Megan Bowen's three requests to decide.
func withApprovals(f *fakeService) { f.snap.Approvals = sampleApprovals() }

// TestGolden keeps every scenario as plain text (colour stripped, so a diff
// reads) at 80×24 and 120×40, and some at 50×20. Regenerate with:
// go test ./tui/ -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, sc := range scenarios {
		sizes := [][2]int{{80, 24}, {120, 40}}
		if sc.narrow {
			sizes = append(sizes, [2]int{50, 20})
		}
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				h := drive(t, sc, sz, color.Black)
				golden.RequireEqual(t, ansi.Strip(h.m.View().Content))
				h.release()
			})
		}
	}
}

// TestGoldenColour keeps two screens with their colours, light and dark:
// the palette is a contract too, but one a few files are enough to guard.
func TestGoldenColour(t *testing.T) {
	themes := []struct {
		name string
		bg   color.Color
	}{{"dark", color.Black}, {"light", color.White}}
	for _, sc := range scenarios {
		if sc.name != "main" && sc.name != "progress" {
			continue
		}
		for _, th := range themes {
			t.Run(sc.name+"_80x24_"+th.name, func(t *testing.T) {
				h := drive(t, sc, [2]int{80, 24}, th.bg)
				golden.RequireEqual(t, frame(h.m))
				h.release()
			})
		}
	}
}

func drive(t *testing.T, sc scenario, sz [2]int, bg color.Color) *harness {
	f := newFake()
	if sc.setup != nil {
		sc.setup(f)
	}
	h := newHarness(t, f, Options{}, sz[0], sz[1])
	h.send(tea.BackgroundColorMsg{Color: bg})
	sc.drive(h)
	return h
}

// release lets a fake call that waits finish, so no goroutine outlives
// the test.
func (h *harness) release() {
	if h.svc.release != nil {
		close(h.svc.release)
		h.settle()
	}
}

// frame is the view's content downsampled to a fixed 256-colour profile, so
// goldens do not depend on the terminal the tests run in.
func frame(m *Model) string {
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.ANSI256}
	_, _ = w.WriteString(m.View().Content)
	return buf.String()
}

func TestNoColorDropsColourButKeepsText(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	p := colorprofile.Env([]string{"NO_COLOR=1", "TERM=xterm-256color"})
	if p > colorprofile.ASCII {
		t.Fatalf("NO_COLOR profile = %v", p)
	}
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: p}
	_, _ = w.WriteString(h.m.View().Content)
	out := buf.String()
	for _, sgr := range []string{"38;5;", "38;2;", "48;5;", "48;2;"} {
		if strings.Contains(out, sgr) {
			t.Fatalf("colour %q survives NO_COLOR", sgr)
		}
	}
	if ansi.Strip(out) != h.screen() {
		t.Fatal("NO_COLOR changed the text")
	}
}

func TestLightAndDarkDiffer(t *testing.T) {
	h := newHarness(t, newFake(), Options{}, 80, 24)
	dark := h.m.View().Content
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if light := h.m.View().Content; light == dark || ansi.Strip(light) != ansi.Strip(dark) {
		t.Fatal("light and dark should differ in colour only")
	}
}
