package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
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
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	parts := strings.Split(tok, ".")
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
