package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

const demoSub = "/subscriptions/6f1d2c3b-8a4e-4b7f-9c1d-2e3f4a5b6c7d"

func azureRole(name, guid, azureScope, scope string, p pim.Policy) pim.Eligibility {
	return pim.Eligibility{
		Kind: pim.KindAzureRole, Name: name, Scope: scope, AzureScope: azureScope,
		RoleDefinitionID: demoSub + "/providers/Microsoft.Authorization/roleDefinitions/" + guid, Policy: p,
	}
}

func azureEligible() []pim.Eligibility {
	return []pim.Eligibility{
		azureRole("Contributor", "b24988ac", demoSub, "sub: Contoso Prod", pim.Policy{MaxDuration: 8 * time.Hour, Justification: true, MFA: true}),
		azureRole("Key Vault Administrator", "00482a5a", demoSub+"/resourceGroups/rg-secrets", "rg: rg-secrets (Contoso Prod)",
			pim.Policy{MaxDuration: 4 * time.Hour, Justification: true, Ticket: true}),
		azureRole("Owner", "8e3af657", demoSub+"/resourceGroups/rg-secrets/providers/Microsoft.KeyVault/vaults/kv-prod", "kv-prod (Key Vault) in rg-secrets",
			pim.Policy{MaxDuration: time.Hour, Justification: true, MFA: true, AuthContext: "c2"}),
		azureRole("Reader", "acdd72a7", "/providers/Microsoft.Management/managementGroups/Tier0", "mg: Tier0", pim.Policy{MaxDuration: 8 * time.Hour}),
	}
}

// withAzure adds the Azure roles after the directory roles and groups, as
// the core lists them, with Reader at the management group active.
func withAzure(f *fakeService) {
	az := azureEligible()
	f.snap.Eligible = append(f.snap.Eligible, az...)
	f.snap.Active = append(f.snap.Active, f.at(az[3], t0.Add(-25*time.Minute), time.Hour))
}

// propagating answers an activation as the core does for an Azure role
// that PIM lists and ARM has not applied yet, and waits there.
func propagating(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
	e := r.Target
	ev := func(s pim.Stage, after time.Duration, detail string) {
		progress(pim.Event{Key: e.Key(), Name: e.Label(), Stage: s, Detail: detail, At: t0.Add(after)})
	}
	ev(pim.StageChecked, 0, e.Policy.Describe())
	ev(pim.StageSubmitted, 900*time.Millisecond, "request sent to PIM")
	ev(pim.StageProvisioned, 1800*time.Millisecond, "PIM answered Provisioned")
	ev(pim.StageListed, 2500*time.Millisecond, "the active assignment is listed")
	ev(pim.StagePropagating, 2700*time.Millisecond, "active, waiting for Azure to apply its permissions")
	return pim.Outcome{Target: e, Status: "Provisioned", Effective: true, Proof: pim.ProofPermissions, EffectiveAfter: 41 * time.Second, End: t0.Add(r.Duration)}
}

func init() {
	scenarios = append(scenarios,
		scenario{
			name: "azure_list", narrow: true, setup: func(f *fakeService) { busyFake(f); withAzure(f) },
			drive: func(h *harness) { h.cursorTo("Key Vault Administrator (rg: rg-secrets (Contoso Prod))") },
		},
		scenario{name: "azure_progress", setup: func(f *fakeService) {
			withAzure(f)
			f.release = make(chan struct{})
			f.activate = propagating
		}, drive: func(h *harness) {
			h.cursorTo("Owner (kv-prod (Key Vault) in rg-secrets)")
			h.key("enter")
			h.typeText("rotate keys")
			h.key("enter")
			h.settle()
			h.tick(12 * time.Second)
		}},
		scenario{name: "azure_missing", setup: func(f *fakeService) {
			f.snap.AzureMissing = "Azure roles are missing: AADSTS65001, no consent for Azure Service Management user_impersonation: an admin grants it"
		}, drive: func(h *harness) {}},
	)
}

// cursorTo moves the cursor down to the row labelled label.
func (h *harness) cursorTo(label string) {
	h.tb.Helper()
	for range h.m.list.rows {
		if r := h.m.list.currentRow(); r != nil && r.elig.Label() == label {
			return
		}
		h.key("down")
	}
	h.tb.Fatalf("no row %q", label)
}

func TestAzureRowsAreMarkedAndFilterable(t *testing.T) {
	f := newFake()
	withAzure(f)
	h := newHarness(t, f, Options{}, 120, 40)
	h.mustShow("az Contributor", "sub: Contoso Prod", "rg: rg-secrets (Contoso Prod)", "mg: Tier0", "kv-prod (Key Vault) in rg-secr")
	h.key("/")
	h.typeText("azure")
	if n := len(h.m.list.visible); n != 4 {
		t.Errorf("filter azure: %d rows, want the 4 Azure roles", n)
	}
	h.key("esc", "/")
	h.typeText("rg-secrets")
	if n := len(h.m.list.visible); n != 2 {
		t.Errorf("filter rg-secrets: %d rows, want the group's role and the vault's", n)
	}
	h.key("esc", "/")
	h.typeText("group")
	for _, i := range h.m.list.visible {
		if h.m.list.rows[i].elig.Kind != pim.KindGroup {
			t.Errorf("filter group kept %s", h.m.list.rows[i].elig.Label())
		}
	}
}

func TestAzureProgressSaysPropagatingWithElapsedTime(t *testing.T) {
	f := newFake()
	withAzure(f)
	f.release = make(chan struct{})
	f.activate = propagating
	h := newHarness(t, f, Options{}, 100, 30)
	h.cursorTo("Key Vault Administrator (rg: rg-secrets (Contoso Prod))")
	h.key("enter") // a form with a ticket
	h.typeText("rotate")
	h.key("tab", "tab")
	h.typeText("T-1")
	h.key("tab")
	h.typeText("Jira")
	h.key("enter")
	h.settle()
	h.mustShow("✓ request submitted", "✓ provisioned by PIM", "✓ listed as active", "› propagating… 0.0s", "verified in Azure's permissions")
	h.tick(10 * time.Second)
	h.mustShow("› propagating… 7.3s")
	if s := h.screen(); strings.Contains(s, "token refreshed") {
		t.Errorf("an Azure role has no token step:\n%s", s)
	}
	h.release() // the core proves it
	h.mustShow("✓ propagated to Azure", "the permissions at the scope show the role", "✓ verified: Azure's permissions show the role after 41s")
}
