package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain removes the binary the process tests built: a 100 MB file per
// run must not pile up in the temp directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds pimento once per test run. Same build settings as the
// run's vet, so the build cache makes this a link, not another cold compile
// of the Graph SDK.
func buildBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pimento-e2e-")
		if err != nil {
			binErr = err
			return
		}
		binDir = dir
		binPath = filepath.Join(dir, "pimento")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestSimServe starts `pimento sim serve` as its own process: it prints the
// authority URL, the Graph URL and the CA file, and Graph answers over TLS
// trusted by that CA.
func TestSimServe(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process test")
	}
	bin := buildBinary(t)
	cmd := exec.Command(bin, "sim", "serve", "--addr", "127.0.0.1:0", "--clock-offset", "10m")
	// Its CA directory goes to a temp dir the test removes, even though
	// the process is killed rather than stopped.
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 4 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "https://127.0.0.1:") || !strings.HasSuffix(lines[1], "/v1.0") || !strings.HasSuffix(lines[2], ".pem") || !strings.HasSuffix(lines[3], "/arm") {
		t.Fatalf("sim serve printed %q", lines)
	}
	pem, err := os.ReadFile(lines[2])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the CA file is not PEM")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get(lines[1] + "/me")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "InvalidAuthenticationToken") {
		t.Fatalf("GET /me without a token: %d %s", resp.StatusCode, body)
	}
	resp, err = client.Get(lines[0] + "/v2.0/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %v %v", err, resp)
	}
	_ = resp.Body.Close()
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
	bin := buildBinary(t)
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
	s.waitFor("1 of 16", 5*time.Second) // 11 directory roles and groups, 5 Azure roles
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
	s.waitFor("1 of 16", 5*time.Second)
	// The row shows the live countdown once the reload after the action lands.
	s.waitFor("active 59m", 10*time.Second)

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
	s.waitFor("1 of 16", 5*time.Second)
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
