package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxSession drives the built binary in a real terminal (tmux, headless).
type tmuxSession struct {
	t    *testing.T
	sock string
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p") }

func (s *tmuxSession) keys(k ...string) { s.tmux(append([]string{"send-keys"}, k...)...) }

func (s *tmuxSession) text(txt string) { s.tmux("send-keys", "-l", txt) }

// waitFor polls the screen until it holds want; it never panics on screen.
func (s *tmuxSession) waitFor(want string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		if strings.Contains(scr, "panic") || strings.Contains(scr, "goroutine ") {
			s.t.Fatalf("panic text on screen:\n%s", scr)
		}
		if strings.Contains(scr, want) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %q; screen:\n%s", want, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDemoInARealTerminal runs `pimento demo` under tmux: activate a role
// with the keyboard until it is verified, see its countdown and the 5-minute
// rule as a state, deactivate the role that was already active, quit.
func TestDemoInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the terminal test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pimento")
	// Same build settings as the test run's vet/build, so the build cache
	// makes this a link, not another cold compile of the Graph SDK.
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	s := &tmuxSession{t: t, sock: filepath.Join(dir, "tmux.sock")}
	env := "env -i PATH=/usr/bin:/bin TERM=xterm-256color LANG=C.UTF-8 HOME=" + home
	s.tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", env+" "+bin+" demo; echo exited-$?; sleep 30")
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	s.tmux("set", "-g", "escape-time", "0")

	scr := s.waitFor("Global Reader", 20*time.Second)
	if !strings.Contains(scr, "SIMULATION") || !strings.Contains(scr, "adm-alex.wilber@contoso.onmicrosoft.com") {
		t.Fatalf("header or simulation banner missing:\n%s", scr)
	}

	// Activate Intune Administrator through the form.
	s.text("/intune")
	s.keys("Enter")
	s.waitFor("1 of 11", 5*time.Second)
	s.keys("Enter")
	s.waitFor("Activate Intune Administrator", 5*time.Second)
	s.text("e2e: checking device compliance")
	s.keys("Enter")
	scr = s.waitFor("✓ verified in token after", 20*time.Second)
	if strings.Contains(scr, "failed") {
		t.Fatalf("activation failed:\n%s", scr)
	}
	// A lone Escape followed at once by a letter reads as alt+letter in a
	// terminal: wait for each screen before the next key.
	s.keys("Escape")
	scr = s.waitFor("1 of 11", 5*time.Second)
	if !strings.Contains(scr, "active 59m") && !strings.Contains(scr, "active 1h") {
		t.Errorf("no countdown on the activated row:\n%s", scr)
	}

	// Deactivating it now is refused by PIM's 5-minute rule: shown as a state.
	s.text("d")
	s.waitFor("PIM refuses deactivation for 5 minutes", 5*time.Second)

	// Deactivate the role that was already active.
	s.keys("Escape")
	time.Sleep(200 * time.Millisecond)
	s.keys("Escape")
	s.waitFor("Application Administrator", 5*time.Second)
	s.text("/global reader")
	s.keys("Enter")
	s.waitFor("1 of 11", 5*time.Second)
	s.text("d")
	s.waitFor("Deactivate Global Reader now?", 5*time.Second)
	s.text("y")
	scr = s.waitFor("Global Reader deactivated", 15*time.Second)
	if !strings.Contains(scr, "Other apps") {
		t.Errorf("no word on other apps' tokens after deactivation:\n%s", scr)
	}

	s.keys("Escape")
	s.waitFor("Global Reader", 5*time.Second)
	time.Sleep(200 * time.Millisecond)
	s.text("q")
	s.waitFor("exited-0", 10*time.Second)
}
