package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// authCode is an issued authorization code awaiting redemption.
type authCode struct {
	userID        string
	clientID      string
	redirectURI   string
	codeChallenge string
	claims        string
	scope         string
	expires       time.Time
}

// deviceCode is a pending device authorization.
type deviceCode struct {
	userCode string
	clientID string
	scope    string
	claims   string
	expires  time.Time
	userID   string // set when approved
	polls    int
}

// refreshGrant is a refresh token's session: who, and which authentication
// contexts that session has satisfied.
type refreshGrant struct {
	userID   string
	clientID string
	acrs     map[string]bool
	noMFA    bool // the sign-in was password only (Scenario.SignInWithoutMFA)
}

// claimsRequest is the part of an OIDC claims request the sim honours.
type claimsRequest struct {
	AccessToken struct {
		Acrs *struct {
			Essential bool     `json:"essential"`
			Value     string   `json:"value"`
			Values    []string `json:"values"`
		} `json:"acrs"`
		XmsCC *struct {
			Values []string `json:"values"`
		} `json:"xms_cc"`
	} `json:"access_token"`
}

func parseClaims(s string) (acrs []string, capabilities []string, err error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil, nil
	}
	var c claimsRequest
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, nil, fmt.Errorf("claims is not valid JSON: %w", err)
	}
	if a := c.AccessToken.Acrs; a != nil {
		if a.Value != "" {
			acrs = append(acrs, a.Value)
		}
		acrs = append(acrs, a.Values...)
	}
	if x := c.AccessToken.XmsCC; x != nil {
		capabilities = x.Values
	}
	return acrs, capabilities, nil
}

func (t *Tenant) routeAuthority() {
	p := "/" + t.sc.TenantID
	t.mux.HandleFunc("GET "+p+"/v2.0/.well-known/openid-configuration", t.handleDiscovery)
	t.mux.HandleFunc("GET "+p+"/oauth2/v2.0/authorize", t.handleAuthorize)
	t.mux.HandleFunc("POST "+p+"/oauth2/v2.0/devicecode", t.handleDeviceCode)
	t.mux.HandleFunc("POST "+p+"/oauth2/v2.0/token", t.handleToken)
	t.mux.HandleFunc("GET /common/discovery/instance", t.handleInstanceDiscovery)
	t.mux.HandleFunc("GET "+p+"/discovery/instance", t.handleInstanceDiscovery)
	t.mux.HandleFunc("GET /devicelogin", t.handleDeviceLogin)
	t.mux.HandleFunc("POST /devicelogin", t.handleDeviceLogin)
}

func (t *Tenant) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	a := t.baseFor(r) + "/" + t.sc.TenantID
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                a + "/v2.0",
		"authorization_endpoint":                a + "/oauth2/v2.0/authorize",
		"token_endpoint":                        a + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         a + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  a + "/oauth2/v2.0/logout",
		"jwks_uri":                              a + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "oid", "tid", "preferred_username", "name"},
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "pimento.sim",
	})
}

// SetBrowserUser makes the simulated browser sign in as upn, whatever the
// login hint says (to test refusing an account other than the pinned one).
// An empty upn restores the default: the hint, else the scenario's SignInUser.
func (t *Tenant) SetBrowserUser(upn string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.browserUser = upn
}

// SetInteractionDenied makes browser sign-ins end with access_denied, as when
// the admin closes the window or fails MFA.
func (t *Tenant) SetInteractionDenied(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.interactionDenied = v
}

// handleAuthorize plays the browser and the user: it picks the account,
// issues a code and POSTs code+state to the loopback redirect (form_post),
// as Entra's page would after sign-in.
func (t *Tenant) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	ru, err := url.Parse(redirect)
	if err != nil || ru.Scheme != "http" || (ru.Hostname() != "localhost" && ru.Hostname() != "127.0.0.1") {
		http.Error(w, "AADSTS50011: redirect_uri must be a loopback http URL", http.StatusBadRequest)
		return
	}
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "AADSTS900144: code flow with PKCE S256 is required", http.StatusBadRequest)
		return
	}
	form := url.Values{"state": {q.Get("state")}}

	t.mu.Lock()
	upn := t.browserUser
	if upn == "" {
		upn = q.Get("login_hint")
		if _, ok := t.sc.userByUPN(upn); !ok {
			upn = t.sc.SignInUser
		}
	}
	if sim := q.Get("sim_user"); sim != "" {
		upn = sim
	}
	user, ok := t.sc.userByUPN(upn)
	denied := t.interactionDenied
	if ok && !denied {
		code := randomToken()
		t.codes[code] = &authCode{
			userID: user.ID, clientID: q.Get("client_id"), redirectURI: redirect,
			codeChallenge: q.Get("code_challenge"), claims: q.Get("claims"), scope: q.Get("scope"),
			expires: t.clock.Now().Add(10 * time.Minute),
		}
		form.Set("code", code)
	} else {
		form.Set("error", "access_denied")
		form.Set("error_description", "AADSTS50126: the user did not complete sign-in.")
	}
	t.mu.Unlock()

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.PostForm(redirect, form)
	if err != nil {
		http.Error(w, "could not reach the app's loopback redirect: "+err.Error(), http.StatusBadGateway)
		return
	}
	_ = resp.Body.Close()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprintf(w, "<html><body><p>pimento simulated tenant: signed in as %s. You can close this window.</p></body></html>", html.EscapeString(user.UserPrincipalName))
}

func (t *Tenant) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "AADSTS900144: bad form")
		return
	}
	uc := userCode()
	dc := randomToken()
	t.mu.Lock()
	t.deviceCodes[dc] = &deviceCode{
		userCode: uc, clientID: r.PostForm.Get("client_id"), scope: r.PostForm.Get("scope"),
		claims: r.PostForm.Get("claims"), expires: t.clock.Now().Add(15 * time.Minute),
	}
	t.mu.Unlock()
	verify := t.base + "/devicelogin"
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":      dc,
		"user_code":        uc,
		"verification_uri": verify,
		"expires_in":       900,
		"interval":         5,
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, uc),
	})
}

// ApproveDeviceCode completes a device code sign-in as upn, as the admin
// would on the verification page.
func (t *Tenant) ApproveDeviceCode(code, upn string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	user, ok := t.sc.userByUPN(upn)
	if !ok {
		return fmt.Errorf("no user %q in the scenario", upn)
	}
	for _, d := range t.deviceCodes {
		if strings.EqualFold(d.userCode, code) {
			d.userID = user.ID
			return nil
		}
	}
	return fmt.Errorf("no pending device code %q", code)
}

// handleDeviceLogin is the verification page: ?code=XXXX[&user=UPN].
func (t *Tenant) handleDeviceLogin(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	code := r.Form.Get("code")
	if code == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, `<html><body><form method="post">pimento simulated tenant. Code: <input name="code"> <button>Sign in</button></form></body></html>`)
		return
	}
	upn := r.Form.Get("user")
	if upn == "" {
		t.mu.Lock()
		upn = t.sc.SignInUser
		t.mu.Unlock()
	}
	if err := t.ApproveDeviceCode(code, upn); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	_, _ = fmt.Fprintf(w, "Signed in as %s. You can close this window.\n", upn)
}

func (t *Tenant) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "AADSTS900144: bad form")
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "authorization_code":
		t.redeemCode(w, f)
	case "urn:ietf:params:oauth:grant-type:device_code", "device_code": // MSAL Go sends the short form
		t.redeemDeviceCode(w, f)
	case "refresh_token":
		t.redeemRefresh(w, f)
	default:
		oauthError(w, "unsupported_grant_type", "AADSTS70003: unsupported grant type")
	}
}

func (t *Tenant) redeemCode(w http.ResponseWriter, f url.Values) {
	t.mu.Lock()
	c, ok := t.codes[f.Get("code")]
	delete(t.codes, f.Get("code"))
	t.mu.Unlock()
	if !ok || c.expires.Before(t.clock.Now()) {
		oauthError(w, "invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired or was already used.")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if b64.EncodeToString(sum[:]) != c.codeChallenge {
		oauthError(w, "invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
		return
	}
	if f.Get("redirect_uri") != c.redirectURI {
		oauthError(w, "invalid_grant", "AADSTS50148: The redirect_uri does not match the authorization request.")
		return
	}
	// Claims asked for on /authorize were satisfied interactively.
	t.issue(w, c.userID, f.Get("client_id"), f.Get("scope"), mergeClaimsParams(c.claims, f.Get("claims")), nil, true)
}

func (t *Tenant) redeemDeviceCode(w http.ResponseWriter, f url.Values) {
	t.mu.Lock()
	d, ok := t.deviceCodes[f.Get("device_code")]
	if ok {
		d.polls++
		if t.sc.DeviceCodeAutoApprove && d.userID == "" && d.polls > 1 {
			if u, found := t.sc.userByUPN(t.sc.SignInUser); found {
				d.userID = u.ID
			}
		}
	}
	t.mu.Unlock()
	switch {
	case !ok:
		oauthError(w, "invalid_grant", "AADSTS70000: The provided device code is invalid.")
		return
	case d.expires.Before(t.clock.Now()):
		oauthError(w, "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
		return
	case d.userID == "":
		oauthError(w, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
		return
	}
	t.mu.Lock()
	delete(t.deviceCodes, f.Get("device_code"))
	t.mu.Unlock()
	t.issue(w, d.userID, f.Get("client_id"), d.scope, mergeClaimsParams(d.claims, f.Get("claims")), nil, true)
}

func (t *Tenant) redeemRefresh(w http.ResponseWriter, f url.Values) {
	t.mu.Lock()
	g, ok := t.refresh[f.Get("refresh_token")]
	needsInteraction := t.sc.StepUpNeedsInteraction
	t.mu.Unlock()
	if !ok {
		oauthError(w, "invalid_grant", "AADSTS700082: The refresh token has expired or was revoked.")
		return
	}
	acrs, _, err := parseClaims(f.Get("claims"))
	if err != nil {
		oauthError(w, "invalid_request", "AADSTS90014: "+err.Error())
		return
	}
	for _, a := range acrs {
		if !g.acrs[a] && needsInteraction {
			writeJSON(w, http.StatusBadRequest, map[string]any{
				"error":             "invalid_grant",
				"error_description": "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
				"error_codes":       []int{50076},
				"suberror":          "basic_action",
				"claims":            f.Get("claims"),
			})
			return
		}
	}
	t.issue(w, g.userID, f.Get("client_id"), f.Get("scope"), f.Get("claims"), g, false)
}

func mergeClaimsParams(a, b string) string {
	if b != "" {
		return b
	}
	return a
}

func oauthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"error": code, "error_description": desc,
		"timestamp": responseTime(w).Format("2006-01-02 15:04:05Z"), "trace_id": "00000000-0000-0000-0000-000000000000",
	})
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// userCode is an Entra-style code: nine letters and digits.
func userCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
