// Package app is pimento's application core: the one owner of "who am I"
// (the profile and its pinned account), "what duration" (Plan), "what time
// is it" (the server's clock) and "what was sent" (the journal, through
// the PIM service). The CLI and the TUI are thin front ends over the use
// cases here; neither talks HTTP or decides these things itself.
package app

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/internal/servertime"
	"github.com/pimento-cli/pimento/internal/state"
	"github.com/pimento-cli/pimento/pim"
)

// Config is what a front end hands the core: the resolved profile and the
// machine's seams. Tests replace the seams; the demo points them at sim/.
type Config struct {
	Profile *profile.Profile
	// Getenv reads endpoint overrides (PIMENTO_AUTHORITY, …); nil: os.Getenv.
	Getenv func(string) string
	// Transport carries every request to the identity provider and Graph
	// (TLS trust lives here); nil: the system's.
	Transport http.RoundTripper
	// OpenURL opens the browser; nil: $BROWSER or the platform opener.
	OpenURL func(string) error
	// BrowserAvailable says whether OpenURL can work; nil asks the OS.
	BrowserAvailable func() bool
	// DeviceCode prefers device codes to the browser; NoPrompt forbids
	// both (a needed sign-in is then exit 4).
	DeviceCode, NoPrompt bool
	// Interaction hears about sign-ins needed by calls that bring no
	// observer of their own (the CLI: stderr).
	Interaction auth.Interaction
	// LocalNow is the PC's clock (tests skew it); nil: time.Now.
	LocalNow func() time.Time
	// Debug receives diagnostics, never tokens; nil discards them.
	Debug io.Writer
	// NetworkTimeout bounds each non-interactive request (default 30s).
	NetworkTimeout time.Duration
	// InteractionTimeout bounds a browser or device code sign-in (5m).
	InteractionTimeout time.Duration
	// Poll bounds the wait until an activation is effective.
	Poll pim.PollConfig
	// Simulated marks the demo's tenant.
	Simulated bool
	// Cloud names the cloud in the header (default: the endpoints').
	Cloud string
}

// App is one profile's session, PIM service and local state, composed.
type App struct {
	cfg       Config
	profile   *profile.Profile
	endpoints auth.Endpoints
	clock     *servertime.Clock
	cache     *auth.TokenCache
	session   *auth.Session
	pim       *pim.Service
	journal   *state.Journal
	prompt    *state.PromptState
	local     *state.Cache // the last eligibilities, the server's clock offset
	debug     *debugLog

	inflight sync.WaitGroup

	mu      sync.Mutex
	account auth.Account // signed in, as far as this process knows
	last    *pim.Snapshot
}

// New composes the core for cfg.Profile. It opens the token cache (the
// keyring is asked, within ctx) but does not touch the network.
func New(ctx context.Context, cfg Config) (*App, error) {
	p := cfg.Profile
	if cfg.NetworkTimeout <= 0 {
		cfg.NetworkTimeout = 30 * time.Second
	}
	if cfg.Getenv == nil {
		cfg.Getenv = osGetenv
	}
	eps, err := auth.ResolveEndpoints(p.Cloud, p.Tenant, cfg.Getenv)
	if err != nil {
		return nil, &profile.UsageError{Msg: err.Error()}
	}
	a := &App{
		cfg: cfg, profile: p, endpoints: eps,
		clock:   servertime.New(cfg.LocalNow),
		journal: state.NewJournal(p.StateDir),
		prompt:  state.NewPromptState(p.StateDir),
		debug:   newDebugLog(cfg.Debug),
	}
	localNow := cfg.LocalNow
	if localNow == nil {
		localNow = time.Now
	}
	// The offset it keeps is the PC's clock against the server's, so its
	// age is the PC's too.
	a.local = state.OpenCache(p.CacheDir, "local.json", localNow)
	a.assumeOffset()
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// Every answer from the identity provider and from Graph tells the
	// server's time; every request is logged (never a token) with --debug.
	transport := a.clock.Transport(a.debug.transport(base))
	a.cache, err = auth.OpenCache(ctx, p.CacheMode, p.CacheDir, p.Name)
	if err != nil {
		return nil, err
	}
	// The identity provider's metadata comes from a file while it is fresh:
	// a cached access token then costs no round trip at all.
	idp := auth.NewMetadataCache(p.CacheDir, transport, time.Now)
	a.session, err = auth.New(auth.Config{
		ClientID: p.ClientID, Endpoints: eps, Profile: p.Name, PinnedAccount: pinnedOf(p),
		Cache: a.cache, HTTPClient: &http.Client{Transport: idp, Timeout: cfg.NetworkTimeout},
		OpenURL: cfg.OpenURL, BrowserAvailable: cfg.BrowserAvailable,
		DeviceCode: cfg.DeviceCode, NoPrompt: cfg.NoPrompt, Interaction: cfg.Interaction,
		InteractionTimeout: cfg.InteractionTimeout,
	})
	if err != nil {
		return nil, err
	}
	graph, err := pim.NewGraphClient(a.session.GraphAuth(), eps.GraphURL, transport, 2*cfg.NetworkTimeout)
	if err != nil {
		return nil, err
	}
	// Azure Resource Manager through the same transport (the server clock
	// learns from its Date headers too), with tokens for ARM's audience
	// from the same session.
	var armClient *pim.ARM
	var armTokens pim.Tokens
	azureOff := ""
	if p.Config.AzureEnabled() {
		armTokens = a.session.ARM()
		if armClient, err = pim.NewARMClient(a.session.ARM().Credential(), eps.ARMURL, eps.ARMResource, transport, 2*cfg.NetworkTimeout); err != nil {
			return nil, &profile.UsageError{Msg: err.Error()}
		}
	} else {
		azureOff = "Azure roles are off: azure = false in profile " + p.Name + " of " + p.ConfigPath + "; remove that line to list them"
	}
	a.pim = pim.New(pim.Options{
		Graph: graph, Tokens: a.session, ARM: armClient, ARMTokens: armTokens, AzureOff: azureOff, Account: p.Account,
		Cache:   state.OpenCache(p.CacheDir, "policies.json", a.clock.Now),
		Journal: a.journal, Now: a.clock.Now, ClockConfirmed: a.clock.Known, Poll: cfg.Poll, Debug: a.debug.w,
	})
	return a, nil
}

func pinnedOf(p *profile.Profile) string {
	if p.Pinned {
		return p.Account
	}
	return ""
}

// Profile is the profile the core acts for.
func (a *App) Profile() *profile.Profile { return a.profile }

// Endpoints are where it signs in and which Graph it talks to.
func (a *App) Endpoints() auth.Endpoints { return a.endpoints }

// TokenCache describes where tokens are kept.
func (a *App) TokenCache() *auth.TokenCache { return a.cache }

// Now is the server's time, as well as this process knows it.
func (a *App) Now() time.Time { return a.clock.Now() }

// ServerOffset is the server's clock minus the PC's.
func (a *App) ServerOffset() time.Duration { return a.clock.Offset() }

// Wait blocks until every use case in flight has finished writing what it
// knows (the journal, the prompt state), or until timeout. A front end
// calls it before the process ends: an interrupt, a quit with a request
// in flight, a closed terminal.
func (a *App) Wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() { a.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// track counts a use case in flight until the returned func is called.
func (a *App) track() func() {
	a.inflight.Add(1)
	return a.inflight.Done
}
