package sim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// ARM role management policies (AZ §3): every Azure role has a policy at
// every scope ("each role within each resource has a default policy",
// D3): the scenario's for that (scope, role), else the nearest one above
// (pimState.armPolicyFor), else the default; the policy assignments carry
// the computed effectiveRules. Reading them needs
// no Azure role here (an eligible user reads them before activating);
// the docs say roles/read is needed (D3), which the sim does not enforce.

// armPolicyGUID names the policy of a role at a scope, stably.
func armPolicyGUID(scope, guid string) string {
	return stableGUID("arm-policy", strings.ToLower(scope), guid)
}

// sortedRoles lists the role table by name, for stable lists.
func (t *Tenant) sortedRoles() []AzureRole {
	out := make([]AzureRole, 0, len(t.pim.armRoles))
	for _, r := range t.pim.armRoles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoleName < out[j].RoleName })
	return out
}

// armPolicies answers roleManagementPolicyAssignments (assignments true)
// or roleManagementPolicies at c's scope, the whole list or one by name,
// with $filter=roleDefinitionId eq '…' honoured on the lists (AZ §3.1:
// UNVERIFIED in the real service; the safer side for the client is that
// it works and is also checked client-side).
func (t *Tenant) armPolicies(c *armCall, assignments bool) {
	f, aerr := parseARMFilter(c.r.URL.Query().Get("$filter"), policyFilterClauses...)
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	scope := c.scope.ID
	t.mu.Lock()
	var items []any
	for _, r := range t.sortedRoles() {
		if f.roleGUID != "" && f.roleGUID != r.ID {
			continue
		}
		pol := t.pim.policyFor(Eligibility{Scope: scope, RoleDefinitionID: roleDefinitionID(scope, r.ID)})
		pg := armPolicyGUID(scope, r.ID)
		var item map[string]any
		switch {
		case assignments && (c.name == "" || strings.EqualFold(c.name, pg+"_"+r.ID)):
			item = t.armPolicyAssignmentJSON(scope, r, pol)
		case !assignments && (c.name == "" || strings.EqualFold(c.name, pg)):
			item = t.armPolicyJSON(scope, r, pol)
		}
		if item != nil {
			items = append(items, item)
		}
	}
	t.mu.Unlock()
	if c.name == "" {
		t.writeARMPage(c, items)
		return
	}
	if len(items) == 0 {
		writeCloudError(c.w, http.StatusNotFound, "RoleManagementPolicyNotFound", fmt.Sprintf("The role management policy '%s' was not found at scope '%s'.", c.name, scope))
		return
	}
	writeARMJSON(c.w, http.StatusOK, items[0])
}

// armScopeRef is the {id, displayName, type} of a scope.
func (t *Tenant) armScopeRef(scope string) map[string]any {
	name, kind := t.pim.topo.describe(scope)
	return map[string]any{"id": scope, "displayName": name, "type": kind}
}

// armPolicyAssignmentJSON is a RoleManagementPolicyAssignment (AZ §3.2,
// S8): its id uses the singular roleManagementPolicyAssignment segment.
func (t *Tenant) armPolicyAssignmentJSON(scope string, r AzureRole, pol Policy) map[string]any {
	pg := armPolicyGUID(scope, r.ID)
	name := pg + "_" + r.ID
	policyID := armProvider(scope) + "roleManagementPolicies/" + pg
	return map[string]any{
		"properties": map[string]any{
			"scope":            scope,
			"roleDefinitionId": roleDefinitionID(scope, r.ID),
			"policyId":         policyID,
			"effectiveRules":   t.armRules(pol),
			"policyAssignmentProperties": map[string]any{
				"scope":          t.armScopeRef(scope),
				"roleDefinition": map[string]any{"id": roleDefinitionID(scope, r.ID), "displayName": r.RoleName, "type": r.Type},
				"policy": map[string]any{
					"id": policyID, "lastModifiedDateTime": nil,
					"lastModifiedBy": map[string]any{"id": nil, "displayName": "Admin", "type": nil, "email": nil},
				},
			},
		},
		"name": name,
		"id":   armProvider(scope) + "roleManagementPolicyAssignment/" + name,
		"type": "Microsoft.Authorization/RoleManagementPolicyAssignment",
	}
}

// armPolicyJSON is a RoleManagementPolicy (AZ §3.1, S9).
func (t *Tenant) armPolicyJSON(scope string, r AzureRole, pol Policy) map[string]any {
	pg := armPolicyGUID(scope, r.ID)
	rules := t.armRules(pol)
	return map[string]any{
		"properties": map[string]any{
			"scope":                 scope,
			"displayName":           "Default",
			"description":           "Default role management policy for " + r.RoleName,
			"isOrganizationDefault": false,
			"lastModifiedBy":        map[string]any{"id": nil, "displayName": "Admin", "type": nil, "email": nil},
			"lastModifiedDateTime":  nil,
			"rules":                 rules,
			"effectiveRules":        rules,
			"policyProperties":      map[string]any{"scope": t.armScopeRef(scope)},
		},
		"name": pg,
		"id":   armProvider(scope) + "roleManagementPolicies/" + pg,
		"type": "Microsoft.Authorization/RoleManagementPolicies",
	}
}

func armRuleTarget(caller, level string) map[string]any {
	return map[string]any{
		"caller": caller, "operations": []string{"All"}, "level": level,
		"targetObjects": nil, "inheritableSettings": nil, "enforcedSettings": nil,
	}
}

// armRules renders a policy as ARM rules: the end-user activation rules a
// client reads, plus admin and notification rules it must skip (AZ §3.2).
func (t *Tenant) armRules(pol Policy) []any {
	approvers := []any{}
	for _, a := range t.pim.approvers(pol) {
		approvers = append(approvers, map[string]any{"id": a.id, "description": a.description, "isBackup": false, "userType": "User"})
	}
	rule := func(id, typ, caller, level string, fields map[string]any) map[string]any {
		fields["id"], fields["ruleType"], fields["target"] = id, typ, armRuleTarget(caller, level)
		return fields
	}
	notify := func(recipient string) map[string]any {
		return rule("Notification_"+recipient+"_EndUser_Assignment", "RoleManagementPolicyNotificationRule", "EndUser", "Assignment", map[string]any{
			"notificationType": "Email", "recipientType": recipient, "isDefaultRecipientsEnabled": true,
			"notificationLevel": "All", "notificationRecipients": nil,
		})
	}
	return []any{
		rule("Expiration_Admin_Eligibility", "RoleManagementPolicyExpirationRule", "Admin", "Eligibility", map[string]any{"isExpirationRequired": false, "maximumDuration": "P365D"}),
		rule("Enablement_Admin_Assignment", "RoleManagementPolicyEnablementRule", "Admin", "Assignment", map[string]any{"enabledRules": []string{"Justification"}}),
		rule("Expiration_EndUser_Assignment", "RoleManagementPolicyExpirationRule", "EndUser", "Assignment", map[string]any{
			"isExpirationRequired": true, "maximumDuration": isoDuration(pol.MaxDuration.D()),
		}),
		rule("Enablement_EndUser_Assignment", "RoleManagementPolicyEnablementRule", "EndUser", "Assignment", map[string]any{"enabledRules": pol.enabledRules()}),
		rule("Approval_EndUser_Assignment", "RoleManagementPolicyApprovalRule", "EndUser", "Assignment", map[string]any{
			"setting": map[string]any{
				"isApprovalRequired": pol.Approval, "isApprovalRequiredForExtension": false, "isRequestorJustificationRequired": true,
				"approvalMode": "SingleStage",
				"approvalStages": []any{map[string]any{
					"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true, "escalationTimeInMinutes": 0,
					"isEscalationEnabled": false, "primaryApprovers": approvers, "escalationApprovers": nil,
				}},
			},
		}),
		rule("AuthenticationContext_EndUser_Assignment", "RoleManagementPolicyAuthenticationContextRule", "EndUser", "Assignment", map[string]any{
			"isEnabled": pol.AuthContext != "", "claimValue": pol.AuthContext,
		}),
		notify("Admin"), notify("Requestor"), notify("Approver"),
	}
}

// armRoleDefinition answers GET {scope}/…/roleDefinitions/{guid}.
func (t *Tenant) armRoleDefinition(c *armCall) {
	t.mu.Lock()
	r, ok := t.pim.armRoles[roleGUID(c.name)]
	t.mu.Unlock()
	if !ok {
		writeCloudError(c.w, http.StatusNotFound, "RoleDefinitionDoesNotExist", fmt.Sprintf("The specified role definition with ID '%s' does not exist.", c.name))
		return
	}
	writeARMJSON(c.w, http.StatusOK, map[string]any{
		"id":   roleDefinitionID(c.scope.ID, r.ID),
		"name": r.ID,
		"type": "Microsoft.Authorization/roleDefinitions",
		"properties": map[string]any{
			"roleName": r.RoleName, "type": r.Type, "description": r.RoleName, "assignableScopes": []string{"/"},
			"permissions": []any{permissionJSON(r)},
			"createdOn":   graphTime(eligibilityStart), "updatedOn": graphTime(eligibilityStart), "createdBy": nil, "updatedBy": nil,
		},
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func permissionJSON(r AzureRole) map[string]any {
	return map[string]any{
		"actions": nonNil(r.Actions), "notActions": nonNil(r.NotActions),
		"dataActions": nonNil(r.DataActions), "notDataActions": nonNil(r.NotDataActions),
	}
}

// ARM RBAC reads a client uses to prove an activation (AZ §5): the
// caller's effective permissions at a scope, and the role assignments
// that exist there. Both follow propagation (arm_state.go), not the PIM
// lists: an activation can be listed and not yet usable.

// armPermissions answers GET {scope}/…/permissions (api-version
// 2022-04-01): one entry per role that applies to the caller at the scope,
// from assignments there or above (AZ §5; the spec covers resource group
// and resource scopes; subscription works in practice; management group is
// UNVERIFIED and served here too). The tenant root is not a scope for it.
func (t *Tenant) armPermissions(c *armCall) {
	if c.scope.Kind == scopeRoot {
		writeCloudError(c.w, http.StatusBadRequest, "InvalidScope", "Permissions are listed at a management group, subscription, resource group or resource.")
		return
	}
	if c.r.URL.Query().Get("$filter") != "" {
		writeARMError(c.w, filterError(c.r.URL.Query().Get("$filter"), "the permissions list takes no $filter"))
		return
	}
	t.mu.Lock()
	var items []any
	for _, r := range t.pim.effectiveRoles(c.userID, c.scope.ID, t.clock.Now()) {
		items = append(items, permissionJSON(r))
	}
	t.mu.Unlock()
	t.writeARMPage(c, items)
}

// armRoleAssignments answers GET {scope}/…/roleAssignments (api-version
// 2022-04-01) with $filter atScope(), assignedTo('{id}') or principalId
// eq '{id}' (AZ §5, D13). It needs Microsoft.Authorization/roleAssignments/read
// at the scope: 403 AuthorizationFailed otherwise (AZ §2.3).
func (t *Tenant) armRoleAssignments(c *armCall) {
	f, aerr := parseARMFilter(c.r.URL.Query().Get("$filter"), roleAssignmentClauses...)
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	t.mu.Lock()
	now := t.clock.Now()
	if !t.pim.allowed(c.userID, c.scope.ID, "Microsoft.Authorization/roleAssignments/read", now) {
		t.mu.Unlock()
		upn, _ := c.claims["upn"].(string)
		writeCloudError(c.w, http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action "+
			"'Microsoft.Authorization/roleAssignments/read' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.", upn, c.userID, c.scope.ID))
		return
	}
	var items []any
	for _, a := range t.pim.armRoleAssignments(now) {
		if !f.matchTarget(t.pim.topo, c.scope.ID, c.userID, a.Eligibility) {
			continue
		}
		name := stableGUID("origin", a.ID)
		items = append(items, map[string]any{
			"id":   armOriginID(a),
			"name": name,
			"type": "Microsoft.Authorization/roleAssignments",
			"properties": map[string]any{
				"scope": a.Scope, "roleDefinitionId": roleDefinitionID(a.Scope, roleGUID(a.RoleDefinitionID)),
				"principalId": a.UserID, "principalType": "User", "condition": nil, "conditionVersion": nil,
				"createdOn": graphTime(a.Start), "updatedOn": graphTime(a.Start), "createdBy": nil, "updatedBy": nil,
				"delegatedManagedIdentityResourceId": nil, "description": nil,
			},
		})
	}
	t.mu.Unlock()
	t.writeARMPage(c, items)
}
