package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// cli runs pimento commands in-process against a simulated tenant, with the
// user's directories isolated.
type cli struct {
	t    *testing.T
	tn   *sim.Tenant
	env  map[string]string
	home string
	// opened counts browser launches.
	opened int
	// skew is how far this PC's clock is off the server's.
	skew time.Duration
	// timeout is the network timeout per request (0: the default).
	timeout time.Duration
	// transport replaces the simulator's own (a recorder, say).
	transport http.RoundTripper
}

func (c *cli) roundTripper() http.RoundTripper {
	if c.transport != nil {
		return c.transport
	}
	return c.tn.HTTPClient().Transport
}

// localNow is the PC's clock: the wall clock, off by skew.
func (c *cli) localNow() time.Time { return time.Now().Add(c.skew) }

func newCLI(t *testing.T, mutate ...func(*sim.Scenario)) *cli {
	t.Helper()
	home := simtest.Isolate(t)
	t.Setenv("PIMENTO_CONFIG", "")
	t.Setenv("PIMENTO_PROFILE", "")
	tn := simtest.Start(t, append([]func(*sim.Scenario){func(sc *sim.Scenario) {
		sc.ProvisioningDelay = sim.Duration(200 * time.Millisecond)
	}}, mutate...)...)
	env := simtest.Env(tn)
	env["PIMENTO_TOKEN_CACHE"] = "file"
	return &cli{t: t, tn: tn, home: home, env: env}
}

func (c *cli) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	browser := c.tn.Browser()
	f := &Factory{
		IO:             &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb},
		Getenv:         func(k string) string { return c.env[k] },
		Transport:      c.roundTripper(),
		OpenURL:        func(u string) error { c.opened++; return browser(u) },
		LocalNow:       c.localNow,
		NetworkTimeout: c.timeout,
		Poll:           pim.PollConfig{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, Timeout: 20 * time.Second},
	}
	code = Run(context.Background(), f, args, "test")
	return out.String(), errb.String(), code
}

func (c *cli) login() {
	c.t.Helper()
	if _, errOut, code := c.run("login", "--account", sim.DemoAdminUPN); code != 0 {
		c.t.Fatalf("login: exit %d: %s", code, errOut)
	}
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document:\n%s", s)
	}
	return v
}

func TestSignInNeededIsExit4WithTheCommand(t *testing.T) {
	c := newCLI(t)
	out, errOut, code := c.run("status", "--json")
	if code != exitSignIn || !strings.Contains(out, `"signInRequired"`) {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errOut, "pimento login") {
		t.Errorf("stderr should name the command to run: %q", errOut)
	}
	_, errOut, code = c.run("status", "--profile", "work")
	if code != exitSignIn || !strings.Contains(errOut, "pimento login --profile work") {
		t.Errorf("profile: exit %d %q", code, errOut)
	}
}

// Every verb that acts on a role asks for the sign-in before it sends
// anything, whether or not it would use a cached list.
func TestRoleVerbsNeedASignInFirst(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"activate", "Global Administrator", "--duration", "30m", "--justification", "x"},
		{"deactivate", "Global Administrator"},
		{"deactivate", "Global Administrator", "--no-wait"},
		{"renew", "Global Reader"},
		{"cancel", "Privileged Role Administrator"},
	} {
		c.tn.ResetLog()
		out, errOut, code := c.run(args...)
		if code != exitSignIn || out != "" || !strings.Contains(errOut, "pimento login") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args[0], code, out, errOut)
		}
		if n := len(c.tn.Requests()); n != 0 {
			t.Errorf("%s: %d requests before a sign-in", args[0], n)
		}
	}
	// The last list outlives a logout; the verbs that would use it still
	// need the account first.
	c.login()
	if _, errOut, code := c.run("roles"); code != 0 {
		t.Fatalf("roles: exit %d: %s", code, errOut)
	}
	if _, errOut, code := c.run("logout"); code != 0 {
		t.Fatalf("logout: exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{
		{"deactivate", "Global Reader", "--no-wait"},
		{"activate", "Application Administrator", "--no-wait", "--duration", "30m", "--justification", "x"},
	} {
		c.tn.ResetLog()
		out, errOut, code := c.run(args...)
		if code != exitSignIn || out != "" || !strings.Contains(errOut, "pimento login") {
			t.Errorf("%s after logout with a cached list: exit %d, stdout %q, stderr %q", args[0], code, out, errOut)
		}
		if n := len(c.tn.Requests()); n != 0 {
			t.Errorf("%s after logout: %d requests", args[0], n)
		}
	}
}

func TestRolesJSONContract(t *testing.T) {
	c := newCLI(t)
	c.login()
	out, _, code := c.run("roles", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	roles := decode[[]map[string]any](t, out)
	byKey := map[string]map[string]any{}
	for _, r := range roles {
		for _, k := range []string{"name", "scope", "kind", "maxDuration", "requirements", "authContext"} {
			if _, ok := r[k]; !ok {
				t.Errorf("%v lacks %q", r["name"], k)
			}
		}
		key := r["name"].(string)
		if a, ok := r["accessId"].(string); ok {
			key += "/" + a
		}
		byKey[key] = r
	}
	hd := byKey["Helpdesk Administrator"]
	if hd["scope"] != "AU: Berlin Helpdesk" || hd["directoryScopeId"] != "/administrativeUnits/"+sim.DemoAUID || hd["kind"] != "directoryRole" {
		t.Errorf("AU role = %v", hd)
	}
	ga := byKey["Global Administrator"]
	if ga["authContext"] != "c1" || !containsAny(ga["requirements"], "authContext") {
		t.Errorf("Global Administrator = %v", ga)
	}
	ex := byKey["Exchange Administrator"]
	if ex["maxDuration"] != "PT2H" || ex["authContext"] != nil || !containsAny(ex["requirements"], "ticket") {
		t.Errorf("Exchange Administrator = %v", ex)
	}
	g := byKey["SG-Tier0-Break-Glass-Ops/owner"]
	if g["kind"] != "group" || g["groupId"] != sim.DemoGroupID {
		t.Errorf("group owner = %v", g)
	}
}

func containsAny(v any, want string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == want {
			return true
		}
	}
	return false
}

func TestActivateJSONAndProgressOnStderr(t *testing.T) {
	c := newCLI(t)
	c.login()
	out, errOut, code := c.run("activate", "exchange administrator", "--duration", "1h30m", "--justification", "CHG-1",
		"--ticket-number", "CHG-1", "--ticket-system", "SNOW", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	res := decode[[]map[string]any](t, out)
	if len(res) != 1 || res[0]["name"] != "Exchange Administrator" || res[0]["status"] != "Provisioned" || res[0]["effective"] != true {
		t.Fatalf("activate json = %v", res)
	}
	end, err := time.Parse(time.RFC3339, res[0]["endDateTime"].(string))
	if err != nil || end.Sub(c.tn.Now()) < 85*time.Minute {
		t.Errorf("endDateTime = %v", res[0]["endDateTime"])
	}
	if !strings.Contains(errOut, "verified") {
		t.Errorf("progress should go to stderr: %q", errOut)
	}
	// status and prompt now show it.
	out, _, _ = c.run("status", "--json")
	st := decode[[]map[string]any](t, out)
	found := false
	for _, s := range st {
		if s["name"] == "Exchange Administrator" {
			found = s["remainingSeconds"].(float64) > 80*60
		}
	}
	if !found {
		t.Errorf("status lacks the activation: %v", st)
	}
	out, _, _ = c.run("prompt")
	if !strings.Contains(out, "⚡ExchAdmin") {
		t.Errorf("prompt = %q", out)
	}
	out, _, _ = c.run("history", "--json")
	hist := decode[[]map[string]any](t, out)
	if len(hist) == 0 || hist[len(hist)-1]["justification"] != "CHG-1" || hist[len(hist)-1]["secondsToEffective"] == nil {
		t.Errorf("history = %v", hist)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	c := newCLI(t)
	c.login()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"activate", "Exchange Administrator", "--duration", "3h", "--justification", "x", "--ticket-number", "1", "--ticket-system", "s"}, "maximum of 2h"},
		{[]string{"activate", "Exchange Administrator", "--duration", "1h", "--justification", "x"}, "ticket"},
		{[]string{"activate", "User Administrator", "--duration", "1h"}, "justification"},
		{[]string{"activate", "User Administrator", "--duration", "soon"}, "1h30m"},
		{[]string{"activate", "Intune Administrator", "--duration", "PT0S"}, "positive"},
		{[]string{"activate", "Intune Administrator", "--duration", "PT-1H"}, "ISO 8601"},
		{[]string{"activate", "Intune Administrator", "--duration", "PT1.5H"}, "ISO 8601"},
		{[]string{"activate", "Intune Administrator", "--duration", "PT1H30X"}, "ISO 8601"},
		{[]string{"activate", "Intune Administrator", "--duration", "1m"}, "at least 5 minutes"},
		{[]string{"activate", "Intune Administrator", "--duration", "P110000D"}, "too long"},
		{[]string{"activate", "SG-Tier0-Break-Glass-Ops", "--justification", "x"}, "--access member or --access owner"},
		{[]string{"activate", "Teams Administrator", "--justification", "x"}, "no eligibility"},
		{[]string{"activate"}, "ROLE"},
		{[]string{"status", "--cloud", "mars"}, "unknown cloud"},
		{[]string{"status", "--bogus"}, "unknown flag"},
	}
	for _, tc := range cases {
		c.tn.ResetLog()
		out, errOut, code := c.run(tc.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (%s)", tc.args, code, errOut)
		}
		if !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 && !strings.Contains(errOut, "warning") {
			t.Errorf("%v: stderr %q should be one line naming %q", tc.args, errOut, tc.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", tc.args, out)
		}
		if n := c.tn.CountRequests("POST", "ScheduleRequests"); n != 0 {
			t.Errorf("%v: %d requests sent", tc.args, n)
		}
	}
}

func TestApprovalIsExit3(t *testing.T) {
	c := newCLI(t)
	c.login()
	out, _, code := c.run("activate", "Privileged Role Administrator", "--duration", "1h", "--justification", "x", "--json")
	if code != exitPending {
		t.Fatalf("exit %d, want 3", code)
	}
	res := decode[[]map[string]any](t, out)
	if res[0]["status"] != "PendingApproval" || res[0]["effective"] != false || res[0]["endDateTime"] != nil {
		t.Errorf("json = %v", res)
	}
	out, _, _ = c.run("status", "--json")
	if !strings.Contains(out, "pendingApproval") {
		t.Errorf("status should list the pending request: %s", out)
	}
	out, errOut, code := c.run("cancel", "privileged role administrator", "--json")
	if code != 0 {
		t.Fatalf("cancel: exit %d %s", code, errOut)
	}
	if res := decode[[]map[string]any](t, out); res[0]["status"] != "Canceled" {
		t.Errorf("cancel json = %v", res)
	}
	if _, errOut, code := c.run("cancel", "Privileged Role Administrator"); code != exitUsage || !strings.Contains(errOut, "waiting for approval") {
		t.Errorf("second cancel: exit %d %q", code, errOut)
	}
}

func TestStepUpWithoutTerminalUsesTheBrowserAndNoPromptIsExit4(t *testing.T) {
	c := newCLI(t, func(sc *sim.Scenario) { sc.StepUpNeedsInteraction = true })
	c.login()
	_, errOut, code := c.run("activate", "Global Administrator", "--duration", "30m", "--justification", "x", "--no-prompt", "--json")
	if code != exitSignIn || !strings.Contains(errOut, "pimento login") {
		t.Fatalf("--no-prompt: exit %d %q", code, errOut)
	}
	if n := c.tn.CountRequests("POST", "roleAssignmentScheduleRequests"); n != 0 {
		t.Fatalf("%d activation requests sent without the step-up", n)
	}
	before := c.opened
	out, errOut, code := c.run("activate", "Global Administrator", "--duration", "30m", "--justification", "x", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if c.opened != before+1 {
		t.Errorf("browser opened %d times for the step-up, want 1", c.opened-before)
	}
	if !strings.Contains(errOut, "sign-in context c1") {
		t.Errorf("stderr should say why the browser opened: %q", errOut)
	}
	res := decode[[]map[string]any](t, out)
	if res[0]["effective"] != true {
		t.Errorf("json = %v", res)
	}
}

func TestDeactivateTooSoonIsAState(t *testing.T) {
	c := newCLI(t)
	c.login()
	if _, errOut, code := c.run("activate", "Intune Administrator", "--duration", "1h"); code != 0 {
		t.Fatalf("activate: %s", errOut)
	}
	c.tn.ResetLog()
	out, _, code := c.run("deactivate", "Intune Administrator", "--json")
	if code != exitFailure {
		t.Fatalf("exit %d", code)
	}
	res := decode[[]map[string]any](t, out)
	if res[0]["status"] != "TooSoon" || res[0]["possibleAt"] == nil {
		t.Fatalf("json = %v", res)
	}
	if n := c.tn.CountRequests("POST", "roleAssignmentScheduleRequests"); n != 0 {
		t.Errorf("a deactivation that must fail was sent (%d)", n)
	}
	c.tn.Clock().Advance(6 * time.Minute)
	out, _, code = c.run("deactivate", "Intune Administrator")
	if code != 0 || !strings.Contains(out, "deactivated") || !strings.Contains(out, "other apps keep the role") {
		t.Fatalf("exit %d: %s", code, out)
	}
	_, errOut, code := c.run("deactivate", "Intune Administrator")
	if code != exitUsage || !strings.Contains(errOut, "not active") {
		t.Errorf("second deactivate: exit %d %q", code, errOut)
	}
}

var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)

func TestNoTokenTextInOutput(t *testing.T) {
	c := newCLI(t)
	c.login()
	for _, args := range [][]string{{"whoami"}, {"whoami", "--json"}, {"roles"}, {"status"}, {"doctor", "--json"}, {"activate", "Global Reader", "--duration", "1h"}} {
		out, errOut, _ := c.run(args...)
		if jwtLike.MatchString(out) || jwtLike.MatchString(errOut) {
			t.Errorf("%v printed a token", args)
		}
	}
	// Only the token cache may hold tokens.
	_ = filepath.Walk(c.home, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || strings.HasSuffix(p, "msal_cache.json") {
			return nil
		}
		b, _ := os.ReadFile(p)
		if jwtLike.Match(b) {
			t.Errorf("%s holds a token", p)
		}
		return nil
	})
}

func TestWhoamiAndDoctor(t *testing.T) {
	c := newCLI(t)
	c.login()
	out, _, code := c.run("whoami", "--json")
	if code != 0 {
		t.Fatal(code)
	}
	w := decode[map[string]any](t, out)
	if w["account"] != sim.DemoAdminUPN || !containsAny(w["roles"], "Global Reader") || w["tokenCache"] == "" {
		t.Errorf("whoami = %v", w)
	}
	out, _, _ = c.run("doctor", "--json")
	d := decode[map[string]any](t, out)
	if f, _ := d["findings"].([]any); len(f) != 0 {
		t.Errorf("the demo admin is clean, findings = %v", f)
	}
}

func TestKeyringUnavailableIsClear(t *testing.T) {
	c := newCLI(t)
	c.env["PIMENTO_TOKEN_CACHE"] = ""
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(c.home, "no-bus"))
	_, errOut, code := c.run("login")
	if code != exitFailure || !strings.Contains(errOut, "PIMENTO_TOKEN_CACHE=file") {
		t.Fatalf("exit %d: %q", code, errOut)
	}
}

func TestLoginWithoutAccountPinsWhoeverSignedIn(t *testing.T) {
	c := newCLI(t)
	_, errOut, code := c.run("login")
	if code != 0 || !strings.Contains(errOut, "Signed in as "+sim.DemoAdminUPN) {
		t.Fatalf("login: exit %d %q", code, errOut)
	}
	// Pinned now: another account in the browser is refused.
	c.tn.SetBrowserUser(sim.DemoApproverUPN)
	_, errOut, code = c.run("login")
	if code != exitSignIn || !strings.Contains(errOut, "accepts only "+sim.DemoAdminUPN) {
		t.Fatalf("other account: exit %d %q", code, errOut)
	}
	c.tn.SetBrowserUser("")
	if _, errOut, code := c.run("roles"); code != 0 {
		t.Fatalf("status after login: exit %d %q", code, errOut)
	}
}

func TestConfigFavouritesComeFirstAndBadConfigNamesTheLine(t *testing.T) {
	c := newCLI(t)
	cfg := filepath.Join(c.home, "pimento.toml")
	t.Setenv("PIMENTO_CONFIG", cfg)
	if err := os.WriteFile(cfg, []byte("[profiles.default]\nfavourite_roles = [\"Intune Administrator\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.login()
	out, _, _ := c.run("roles", "--json")
	roles := decode[[]map[string]any](t, out)
	if roles[0]["name"] != "Intune Administrator" {
		t.Errorf("first role = %v, want the favourite", roles[0]["name"])
	}
	if err := os.WriteFile(cfg, []byte("[profiles.default]\nfavourite_roles = []\ncolour = \"red\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := c.run("status")
	if code == 0 || !strings.Contains(errOut, "pimento.toml:3") || !strings.Contains(errOut, "colour") {
		t.Errorf("bad config: exit %d %q", code, errOut)
	}
}

func TestCompletionOffersCachedRoleNamesWithoutNetwork(t *testing.T) {
	c := newCLI(t)
	c.login()
	if _, _, code := c.run("roles"); code != 0 { // writes the local role list
		t.Fatal(code)
	}
	c.tn.ResetLog()
	out, _, code := c.run("__complete", "activate", "Exch")
	if code != 0 || !strings.Contains(out, "Exchange Administrator") || strings.Contains(out, "Global Reader") {
		t.Fatalf("completion: exit %d %q", code, out)
	}
	if n := len(c.tn.Requests()); n != 0 {
		t.Errorf("completion made %d requests", n)
	}
}

func TestVersion(t *testing.T) {
	c := newCLI(t)
	out, _, code := c.run("--version")
	if code != 0 || !strings.HasPrefix(out, "pimento ") {
		t.Fatalf("--version: exit %d %q", code, out)
	}
}

// A bad --access is bad input before anything else: no sign-in, no list.
func TestBadAccessIsUsageBeforeAnything(t *testing.T) {
	c := newCLI(t)
	for _, verb := range []string{"activate", "deactivate", "renew", "cancel"} {
		c.tn.ResetLog()
		out, errOut, code := c.run(verb, "SG-Tier0-Break-Glass-Ops", "--access", "admin")
		if code != exitUsage || out != "" || !strings.Contains(errOut, "--access must be member or owner") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", verb, code, out, errOut)
		}
		if n := len(c.tn.Requests()); n != 0 {
			t.Errorf("%s: %d requests for bad input", verb, n)
		}
	}
}
