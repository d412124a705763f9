package auth_test

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// isolate points every user directory at a temp dir, so no test touches the
// developer's own config, cache, state or keyring items.
func isolate(t *testing.T) string { return simtest.Isolate(t) }

func startTenant(t *testing.T, mutate ...func(*sim.Scenario)) *sim.Tenant {
	t.Helper()
	return simtest.Start(t, append([]func(*sim.Scenario){func(sc *sim.Scenario) {
		sc.ProvisioningDelay = 0
		sc.DeviceCodeAutoApprove = false
	}}, mutate...)...)
}

func endpoints(t *testing.T, tn *sim.Tenant) auth.Endpoints {
	t.Helper()
	env := simtest.Env(tn)
	e, err := auth.ResolveEndpoints("global", "", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// recorder is an auth.Interaction that remembers what it was shown.
type recorder struct {
	mu     sync.Mutex
	opened []string
	codes  []auth.DeviceCode
	claims []string
	onCode func(auth.DeviceCode)
}

func (r *recorder) BrowserOpened(u, claims string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened = append(r.opened, u)
	r.claims = append(r.claims, claims)
}

func (r *recorder) DeviceCodeShown(dc auth.DeviceCode, claims string) {
	r.mu.Lock()
	r.codes = append(r.codes, dc)
	r.claims = append(r.claims, claims)
	r.mu.Unlock()
	if r.onCode != nil {
		r.onCode(dc)
	}
}

func (r *recorder) count() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.opened), len(r.codes)
}

func newSession(t *testing.T, tn *sim.Tenant, mod func(*auth.Config)) (*auth.Session, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg := auth.Config{
		Endpoints:     endpoints(t, tn),
		Profile:       "default",
		PinnedAccount: sim.DemoAdminUPN,
		HTTPClient:    tn.HTTPClient(),
		OpenURL:       tn.Browser(),
		Interaction:   rec,
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, rec
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestBrowserLoginPinsAccountAndDeclaresCP1(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, rec := newSession(t, tn, nil)
	acct, err := s.Login(ctx(t), false, "")
	if err != nil {
		t.Fatal(err)
	}
	if acct.Username != sim.DemoAdminUPN || acct.TenantID != sim.DemoTenantID {
		t.Fatalf("account = %+v", acct)
	}
	if n, _ := rec.count(); n != 1 {
		t.Fatalf("browser opened %d times, want 1", n)
	}
	u, _ := url.Parse(rec.opened[0])
	if got := u.Query().Get("login_hint"); got != sim.DemoAdminUPN {
		t.Errorf("login_hint = %q, want the pinned account", got)
	}
	tok, err := s.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.FromCache {
		t.Error("second token should come from the cache")
	}
	if len(tok.Facts.XmsCC) == 0 || tok.Facts.XmsCC[0] != "cp1" {
		t.Errorf("xms_cc = %v, want cp1 declared", tok.Facts.XmsCC)
	}
	if strings.Contains(tok.String(), tok.Bearer()) || strings.Contains(tok.GoString(), tok.Bearer()) {
		t.Error("Token's String must not reveal the token")
	}
}

func TestBrowserEnvVariableOpensTheURL(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	setBrowserEnv(t, tn)
	s, _ := newSession(t, tn, func(c *auth.Config) { c.OpenURL = nil })
	acct, err := s.Login(ctx(t), false, "")
	if err != nil {
		t.Fatal(err)
	}
	if acct.Username != sim.DemoAdminUPN {
		t.Fatalf("account = %s", acct.Username)
	}
}

// setBrowserEnv points $BROWSER at a script that plays the browser: it
// records the URL in the returned file and fetches it from the tenant.
func setBrowserEnv(t *testing.T, tn *sim.Tenant) (urls string) {
	t.Helper()
	dir := t.TempDir()
	ca, err := tn.WriteCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	urls = filepath.Join(dir, "urls.txt")
	script := filepath.Join(dir, "browser.sh")
	body := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + urls + "'\ncurl -s --cacert '" + ca + "' \"$1\" >/dev/null 2>&1 &\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", script)
	return urls
}

// TestStepUpThroughBrowserEnvWithoutTerminal: a step-up that needs the
// admin, from a process whose stdin and stdout are not terminals, goes
// through $BROWSER with the claims and the pinned login hint.
func TestStepUpThroughBrowserEnvWithoutTerminal(t *testing.T) {
	isolate(t)
	tn := startTenant(t, func(sc *sim.Scenario) { sc.StepUpNeedsInteraction = true })
	urls := setBrowserEnv(t, tn)
	s, rec := newSession(t, tn, func(c *auth.Config) { c.OpenURL = nil })
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tok, err := s.StepUp(ctx(t), auth.AuthContextClaims("c1"))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Facts.HasACRS("c1") {
		t.Fatalf("acrs = %v", tok.Facts.ACRS)
	}
	b, _ := os.ReadFile(urls)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("$BROWSER ran %d times, want login + step-up", len(lines))
	}
	u, _ := url.Parse(lines[1])
	if !strings.Contains(u.Query().Get("claims"), `"c1"`) || u.Query().Get("login_hint") != sim.DemoAdminUPN {
		t.Errorf("step-up URL lacks claims or login hint: %s", lines[1])
	}
	if n, _ := rec.count(); n != 2 {
		t.Errorf("interaction told of %d browser opens, want 2", n)
	}
}

func TestDeviceCodeLogin(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, rec := newSession(t, tn, func(c *auth.Config) { c.OpenURL = func(string) error { t.Error("browser must not open"); return nil } })
	rec.onCode = func(dc auth.DeviceCode) {
		if err := tn.ApproveDeviceCode(dc.UserCode, sim.DemoAdminUPN); err != nil {
			t.Error(err)
		}
	}
	acct, err := s.Login(ctx(t), true, "")
	if err != nil {
		t.Fatal(err)
	}
	if acct.Username != sim.DemoAdminUPN {
		t.Fatalf("account = %s", acct.Username)
	}
	if _, n := rec.count(); n != 1 || rec.codes[0].UserCode == "" || !strings.Contains(rec.codes[0].VerificationURL, "devicelogin") {
		t.Fatalf("device code not shown properly: %+v", rec.codes)
	}
}

func TestNoBrowserFallsBackToDeviceCode(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, rec := newSession(t, tn, func(c *auth.Config) {
		c.OpenURL = func(string) error { return auth.ErrNoBrowser }
	})
	rec.onCode = func(dc auth.DeviceCode) { _ = tn.ApproveDeviceCode(dc.UserCode, sim.DemoAdminUPN) }
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	if _, n := rec.count(); n != 1 {
		t.Fatalf("device codes shown = %d, want 1 after the browser failed", n)
	}
}

func TestOtherAccountIsRefused(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	tn.SetBrowserUser(sim.DemoApproverUPN)
	s, _ := newSession(t, tn, nil)
	_, err := s.Login(ctx(t), false, "")
	var mismatch *auth.AccountMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v, want AccountMismatchError", err)
	}
	if !strings.Contains(err.Error(), sim.DemoAdminUPN) || !strings.Contains(err.Error(), sim.DemoApproverUPN) {
		t.Errorf("message should name both accounts: %v", err)
	}
	if _, ok, _ := s.Account(ctx(t)); ok {
		t.Error("no account should be signed in after a refused sign-in")
	}
	if _, err := s.Token(ctx(t)); !isSignInRequired(err) {
		t.Errorf("Token after refusal: %v, want sign-in required", err)
	}
}

func isSignInRequired(err error) bool {
	var sr *auth.SignInRequiredError
	return errors.As(err, &sr)
}

func TestFileCacheIsSharedAcrossProcessesAndPrivate(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	dir := filepath.Join(t.TempDir(), "cache", "default")
	c1, err := auth.OpenCache(ctx(t), auth.CacheFile, dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := newSession(t, tn, func(c *auth.Config) { c.Cache = c1 })
	if _, err := s1.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(c1.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode = %v, want 0600", fi.Mode().Perm())
	}
	// A second "process": a fresh cache and client over the same file.
	c2, err := auth.OpenCache(ctx(t), auth.CacheFile, dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := newSession(t, tn, func(c *auth.Config) {
		c.Cache = c2
		c.OpenURL = func(string) error { t.Error("the second process must not prompt"); return nil }
		c.NoPrompt = true
	})
	tok, err := s2.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.FromCache {
		t.Error("the second process should reuse the cached token silently")
	}
}

func TestStepUpSilentWhenSessionAllows(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, rec := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tok, err := s.StepUp(ctx(t), auth.AuthContextClaims("c1"))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Facts.HasACRS("c1") {
		t.Fatalf("acrs = %v, want c1", tok.Facts.ACRS)
	}
	if n, _ := rec.count(); n != 1 {
		t.Fatalf("browser opened %d times, want only the login", n)
	}
	// The step-up token was written back: a plain silent call returns it.
	again, err := s.Token(ctx(t))
	if err != nil || !again.Facts.HasACRS("c1") {
		t.Fatalf("cached token after step-up: acrs=%v err=%v", again.Facts.ACRS, err)
	}
}

func TestStepUpThatNeedsInteraction(t *testing.T) {
	isolate(t)
	tn := startTenant(t, func(sc *sim.Scenario) { sc.StepUpNeedsInteraction = true })
	s, rec := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tok, err := s.StepUp(ctx(t), auth.AuthContextClaims("c1"))
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Facts.HasACRS("c1") {
		t.Fatalf("acrs = %v", tok.Facts.ACRS)
	}
	if n, _ := rec.count(); n != 2 {
		t.Fatalf("browser opened %d times, want login + step-up", n)
	}
	u, _ := url.Parse(rec.opened[1])
	if c := u.Query().Get("claims"); !strings.Contains(c, `"c1"`) || !strings.Contains(c, "cp1") {
		t.Errorf("step-up authorize claims = %q, want acrs c1 merged with cp1", c)
	}
	if u.Query().Get("login_hint") != sim.DemoAdminUPN {
		t.Error("step-up must send the pinned login hint")
	}

	// With --no-prompt the same need is exit-4 material, not a prompt.
	s2, _ := newSession(t, tn, func(c *auth.Config) { c.NoPrompt = true })
	if _, err := s2.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.StepUp(ctx(t), auth.AuthContextClaims("c2")); !isSignInRequired(err) {
		t.Fatalf("no-prompt step-up: %v, want SignInRequiredError", err)
	}
}

func TestForceRefreshMintsNewTokenWithCurrentWIDs(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, _ := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Token(ctx(t))
	if before.Facts.HasWID(sim.RoleExchangeAdministrator) {
		t.Fatal("Exchange Administrator should not be active yet")
	}
	activate(t, tn, sim.RoleExchangeAdministrator)
	cached, _ := s.Token(ctx(t))
	if cached.Facts.HasWID(sim.RoleExchangeAdministrator) {
		t.Fatal("a cached token cannot carry a role activated after it was minted")
	}
	called := tn.Now().Truncate(time.Second)
	fresh, err := s.ForceRefresh(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if fresh.FromCache || fresh.Facts.IssuedAt.Before(called) {
		t.Fatalf("ForceRefresh returned an old token (iat %v, call at %v)", fresh.Facts.IssuedAt, called)
	}
	if !fresh.Facts.HasWID(sim.RoleExchangeAdministrator) {
		t.Fatalf("fresh wids = %v, want Exchange Administrator", fresh.Facts.WIDs)
	}
}

// activate activates a role through the sim's Graph directly.
func activate(t *testing.T, tn *sim.Tenant, roleID string) {
	t.Helper()
	tok, err := tn.MintAccessToken(sim.DemoAdminUPN, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"action":"selfActivate","principalId":"` + sim.DemoAdminUserID + `","roleDefinitionId":"` + roleID +
		`","directoryScopeId":"/","justification":"test","ticketInfo":{"ticketNumber":"1","ticketSystem":"t"},` +
		`"scheduleInfo":{"startDateTime":"` + tn.Now().Format(time.RFC3339) + `","expiration":{"type":"afterDuration","duration":"PT1H"}}}`
	req, _ := newRequest("POST", tn.GraphURL()+"/roleManagement/directory/roleAssignmentScheduleRequests", body, tok)
	resp, err := tn.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("activation answered %d", resp.StatusCode)
	}
}

func TestLogoutWipes(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := auth.OpenCache(ctx(t), auth.CacheFile, dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = c })
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cache file still there after logout: %v", err)
	}
	if _, err := s.Token(ctx(t)); !isSignInRequired(err) {
		t.Fatalf("Token after logout: %v, want sign-in required", err)
	}
}

func TestUnavailableKeyringIsAClearError(t *testing.T) {
	isolate(t)
	keyring.MockInitWithError(errors.New("no Secret Service on the session bus"))
	t.Cleanup(keyring.MockInit)
	_, err := auth.OpenCache(ctx(t), auth.CacheKeyring, t.TempDir(), "default")
	var ku *auth.KeyringUnavailableError
	if !errors.As(err, &ku) {
		t.Fatalf("err = %v, want KeyringUnavailableError", err)
	}
	for _, want := range []string{"PIMENTO_TOKEN_CACHE=memory", "PIMENTO_TOKEN_CACHE=file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error should say how to opt in (%s): %v", want, err)
		}
	}
	if _, err := auth.OpenCache(ctx(t), "plaintext", t.TempDir(), "default"); err == nil {
		t.Error("an unknown cache mode must be refused")
	}
}

// TestKeyringCacheEncryptsAtRest runs the keyring backend with go-keyring's
// in-memory provider standing in for the OS store: the cache file must be
// ciphertext, and no file may hold a token in clear.
func TestKeyringCacheEncryptsAtRest(t *testing.T) {
	home := isolate(t)
	keyring.MockInit()
	tn := startTenant(t)
	dir := filepath.Join(home, "cache", "default")
	c, err := auth.OpenCache(ctx(t), auth.CacheKeyring, dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = c })
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tok, err := s.Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	assertNoTokenInFiles(t, home, tok.Bearer())
	fi, err := os.Stat(c.Path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("encrypted cache file: %v %v", fi, err)
	}
	// A new process over the same directory and keyring signs in silently.
	c2, err := auth.OpenCache(ctx(t), auth.CacheKeyring, dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = c2; cfg.NoPrompt = true })
	if _, err := s2.Token(ctx(t)); err != nil {
		t.Fatalf("second process: %v", err)
	}
}

func assertNoTokenInFiles(t *testing.T, root, token string) {
	t.Helper()
	sig := token[strings.LastIndex(token, ".")+1:]
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), sig) {
			t.Errorf("%s contains token text", p)
		}
		return nil
	})
}

func TestResolveEndpoints(t *testing.T) {
	none := func(string) string { return "" }
	e, err := auth.ResolveEndpoints("usgov", "contoso.us", none)
	if err != nil {
		t.Fatal(err)
	}
	if e.Authority != "https://login.microsoftonline.us/contoso.us" || e.GraphURL != "https://graph.microsoft.us/v1.0" {
		t.Fatalf("usgov endpoints = %+v", e)
	}
	if !strings.HasPrefix(e.Scopes()[0], "https://graph.microsoft.us/") {
		t.Errorf("scopes must name the cloud's Graph: %v", e.Scopes()[0])
	}
	if _, err := auth.ResolveEndpoints("mars", "", none); err == nil || !strings.Contains(err.Error(), "global") {
		t.Errorf("unknown cloud: %v", err)
	}
	env := map[string]string{"PIMENTO_GRAPH_URL": "https://graph.example.test:8443/v1.0", "PIMENTO_GRAPH_RESOURCE": "https://graph.microsoft.com"}
	e, err = auth.ResolveEndpoints("", "", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if e.AllowedHosts()[0] != "graph.example.test" || !strings.HasPrefix(e.Scopes()[0], "https://graph.microsoft.com/") {
		t.Errorf("custom graph: hosts %v scopes %v", e.AllowedHosts(), e.Scopes()[0])
	}
	if _, err := auth.ResolveEndpoints("", "", func(k string) string {
		if k == "PIMENTO_GRAPH_URL" {
			return "http://graph.example.test/v1.0"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("plaintext Graph off loopback must be refused: %v", err)
	}
	if _, err := auth.ResolveEndpoints("", "", func(k string) string {
		if k == "PIMENTO_AUTHORITY" {
			return "http://insecure/tenant"
		}
		return ""
	}); err == nil {
		t.Error("an http authority must be refused")
	}
}

// TestSecretServiceBackend uses the real OS keyring. .ci/run starts a
// headless Secret Service (dbus-run-session + gnome-keyring-daemon) and sets
// PIMENTO_TEST_SECRET_SERVICE=1; elsewhere the test says why it skips.
func TestSecretServiceBackend(t *testing.T) {
	if os.Getenv("PIMENTO_TEST_SECRET_SERVICE") != "1" {
		t.Skip("no headless Secret Service in this run (set up by .ci/run with dbus-run-session and gnome-keyring-daemon)")
	}
	home := isolate(t)
	tn := startTenant(t)
	dir := filepath.Join(home, "cache", "ci-"+strings.ReplaceAll(t.Name(), "/", "-"))
	c, err := auth.OpenCache(ctx(t), auth.CacheKeyring, dir, "ci-secret-service")
	if err != nil {
		t.Fatalf("real Secret Service: %v", err)
	}
	s, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = c })
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tok, _ := s.Token(ctx(t))
	assertNoTokenInFiles(t, home, tok.Bearer())
	c2, err := auth.OpenCache(ctx(t), auth.CacheKeyring, dir, "ci-secret-service")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = c2; cfg.NoPrompt = true })
	if _, err := s2.Token(ctx(t)); err != nil {
		t.Fatalf("second process over the real keyring: %v", err)
	}
	if err := s2.Logout(ctx(t)); err != nil {
		t.Fatalf("logout must delete the keyring item: %v", err)
	}
}

// A damaged token cache is said at once, naming the file (no retry loop
// until a deadline); logout deletes it; a sign-in replaces it.
func TestDamagedTokenCacheFailsFastAndIsReplaced(t *testing.T) {
	for _, mode := range []string{auth.CacheFile, auth.CacheKeyring} {
		t.Run(mode, func(t *testing.T) {
			home := isolate(t)
			keyring.MockInit()
			tn := startTenant(t)
			dir := filepath.Join(home, "cache", "default")
			open := func() *auth.TokenCache {
				c, err := auth.OpenCache(ctx(t), mode, dir, "default")
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			c := open()
			s, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = c })
			if _, err := s.Login(ctx(t), false, ""); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(c.Path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(c.Path, b[:len(b)/2], 0o600); err != nil {
				t.Fatal(err)
			}
			// A new process: the damage is reported at once, naming the file.
			s2, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = open(); cfg.NoPrompt = true })
			long, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			_, err = s2.Token(long)
			if !isSignInRequired(err) || !strings.Contains(err.Error(), c.Path) {
				t.Fatalf("Token over a damaged cache: %v", err)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %v to notice", took)
			}
			// Logout deletes it, damaged as it is.
			if err := s2.Logout(ctx(t)); err != nil {
				t.Fatalf("logout: %v", err)
			}
			if _, err := os.Stat(c.Path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the damaged cache survived logout: %v", err)
			}
			// Damage it again: a sign-in replaces it.
			if err := os.WriteFile(c.Path, []byte("{\"Acc"), 0o600); err != nil {
				t.Fatal(err)
			}
			s3, _ := newSession(t, tn, func(cfg *auth.Config) { cfg.Cache = open() })
			if _, err := s3.Login(ctx(t), false, ""); err != nil {
				t.Fatalf("login over a damaged cache: %v", err)
			}
			if _, err := s3.Token(ctx(t)); err != nil {
				t.Fatalf("after the sign-in replaced it: %v", err)
			}
		})
	}
}
