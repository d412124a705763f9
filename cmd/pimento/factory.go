package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/config"
	"github.com/pimento-cli/pimento/pim"
)

// globalFlags are the flags every command shares.
type globalFlags struct {
	profile    string
	account    string
	tenant     string
	cloud      string
	clientID   string
	noPrompt   bool
	deviceCode bool
	debug      string
}

// Factory builds each dependency lazily, in dependency order, once. Tests
// replace the function-valued fields.
type Factory struct {
	IO    *IOStreams
	flags globalFlags

	// Getenv reads the environment (tests isolate it).
	Getenv func(string) string
	// HTTPClient is used for sign-in and Graph; nil uses the system roots.
	HTTPClient *http.Client
	// OpenURL opens the browser; nil uses $BROWSER or the platform opener.
	OpenURL func(string) error
	// Now is the clock.
	Now func() time.Time

	once     sync.Once
	settings settings
	setErr   error

	sessOnce sync.Once
	session  *auth.Session
	cache    *auth.TokenCache
	sessErr  error

	svcOnce sync.Once
	svc     *pim.Service
	svcErr  error
	debugW  io.Writer
}

// settings is the resolved profile: flags over environment over config.
type settings struct {
	Profile       string
	Account       string // pinned UPN ("" before the first login)
	Tenant        string
	Cloud         string
	ClientID      string
	Endpoints     auth.Endpoints
	CacheMode     string
	CacheDir      string
	StateDir      string
	ConfigPath    string
	Config        config.Profile
	ExpiryWarning time.Duration
	Default       time.Duration
}

func (f *Factory) getenv(k string) string {
	if f.Getenv != nil {
		return f.Getenv(k)
	}
	return os.Getenv(k)
}

// Settings resolves the profile.
func (f *Factory) Settings() (settings, error) {
	f.once.Do(func() { f.settings, f.setErr = f.resolve() })
	return f.settings, f.setErr
}

func (f *Factory) resolve() (settings, error) {
	var s settings
	path, err := config.Path()
	if err != nil {
		return s, err
	}
	s.ConfigPath = path
	file, err := config.Load(path)
	if err != nil {
		return s, usagef("%v (fix it with `pimento config edit`)", err)
	}
	s.Profile = firstNonEmpty(f.flags.profile, f.getenv("PIMENTO_PROFILE"), file.DefaultProfile, "default")
	if !config.ValidProfileName(s.Profile) {
		return s, usagef("profile name %q: use letters, digits, '.', '_' or '-'", s.Profile)
	}
	p := file.Profiles[s.Profile]
	s.Config = p
	s.Default, s.ExpiryWarning = p.Durations()
	if s.ExpiryWarning == 0 {
		s.ExpiryWarning = 10 * time.Minute
	}
	s.StateDir, err = stateDir(s.Profile)
	if err != nil {
		return s, err
	}
	pinned := loadPinned(s.StateDir)
	s.Account = firstNonEmpty(f.flags.account, f.getenv("PIMENTO_ACCOUNT"), p.Account, pinned.Account)
	s.Tenant = firstNonEmpty(f.flags.tenant, f.getenv("PIMENTO_TENANT"), p.Tenant, pinned.Tenant)
	s.Cloud = firstNonEmpty(f.flags.cloud, f.getenv("PIMENTO_CLOUD"), p.Cloud, "global")
	s.ClientID = firstNonEmpty(f.flags.clientID, f.getenv("PIMENTO_CLIENT_ID"), p.ClientID, auth.DefaultClientID)
	s.Endpoints, err = auth.ResolveEndpoints(s.Cloud, s.Tenant, f.getenv)
	if err != nil {
		return s, usagef("%v", err)
	}
	s.CacheMode = firstNonEmpty(f.getenv("PIMENTO_TOKEN_CACHE"), auth.CacheKeyring)
	cacheRoot, err := os.UserCacheDir()
	if err != nil {
		return s, fmt.Errorf("find the cache directory: %w", err)
	}
	s.CacheDir = filepath.Join(cacheRoot, "pimento", s.Profile)
	return s, nil
}

// stateDir is where the journal, prompt state and pinned account live:
// $XDG_STATE_HOME/pimento/PROFILE (~/.local/state on Unix), the local app
// data folder on Windows.
func stateDir(profile string) (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pimento", profile), nil
	}
	if runtime.GOOS == "windows" {
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "pimento", "state", profile), nil
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home directory: %w", err)
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support", "pimento", "state", profile), nil
	}
	return filepath.Join(home, ".local", "state", "pimento", profile), nil
}

// pinnedAccount is what `pimento login` pinned for a profile.
type pinnedAccount struct {
	Account string `json:"account"`
	Tenant  string `json:"tenant"`
}

func loadPinned(dir string) pinnedAccount {
	var p pinnedAccount
	b, err := os.ReadFile(filepath.Join(dir, "account.json"))
	if err == nil {
		_ = json.Unmarshal(b, &p)
	}
	return p
}

func savePinned(dir string, p pinnedAccount) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	return os.WriteFile(filepath.Join(dir, "account.json"), b, 0o600)
}

// Session is the MSAL session of the profile.
func (f *Factory) Session() (*auth.Session, error) {
	f.sessOnce.Do(func() {
		s, err := f.Settings()
		if err != nil {
			f.sessErr = err
			return
		}
		ctx := context.Background()
		f.cache, err = auth.OpenCache(ctx, s.CacheMode, s.CacheDir, s.Profile)
		if err != nil {
			f.sessErr = err
			return
		}
		if f.cache.Mode == auth.CacheFile {
			fmt.Fprintf(f.IO.ErrOut, "warning: tokens are stored unencrypted in %s (PIMENTO_TOKEN_CACHE=file)\n", f.cache.Path)
		}
		f.session, f.sessErr = auth.New(auth.Config{
			ClientID:      s.ClientID,
			Endpoints:     s.Endpoints,
			Profile:       s.Profile,
			PinnedAccount: s.Account,
			Cache:         f.cache,
			HTTPClient:    f.HTTPClient,
			OpenURL:       f.OpenURL,
			DeviceCode:    f.flags.deviceCode,
			NoPrompt:      f.flags.noPrompt,
			Interaction:   &stderrInteraction{w: f.IO.ErrOut, account: s.Account},
		})
	})
	return f.session, f.sessErr
}

// Service is the PIM service of the profile.
func (f *Factory) Service() (*pim.Service, error) {
	f.svcOnce.Do(func() {
		sess, err := f.Session()
		if err != nil {
			f.svcErr = err
			return
		}
		s, _ := f.Settings()
		var transport http.RoundTripper
		if f.HTTPClient != nil {
			transport = f.HTTPClient.Transport
		}
		g, err := pim.NewGraphClient(sess.GraphAuth(), s.Endpoints.GraphURL, transport)
		if err != nil {
			f.svcErr = err
			return
		}
		now := f.Now
		if now == nil {
			now = time.Now
		}
		f.svc = pim.New(pim.Options{Graph: g, Tokens: sess, Account: s.Account, CacheDir: s.CacheDir, StateDir: s.StateDir, Now: now, Debug: f.debugWriter()})
	})
	return f.svc, f.svcErr
}

// RequireAccount fails with exit 4 when no account is pinned yet.
func (f *Factory) RequireAccount() error {
	s, err := f.Settings()
	if err != nil {
		return err
	}
	if s.Account == "" {
		cmd := "pimento login"
		if s.Profile != "default" {
			cmd += " --profile " + s.Profile
		}
		return &auth.SignInRequiredError{Reason: "no admin account is signed in for profile " + s.Profile, Command: cmd}
	}
	return nil
}

func (f *Factory) debugWriter() io.Writer {
	if f.debugW != nil {
		return f.debugW
	}
	f.debugW = io.Discard
	if f.flags.debug != "" {
		fh, err := os.OpenFile(f.flags.debug, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err == nil {
			f.debugW = fh
		}
	}
	return f.debugW
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// stderrInteraction tells the admin on stderr what sign-in needs them, so it
// works without a terminal and never touches stdout.
type stderrInteraction struct {
	w       io.Writer
	account string
}

func (s *stderrInteraction) BrowserOpened(_ string, claims string) {
	who := ""
	if s.account != "" {
		who = " as " + s.account
	}
	fmt.Fprintf(s.w, "Opened your browser to sign in%s%s. Waiting for you to finish there…\n", who, claimsNote(claims))
}

func (s *stderrInteraction) DeviceCodeShown(dc auth.DeviceCode, claims string) {
	who := ""
	if s.account != "" {
		who = " Sign in as " + s.account + "."
	}
	fmt.Fprintf(s.w, "To sign in%s, open %s and enter the code %s (expires %s).%s\n", claimsNote(claims), dc.VerificationURL, dc.UserCode, dc.ExpiresAt.Local().Format("15:04"), who)
}

// claimsNote says why a prompt appeared, from the claims request it carries.
func claimsNote(claims string) string {
	var c struct {
		AccessToken struct {
			Acrs *struct {
				Value  string   `json:"value"`
				Values []string `json:"values"`
			} `json:"acrs"`
		} `json:"access_token"`
	}
	if claims == "" || json.Unmarshal([]byte(claims), &c) != nil || c.AccessToken.Acrs == nil {
		return ""
	}
	v := c.AccessToken.Acrs.Value
	if v == "" {
		v = strings.Join(c.AccessToken.Acrs.Values, " or ")
	}
	if v == "" {
		return " (your role needs a stronger sign-in)"
	}
	return " (your role needs the sign-in context " + v + ")"
}
