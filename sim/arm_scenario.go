package sim

import (
	"fmt"
	"strings"
)

// The Azure side of a scenario: the resource hierarchy, role definitions
// and the checks that tie eligibilities, policies and activations to them.
// Azure resource role eligibilities, policies and activations live in the
// scenario's Eligibilities, Policies and Active lists with Scope set.

// ManagementGroup is an Azure management group.
type ManagementGroup struct {
	ID          string `json:"id"` // the group's name in ids, e.g. Tier0
	DisplayName string `json:"displayName"`
	Parent      string `json:"parent,omitempty"` // parent group id; empty: under the tenant root group
}

// Subscription is an Azure subscription.
type Subscription struct {
	ID              string `json:"id"` // GUID
	DisplayName     string `json:"displayName"`
	ManagementGroup string `json:"managementGroup,omitempty"` // id of the group it sits in
}

// ResourceGroup is a resource group in a subscription.
type ResourceGroup struct {
	Subscription string `json:"subscription"` // subscription id
	Name         string `json:"name"`
}

// Resource is an Azure resource a role can be scoped to.
type Resource struct {
	// ID is the full resource id, e.g.
	// /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/kv-prod.
	ID          string `json:"id"`
	DisplayName string `json:"displayName,omitempty"` // default: the last segment of ID
}

// AzureRole is an Azure RBAC role definition. The built-in roles of
// BuiltInAzureRoles are always defined; a scenario role with the same GUID
// replaces one.
type AzureRole struct {
	// ID is the role definition GUID or a full id ending in it
	// (/providers/Microsoft.Authorization/roleDefinitions/{guid}).
	ID             string   `json:"id"`
	RoleName       string   `json:"roleName"`
	Type           string   `json:"type,omitempty"` // BuiltInRole (default) | CustomRole
	Actions        []string `json:"actions,omitempty"`
	NotActions     []string `json:"notActions,omitempty"`
	DataActions    []string `json:"dataActions,omitempty"`
	NotDataActions []string `json:"notDataActions,omitempty"`
}

// Built-in Azure role definition GUIDs (the same in every tenant).
const (
	AzureRoleOwner           = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	AzureRoleContributor     = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	AzureRoleReader          = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	AzureRoleKeyVaultAdmin   = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
	AzureRoleUserAccessAdmin = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
)

// BuiltInAzureRoles returns the built-in roles the sim knows, with their
// actions as Azure publishes them (trimmed to what a permission check
// needs: Contributor's notActions keep the Authorization ones).
func BuiltInAzureRoles() []AzureRole {
	return []AzureRole{
		{ID: AzureRoleOwner, RoleName: "Owner", Type: "BuiltInRole", Actions: []string{"*"}},
		{
			ID: AzureRoleContributor, RoleName: "Contributor", Type: "BuiltInRole", Actions: []string{"*"},
			NotActions: []string{
				"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action",
				"Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action",
			},
		},
		{ID: AzureRoleReader, RoleName: "Reader", Type: "BuiltInRole", Actions: []string{"*/read"}},
		{
			ID: AzureRoleKeyVaultAdmin, RoleName: "Key Vault Administrator", Type: "BuiltInRole",
			Actions: []string{
				"Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*", "Microsoft.Resources/deployments/*",
				"Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Support/*", "Microsoft.KeyVault/checkNameAvailability/read",
				"Microsoft.KeyVault/deletedVaults/read", "Microsoft.KeyVault/locations/*/read", "Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/operations/read",
			},
			DataActions: []string{"Microsoft.KeyVault/vaults/*"},
		},
		{
			ID: AzureRoleUserAccessAdmin, RoleName: "User Access Administrator", Type: "BuiltInRole",
			Actions: []string{"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"},
		},
	}
}

// azureRoles is the scenario's role table by GUID: built-ins, then the
// scenario's own.
func azureRoles(sc Scenario) map[string]AzureRole {
	out := map[string]AzureRole{}
	for _, r := range append(BuiltInAzureRoles(), sc.AzureRoles...) {
		g := roleGUID(r.ID)
		if g == "" {
			continue
		}
		r.ID = g
		if r.Type == "" {
			r.Type = "BuiltInRole"
		}
		out[g] = r
	}
	return out
}

// validateAzure checks the Azure parts of a scenario: the hierarchy refers
// to itself consistently and every Azure eligibility, policy and activation
// names a known scope and role.
func (sc *Scenario) validateAzure() error {
	mgs := map[string]bool{}
	for _, m := range sc.ManagementGroups {
		if m.ID == "" || strings.Contains(m.ID, "/") {
			return fmt.Errorf("scenario: management group id %q must be a plain name", m.ID)
		}
		mgs[strings.ToLower(m.ID)] = true
	}
	for _, m := range sc.ManagementGroups {
		if m.Parent != "" && !mgs[strings.ToLower(m.Parent)] {
			return fmt.Errorf("scenario: management group %q names unknown parent %q", m.ID, m.Parent)
		}
	}
	for _, s := range sc.Subscriptions {
		if !isGUID(s.ID) {
			return fmt.Errorf("scenario: subscription id %q must be a GUID", s.ID)
		}
		if s.ManagementGroup != "" && !mgs[strings.ToLower(s.ManagementGroup)] {
			return fmt.Errorf("scenario: subscription %q names unknown management group %q", s.ID, s.ManagementGroup)
		}
	}
	for _, r := range sc.AzureRoles {
		if roleGUID(r.ID) == "" {
			return fmt.Errorf("scenario: Azure role id %q must be a GUID or end in roleDefinitions/{guid}", r.ID)
		}
	}
	topo := newARMTopology(*sc)
	for _, g := range sc.ResourceGroups {
		if _, ok := topo.subs[strings.ToLower(g.Subscription)]; !ok || g.Name == "" {
			return fmt.Errorf("scenario: resource group %q names unknown subscription %q", g.Name, g.Subscription)
		}
	}
	for _, r := range sc.Resources {
		s, err := parseARMScope(r.ID)
		if err != nil || s.Kind != scopeResource {
			return fmt.Errorf("scenario: resource id %q is not a resource id", r.ID)
		}
		if !topo.rgs[strings.ToLower(s.Sub+"/"+s.RG)] {
			return fmt.Errorf("scenario: resource %q is in an unknown resource group", r.ID)
		}
	}
	roles := azureRoles(*sc)
	checkTarget := func(scope, role, what string) error {
		s, err := parseARMScope(scope)
		if err != nil {
			return fmt.Errorf("scenario: %s: %v", what, err)
		}
		if !topo.known(s) {
			return fmt.Errorf("scenario: %s names unknown scope %q", what, scope)
		}
		if _, ok := roles[roleGUID(role)]; !ok {
			return fmt.Errorf("scenario: %s names unknown Azure role %q", what, role)
		}
		return nil
	}
	for i, p := range sc.Policies {
		if p.Scope != "" {
			if err := checkTarget(p.Scope, p.RoleDefinitionID, fmt.Sprintf("policy %d", i)); err != nil {
				return err
			}
		}
	}
	check := func(e Eligibility, what string) error {
		if e.Scope == "" {
			return nil
		}
		if e.GroupID != "" || e.DirectoryScopeID != "" || e.AppScopeID != "" {
			return fmt.Errorf("scenario: %s mixes an Azure scope with directory or group fields", what)
		}
		return checkTarget(e.Scope, e.RoleDefinitionID, what)
	}
	for i, e := range sc.Eligibilities {
		if err := check(e, fmt.Sprintf("eligibility %d", i)); err != nil {
			return err
		}
	}
	for i, a := range sc.Active {
		if err := check(a.Eligibility, fmt.Sprintf("active %d", i)); err != nil {
			return err
		}
	}
	return nil
}

// canonicalTarget spells an Azure target as the state keys it: the
// canonical scope and the full role definition id for that scope.
func canonicalTarget(e Eligibility) Eligibility {
	if e.Scope == "" {
		return e
	}
	e.Scope = canonicalScope(e.Scope)
	if g := roleGUID(e.RoleDefinitionID); g != "" {
		e.RoleDefinitionID = roleDefinitionID(e.Scope, g)
	}
	return e
}
