package sim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Tokens for Graph and ARM from one sign-in, audiences kept apart, and
// the ARM-only failures: missing consent and the write claims challenge.

const testClientID = "a1b2c3d4-0000-4000-8000-00000000c0de"

// tokenResponse is what the token endpoint answered.
type tokenResponse struct {
	status int
	body   map[string]any
}

func postForm(t *testing.T, tn *Tenant, path string, form url.Values) tokenResponse {
	t.Helper()
	resp, err := tn.HTTPClient().PostForm(tn.AuthorityURL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return tokenResponse{status: resp.StatusCode, body: m}
}

// signIn completes a device code sign-in for scope and returns the
// refresh token and access token.
func signIn(t *testing.T, tn *Tenant, scope string) (rt, at string) {
	t.Helper()
	dc := postForm(t, tn, "/oauth2/v2.0/devicecode", url.Values{"client_id": {testClientID}, "scope": {scope + " openid offline_access"}})
	if err := tn.ApproveDeviceCode(dc.body["user_code"].(string), DemoAdminUPN); err != nil {
		t.Fatal(err)
	}
	tok := postForm(t, tn, "/oauth2/v2.0/token", url.Values{"client_id": {testClientID}, "grant_type": {"device_code"}, "device_code": {dc.body["device_code"].(string)}})
	if tok.status != 200 {
		t.Fatalf("sign-in: %d %v", tok.status, tok.body)
	}
	return tok.body["refresh_token"].(string), tok.body["access_token"].(string)
}

func refresh(t *testing.T, tn *Tenant, rt, scope, claims string) tokenResponse {
	t.Helper()
	form := url.Values{"client_id": {testClientID}, "grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {scope + " openid offline_access"}}
	if claims != "" {
		form.Set("claims", claims)
	}
	return postForm(t, tn, "/oauth2/v2.0/token", form)
}

func tokenClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	c, err := decodeClaims(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestARMAndGraphTokensFromOneSignIn(t *testing.T) {
	tn := startDemo(t, nil)
	graphScope := tn.BaseURL() + "/User.Read" // what a client derives from PIMENTO_GRAPH_URL
	rt, graphTok := signIn(t, tn, graphScope)

	armFor := func(scope string) string {
		r := refresh(t, tn, rt, scope, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %v", scope, r.status, r.body)
		}
		return r.body["access_token"].(string)
	}
	armTok := armFor(ARMScope)
	if c := tokenClaims(t, armTok); c["aud"] != ARMResource || c["scp"] != "user_impersonation" {
		t.Fatalf("ARM token: aud %v scp %v", c["aud"], c["scp"])
	}
	g := &graphClient{t: t, tenant: tn, http: tn.HTTPClient(), token: graphTok}
	a := &armClient{t: t, tn: tn, http: tn.HTTPClient(), token: armTok}
	list := authz + "roleEligibilityScheduleInstances"
	if st, _, m := a.do("GET", list, pimVersion+asTarget, nil); st != 200 || len(values(m)) != 5 {
		t.Fatalf("ARM with an ARM token: %d %v", st, m)
	}
	if st, _, _ := g.do("GET", "/me", nil); st != 200 {
		t.Fatalf("Graph with a Graph token: %d", st)
	}
	// Every ARM spelling is the same resource.
	for _, s := range []string{"https://management.azure.com/.default", "https://management.azure.com//.default", "https://management.azure.com/user_impersonation"} {
		b := &armClient{t: t, tn: tn, http: tn.HTTPClient(), token: armFor(s)}
		if st, _, m := b.do("GET", list, pimVersion+asTarget, nil); st != 200 {
			t.Fatalf("%s: %d %v", s, st, m)
		}
	}

	// Crossed: each API refuses the other's token.
	tn.ResetLog()
	a.token, g.token = graphTok, armTok
	if st, h, m := a.do("GET", list, pimVersion+asTarget, nil); st != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("ARM with a Graph token: %d %v", st, m)
	} else if code, msg := errCode(m); code != "InvalidAuthenticationTokenAudience" || !strings.Contains(msg, tn.BaseURL()) {
		t.Fatalf("ARM with a Graph token: %v", m)
	}
	if st, _, m := g.do("GET", "/me", nil); st != 401 {
		t.Fatalf("Graph with an ARM token: %d %v", st, m)
	} else if code, _ := errCode(m); code != "InvalidAuthenticationToken" {
		t.Fatalf("Graph with an ARM token: %v", m)
	}
	// The log shows which audience went where, and no token.
	for _, r := range tn.Requests() {
		switch {
		case strings.HasPrefix(r.Path, "/arm/"):
			if r.Audience != tn.BaseURL() || r.Status != 401 {
				t.Errorf("ARM request logged with %q, status %d", r.Audience, r.Status)
			}
		case strings.HasPrefix(r.Path, "/v1.0/"):
			if r.Audience != ARMResource || r.Status != 401 {
				t.Errorf("Graph request logged with %q, status %d", r.Audience, r.Status)
			}
		}
	}
	tn.ResetLog()
	refresh(t, tn, rt, ARMScope, "")
	for _, r := range tn.Requests() {
		if strings.Contains(r.Body, rt) || !strings.Contains(r.Body, "refresh_token=%5Bredacted%5D") || !strings.Contains(r.Body, "management.core.windows.net") {
			t.Fatalf("token request logged as %q", r.Body)
		}
	}
	// A missing or expired token is an ARM CloudError.
	a.token = ""
	if st, _, m := a.do("GET", list, pimVersion+asTarget, nil); st != 401 {
		t.Fatalf("no token: %d %v", st, m)
	} else if code, _ := errCode(m); code != "AuthenticationFailed" {
		t.Fatalf("no token: %v", m)
	}
}

func TestARMConsentMissing(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.ARMConsentMissing = true })
	graphScope := tn.BaseURL() + "/User.Read"
	rt, _ := signIn(t, tn, graphScope)
	r := refresh(t, tn, rt, ARMScope, "")
	codes, _ := r.body["error_codes"].([]any)
	desc, _ := r.body["error_description"].(string)
	if r.status != 400 || r.body["error"] != "invalid_grant" || len(codes) != 1 || codes[0] != float64(65001) ||
		!strings.HasPrefix(desc, "AADSTS65001: The user or administrator has not consented to use the application with ID '"+testClientID+"'") {
		t.Fatalf("ARM without consent: %d %v", r.status, r.body)
	}
	if r := refresh(t, tn, rt, graphScope, ""); r.status != 200 {
		t.Fatalf("Graph still works: %d %v", r.status, r.body)
	}
	tn.SetARMConsentMissing(false)
	if r := refresh(t, tn, rt, ARMScope, ""); r.status != 200 {
		t.Fatalf("after consent: %d %v", r.status, r.body)
	}
}

func TestARMMfaRuleAfterPasswordOnlySignIn(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.SignInWithoutMFA = true })
	rt, _ := signIn(t, tn, ARMScope)
	tok := refresh(t, tn, rt, ARMScope, "").body["access_token"].(string)
	if amr := tokenClaims(t, tok)["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
		t.Fatalf("amr %v", amr)
	}
	a := &armClient{t: t, tn: tn, http: tn.HTTPClient(), token: tok}
	put := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/" + newGUID()
	st, _, m := a.do("PUT", put, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy"))
	if code, msg := errCode(m); st != 400 || code != "RoleAssignmentRequestPolicyValidationFailed" || msg != `The following policy rules failed: ["MfaRule"]` {
		t.Fatalf("without MFA: %d %v", st, m)
	}
	// A new sign-in with MFA gets through.
	tn.SetSignInWithoutMFA(false)
	rt, _ = signIn(t, tn, ARMScope)
	a.token = refresh(t, tn, rt, ARMScope, "").body["access_token"].(string)
	if st, _, m := a.do("PUT", put, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy")); st != 201 {
		t.Fatalf("with MFA: %d %v", st, m)
	}
}

var challengeClaimsRE = regexp.MustCompile(`error="insufficient_claims", claims="([^"]+)"`)

func TestARMWriteClaimsChallenge(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.ARMWriteRequiresACRS = "p1" })
	rt, _ := signIn(t, tn, ARMScope)
	a := &armClient{t: t, tn: tn, http: tn.HTTPClient(), token: refresh(t, tn, rt, ARMScope, "").body["access_token"].(string)}
	if st, _, _ := a.do("GET", authz+"roleEligibilityScheduleInstances", pimVersion+asTarget, nil); st != 200 {
		t.Fatalf("reads need no claims: %d", st)
	}
	put := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/" + newGUID()
	st, h, m := a.do("PUT", put, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy"))
	if code, _ := errCode(m); st != http.StatusUnauthorized || code != "RequestDisallowedByPolicy" {
		t.Fatalf("write without p1: %d %v", st, m)
	}
	mm := challengeClaimsRE.FindStringSubmatch(h.Get("WWW-Authenticate"))
	if mm == nil {
		t.Fatalf("challenge: %q", h.Get("WWW-Authenticate"))
	}
	claims, err := base64.StdEncoding.DecodeString(mm[1])
	if err != nil || string(claims) != `{"access_token":{"acrs":{"essential":true,"values":["p1"]}}}` {
		t.Fatalf("claims %q %v", claims, err)
	}
	// The same refresh token with the claims satisfies it.
	a.token = refresh(t, tn, rt, ARMScope, string(claims)).body["access_token"].(string)
	if st, _, m := a.do("PUT", put, pimVersion, armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy")); st != 201 {
		t.Fatalf("write with p1: %d %v", st, m)
	}
}
