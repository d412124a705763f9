package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/sim"
)

// simProcess runs `pimento sim serve` with sc and returns the environment
// that points pimento at it (the README's recipe), and the CA file.
func simProcess(t *testing.T, bin string, sc sim.Scenario) (env []string, ca string, serve *exec.Cmd) {
	t.Helper()
	dir := t.TempDir()
	scenario := filepath.Join(dir, "scenario.json")
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scenario, b, 0o600); err != nil {
		t.Fatal(err)
	}
	serve = exec.Command(bin, "sim", "serve", "--addr", "127.0.0.1:0", "--scenario", scenario)
	serve.Env = append(os.Environ(), "TMPDIR="+dir)
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Process.Kill(); _ = serve.Wait() })
	sc2 := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 4 && sc2.Scan() {
		lines = append(lines, sc2.Text())
	}
	if len(lines) != 4 {
		t.Fatalf("sim serve printed %q", lines)
	}
	home := filepath.Join(dir, "home")
	env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config", "XDG_CACHE_HOME=" + home + "/cache",
		"XDG_STATE_HOME=" + home + "/state", "PIMENTO_AUTHORITY=" + lines[0], "PIMENTO_GRAPH_URL=" + lines[1], "PIMENTO_ARM_URL=" + lines[3],
		"SSL_CERT_FILE=" + lines[2], "PIMENTO_TOKEN_CACHE=file", "BROWSER=curl -s --cacert " + lines[2],
	}
	return env, lines[2], serve
}

// TestSimulatorRecipeAndInterrupt follows the README's recipe (sim serve,
// login through $BROWSER, roles) in separate processes; then a command
// waiting on Graph is interrupted (SIGINT): it stops at once with 130, and
// `pimento sim serve` ends on SIGTERM and removes its CA directory.
func TestSimulatorRecipeAndInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process test")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl plays the browser here and is not installed")
	}
	bin := buildBinary(t)
	sc := sim.DemoScenario()
	sc.Latency = 0
	sc.ProvisioningDelay = sim.Duration(time.Hour) // an activation waits to be listed
	env, ca, serve := simProcess(t, bin, sc)

	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	if _, errOut, code := run("login"); code != 0 || !strings.Contains(errOut, "Signed in as "+sim.DemoAdminUPN) {
		t.Fatalf("login: exit %d %q", code, errOut)
	}
	if out, errOut, code := run("roles"); code != 0 || !strings.Contains(out, "Global Administrator") {
		t.Fatalf("roles: exit %d %q %q", code, out, errOut)
	}

	// A command waiting on an activation that takes long to be listed is
	// interrupted: it says what is known and exits 130 promptly.
	cmd := exec.Command(bin, "activate", "User Administrator", "--duration", "1h", "--justification", "interrupt")
	cmd.Env = env
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(errb.String(), "provisioned") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	start := time.Now()
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted activate: %v\nstdout %s\nstderr %s", err, out.String(), errb.String())
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("took %v to stop after the interrupt", time.Since(start))
	}
	if !strings.Contains(out.String(), "PIM accepted") {
		t.Errorf("the interrupt does not say what is known: %q", out.String())
	}
	hist, _, _ := run("history", "--json")
	if !strings.Contains(hist, "accepted, not verified (interrupted)") {
		t.Errorf("journal: %s", hist)
	}

	// sim serve ends on SIGTERM and leaves no CA behind.
	_ = serve.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("sim serve after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim serve ignored SIGTERM")
	}
	if _, err := os.Stat(filepath.Dir(ca)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sim serve left %s behind", filepath.Dir(ca))
	}
}

// lockedBuffer is written by the process's copier and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
