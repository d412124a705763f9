package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/sim"
)

func TestARMEndpointsPerCloudAndOverrides(t *testing.T) {
	for cloud, want := range map[string][2]string{
		"global":   {"https://management.azure.com", "https://management.core.windows.net/"},
		"usgov":    {"https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net"},
		"usgovdod": {"https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net"},
		"china":    {"https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn"},
	} {
		e, err := auth.ResolveEndpoints(cloud, "", func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if e.ARMURL != want[0] || e.ARMResource != want[1] || e.ARMScopes()[0] != want[1]+"/.default" {
			t.Errorf("%s: ARM %q audience %q scopes %v", cloud, e.ARMURL, e.ARMResource, e.ARMScopes())
		}
	}
	env := map[string]string{"PIMENTO_ARM_URL": "https://arm.example.test/", "PIMENTO_ARM_RESOURCE": "https://management.azure.com"}
	e, err := auth.ResolveEndpoints("global", "", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if e.ARMURL != "https://arm.example.test" || e.ARMScopes()[0] != "https://management.azure.com/.default" || e.Cloud != "custom" {
		t.Errorf("overrides: %+v %v", e, e.ARMScopes())
	}
	for _, bad := range []map[string]string{{"PIMENTO_ARM_URL": "http://arm.example.test"}, {"PIMENTO_ARM_RESOURCE": "management"}} {
		if _, err := auth.ResolveEndpoints("global", "", func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

// The ARM token comes silently from the Graph sign-in's refresh token, names
// ARM's audience and carries user_impersonation.
func TestARMTokenSilentlyFromTheSameSignIn(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, rec := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tn.ResetLog()
	tok, err := s.ARM().Token(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if n, c := rec.count(); n != 1 || c != 0 {
		t.Errorf("an ARM token must not prompt: browser %d, codes %d", n, c)
	}
	if tok.Facts.UPN != sim.DemoAdminUPN || !strings.Contains(strings.Join(tok.Facts.Scopes, " "), "user_impersonation") {
		t.Errorf("ARM token facts: %+v", tok.Facts)
	}
	var grant string
	for _, r := range tn.Requests() {
		if strings.HasSuffix(r.Path, "/token") {
			grant = r.Body
		}
	}
	if !strings.Contains(grant, "grant_type=refresh_token") || !strings.Contains(grant, "management.core.windows.net") {
		t.Errorf("want one refresh-token grant for ARM, got %q", grant)
	}
	if g, err := s.Token(ctx(t)); err != nil || g.Facts.Scopes[0] == "user_impersonation" {
		t.Errorf("the Graph token must stay Graph's: %v %v", g.Facts.Scopes, err)
	}
}

func TestARMConsentMissingIsAnErrorNotAPrompt(t *testing.T) {
	isolate(t)
	tn := startTenant(t, func(sc *sim.Scenario) { sc.ARMConsentMissing = true })
	s, rec := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	_, err := s.ARM().Token(ctx(t))
	var ce *auth.ConsentError
	if !errors.As(err, &ce) || ce.Code != "AADSTS65001" || !strings.Contains(err.Error(), "Azure Resource Manager") {
		t.Fatalf("want a ConsentError for ARM, got %v", err)
	}
	if n, _ := rec.count(); n != 1 {
		t.Errorf("missing consent must not open the browser again (%d)", n)
	}
	if _, err := s.Token(ctx(t)); err != nil {
		t.Errorf("Graph must keep working: %v", err)
	}
}

func TestCredentialForTheAzureSDK(t *testing.T) {
	isolate(t)
	tn := startTenant(t)
	s, _ := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	cred := s.ARM().Credential()
	at, err := cred.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{sim.ARMScope}, EnableCAE: true})
	if err != nil || at.Token == "" || at.ExpiresOn.IsZero() {
		t.Fatalf("GetToken: %v (expires %v)", err, at.ExpiresOn)
	}
	// A claims challenge's claims reach MSAL: the new token satisfies them.
	at, err = cred.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{sim.ARMScope}, Claims: auth.AuthContextClaims("c2")})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := auth.DecodeFacts(at.Token); !f.HasACRS("c2") {
		t.Errorf("claims not honoured: acrs %v", f.ACRS)
	}
	// Never a token for another resource through this door.
	if _, err := cred.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}); err == nil {
		t.Error("the ARM credential handed out a token for Graph")
	}
	if _, err := cred.GetToken(ctx(t), policy.TokenRequestOptions{}); err == nil {
		t.Error("no scope must be an error")
	}
}

func TestSignInAgainPromptsEvenWithACachedToken(t *testing.T) {
	isolate(t)
	tn := startTenant(t, func(sc *sim.Scenario) { sc.SignInWithoutMFA = true })
	s, rec := newSession(t, tn, nil)
	if _, err := s.Login(ctx(t), false, ""); err != nil {
		t.Fatal(err)
	}
	tok, err := s.ARM().Token(ctx(t))
	if err != nil || tok.Facts.HasMFA() {
		t.Fatalf("a password-only session: mfa=%v err=%v", tok.Facts.HasMFA(), err)
	}
	tn.SetSignInWithoutMFA(false)
	tok, err = s.ARM().SignInAgain(ctx(t))
	if err != nil || !tok.Facts.HasMFA() {
		t.Fatalf("after signing in again: mfa=%v err=%v", tok.Facts.HasMFA(), err)
	}
	if n, _ := rec.count(); n != 2 {
		t.Errorf("browser opened %d times, want 2", n)
	}
	if again, err := s.ARM().Token(ctx(t)); err != nil || !again.FromCache || !again.Facts.HasMFA() {
		t.Errorf("the new token must be the cached one: %v %v", again.FromCache, err)
	}
}
