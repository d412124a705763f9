// Package auth owns every token pimento touches. It wraps the MSAL Go public
// client: sign-in of the pinned admin account (browser on loopback or device
// code), the encrypted token cache, step-up to an authentication context,
// forced refresh, and the facts a token carries. Nothing else in pimento
// talks to the identity provider.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// Config configures a Session.
type Config struct {
	ClientID  string
	Endpoints Endpoints
	Profile   string
	// PinnedAccount is the admin account (UPN) this profile acts as. Empty
	// only before the first login, which pins whoever signs in.
	PinnedAccount string
	Cache         *TokenCache  // nil: in memory
	HTTPClient    *http.Client // nil: default client, system roots
	// OpenURL opens the browser; nil uses OpenBrowser. Tests inject one.
	OpenURL func(url string) error
	// BrowserAvailable says whether OpenURL can work; nil asks the OS.
	BrowserAvailable func() bool
	// DeviceCode prefers the device code flow over the browser.
	DeviceCode bool
	// NoPrompt turns every needed interaction into a SignInRequiredError.
	NoPrompt bool
	// Interaction is told about browsers opened and device codes to show,
	// unless the call's context carries its own (WithInteraction).
	Interaction Interaction
	// InteractionTimeout bounds a browser or device code sign-in (default 5m).
	InteractionTimeout time.Duration
}

// Session signs in one profile's pinned admin account and hands out tokens
// for Graph and, from the same refresh token, for Azure Resource Manager.
type Session struct {
	cfg    Config
	client public.Client
	graph  *Tokens
	arm    *Tokens

	mu     sync.Mutex
	pinned string // the pinned admin account; "" before the first sign-in
}

// SignInRequiredError means an interactive sign-in is needed and not allowed
// or failed: exit code 4, with the command to run.
type SignInRequiredError struct {
	Reason  string
	Command string // e.g. "pimento login --profile work"
	Err     error
}

func (e *SignInRequiredError) Error() string {
	return fmt.Sprintf("%s: run `%s`", e.Reason, e.Command)
}

func (e *SignInRequiredError) Unwrap() error { return e.Err }

// AccountMismatchError means someone signed in as an account other than the
// pinned (or asked-for) admin account. Nothing of that account is kept.
type AccountMismatchError struct {
	Pinned, Got, Profile string
}

func (e *AccountMismatchError) Error() string {
	logout := "pimento logout"
	if e.Profile != "" && e.Profile != "default" {
		logout += " --profile " + e.Profile
	}
	return fmt.Sprintf("signed in as %s, but this profile accepts only %s: nothing of %s was kept; sign in as %s, run `%s` to unpin the profile, or use another --profile", e.Got, e.Pinned, e.Got, e.Pinned, logout)
}

// New builds a session. It does not contact the network.
func New(cfg Config) (*Session, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.InteractionTimeout == 0 {
		cfg.InteractionTimeout = 5 * time.Minute
	}
	opts := []public.Option{
		public.WithAuthority(cfg.Endpoints.Authority),
		// cp1: Graph sends claims challenges (and CAE tokens) only to
		// clients that declare it; it also makes WithClaims("{}") a refresh.
		public.WithClientCapabilities([]string{"cp1"}),
	}
	if cfg.Endpoints.Custom {
		opts = append(opts, public.WithInstanceDiscovery(false))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, public.WithHTTPClient(cfg.HTTPClient))
	}
	if cfg.Cache != nil && cfg.Cache.ExportReplace != nil {
		opts = append(opts, public.WithCache(cfg.Cache.ExportReplace))
	}
	client, err := public.New(cfg.ClientID, opts...)
	if err != nil {
		return nil, fmt.Errorf("set up sign-in: %w", err)
	}
	s := &Session{cfg: cfg, client: client, pinned: cfg.PinnedAccount}
	s.graph = &Tokens{s: s, api: "Microsoft Graph", scopes: cfg.Endpoints.Scopes()}
	s.arm = &Tokens{s: s, api: armAPI, scopes: cfg.Endpoints.ARMScopes(), consentFails: true}
	return s, nil
}

// ARM is the session's tokens for Azure Resource Manager: the same pinned
// account and refresh token as Graph, another audience.
func (s *Session) ARM() *Tokens { return s.arm }

// interaction is who is told about a sign-in needed by a call made with ctx.
func (s *Session) interaction(ctx context.Context) Interaction {
	if in, ok := ctx.Value(interactionKey{}).(Interaction); ok && in != nil {
		return in
	}
	return s.cfg.Interaction
}

// Pinned is the pinned admin account's UPN ("" before the first login).
func (s *Session) Pinned() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pinned
}

// Pin makes upn the only account the session acts as. The application
// core calls it once the profile has saved the pin: the session never pins
// by itself.
func (s *Session) Pin(upn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pinned = upn
}

// Config returns the session's configuration.
func (s *Session) Config() Config { return s.cfg }

func (s *Session) loginCommand() string {
	cmd := "pimento login"
	if s.cfg.Profile != "" && s.cfg.Profile != "default" {
		cmd += " --profile " + s.cfg.Profile
	}
	return cmd
}

// account finds the pinned account in the cache.
func (s *Session) account(ctx context.Context) (public.Account, bool, error) {
	pinned := s.Pinned()
	if pinned == "" {
		return public.Account{}, false, nil
	}
	accts, err := s.client.Accounts(ctx)
	if err != nil {
		return public.Account{}, false, s.cacheError(err)
	}
	for _, a := range accts {
		if strings.EqualFold(a.PreferredUsername, pinned) {
			return a, true, nil
		}
	}
	return public.Account{}, false, nil
}

// cacheError says a token cache failure in words: a damaged cache is a
// sign-in (exit 4) that replaces it.
func (s *Session) cacheError(err error) error {
	var d *DamagedCacheError
	if errors.As(err, &d) {
		return &SignInRequiredError{Reason: d.Error(), Command: s.loginCommand(), Err: err}
	}
	return fmt.Errorf("read the token cache: %w", err)
}

// Account returns the signed-in pinned account, if it is in the cache.
func (s *Session) Account(ctx context.Context) (Account, bool, error) {
	a, ok, err := s.account(ctx)
	if err != nil || !ok {
		return Account{}, ok, err
	}
	return toAccount(a), true, nil
}

func toAccount(a public.Account) Account {
	return Account{Username: a.PreferredUsername, Name: a.Name, TenantID: a.Realm, HomeAccountID: a.HomeAccountID}
}

// Token returns an access token for Graph: from the cache, refreshed
// silently, or, when the admin must sign in again, interactively.
func (s *Session) Token(ctx context.Context) (Token, error) { return s.graph.Token(ctx) }

// StepUp returns a Graph token that satisfies the claims request (see
// Tokens.StepUp).
func (s *Session) StepUp(ctx context.Context, claims string) (Token, error) {
	return s.graph.StepUp(ctx, claims)
}

// SignInAgain signs in interactively for Graph (see Tokens.SignInAgain).
func (s *Session) SignInAgain(ctx context.Context) (Token, error) { return s.graph.SignInAgain(ctx) }

// AuthContextClaims is the claims request for an authentication context.
func AuthContextClaims(value string) string {
	return fmt.Sprintf(`{"access_token":{"acrs":{"essential":true,"value":%q}}}`, value)
}

// ForceRefresh mints a new Graph token (see Tokens.ForceRefresh).
func (s *Session) ForceRefresh(ctx context.Context) (Token, error) { return s.graph.ForceRefresh(ctx) }

// LastToken is the last Graph token handed out (for "valid until" reports).
func (s *Session) LastToken() (Token, bool) { return s.graph.LastToken() }

// tokenRequest is one token wanted: for which scopes, with which claims
// (decoded JSON; "" for none), in which tenant ("" for the session's).
type tokenRequest struct {
	scopes []string
	api    string // the API in words, for messages
	claims string
	tenant string
	// consentFails: missing consent is an error, never a prompt (ARM: a
	// first-party client cannot consent to it at all, AADSTS65002).
	consentFails bool
}

func (s *Session) acquire(ctx context.Context, r tokenRequest) (Token, error) {
	acct, ok, err := s.account(ctx)
	if err != nil {
		return Token{}, err
	}
	if !ok {
		reason := "not signed in"
		if p := s.Pinned(); p != "" {
			reason = "no sign-in of " + p + " is cached"
		}
		return Token{}, &SignInRequiredError{Reason: reason, Command: s.loginCommand()}
	}
	opts := []public.AcquireSilentOption{public.WithSilentAccount(acct)}
	if r.claims != "" {
		opts = append(opts, public.WithClaims(r.claims))
	}
	if r.tenant != "" {
		opts = append(opts, public.WithTenantID(r.tenant))
	}
	res, err := s.client.AcquireTokenSilent(ctx, r.scopes, opts...)
	if err == nil {
		return tokenOf(res, res.Metadata.TokenSource == public.TokenSourceCache), nil
	}
	if ctx.Err() != nil {
		return Token{}, ctx.Err()
	}
	var damaged *DamagedCacheError
	if errors.As(err, &damaged) {
		return Token{}, s.cacheError(err)
	}
	if cerr := s.consentError(r, err); cerr != nil {
		return Token{}, cerr
	}
	if !needsInteraction(err) {
		return Token{}, fmt.Errorf("get a token for %s: %s", r.api, describeMSALError(err))
	}
	if err := s.promptAllowed(ctx, err); err != nil {
		return Token{}, err
	}
	res, err = s.interactive(ctx, r, s.cfg.DeviceCode, "")
	if err != nil {
		return Token{}, err
	}
	return tokenOf(res, false), nil
}

// promptAllowed is nil when a sign-in may open a browser or show a device
// code, else the SignInRequiredError (exit 4) that says so.
func (s *Session) promptAllowed(ctx context.Context, cause error) error {
	if !s.cfg.NoPrompt && !noPrompt(ctx) {
		return nil
	}
	reason := "signing in again is needed"
	if s.cfg.NoPrompt {
		reason += " and --no-prompt was given"
	}
	return &SignInRequiredError{Reason: reason, Command: s.loginCommand(), Err: cause}
}

func tokenOf(res public.AuthResult, fromCache bool) Token {
	t := NewToken(res.AccessToken, fromCache)
	t.expiresOn, t.refreshOn = res.ExpiresOn, res.Metadata.RefreshOn
	return t
}

// Login signs in interactively (browser, or device code when asked or when
// no browser can be opened) and returns the account. With a pinned account
// the login hint is sent and any other account is refused; expect, when
// not empty, is the account asked for before the first sign-in (a hint,
// and the only account accepted). Pinning is the caller's decision.
func (s *Session) Login(ctx context.Context, deviceCode bool, expect string) (Account, error) {
	var damaged *DamagedCacheError
	if _, err := s.client.Accounts(ctx); errors.As(err, &damaged) && s.cfg.Cache != nil {
		// A sign-in replaces a cache nobody can read any more.
		if err := s.cfg.Cache.Wipe(ctx); err != nil {
			return Account{}, fmt.Errorf("replace the damaged token cache %s: %w", damaged.Path, err)
		}
	}
	res, err := s.interactive(ctx, s.graph.request(""), s.cfg.DeviceCode || deviceCode, expect)
	if err != nil {
		return Account{}, err
	}
	s.graph.remember(tokenOf(res, false))
	return toAccount(res.Account), nil
}

func (s *Session) browserAvailable() bool {
	if s.cfg.BrowserAvailable != nil {
		return s.cfg.BrowserAvailable()
	}
	if s.cfg.OpenURL != nil {
		return true
	}
	return BrowserAvailable(getenv)
}

func (s *Session) interactive(ctx context.Context, r tokenRequest, deviceCode bool, expect string) (public.AuthResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.InteractionTimeout)
	defer cancel()
	want := s.Pinned()
	if want == "" {
		want = expect
	}
	var (
		res public.AuthResult
		err error
	)
	if !deviceCode && s.browserAvailable() {
		res, err = s.viaBrowser(ctx, r, want)
		if errors.Is(err, ErrNoBrowser) {
			res, err = s.viaDeviceCode(ctx, r)
		}
	} else {
		res, err = s.viaDeviceCode(ctx, r)
	}
	if err != nil {
		var mismatch *AccountMismatchError
		if errors.As(err, &mismatch) {
			return res, err
		}
		if cerr := s.consentError(r, err); cerr != nil {
			return res, cerr
		}
		reason := "sign-in did not complete"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "sign-in timed out"
		}
		return res, &SignInRequiredError{Reason: reason + " (" + describeMSALError(err) + ")", Command: s.loginCommand(), Err: err}
	}
	if want != "" && !strings.EqualFold(res.Account.PreferredUsername, want) {
		// Keep nothing of an account we will not act as.
		_ = s.client.RemoveAccount(context.WithoutCancel(ctx), res.Account)
		return public.AuthResult{}, &AccountMismatchError{Pinned: want, Got: res.Account.PreferredUsername, Profile: s.cfg.Profile}
	}
	return res, nil
}

func (s *Session) viaBrowser(ctx context.Context, r tokenRequest, want string) (public.AuthResult, error) {
	claims := r.claims
	open := s.cfg.OpenURL
	if open == nil {
		open = OpenBrowser
	}
	in := s.interaction(ctx)
	opts := []public.AcquireInteractiveOption{
		public.WithOpenURL(func(u string) error {
			if err := open(u); err != nil {
				return err
			}
			if in != nil {
				in.BrowserOpened(u, claims)
			}
			return nil
		}),
	}
	if want != "" {
		opts = append(opts, public.WithLoginHint(want))
	}
	if claims != "" {
		opts = append(opts, public.WithClaims(claims))
	}
	if r.tenant != "" {
		opts = append(opts, public.WithTenantID(r.tenant))
	}
	return s.client.AcquireTokenInteractive(ctx, r.scopes, opts...)
}

func (s *Session) viaDeviceCode(ctx context.Context, r tokenRequest) (public.AuthResult, error) {
	claims := r.claims
	var opts []public.AcquireByDeviceCodeOption
	if claims != "" {
		opts = append(opts, public.WithClaims(claims))
	}
	if r.tenant != "" {
		opts = append(opts, public.WithTenantID(r.tenant))
	}
	dc, err := s.client.AcquireTokenByDeviceCode(ctx, r.scopes, opts...)
	if err != nil {
		return public.AuthResult{}, err
	}
	if in := s.interaction(ctx); in != nil {
		in.DeviceCodeShown(DeviceCode{
			UserCode:        dc.Result.UserCode,
			VerificationURL: dc.Result.VerificationURL,
			Message:         dc.Result.Message,
			ExpiresAt:       dc.Result.ExpiresOn,
		}, claims)
	}
	return dc.AuthenticationResult(ctx)
}

// Logout removes every account and wipes this profile's cached tokens. A
// cache that cannot be read is deleted all the same.
func (s *Session) Logout(ctx context.Context) error {
	if accts, err := s.client.Accounts(ctx); err == nil {
		for _, a := range accts {
			// The wipe below removes whatever this leaves.
			_ = s.client.RemoveAccount(ctx, a)
		}
	}
	s.graph.forget()
	s.arm.forget()
	if s.cfg.Cache != nil {
		if err := s.cfg.Cache.Wipe(ctx); err != nil {
			return fmt.Errorf("delete the token cache %s: %w", s.cfg.Cache.Path, err)
		}
	}
	return nil
}

// needsInteraction reports whether a silent failure can be fixed by signing
// in (invalid_grant, interaction_required, no refresh token).
func needsInteraction(err error) bool {
	var ce msalerrors.CallErr
	if errors.As(err, &ce) {
		if ce.Resp != nil && ce.Resp.StatusCode >= 500 {
			return false
		}
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "no token found") || strings.Contains(msg, "refresh token") || strings.Contains(msg, "invalid_grant") || strings.Contains(msg, "interaction_required")
}

// describeMSALError keeps the AADSTS line of an error and drops bodies that
// could carry anything sensitive.
func describeMSALError(err error) string {
	var ce msalerrors.CallErr
	if errors.As(err, &ce) {
		msg := ce.Err.Error()
		if i := strings.Index(msg, "AADSTS"); i >= 0 {
			msg = msg[i:]
			if j := strings.IndexAny(msg, "\r\n\"}"); j > 0 {
				msg = msg[:j]
			}
			return msg
		}
		if ce.Resp != nil {
			return fmt.Sprintf("the identity provider answered HTTP %d", ce.Resp.StatusCode)
		}
	}
	return err.Error()
}
