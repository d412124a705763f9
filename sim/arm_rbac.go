package sim

import (
	"fmt"
	"net/http"
)

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
