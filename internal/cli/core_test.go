package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/duration/durationtest"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// TestActivateFlagsReadDurationsLikeTheCore runs the one duration table
// through `activate --duration` without the network (the runF seam).
func TestActivateFlagsReadDurationsLikeTheCore(t *testing.T) {
	for _, c := range durationtest.Activation {
		var got *ActivateOptions
		f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
		cmd := NewCmdActivate(f, func(_ context.Context, o *ActivateOptions) error { got = o; return nil })
		cmd.SetArgs([]string{"Global Reader", "--duration", c.In})
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		switch {
		case c.Want == 0 && err == nil:
			t.Errorf("--duration %q was accepted", c.In)
		case c.Want == 0 && exitCode(err) != exitUsage:
			t.Errorf("--duration %q: exit %d, want 2", c.In, exitCode(err))
		case c.Want != 0 && (err != nil || got == nil || got.Plan.Duration != c.In):
			t.Errorf("--duration %q: %v", c.In, err)
		}
	}
}

func TestPinnedProfileRefusesOtherAccounts(t *testing.T) {
	c := newCLI(t)
	c.login()
	other := sim.DemoApproverUPN
	for _, tc := range []struct {
		name string
		args []string
		env  string
	}{
		{"flag", []string{"status", "--account", other}, ""},
		{"login flag", []string{"login", "--account", other}, ""},
		{"environment", []string{"status"}, other},
	} {
		c.env["PIMENTO_ACCOUNT"] = tc.env
		c.tn.ResetLog()
		out, errOut, code := c.run(tc.args...)
		if code != exitSignIn || out != "" {
			t.Errorf("%s: exit %d, stdout %q", tc.name, code, out)
		}
		for _, want := range []string{sim.DemoAdminUPN, other, "pimento logout", "--profile"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr %q lacks %q", tc.name, errOut, want)
			}
		}
		if n := len(c.tn.Requests()); n != 0 {
			t.Errorf("%s: %d requests were made as another account", tc.name, n)
		}
	}
	// The way out the error names works with the other account still set:
	// logout unpins, and the next sign-in may pin the other account.
	c.env["PIMENTO_ACCOUNT"] = other
	if _, errOut, code := c.run("logout"); code != 0 {
		t.Fatalf("logout with another account named: exit %d %q", code, errOut)
	}
	c.env["PIMENTO_ACCOUNT"] = ""
	c.login()
	// The config's account too.
	cfg := filepath.Join(c.home, "pimento.toml")
	t.Setenv("PIMENTO_CONFIG", cfg)
	if err := os.WriteFile(cfg, []byte("[profiles.default]\naccount = \""+other+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := c.run("status"); code != exitSignIn || !strings.Contains(errOut, "config's account") {
		t.Errorf("config account: exit %d %q", code, errOut)
	}
	t.Setenv("PIMENTO_CONFIG", "")
	if _, errOut, code := c.run("status"); code != 0 {
		t.Fatalf("the pinned account still works: exit %d %q", code, errOut)
	}
}

func TestDamagedPinIsExit4NamingTheFile(t *testing.T) {
	c := newCLI(t)
	c.login()
	dir, err := profile.StateDir("default")
	if err != nil {
		t.Fatal(err)
	}
	pin := filepath.Join(dir, "account.json")
	if err := os.WriteFile(pin, []byte(`{"account":"adm-alex.wil`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := c.run("status")
	if code != exitSignIn || !strings.Contains(errOut, pin) {
		t.Fatalf("exit %d %q", code, errOut)
	}
	// The way out it names works: logout removes the damaged file.
	if _, errOut, code := c.run("logout"); code != 0 {
		t.Fatalf("logout on a damaged pin: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(pin); !os.IsNotExist(err) {
		t.Errorf("the damaged pin is still there after logout: %v", err)
	}
}

// TestDebugFileLogsRequestsNeverTokens: --debug records every request and
// decision, and nothing in it is a token.
func TestDebugFileLogsRequestsNeverTokens(t *testing.T) {
	c := newCLI(t)
	c.login()
	dbg := filepath.Join(c.home, "debug.log")
	if _, errOut, code := c.run("activate", "User Administrator", "--duration", "1h", "--justification", "secret reason 42", "--debug", dbg); code != 0 {
		t.Fatalf("exit %d %q", code, errOut)
	}
	b, err := os.ReadFile(dbg)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	for _, want := range []string{"POST", "roleAssignmentScheduleRequests", "$batch", "oauth2/v2.0/token", "→ 201", "PIM answered Provisioned", "proof role:", "poll: role:"} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	if jwtLike.MatchString(log) || strings.Contains(log, "secret reason 42") || strings.Contains(log, "refresh_token=") {
		t.Errorf("debug log holds a token or a justification:\n%s", log)
	}
	if _, errOut, code := c.run("status", "--debug", filepath.Join(c.home, "no", "such", "dir", "d.log")); code != exitUsage || !strings.Contains(errOut, "--debug") {
		t.Errorf("unopenable debug path: exit %d %q", code, errOut)
	}
}

// TestUnansweringIdentityProviderEndsTheCommand: an identity provider that
// never answers (a blackholed login.microsoftonline.com) ends `status`
// after the network timeout with a clear error, instead of hanging.
func TestUnansweringIdentityProviderEndsTheCommand(t *testing.T) {
	// Tokens that live 4 minutes are refreshed on every use (MSAL renews
	// any with less than 5 minutes left); the refresh never gets an answer.
	c := newCLI(t, func(sc *sim.Scenario) { sc.TokenLifetime = sim.Duration(4 * time.Minute) })
	c.login()
	c.tn.AddFault(sim.Fault{Path: "/oauth2/v2.0/token", Kind: sim.FaultStatus, Status: 200, Latency: sim.Duration(time.Minute)})
	c.timeout = 500 * time.Millisecond
	start := time.Now()
	_, errOut, code := c.run("status")
	if code == 0 || !strings.Contains(errOut, "token") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("status took %v", took)
	}
}

func TestCancelIsSentOnceWithRetriesOff(t *testing.T) {
	c := newCLI(t)
	c.login()
	if _, _, code := c.run("activate", "Privileged Role Administrator", "--duration", "1h", "--justification", "x"); code != exitPending {
		t.Fatalf("exit %d", code)
	}
	c.tn.AddFault(sim.Fault{Method: "POST", Path: "/cancel", Kind: sim.FaultStatus, Status: 503, RetryAfter: 1, Times: 1})
	c.tn.ResetLog()
	if _, _, code := c.run("cancel", "Privileged Role Administrator"); code != exitFailure {
		t.Fatalf("exit %d, want 1 after a 503", code)
	}
	if n := c.tn.CountRequests("POST", "/cancel"); n != 1 {
		t.Errorf("cancel POSTs = %d, want 1 (no retry)", n)
	}
}

// Exit codes follow the README's table, and --json always prints JSON.
func TestExitCodesAndJSONErrors(t *testing.T) {
	c := newCLI(t)
	c.login()
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"bogus"}, exitUsage},
		{[]string{"status", "extra"}, exitUsage},
		{[]string{"config", "bogus"}, exitUsage},
		{[]string{"completion", "tcsh"}, exitUsage},
		{[]string{"sim", "bogus"}, exitUsage},
		{[]string{"history", "--limit", "-5"}, exitUsage},
		{[]string{"activate", "Global Reader", "--duration", "1h"}, exitUsage}, // already active
	}
	for _, tc := range cases {
		c.tn.ResetLog()
		_, errOut, code := c.run(tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errOut)
		}
		if n := c.tn.CountRequests("POST", "ScheduleRequests"); n != 0 {
			t.Errorf("%v sent %d requests", tc.args, n)
		}
	}
	if _, errOut, code := c.run("status", "--client-id", "not-a-guid"); code != exitUsage || !strings.Contains(errOut, "GUID") {
		t.Errorf("bad --client-id: exit %d %q", code, errOut)
	}
	c.env["PIMENTO_TOKEN_CACHE"] = "plaintext"
	if _, errOut, code := c.run("status"); code != exitUsage || !strings.Contains(errOut, "PIMENTO_TOKEN_CACHE") {
		t.Errorf("bad PIMENTO_TOKEN_CACHE: exit %d %q", code, errOut)
	}
	c.env["PIMENTO_TOKEN_CACHE"] = "file"
	// --json: errors are JSON on stdout too, in one documented shape.
	// Already active: refused (locally after a load, else by PIM) with the
	// reason, per item.
	out, _, code := c.run("activate", "Global Reader", "--duration", "1h", "--json")
	items := decode[[]map[string]any](t, out)
	if code != exitUsage || items[0]["status"] != "AlreadyActive" || !strings.Contains(items[0]["error"].(string), "already active") {
		t.Errorf("already active: exit %d %s", code, out)
	}
	for _, args := range [][]string{
		{"activate", "Nope", "--json"},
		{"status", "--json", "--account", sim.DemoApproverUPN},
		{"roles", "extra", "--json"},
	} {
		out, _, code := c.run(args...)
		body := decode[map[string]map[string]any](t, out)
		e := body["error"]
		if e == nil || e["message"] == "" || int(e["exitCode"].(float64)) != code || e["code"] == "" {
			t.Errorf("%v: stdout %q", args, out)
		}
	}
}

// Names the tenant controls reach the terminal as text in every command;
// JSON keeps them exact.
func TestTenantStringsCannotDriveTheTerminal(t *testing.T) {
	const evilGroup = "SG-Ops\x1b]52;c;ZXZpbA==\x07"
	c := newCLI(t, func(sc *sim.Scenario) {
		sc.AdministrativeUnits[0].DisplayName = "Berlin\x1b[2J"
		sc.Groups[0].DisplayName = evilGroup
	})
	c.login()
	if _, errOut, code := c.run("activate", evilGroup, "--access", "member", "--duration", "1h", "--justification", "j\x1b[31m"); code != 0 {
		t.Fatalf("activate: exit %d %q", code, errOut)
	}
	for _, args := range [][]string{{"roles"}, {"status"}, {"prompt"}, {"history"}} {
		out, errOut, code := c.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %q", args, code, errOut)
		}
		if strings.ContainsAny(out+errOut, "\x1b\a") {
			t.Errorf("%v printed a control character: %q", args, out+errOut)
		}
	}
	out, _, _ := c.run("roles", "--json")
	if !strings.Contains(out, `SG-Ops\u001b]52;c;ZXZpbA==\u0007`) {
		t.Errorf("JSON should carry the name exactly (escaped by JSON): %s", out)
	}
}

// TestClientClockSkewWithALostAnswer: a PC four minutes fast or slow sends
// the activation's start in the server's time, finds its request after the
// answer is lost (by what it sent, not by a time window), reports it
// active, and counts the remaining time on the server's clock.
func TestClientClockSkewWithALostAnswer(t *testing.T) {
	for _, skew := range []time.Duration{4 * time.Minute, -4 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			c := newCLI(t)
			c.skew = skew
			c.login()
			c.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultDropAfterWrite, Times: 1})
			c.tn.ResetLog()
			out, errOut, code := c.run("activate", "User Administrator", "--duration", "1h", "--justification", "skew", "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, out, errOut)
			}
			res := decode[[]map[string]any](t, out)
			if res[0]["effective"] != true || res[0]["status"] != "Provisioned" {
				t.Fatalf("activate: %v", res)
			}
			reqs := c.tn.ScheduleRequests()
			if len(reqs) != 1 {
				t.Fatalf("PIM holds %d requests, want exactly one", len(reqs))
			}
			// The start sent is the server's now, not the PC's.
			if d := reqs[0].Start.Sub(reqs[0].Created); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("startDateTime is %v off the server's clock", d)
			}
			out, _, _ = c.run("status", "--json")
			for _, s := range decode[[]map[string]any](t, out) {
				if s["name"] == "User Administrator" {
					left := time.Duration(s["remainingSeconds"].(float64)) * time.Second
					if left < 58*time.Minute || left > time.Hour {
						t.Errorf("remaining %v, want about an hour by the server's clock", left)
					}
				}
			}
			// The next process goes straight to its request, on the offset
			// learned before: the start is the server's time (leaning a few
			// seconds back, never ahead), not the PC's.
			if _, errOut, code := c.run("activate", "Intune Administrator", "--duration", "1h", "--no-wait"); code != 0 {
				t.Fatalf("cached path: %s", errOut)
			}
			for _, r := range c.tn.ScheduleRequests() {
				if r.RoleDefinitionID == sim.RoleIntuneAdministrator {
					if d := r.Start.Sub(r.Created); d < -8*time.Second || d > time.Second {
						t.Errorf("cached path: startDateTime is %v off the server's clock", d)
					}
				}
			}
		})
	}
}

// TestReReadThatReachesTheCapCannotConfirm: a lost answer whose re-read
// runs out of pages says "could not confirm", never "nothing was activated".
func TestReReadThatReachesTheCapCannotConfirm(t *testing.T) {
	c := newCLI(t, func(sc *sim.Scenario) { sc.PageSize = 1 })
	c.login()
	// More than 50 earlier requests for the role, one per page.
	for i := 0; i < 52; i++ {
		if _, errOut, code := c.run("activate", "Intune Administrator", "--duration", "1h", "--no-wait"); code != 0 {
			t.Fatalf("activation %d: %s", i, errOut)
		}
		c.tn.Clock().Advance(6 * time.Minute)
		if _, errOut, code := c.run("deactivate", "Intune Administrator"); code != 0 {
			t.Fatalf("deactivation %d: %s", i, errOut)
		}
	}
	c.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultStatus, Status: 503, Times: 1})
	out, errOut, code := c.run("activate", "Intune Administrator", "--duration", "1h", "--no-wait")
	if code == 0 || !strings.Contains(out, "could not confirm") || strings.Contains(out+errOut, "nothing was activated") {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
}

func TestSecondSignalEndsTheProcess(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	cancelled := make(chan struct{})
	exited := make(chan int, 1)
	var errOut bytes.Buffer
	go watchSignals(sigs, func() { close(cancelled) }, &errOut, func(code int) { exited <- code })
	sigs <- os.Interrupt
	<-cancelled
	select {
	case <-exited:
		t.Fatal("the first signal ended the process")
	case <-time.After(50 * time.Millisecond):
	}
	sigs <- os.Interrupt
	if code := <-exited; code != exitCancel || !strings.Contains(errOut.String(), "pimento status") {
		t.Errorf("exit %d %q", code, errOut.String())
	}
}

// Deactivating right after `activate --no-wait`, while PIM provisions the
// role, says it was just accepted and when deactivation becomes possible.
func TestDeactivateRightAfterNoWaitSaysItIsProvisioning(t *testing.T) {
	c := newCLI(t, func(sc *sim.Scenario) { sc.ProvisioningDelay = sim.Duration(time.Hour) })
	c.login()
	if _, errOut, code := c.run("activate", "Intune Administrator", "--duration", "1h", "--no-wait"); code != 0 {
		t.Fatalf("activate: %s", errOut)
	}
	c.tn.ResetLog()
	_, errOut, code := c.run("deactivate", "Intune Administrator")
	if code != exitFailure || !strings.Contains(errOut, "accepted by PIM") || !strings.Contains(errOut, "deactivation becomes possible at") || strings.Contains(errOut, "not active") {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if n := c.tn.CountRequests("POST", "ScheduleRequests"); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// What PIM would refuse is refused locally: a justification over the
// limit (exit 2), a role already active (exit 2) or pending (exit 3); and
// --no-wait JSON says secondsToEffective and proof are null.
func TestLocalRefusalsAndNoWaitJSON(t *testing.T) {
	c := newCLI(t)
	c.login()
	c.tn.ResetLog()
	if _, errOut, code := c.run("activate", "User Administrator", "--duration", "1h", "--justification", strings.Repeat("j", 120000)); code != exitUsage || !strings.Contains(errOut, "at most 500") {
		t.Errorf("long justification: exit %d %q", code, errOut)
	}
	if _, _, code := c.run("activate", "Privileged Role Administrator", "--duration", "1h", "--justification", "x"); code != exitPending {
		t.Fatalf("approval: exit %d", code)
	}
	before := len(c.tn.ScheduleRequests())
	if out, _, code := c.run("activate", "Privileged Role Administrator", "--duration", "1h", "--justification", "x"); code != exitPending || !strings.Contains(out, "waiting for approval") {
		t.Errorf("pending again: exit %d %q", code, out)
	}
	if n := len(c.tn.ScheduleRequests()); n != before {
		t.Errorf("a second request went to approvers (%d → %d)", before, n)
	}
	out, _, code := c.run("activate", "User Administrator", "--duration", "1h", "--justification", "x", "--no-wait", "--json")
	if code != 0 {
		t.Fatalf("--no-wait: exit %d", code)
	}
	if !strings.Contains(out, `"secondsToEffective": null`) || !strings.Contains(out, `"proof": null`) {
		t.Errorf("--no-wait JSON: %s", out)
	}
}

// A state directory that cannot be written is said on stderr: the
// activation happened, the journal and prompt state did not.
func TestUnwritableStateIsWarned(t *testing.T) {
	c := newCLI(t)
	c.login()
	dir, err := profile.StateDir("default")
	if err != nil {
		t.Fatal(err)
	}
	// Files where the journal and prompt state go are directories: writes fail.
	for _, name := range []string{"journal.jsonl", "prompt.json"} {
		_ = os.Remove(filepath.Join(dir, name))
		if err := os.MkdirAll(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, code := c.run("activate", "User Administrator", "--duration", "1h", "--justification", "x")
	if code != 0 {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if !strings.Contains(errOut, "warning: could not write the journal") || !strings.Contains(errOut, "warning: could not write the prompt state") {
		t.Errorf("stderr %q", errOut)
	}
}

// `config edit` never leaves a config pimento cannot read, and needs a
// terminal.
func TestConfigEditKeepsAnInvalidEditAside(t *testing.T) {
	home := simtest.Isolate(t)
	cfg := filepath.Join(home, "pimento.toml")
	t.Setenv("PIMENTO_CONFIG", cfg)
	good := "[profiles.default]\ndefault_duration = \"1h\"\n"
	if err := os.WriteFile(cfg, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	editor := filepath.Join(home, "editor.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nprintf 'colour = \"red\"\\n' >> \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VISUAL", editor)
	run := func(tty bool) (string, int) {
		var out, errb bytes.Buffer
		f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, InTTY: tty, OutTTY: tty}}
		code := Run(context.Background(), f, []string{"config", "edit"}, "test")
		return errb.String(), code
	}
	if errOut, code := run(false); code != exitUsage || !strings.Contains(errOut, "terminal") {
		t.Errorf("without a terminal: exit %d %q", code, errOut)
	}
	errOut, code := run(true)
	if code != exitUsage || !strings.Contains(errOut, "unchanged") || !strings.Contains(errOut, ".draft") {
		t.Fatalf("invalid edit: exit %d %q", code, errOut)
	}
	if b, _ := os.ReadFile(cfg); string(b) != good {
		t.Errorf("the config changed: %q", b)
	}
}
