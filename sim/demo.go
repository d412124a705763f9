package sim

import "time"

// Well-known ids of the demo scenario.
const (
	DemoTenantID       = "8f3d2c1a-6b4e-4f7a-9c2d-5e1b0a7f3c64"
	DemoAdminUserID    = "3b9f6c2e-1d4a-4e8b-a7c5-92f0d6e1b843"
	DemoApproverUserID = "c7e2a915-48d3-4b6f-8e1a-0f5d3c9b2a71"
	DemoAdminUPN       = "adm-alex.wilber@contoso.onmicrosoft.com"
	DemoApproverUPN    = "megan.bowen@contoso.onmicrosoft.com"
	DemoAUID           = "5d1e8a4b-2c7f-4a39-b6e0-d48f1c2a9e57" // Berlin Helpdesk
	DemoAppObjectID    = "a2c4e6f8-0b1d-4f3a-8c5e-7d9f1b3a5c70" // Payroll Connector
	DemoGroupID        = "e4b7c1d9-3f6a-4d2e-9b8c-1a5f7e3d0c26" // SG-Tier0-Break-Glass-Ops
)

// Built-in directory role template ids (also the role definition ids).
const (
	RoleGlobalReader          = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	RoleUserAdministrator     = "fe930be7-5e62-47db-91af-98c3a49a38b1"
	RoleExchangeAdministrator = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	RoleSecurityAdministrator = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	RoleHelpdeskAdministrator = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	RoleGlobalAdministrator   = "62e90394-69f5-4237-9190-012177145e10"
	RoleApplicationAdmin      = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
	RolePrivilegedRoleAdmin   = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	RoleIntuneAdministrator   = "3a2c62db-5318-420d-8d74-23affee5d9d5"
	RoleSharePointAdmin       = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
)

// DemoScenario is the Contoso tenant used by `pimento --demo` and tests:
// one cloud-only admin with eligibilities that exercise every policy
// feature (AU and app scopes, auth context, approval, ticketing, MFA),
// a PIM group, Global Reader already active with 20 minutes left, and
// Azure resource roles at each kind of ARM scope (demo_azure.go).
func DemoScenario() Scenario {
	sc := demoDirectory()
	demoAzure(&sc)
	return sc
}

// demoDirectory is the demo's Entra side: directory roles and the group.
func demoDirectory() Scenario {
	hours := func(h float64) Duration { return Duration(time.Duration(h * float64(time.Hour))) }
	role := func(id, name string) RoleDefinition {
		return RoleDefinition{ID: id, DisplayName: name, TemplateID: id}
	}
	elig := func(role, scope string) Eligibility {
		return Eligibility{UserID: DemoAdminUserID, RoleDefinitionID: role, DirectoryScopeID: scope}
	}
	return Scenario{
		TenantID:   DemoTenantID,
		TenantName: "contoso.onmicrosoft.com",
		Users: []User{
			{
				ID:                DemoAdminUserID,
				UserPrincipalName: DemoAdminUPN,
				DisplayName:       "Alex Wilber (Admin)",
				OtherMails:        []string{"alex.wilber@contoso.com"},
			},
			{
				ID:                DemoApproverUserID,
				UserPrincipalName: DemoApproverUPN,
				DisplayName:       "Megan Bowen",
				Mail:              "megan.bowen@contoso.com",
				AssignedLicenses:  []string{"06ebc4ee-1bb5-47dd-8120-11324bc54e06"}, // Microsoft 365 E5
			},
		},
		Roles: []RoleDefinition{
			role(RoleGlobalReader, "Global Reader"),
			role(RoleUserAdministrator, "User Administrator"),
			role(RoleExchangeAdministrator, "Exchange Administrator"),
			role(RoleSecurityAdministrator, "Security Administrator"),
			role(RoleHelpdeskAdministrator, "Helpdesk Administrator"),
			role(RoleGlobalAdministrator, "Global Administrator"),
			role(RoleApplicationAdmin, "Application Administrator"),
			role(RolePrivilegedRoleAdmin, "Privileged Role Administrator"),
			role(RoleIntuneAdministrator, "Intune Administrator"),
			role(RoleSharePointAdmin, "SharePoint Administrator"),
		},
		Groups:              []Group{{ID: DemoGroupID, DisplayName: "SG-Tier0-Break-Glass-Ops"}},
		AdministrativeUnits: []AdministrativeUnit{{ID: DemoAUID, DisplayName: "Berlin Helpdesk"}},
		Apps:                []App{{ID: DemoAppObjectID, DisplayName: "Payroll Connector"}},
		Policies: []Policy{
			{RoleDefinitionID: RoleGlobalReader, MaxDuration: hours(8), MFA: true},
			{RoleDefinitionID: RoleUserAdministrator, MaxDuration: hours(4), Justification: true, MFA: true},
			{RoleDefinitionID: RoleExchangeAdministrator, MaxDuration: hours(2), Justification: true, Ticket: true},
			{RoleDefinitionID: RoleSecurityAdministrator, MaxDuration: hours(8), Justification: true, MFA: true},
			{RoleDefinitionID: RoleHelpdeskAdministrator, MaxDuration: hours(8), Justification: true},
			{RoleDefinitionID: RoleGlobalAdministrator, MaxDuration: hours(1), Justification: true, MFA: true, AuthContext: "c1"},
			{RoleDefinitionID: RoleApplicationAdmin, MaxDuration: hours(4), Justification: true},
			{RoleDefinitionID: RolePrivilegedRoleAdmin, MaxDuration: hours(2), Justification: true, MFA: true, Approval: true, Approvers: []string{"Megan Bowen"}},
			{RoleDefinitionID: RoleIntuneAdministrator, MaxDuration: hours(1.5), MFA: true},
			{GroupID: DemoGroupID, AccessID: "member", MaxDuration: hours(4), Justification: true},
			{GroupID: DemoGroupID, AccessID: "owner", MaxDuration: hours(1), Justification: true, Ticket: true},
		},
		Eligibilities: []Eligibility{
			elig(RoleGlobalReader, "/"),
			elig(RoleUserAdministrator, "/"),
			elig(RoleExchangeAdministrator, "/"),
			elig(RoleSecurityAdministrator, "/"),
			elig(RoleHelpdeskAdministrator, "/administrativeUnits/"+DemoAUID),
			elig(RoleGlobalAdministrator, "/"),
			elig(RoleApplicationAdmin, "/"+DemoAppObjectID),
			elig(RolePrivilegedRoleAdmin, "/"),
			elig(RoleIntuneAdministrator, "/"),
			{UserID: DemoAdminUserID, GroupID: DemoGroupID, AccessID: "member"},
			{UserID: DemoAdminUserID, GroupID: DemoGroupID, AccessID: "owner"},
			{UserID: DemoApproverUserID, RoleDefinitionID: RoleGlobalReader, DirectoryScopeID: "/"},
		},
		Active: []Activation{{
			Eligibility: elig(RoleGlobalReader, "/"),
			StartedAgo:  Duration(40 * time.Minute),
			Remaining:   Duration(20 * time.Minute),
		}},
		DeviceCodeAutoApprove: true,
		Latency:               Duration(80 * time.Millisecond),
		ProvisioningDelay:     Duration(2 * time.Second),
		PageSize:              100,
	}
}

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
