package sim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Tokens and audiences. One refresh token serves Graph and ARM (a
// multi-resource RT, AZ §4.2); each access token names one resource in
// aud, and each API takes only its own: ARM answers a Graph token with
// 401 InvalidAuthenticationTokenAudience, Graph an ARM token with 401
// InvalidAuthenticationToken.

// ARMResource is the ARM audience the Go SDK asks for (AZ §4.1).
const ARMResource = "https://management.core.windows.net/"

// ARMScope is the scope azcore requests for ARM: Audience + "/.default".
const ARMScope = ARMResource + "/.default"

// armAppID is "Windows Azure Service Management API" (AZ §4.1).
const armAppID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"

// armAudiences are the resource spellings ARM accepts as itself (AZ §4.1,
// §10.6; "both accepted" is UNVERIFIED as a contract, so the sim accepts
// every spelling a client might have used).
var armAudiences = []string{
	"https://management.core.windows.net/", "https://management.core.windows.net",
	"https://management.azure.com/", "https://management.azure.com", armAppID,
}

func isARMAudience(aud string) bool { return hasString(armAudiences, aud) }

// isGraphAudience reports whether aud names Graph: the public resource or
// the sim's own host, which is what a client derives from PIMENTO_GRAPH_URL.
func (t *Tenant) isGraphAudience(aud string) bool {
	aud = strings.TrimRight(aud, "/")
	return strings.EqualFold(aud, "https://graph.microsoft.com") || aud == "00000003-0000-0000-c000-000000000000" ||
		(t.base != "" && strings.EqualFold(aud, t.base))
}

// resourceOf is the resource a scope names: the text before its last
// slash ("https://management.core.windows.net/" for
// "https://management.core.windows.net//.default"); "" for a bare scope
// such as User.Read, which names Graph.
func resourceOf(scope string) string {
	if i := strings.LastIndex(scope, "/"); i > 0 {
		return scope[:i]
	}
	return ""
}

// armConsentMissing answers a token request for ARM when the scenario
// says the app has no consent for it, as Entra does (AZ §8: 400
// invalid_grant, AADSTS65001, error_codes [65001], suberror
// consent_required).
func (t *Tenant) armConsentMissing(w http.ResponseWriter, clientID string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"error": "invalid_grant",
		"error_description": fmt.Sprintf("AADSTS65001: The user or administrator has not consented to use the application with ID '%s' named 'pimento'. "+
			"Send an interactive authorization request for this user and resource.", clientID),
		"error_codes": []int{65001},
		"suberror":    "consent_required",
		"timestamp":   responseTime(w).Format("2006-01-02 15:04:05Z"),
		"trace_id":    "00000000-0000-0000-0000-000000000000",
	})
}

// SetARMConsentMissing switches whether ARM token requests fail for lack
// of consent.
func (t *Tenant) SetARMConsentMissing(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sc.ARMConsentMissing = v
}

// SetSignInWithoutMFA switches whether new sign-ins satisfy MFA.
func (t *Tenant) SetSignInWithoutMFA(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sc.SignInWithoutMFA = v
}

// TokenSpec says what MintToken puts in an access token.
type TokenSpec struct {
	UPN      string
	Resource string   // "" for Graph; ARMResource (or another ARM spelling) for ARM
	ACRS     []string // authentication contexts satisfied
	NoMFA    bool     // amr ["pwd"] rather than ["pwd","mfa"]
}

// MintToken mints an access token directly, for tests that do not go
// through MSAL.
func (t *Tenant) MintToken(s TokenSpec) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	user, ok := t.sc.userByUPN(s.UPN)
	if !ok {
		return "", fmt.Errorf("no user %q in the scenario", s.UPN)
	}
	scope := "https://graph.microsoft.com/.default"
	if s.Resource != "" {
		scope = s.Resource + "/.default"
	}
	c := t.accessTokenClaims(user, scope, t.clock.Now(), t.sc.TokenLifetime.D(), !s.NoMFA)
	if len(s.ACRS) > 0 {
		c["acrs"] = s.ACRS
	}
	return t.sign(c), nil
}

// authenticateARM validates the bearer token of an ARM call as ARM does,
// answering 401 with ARM's codes on failure. Sources for the texts: the
// codes are ARM's (AuthenticationFailed, ExpiredAuthenticationToken,
// InvalidAuthenticationTokenAudience); the exact wording is from memory of
// ARM answers and UNVERIFIED.
func (t *Tenant) authenticateARM(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	fail := func(code, msg string) (map[string]any, bool) {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="`+strings.ReplaceAll(msg, `"`, `'`)+`"`)
		writeCloudError(w, http.StatusUnauthorized, code, msg)
		return nil, false
	}
	tok, ok := cutPrefixFold(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return fail("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	}
	claims, err := t.verify(strings.TrimSpace(tok))
	if err != nil {
		if claims != nil {
			exp, _ := claims["exp"].(float64)
			return fail("ExpiredAuthenticationToken", fmt.Sprintf("The access token expiry UTC time '%s' is earlier than current UTC time '%s'.",
				time.Unix(int64(exp), 0).UTC().Format("1/2/2006 3:04:05 PM"), t.clock.Now().Format("1/2/2006 3:04:05 PM")))
		}
		return fail("InvalidAuthenticationToken", "The access token is invalid.")
	}
	if aud, _ := claims["aud"].(string); !isARMAudience(aud) {
		return fail("InvalidAuthenticationTokenAudience", fmt.Sprintf("The access token has been obtained for wrong audience or resource '%s'. "+
			"It should exactly match with one of the allowed audiences '%s'.", aud, strings.Join(armAudiences[:4], "','")))
	}
	if oid, _ := claims["oid"].(string); oid == "" {
		return fail("InvalidAuthenticationToken", "The access token has no object id (oid) claim.")
	}
	return claims, true
}

// writeClaimsChallenge answers an ARM write whose token lacks the acrs
// the scenario demands: 401 with an insufficient_claims Bearer challenge
// whose claims are base64 JSON, as ARM does under mandatory MFA or a CA
// policy (AZ §4 case C: RequestDisallowedByPolicy; azcore replays once
// with the decoded claims).
func writeClaimsChallenge(w http.ResponseWriter, acrs string) {
	claims := `{"access_token":{"acrs":{"essential":true,"values":["` + acrs + `"]}}}`
	w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="`+
		base64.StdEncoding.EncodeToString([]byte(claims))+`"`)
	writeCloudError(w, http.StatusUnauthorized, "RequestDisallowedByPolicy",
		"Resource was disallowed by policy. Users must authenticate with multi-factor authentication to create or update resources.")
}

func claimStrings(claims map[string]any, name string) []string {
	var out []string
	if v, ok := claims[name].([]any); ok {
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
