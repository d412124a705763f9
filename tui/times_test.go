package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// Late in the evening: 2 March 23:55 (a Monday).
var lateEvening = time.Date(2026, 3, 2, 23, 55, 0, 0, time.UTC)

// Every wall-clock time not on today's date carries the date.
func TestTimesNotTodayCarryTheDate(t *testing.T) {
	f := newFake()
	f.now = lateEvening
	e := f.snap.Eligible
	f.snap.Active = []pim.Active{f.at(e[1], lateEvening.Add(-25*time.Minute), time.Hour)} // Global Reader until 00:30
	f.snap.Pending = []pim.Pending{{Eligibility: e[3], RequestID: "r1", Status: "PendingApproval", Created: lateEvening.Add(-26 * time.Hour)}}
	h := newHarness(t, f, Options{ExpiryWarning: 40 * time.Minute}, 120, 40)

	h.mustShow("⚠ Global Reader ends in 35m00s (Tue 3 Mar 00:30)")
	h.key("down")
	h.mustShow("active since 23:30, ends Tue 3 Mar 00:30 (35m00s left)")
	h.key("space")
	h.mustShow("already active until Tue 3 Mar 00:30")
	h.key("down", "down")
	h.mustShow("pending approval since Sun 1 Mar 21:55")

	h.key("g", "enter") // Global Administrator: 1h from now
	h.mustShow("until about Tue 3 Mar 00:55")
	h.key("esc", "down", "r") // Global Reader again: renewed now
	h.mustShow("Renew Global Reader now", "1h, until about Tue 3 Mar 00:55")
}

func TestTimesNotTodayInProgressAndSignIn(t *testing.T) {
	f := newFake()
	f.now = lateEvening
	f.id.Account = auth.Account{}
	f.signInCode = &auth.DeviceCode{UserCode: "ABCD-EFGH", ExpiresAt: lateEvening.Add(15 * time.Minute)}
	f.release = make(chan struct{})
	h := newHarness(t, f, Options{}, 120, 40)
	h.key("d")
	h.settleUntil(func() bool { return h.m.signin.code != nil })
	h.mustShow("The code expires in 15m00s (at Tue 3 Mar 00:10)")
	close(f.release)
	h.settle()

	f2 := newFake()
	f2.now = lateEvening.Add(3 * time.Minute) // 23:58
	f2.snap.Active = []pim.Active{f2.at(f2.snap.Eligible[1], f2.now.Add(-30*time.Second), time.Hour)}
	h2 := newHarness(t, f2, Options{}, 120, 40)
	h2.key("down", "d")
	h2.mustShow("possible at Tue 3 Mar 00:02:30 (in 4m30s)")
}

// Countdowns are floored, the wait for deactivation too: 89.5s is 1m29s.
func TestCountdownsAreFloored(t *testing.T) {
	at := t0.Add(90 * time.Second)
	if got := tooShortText(at, t0.Add(500*time.Millisecond)); !strings.Contains(got, "(in 1m29s)") {
		t.Fatalf("tooShortText = %q", got)
	}
	if got := tooShortText(at, at); !strings.Contains(got, "(now)") {
		t.Fatalf("tooShortText at the moment = %q", got)
	}
	if got := countdown(59*time.Minute + 59*time.Second + 999*time.Millisecond); got != "59m59s" {
		t.Fatalf("countdown = %q", got)
	}
}
