package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultUserRoleTemplateID is the "User" role every member carries in wids.
const DefaultUserRoleTemplateID = "b79fbf4d-3ef9-4689-8143-76b194e85509"

var b64 = base64.RawURLEncoding

// sign makes an HS256 JWT. Clients never verify access tokens; the sim does.
func (t *Tenant) sign(claims map[string]any) string {
	head := b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims)
	unsigned := head + "." + b64.EncodeToString(body)
	mac := hmac.New(sha256.New, t.secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + b64.EncodeToString(mac.Sum(nil))
}

// unsignedJWT makes an alg:none JWT, as MSAL only decodes ID tokens.
func unsignedJWT(claims map[string]any) string {
	body, _ := json.Marshal(claims)
	return b64.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64.EncodeToString(body) + "."
}

// verify checks signature and expiry and returns the claims.
func (t *Tenant) verify(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("malformed token")
	}
	mac := hmac.New(sha256.New, t.secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, errors.New("invalid signature")
	}
	claims, err := decodeClaims(parts[1])
	if err != nil {
		return nil, err
	}
	exp, _ := claims["exp"].(float64)
	if time.Unix(int64(exp), 0).Before(t.clock.Now()) {
		return claims, errors.New("token expired")
	}
	return claims, nil
}

func decodeClaims(seg string) (map[string]any, error) {
	raw, err := b64.DecodeString(seg)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// bearerClaims decodes the bearer token of r for the log, without checks.
func (t *Tenant) bearerClaims(r *http.Request) map[string]any {
	tok, ok := cutPrefixFold(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return nil
	}
	c, err := decodeClaims(parts[1])
	if err != nil {
		return nil
	}
	return c
}

// activeWIDs lists the template ids of directory roles active at scope "/"
// for the user right now, plus the default User role. Caller holds t.mu.
func (t *Tenant) activeWIDs(userID string) []string {
	now := t.clock.Now()
	wids := []string{}
	seen := map[string]bool{}
	for _, a := range t.pim.instancesFor(userID, kindRole, now) {
		if a.DirectoryScopeID != "/" {
			continue
		}
		tmpl := t.templateOf(a.RoleDefinitionID)
		if !seen[tmpl] {
			seen[tmpl] = true
			wids = append(wids, tmpl)
		}
	}
	return append(wids, DefaultUserRoleTemplateID)
}

func (t *Tenant) templateOf(roleID string) string {
	for _, r := range t.sc.Roles {
		if r.ID == roleID {
			if r.TemplateID != "" {
				return r.TemplateID
			}
			return r.ID
		}
	}
	return roleID
}

// issue mints the token response. interactive marks a fresh sign-in, which
// satisfies any authentication context the claims asked for.
func (t *Tenant) issue(w http.ResponseWriter, userID, clientID, scope, claims string, grant *refreshGrant, interactive bool) {
	acrs, caps, err := parseClaims(claims)
	if err != nil {
		oauthError(w, "invalid_request", "AADSTS90014: "+err.Error())
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	user, ok := t.sc.userByID(userID)
	if !ok {
		oauthError(w, "invalid_grant", "AADSTS50034: The user account does not exist in the directory.")
		return
	}
	if isARMAudience(resourceOf(lastScope(scope))) && t.sc.ARMConsentMissing {
		t.armConsentMissing(w, clientID)
		return
	}
	if grant == nil {
		// A new session: it did MFA unless the scenario says sign-ins
		// are password only.
		grant = &refreshGrant{userID: userID, clientID: clientID, acrs: map[string]bool{}, noMFA: t.sc.SignInWithoutMFA}
	}
	if interactive {
		for _, a := range acrs {
			grant.acrs[a] = true
		}
	}
	rt := randomToken()
	t.refresh[rt] = grant

	now := t.clock.Now()
	lifetime := t.sc.TokenLifetime.D()
	at := t.accessTokenClaims(user, scope, now, lifetime, !grant.noMFA)
	if len(acrs) > 0 {
		at["acrs"] = acrs
	}
	for _, c := range caps {
		if c == "cp1" {
			at["xms_cc"] = []string{"cp1"}
		}
	}
	id := map[string]any{
		"aud": clientID, "iss": t.AuthorityURL() + "/v2.0", "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "oid": user.ID, "sub": user.ID, "tid": t.sc.TenantID,
		"preferred_username": user.UserPrincipalName, "name": user.DisplayName, "ver": "2.0",
	}
	info, _ := json.Marshal(map[string]string{"uid": user.ID, "utid": t.sc.TenantID})
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"scope":          strings.Join(resourceScopes(scope), " "),
		"expires_in":     int(lifetime.Seconds()),
		"ext_expires_in": int(lifetime.Seconds()),
		"access_token":   t.sign(at),
		"refresh_token":  rt,
		"id_token":       unsignedJWT(id),
		"client_info":    b64.EncodeToString(info),
	})
}

// accessTokenClaims builds an access token's claims. aud is the resource
// the scopes name, as requested (ARM's spellings differ, AZ §4.1); an ARM
// .default token carries scp user_impersonation, ARM's one delegated
// permission (AZ §4.1). mfa puts "mfa" in amr.
func (t *Tenant) accessTokenClaims(user User, scope string, now time.Time, lifetime time.Duration, mfa bool) map[string]any {
	aud := "https://graph.microsoft.com"
	var short []string
	for _, s := range resourceScopes(scope) {
		if i := strings.LastIndex(s, "/"); i > 0 {
			aud = s[:i]
			s = s[i+1:]
		}
		if s == ".default" && isARMAudience(aud) {
			s = "user_impersonation"
		}
		short = append(short, s)
	}
	amr := []string{"pwd", "mfa"}
	if !mfa {
		amr = []string{"pwd"}
	}
	return map[string]any{
		"aud": aud, "iss": "https://sts.windows.net/" + t.sc.TenantID + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(lifetime).Unix(),
		"oid": user.ID, "tid": t.sc.TenantID, "upn": user.UserPrincipalName, "name": user.DisplayName,
		"scp": strings.Join(short, " "), "wids": t.activeWIDs(user.ID), "amr": amr,
		"idtyp": "user", "ver": "1.0", "uti": randomToken()[:22],
	}
}

// MintAccessToken mints an access token for upn directly (for tests of the
// Graph side that do not go through MSAL).
func (t *Tenant) MintAccessToken(upn string, acrs []string) (string, error) {
	return t.MintToken(TokenSpec{UPN: upn, ACRS: acrs})
}

// lastScope is the last resource scope of a scope list: the one that
// names the token's resource.
func lastScope(scope string) string {
	s := resourceScopes(scope)
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// resourceScopes drops the OIDC scopes MSAL adds.
func resourceScopes(scope string) []string {
	var out []string
	for _, s := range strings.Fields(scope) {
		switch s {
		case "openid", "profile", "offline_access", "email":
			continue
		}
		out = append(out, s)
	}
	return out
}

// redactForm blanks the secrets of a token request body (codes, verifiers,
// refresh tokens) before it goes into the request log: the log keeps what
// a test asserts on (grant_type, scope, claims) and never a token.
func redactForm(body string) string {
	f, err := url.ParseQuery(body)
	if err != nil {
		return "(unparsable form)"
	}
	for _, k := range []string{"code", "code_verifier", "refresh_token", "device_code", "client_secret", "client_assertion", "assertion", "password"} {
		if f.Has(k) {
			f.Set(k, "[redacted]")
		}
	}
	return f.Encode()
}
