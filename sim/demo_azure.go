package sim

import "time"

// Well-known ids of the demo scenario's Azure side.
const (
	DemoSubscriptionID    = "6f1d2c3b-8a4e-4b7f-9c1d-2e3f4a5b6c7d" // Contoso Prod
	DemoManagementGroupID = "Tier0"
	DemoResourceGroup     = "rg-secrets"
	// DemoSubscriptionScope and the others are the canonical ARM scopes.
	DemoSubscriptionScope    = "/subscriptions/" + DemoSubscriptionID
	DemoResourceGroupScope   = DemoSubscriptionScope + "/resourceGroups/" + DemoResourceGroup
	DemoKeyVaultScope        = DemoResourceGroupScope + "/providers/Microsoft.KeyVault/vaults/kv-prod"
	DemoManagementGroupScope = "/providers/Microsoft.Management/managementGroups/" + DemoManagementGroupID
)

// demoAzure adds the demo admin's Azure resource roles: Contributor on
// the subscription, Key Vault Administrator on rg-secrets, Reader on the
// Tier0 management group, Owner on the kv-prod key vault behind
// authentication context c2, and Owner on the subscription with approval.
func demoAzure(sc *Scenario) {
	hours := func(h float64) Duration { return Duration(time.Duration(h * float64(time.Hour))) }
	elig := func(role, scope string) Eligibility {
		return Eligibility{UserID: DemoAdminUserID, RoleDefinitionID: roleDefinitionID(scope, role), Scope: scope}
	}
	sc.ManagementGroups = append(sc.ManagementGroups, ManagementGroup{ID: DemoManagementGroupID, DisplayName: "Tier0"})
	sc.Subscriptions = append(sc.Subscriptions, Subscription{ID: DemoSubscriptionID, DisplayName: "Contoso Prod", ManagementGroup: DemoManagementGroupID})
	sc.ResourceGroups = append(sc.ResourceGroups, ResourceGroup{Subscription: DemoSubscriptionID, Name: DemoResourceGroup})
	sc.Resources = append(sc.Resources, Resource{ID: DemoKeyVaultScope, DisplayName: "kv-prod"})
	sc.Policies = append(sc.Policies,
		Policy{Scope: DemoSubscriptionScope, RoleDefinitionID: AzureRoleContributor, MaxDuration: hours(8), Justification: true, MFA: true},
		Policy{Scope: DemoResourceGroupScope, RoleDefinitionID: AzureRoleKeyVaultAdmin, MaxDuration: hours(4), Justification: true, Ticket: true},
		Policy{Scope: DemoManagementGroupScope, RoleDefinitionID: AzureRoleReader, MaxDuration: hours(8)},
		Policy{Scope: DemoKeyVaultScope, RoleDefinitionID: AzureRoleOwner, MaxDuration: hours(1), Justification: true, MFA: true, AuthContext: "c2"},
		Policy{Scope: DemoSubscriptionScope, RoleDefinitionID: AzureRoleOwner, MaxDuration: hours(2), Justification: true, MFA: true,
			Approval: true, Approvers: []string{"Megan Bowen"}},
	)
	sc.Eligibilities = append(sc.Eligibilities,
		elig(AzureRoleContributor, DemoSubscriptionScope),
		elig(AzureRoleKeyVaultAdmin, DemoResourceGroupScope),
		elig(AzureRoleReader, DemoManagementGroupScope),
		elig(AzureRoleOwner, DemoKeyVaultScope),
		elig(AzureRoleOwner, DemoSubscriptionScope),
	)
	sc.ARMPropagationDelay = Duration(8 * time.Second)
}
