package auth

import (
	"context"
	"encoding/base64"
	"net/url"
	"os"
	"strings"

	"github.com/microsoft/kiota-abstractions-go/authentication"
)

var getenv = os.Getenv

type tokenKey struct{}

type noPromptKey struct{}

// WithNoPrompt makes token requests made with ctx fail with a
// SignInRequiredError instead of opening a browser or showing a device code
// (for background work, such as a TUI's periodic reload).
func WithNoPrompt(ctx context.Context) context.Context {
	return context.WithValue(ctx, noPromptKey{}, true)
}

func noPrompt(ctx context.Context) bool {
	v, _ := ctx.Value(noPromptKey{}).(bool)
	return v
}

// WithToken makes Graph requests made with ctx carry exactly this token (the
// step-up token for a resent activation) instead of asking the session.
func WithToken(ctx context.Context, t Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

// GraphAuth is the authentication provider for msgraph-sdk-go. Tokens go
// only to the allowed Graph hosts; a claims challenge (CAE 401) steps up.
func (s *Session) GraphAuth() authentication.AuthenticationProvider {
	v, err := authentication.NewAllowedHostsValidatorErrorCheck(s.cfg.Endpoints.AllowedHosts())
	if err != nil {
		// Only malformed hosts fail; then no host is allowed and no token leaves.
		v = &authentication.AllowedHostsValidator{}
		_ = v.SetAllowedHostsErrorCheck([]string{"invalid.invalid"})
	}
	return authentication.NewBaseBearerTokenAuthenticationProvider(&graphTokens{s: s, hosts: v})
}

type graphTokens struct {
	s     *Session
	hosts *authentication.AllowedHostsValidator
}

func (g *graphTokens) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	return g.hosts
}

func (g *graphTokens) GetAuthorizationToken(ctx context.Context, u *url.URL, extra map[string]any) (string, error) {
	if !g.hosts.IsUrlHostValid(u) {
		return "", nil
	}
	// A claims challenge (CAE 401) wins over a token pinned to the request:
	// that token is what the resource just refused.
	if c, ok := extra["claims"].(string); ok && c != "" {
		claims := c
		if raw, err := base64.StdEncoding.DecodeString(c); err == nil && strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
			claims = string(raw)
		}
		t, err := g.s.StepUp(ctx, claims)
		return t.raw, err
	}
	if t, ok := ctx.Value(tokenKey{}).(Token); ok && t.raw != "" {
		return t.raw, nil
	}
	t, err := g.s.Token(ctx)
	return t.raw, err
}
