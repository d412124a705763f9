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
	DemoFinanceGroupID = "9a6c2e41-7d3b-4f85-b1e9-3c0d5a8f2b17" // SG-Finance-Payroll-Admins
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
	RoleBillingAdministrator  = "b0f54661-2d74-4c50-afa3-1ec803f12efe"
)

// DemoScenario is the Contoso tenant used by `pimento --demo` and tests:
// one cloud-only admin with eligibilities that exercise every policy
// feature (AU and app scopes, auth context, approval, ticketing, MFA),
// a PIM group, Global Reader already active with 20 minutes left, Azure
// resource roles at each kind of ARM scope (demoAzure), and Megan Bowen's
// requests waiting for the admin's approval, one of each kind
// (demoApprovals).
func DemoScenario() Scenario {
	sc := demoDirectory()
	demoAzure(&sc)
	demoApprovals(&sc)
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
		Policy{
			Scope: DemoSubscriptionScope, RoleDefinitionID: AzureRoleOwner, MaxDuration: hours(2), Justification: true, MFA: true,
			Approval: true, Approvers: []string{"Megan Bowen"},
		},
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

// Ids of Megan Bowen's requests waiting for the demo admin's approval.
// On Graph the approval id is the request id; on ARM it is its own GUID.
const (
	DemoPendingRoleRequestID   = "5f0b7e2c-9a14-4d6e-8c3b-1e7a2d9f4b60" // Billing Administrator
	DemoPendingGroupRequestID  = "c2d8a6f1-3b5e-4a97-9d0c-7f1e4b2a8c35" // SG-Finance-Payroll-Admins member, starting in 3 hours
	DemoPendingAzureRequestID  = "7e4a1c9d-2f6b-4b38-a5e0-9d3c8f1b6a24" // User Access Administrator on Contoso Prod
	DemoPendingAzureApprovalID = "3a9f5d2e-8c1b-4e67-b4a0-6d2f7c9e1b58"
)

// demoApprovals makes the demo admin an approver of one directory role,
// one group access and one Azure role that Megan Bowen is eligible for,
// and seeds a request from her for each, made minutes before the tenant
// started, so the 24-hour window has most of its time left. The approvers
// are named each way a scenario may name them: user id, UPN, display
// name. The admin's own eligibilities and policies are untouched.
func demoApprovals(sc *Scenario) {
	ago := func(m int) Duration { return Duration(time.Duration(m) * time.Minute) }
	megan := func(e Eligibility) Eligibility { e.UserID = DemoApproverUserID; return e }
	sc.Roles = append(sc.Roles, RoleDefinition{ID: RoleBillingAdministrator, DisplayName: "Billing Administrator", TemplateID: RoleBillingAdministrator})
	sc.Groups = append(sc.Groups, Group{ID: DemoFinanceGroupID, DisplayName: "SG-Finance-Payroll-Admins"})
	billing := megan(Eligibility{RoleDefinitionID: RoleBillingAdministrator, DirectoryScopeID: "/"})
	payroll := megan(Eligibility{GroupID: DemoFinanceGroupID, AccessID: "member"})
	access := megan(Eligibility{RoleDefinitionID: roleDefinitionID(DemoSubscriptionScope, AzureRoleUserAccessAdmin), Scope: DemoSubscriptionScope})
	sc.Policies = append(sc.Policies,
		Policy{
			RoleDefinitionID: RoleBillingAdministrator, MaxDuration: Duration(4 * time.Hour), Justification: true, MFA: true,
			Approval: true, Approvers: []string{DemoAdminUserID},
		},
		Policy{
			GroupID: DemoFinanceGroupID, AccessID: "member", MaxDuration: Duration(8 * time.Hour), Justification: true,
			Approval: true, Approvers: []string{DemoAdminUPN},
		},
		Policy{
			Scope: DemoSubscriptionScope, RoleDefinitionID: AzureRoleUserAccessAdmin, MaxDuration: Duration(2 * time.Hour), Justification: true, Ticket: true, MFA: true,
			Approval: true, Approvers: []string{"Alex Wilber (Admin)"},
		},
	)
	sc.Eligibilities = append(sc.Eligibilities, billing, payroll, access)
	sc.Pending = append(sc.Pending,
		PendingRequest{
			ID: DemoPendingRoleRequestID, Eligibility: billing, CreatedAgo: ago(12), Duration: Duration(2 * time.Hour),
			Justification: "Renew the E5 licences before the quarter closes",
		},
		PendingRequest{
			ID: DemoPendingGroupRequestID, Eligibility: payroll, CreatedAgo: ago(35), Duration: Duration(4 * time.Hour), StartIn: Duration(3 * time.Hour),
			Justification: "March payroll run in tonight's window",
		},
		PendingRequest{
			ID: DemoPendingAzureRequestID, ApprovalID: DemoPendingAzureApprovalID, Eligibility: access, CreatedAgo: ago(4), Duration: Duration(time.Hour),
			Justification: "Grant the backup operator access to kv-prod", TicketNumber: "INC-4711", TicketSystem: "ServiceNow",
		},
	)
}
