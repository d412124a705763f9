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

type noPromptKey struct{}

type interactionKey struct{}

// WithInteraction makes sign-ins needed by calls made with ctx tell in (a
// browser opened, a device code to show) instead of the session's default.
// The context is the only channel the Graph SDK lets through to a token
// request, so sign-in prompts travel with the call this way.
func WithInteraction(ctx context.Context, in Interaction) context.Context {
	return context.WithValue(ctx, interactionKey{}, in)
}

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
	// A claims challenge (CAE 401): the token just sent was refused.
	if c, ok := extra["claims"].(string); ok && c != "" {
		claims := c
		if raw, err := base64.StdEncoding.DecodeString(c); err == nil && strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
			claims = string(raw)
		}
		t, err := g.s.StepUp(ctx, claims)
		return t.raw, err
	}
	t, err := g.s.Token(ctx)
	return t.raw, err
}
