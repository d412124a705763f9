package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/sim"
)

// quickAzure makes ARM apply an activation's permissions shortly after it
// is listed.
func quickAzure(sc *sim.Scenario) { sc.ARMPropagationDelay = sim.Duration(300 * time.Millisecond) }

// azureRoles are the Azure entries of `roles --json`, by "name @ scope".
func azureRoles(t *testing.T, c *cli) map[string]map[string]any {
	t.Helper()
	out, errOut, code := c.run("roles", "--json")
	if code != 0 {
		t.Fatalf("roles: exit %d %s", code, errOut)
	}
	by := map[string]map[string]any{}
	for _, r := range decode[[]map[string]any](t, out) {
		if r["kind"] == "azureRole" {
			by[r["name"].(string)+" @ "+r["scope"].(string)] = r
		}
	}
	return by
}

func TestRolesJSONContractForAzure(t *testing.T) {
	c := newCLI(t)
	c.login()
	roles := azureRoles(t, c)
	want := map[string]string{
		"Contributor @ sub: Contoso Prod":                         sim.DemoSubscriptionScope,
		"Key Vault Administrator @ rg: rg-secrets (Contoso Prod)": sim.DemoResourceGroupScope,
		"Reader @ mg: Tier0":                                      sim.DemoManagementGroupScope,
		"Owner @ kv-prod (Key Vault) in rg-secrets":               sim.DemoKeyVaultScope,
		"Owner @ sub: Contoso Prod":                               sim.DemoSubscriptionScope,
	}
	if len(roles) != len(want) {
		t.Errorf("%d Azure roles, want %d: %v", len(roles), len(want), roles)
	}
	for key, scope := range want {
		r, ok := roles[key]
		if !ok {
			t.Errorf("missing %s", key)
			continue
		}
		if r["azureScope"] != scope || !strings.Contains(r["roleDefinitionId"].(string), "/providers/Microsoft.Authorization/roleDefinitions/") {
			t.Errorf("%s: azureScope %v roleDefinitionId %v", key, r["azureScope"], r["roleDefinitionId"])
		}
		for _, k := range []string{"maxDuration", "requirements", "authContext"} {
			if _, ok := r[k]; !ok {
				t.Errorf("%s lacks %q", key, k)
			}
		}
		if _, ok := r["directoryScopeId"]; ok {
			t.Errorf("%s carries a directoryScopeId", key)
		}
	}
	kv := roles["Owner @ kv-prod (Key Vault) in rg-secrets"]
	if kv["authContext"] != "c2" || kv["maxDuration"] != "PT1H" || !containsAny(kv["requirements"], "authContext") || !containsAny(kv["requirements"], "mfa") {
		t.Errorf("kv-prod Owner = %v", kv)
	}
	if r := roles["Contributor @ sub: Contoso Prod"]; r["roleDefinitionId"] != sim.DemoSubscriptionScope+"/providers/Microsoft.Authorization/roleDefinitions/"+sim.AzureRoleContributor {
		t.Errorf("roleDefinitionId = %v", r["roleDefinitionId"])
	}
}

// One name at two scopes is ambiguous without --scope; --scope takes the
// ARM id or the words.
func TestActivateAzureByScopeIDOrWords(t *testing.T) {
	c := newCLI(t, quickAzure)
	c.login()
	_, errOut, code := c.run("activate", "Owner", "--duration", "30m", "--justification", "x")
	if code != exitUsage || !strings.Contains(errOut, sim.DemoKeyVaultScope) || !strings.Contains(errOut, sim.DemoSubscriptionScope) {
		t.Fatalf("ambiguous Owner: exit %d %q", code, errOut)
	}
	out, errOut, code := c.run("activate", "Reader", "--scope", "mg: Tier0", "--duration", "1h", "--json")
	if code != 0 {
		t.Fatalf("activate Reader: exit %d %s", code, errOut)
	}
	res := decode[[]map[string]any](t, out)
	if res[0]["proof"] != "permissions" || res[0]["effective"] != true || res[0]["scope"] != "mg: Tier0" {
		t.Errorf("activate json = %v", res)
	}
	if !strings.Contains(errOut, "propagating") {
		t.Errorf("stderr should say it waits for Azure: %q", errOut)
	}
	_, errOut, code = c.run("activate", "Key Vault Administrator", "--scope", strings.ToUpper(sim.DemoResourceGroupScope)+"/",
		"--duration", "1h", "--justification", "rotate", "--ticket-number", "T-1", "--ticket-system", "Jira", "--no-wait")
	if code != 0 {
		t.Fatalf("--scope by ARM id: exit %d %s", code, errOut)
	}
	out, _, _ = c.run("status", "--json")
	var reader map[string]any
	for _, s := range decode[[]map[string]any](t, out) {
		if s["name"] == "Reader" {
			reader = s
		}
	}
	if reader == nil || reader["kind"] != "azureRole" || reader["scope"] != "mg: Tier0" || reader["azureScope"] != sim.DemoManagementGroupScope ||
		reader["endDateTime"] == nil || reader["remainingSeconds"].(float64) < 50*60 {
		t.Errorf("status = %v", reader)
	}
	if out, _, _ = c.run("prompt"); !strings.Contains(out, "⚡Reader·Tier0") {
		t.Errorf("prompt = %q", out)
	}
	c.tn.Clock().Advance(6 * time.Minute)
	out, errOut, code = c.run("deactivate", "Reader")
	if code != 0 || !strings.Contains(out, "Azure Resource Manager may honour the role") || strings.Contains(out, "previous token") {
		t.Errorf("deactivate: exit %d %q %q", code, out, errOut)
	}
	out, _, _ = c.run("history", "--json")
	hist := decode[[]map[string]any](t, out)
	if len(hist) < 3 || hist[0]["kind"] != "azureRole" || hist[0]["azureScope"] != sim.DemoManagementGroupScope || hist[0]["proof"] != "permissions" {
		t.Errorf("history = %v", hist)
	}
	assertAudiencesApart(t, c.tn)
}

// No consent for Azure Resource Manager: directory roles as ever, exit 0,
// and one line that says why Azure roles are missing.
func TestNoARMConsentIsOneLine(t *testing.T) {
	c := newCLI(t, func(sc *sim.Scenario) { sc.ARMConsentMissing = true })
	c.login()
	out, errOut, code := c.run("roles", "--json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	var azure []string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.Contains(l, "Azure") {
			azure = append(azure, l)
		}
	}
	if len(azure) != 1 || !strings.Contains(azure[0], "Azure roles are missing") || !strings.Contains(azure[0], "AADSTS65001") || !strings.Contains(azure[0], "user_impersonation") {
		t.Errorf("stderr = %q, want one line about Azure", errOut)
	}
	if !strings.Contains(out, "Exchange Administrator") || strings.Contains(out, "azureRole") {
		t.Errorf("stdout = %s", out)
	}
	if _, errOut, code = c.run("status"); code != 0 || !strings.Contains(errOut, "Azure roles are missing") {
		t.Errorf("status: exit %d %q", code, errOut)
	}
}

// azure = false: no ARM request at all, and the line says how to undo it.
func TestAzureOffInTheProfile(t *testing.T) {
	c := newCLI(t)
	cfg := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfg, []byte("[profiles.default]\nazure = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PIMENTO_CONFIG", cfg)
	c.login()
	c.tn.ResetLog()
	out, errOut, code := c.run("roles")
	if code != 0 || !strings.Contains(errOut, "azure = false") || strings.Contains(out, "Contributor") {
		t.Errorf("exit %d %q %q", code, out, errOut)
	}
	if n := c.tn.CountRequests("", "/arm/"); n != 0 {
		t.Errorf("%d ARM requests with azure = false", n)
	}
}

// assertAudiencesApart fails if an ARM request carried anything but an
// ARM token, or a Graph request an ARM token.
func assertAudiencesApart(t *testing.T, tn *sim.Tenant) {
	t.Helper()
	for _, r := range tn.Requests() {
		switch {
		case strings.HasPrefix(r.Path, "/arm/") && r.Audience != sim.ARMResource:
			t.Errorf("%s %s carried a token for %q", r.Method, r.Path, r.Audience)
		case strings.HasPrefix(r.Path, "/v1.0/") && strings.Contains(r.Audience, "management"):
			t.Errorf("%s %s carried an ARM token", r.Method, r.Path)
		}
	}
}
