package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// Facts is what an access token says, decoded without trusting it: for
// display and for verifying that an activation reached the token.
type Facts struct {
	ObjectID  string
	TenantID  string
	UPN       string
	WIDs      []string // template ids of tenant-wide roles at issuance
	ACRS      []string // authentication contexts satisfied
	AMR       []string // how the sign-in authenticated, e.g. pwd, mfa
	XmsCC     []string // client capabilities, e.g. cp1
	Scopes    []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Decoded is false when the token could not be read as a JWT: Graph's
	// access tokens are documented as opaque, so no proof may depend on
	// reading one.
	Decoded bool
}

// HasWID reports whether the token carries the role template id.
func (f Facts) HasWID(templateID string) bool {
	return slices.ContainsFunc(f.WIDs, func(w string) bool { return strings.EqualFold(w, templateID) })
}

// HasACRS reports whether the token satisfies the authentication context.
func (f Facts) HasACRS(value string) bool { return slices.Contains(f.ACRS, value) }

// HasMFA reports whether the sign-in behind the token did multi-factor
// authentication (amr holds "mfa").
func (f Facts) HasMFA() bool { return slices.Contains(f.AMR, "mfa") }

// DecodeFacts reads the claims of a JWT access token. It never returns or
// logs the token.
func DecodeFacts(token string) (Facts, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Facts{}, errors.New("access token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Facts{}, errors.New("access token payload is not base64url")
	}
	var c struct {
		OID   string          `json:"oid"`
		TID   string          `json:"tid"`
		UPN   string          `json:"upn"`
		PUN   string          `json:"preferred_username"`
		WIDs  []string        `json:"wids"`
		ACRS  json.RawMessage `json:"acrs"`
		AMR   []string        `json:"amr"`
		XmsCC json.RawMessage `json:"xms_cc"`
		SCP   string          `json:"scp"`
		IAT   float64         `json:"iat"`
		EXP   float64         `json:"exp"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Facts{}, errors.New("access token payload is not JSON")
	}
	f := Facts{
		ObjectID: c.OID, TenantID: c.TID, UPN: c.UPN, WIDs: c.WIDs,
		ACRS: stringOrList(c.ACRS), AMR: c.AMR, XmsCC: stringOrList(c.XmsCC), Scopes: strings.Fields(c.SCP),
		IssuedAt: time.Unix(int64(c.IAT), 0), ExpiresAt: time.Unix(int64(c.EXP), 0), Decoded: true,
	}
	if f.UPN == "" {
		f.UPN = c.PUN
	}
	return f, nil
}

func stringOrList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// Token is an access token with its decoded facts. Its text is reachable only
// through Bearer, so it cannot end up in a log by accident.
type Token struct {
	raw   string
	Facts Facts
	// expiresOn and refreshOn are MSAL's (zero for a token made by NewToken).
	expiresOn, refreshOn time.Time
	// FromCache is true when MSAL answered from its cache, without minting.
	FromCache bool
}

// NewToken wraps an access token string.
func NewToken(raw string, fromCache bool) Token {
	f, _ := DecodeFacts(raw)
	return Token{raw: raw, Facts: f, FromCache: fromCache}
}

// Bearer is the token text for an Authorization header.
func (t Token) Bearer() string { return t.raw }

// String never reveals the token.
func (t Token) String() string { return "[access token redacted]" }

// GoString never reveals the token.
func (t Token) GoString() string { return t.String() }
