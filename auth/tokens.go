package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// Tokens hands out access tokens for one API (Graph, or Azure Resource
// Manager) from the session's pinned account: from MSAL's cache, refreshed
// silently through the one multi-resource refresh token, or, when the admin
// must sign in again, interactively.
type Tokens struct {
	s      *Session
	api    string // in words, e.g. "Azure Resource Manager"
	scopes []string
	// consentFails: missing consent is an error, never a prompt.
	consentFails bool

	mu   sync.Mutex
	last Token // the last token handed out, for "valid until" reports
}

func (t *Tokens) request(claims string) tokenRequest {
	return tokenRequest{scopes: t.scopes, api: t.api, claims: claims, consentFails: t.consentFails}
}

// Token returns an access token for the API.
func (t *Tokens) Token(ctx context.Context) (Token, error) {
	return t.keep(t.s.acquire(ctx, t.request("")))
}

// StepUp returns a token that satisfies the claims request (decoded JSON,
// e.g. {"access_token":{"acrs":{"essential":true,"value":"c1"}}}): silently
// if the session already satisfies it, else by browser or device code with
// the same claims and the pinned login hint.
func (t *Tokens) StepUp(ctx context.Context, claims string) (Token, error) {
	if claims == "" {
		claims = "{}"
	}
	return t.keep(t.s.acquire(ctx, t.request(claims)))
}

// ForceRefresh mints a new access token from the refresh token, skipping the
// cached one (MSAL Go has no ForceRefresh; a silent call with claims is one).
// The new token replaces the cached one; for Graph it carries the current
// wids, for ARM it makes ARM read the caller's role assignments afresh.
func (t *Tokens) ForceRefresh(ctx context.Context) (Token, error) {
	return t.keep(t.s.acquire(ctx, t.request("{}")))
}

// SignInAgain signs the pinned account in interactively (browser or device
// code), whatever the cache holds: the one way to a token from a fresh
// multi-factor sign-in, which no claims request can ask for (PIM's MfaRule
// carries no claims). With prompts forbidden it is a SignInRequiredError.
func (t *Tokens) SignInAgain(ctx context.Context) (Token, error) {
	if _, ok, err := t.s.account(ctx); err != nil {
		return Token{}, err
	} else if !ok {
		return Token{}, &SignInRequiredError{Reason: "not signed in", Command: t.s.loginCommand()}
	}
	if err := t.s.promptAllowed(ctx, nil); err != nil {
		return Token{}, err
	}
	res, err := t.s.interactive(ctx, t.request(""), t.s.cfg.DeviceCode, "")
	if err != nil {
		return Token{}, err
	}
	return t.keep(tokenOf(res, false), nil)
}

// LastToken is the last token handed out (for "valid until" reports).
func (t *Tokens) LastToken() (Token, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.last.raw != ""
}

func (t *Tokens) remember(tok Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last = tok
}

func (t *Tokens) keep(tok Token, err error) (Token, error) {
	if err == nil {
		t.remember(tok)
	}
	return tok, err
}

func (t *Tokens) forget() { t.remember(Token{}) }

// ConsentError means the app pimento signs in with may not get tokens for
// an API: nobody consented to it (AADSTS65001), or a first-party client may
// not ask for it at all (AADSTS65002). No sign-in fixes that.
type ConsentError struct {
	API      string
	Code     string // AADSTS65001 | AADSTS65002
	ClientID string
}

func (e *ConsentError) Error() string {
	perm := "its delegated permission"
	if e.API == armAPI {
		perm = "the delegated permission Azure Service Management user_impersonation"
	}
	fix := "an administrator must grant " + perm + " to this app (admin consent), or use your own app registration (see the README)"
	if e.Code == "AADSTS65002" {
		fix = "this Microsoft app cannot be given " + perm + "; register your own app with it (see the README)"
	}
	return fmt.Sprintf("the app %s may not call %s (%s): %s", e.ClientID, e.API, e.Code, fix)
}

// armAPI names Azure Resource Manager in messages.
const armAPI = "Azure Resource Manager"

var consentCodes = regexp.MustCompile(`AADSTS6500[12]\b`)

// consentError is err as a ConsentError when it is a missing consent for
// an API whose consent r lets fail (nil otherwise).
func (s *Session) consentError(r tokenRequest, err error) error {
	if code := consentCode(err); code != "" && r.consentFails {
		return &ConsentError{API: r.api, Code: code, ClientID: s.cfg.ClientID}
	}
	return nil
}

// consentCode is the AADSTS code of a missing consent, or "".
func consentCode(err error) string {
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) {
		return consentCodes.FindString(err.Error())
	}
	return consentCodes.FindString(ce.Err.Error())
}
