package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Credential adapts the tokens to azcore.TokenCredential, so the Azure SDK
// authorizes its requests with the session's pinned account and handles
// ARM's claims challenges itself: on a 401 with insufficient_claims it asks
// again with the challenge's claims and replays the request once.
//
// The SDK's bearer policy keeps the token it got for the life of its
// client; pimento builds a client per operation, so an operation after a
// step-up sends the stepped-up token MSAL now holds.
func (t *Tokens) Credential() azcore.TokenCredential { return credential{t} }

type credential struct{ t *Tokens }

// GetToken answers the SDK. EnableCAE needs nothing here: the session
// always declares the client capability cp1, so every token is CAE-capable.
// A tenant other than the session's is passed on to MSAL, as azidentity
// does; the session never signs in as another account.
func (c credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if len(opts.Scopes) == 0 {
		return azcore.AccessToken{}, errors.New("the Azure SDK asked for a token without a scope")
	}
	if !slices.EqualFunc(opts.Scopes, c.t.scopes, strings.EqualFold) {
		return azcore.AccessToken{}, errors.New("pimento gives the Azure SDK tokens for " + strings.Join(c.t.scopes, " ") + " only, not for " + strings.Join(opts.Scopes, " "))
	}
	r := c.t.request(opts.Claims)
	r.tenant = c.t.s.otherTenant(opts.TenantID)
	tok, err := c.t.keep(c.t.s.acquire(ctx, r))
	if err != nil {
		return azcore.AccessToken{}, err
	}
	exp := tok.expiresOn
	if exp.IsZero() {
		exp = tok.Facts.ExpiresAt
	}
	if exp.IsZero() {
		exp = time.Now().Add(5 * time.Minute)
	}
	return azcore.AccessToken{Token: tok.raw, ExpiresOn: exp, RefreshOn: tok.refreshOn}, nil
}

// otherTenant is tenant when it is not the one the session signs in to
// ("" otherwise): MSAL's WithTenantID is for other tenants only, and the
// organizations authority refuses it.
func (s *Session) otherTenant(tenant string) string {
	if tenant == "" {
		return ""
	}
	configured := s.cfg.Endpoints.Authority[strings.LastIndex(s.cfg.Endpoints.Authority, "/")+1:]
	if strings.EqualFold(tenant, configured) {
		return ""
	}
	return tenant
}
