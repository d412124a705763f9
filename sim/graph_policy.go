package sim

import (
	"net/http"
	"regexp"
	"strings"
)

// GET /policies/roleManagementPolicyAssignments with the $filter Graph
// requires (scopeId and scopeType, optionally roleDefinitionId) and
// $expand=policy($expand=rules).

var (
	filterScopeIDRE   = regexp.MustCompile(`(?i)\bscopeId\s+eq\s+'([^']*)'`)
	filterScopeTypeRE = regexp.MustCompile(`(?i)\bscopeType\s+eq\s+'([^']*)'`)
	filterRoleDefRE   = regexp.MustCompile(`(?i)\broleDefinitionId\s+eq\s+'([^']*)'`)
)

func (t *Tenant) servePolicyAssignments(c *graphCall) {
	q := c.r.URL.Query()
	filter := q.Get("$filter")
	scopeM := filterScopeIDRE.FindStringSubmatch(filter)
	typeM := filterScopeTypeRE.FindStringSubmatch(filter)
	if scopeM == nil || typeM == nil {
		writeError(c.w, http.StatusBadRequest, "BadRequest", "The filter must contain scopeId and scopeType, e.g. $filter=scopeId eq '/' and scopeType eq 'DirectoryRole'.")
		return
	}
	scopeID, scopeType := scopeM[1], typeM[1]
	roleDef, hasRoleDef := "", false
	if m := filterRoleDefRE.FindStringSubmatch(filter); m != nil {
		roleDef, hasRoleDef = m[1], true
	}
	expandRaw := strings.ToLower(q.Get("$expand"))
	withPolicy := expands(c.r)["policy"]
	withRules := withPolicy && strings.Contains(expandRaw, "rules")

	t.mu.Lock()
	var items []any
	switch {
	case strings.EqualFold(scopeType, "DirectoryRole"):
		// Directory role policies exist per role at scope "/" only, also
		// for eligibilities scoped to an administrative unit or an app.
		if scopeID != "/" {
			break
		}
		for _, rd := range t.sc.Roles {
			if hasRoleDef && !strings.EqualFold(rd.ID, roleDef) {
				continue
			}
			pol := t.pim.policyFor(Eligibility{RoleDefinitionID: rd.ID})
			policyID := "DirectoryRole_" + t.sc.TenantID + "_" + stableGUID("policy", t.sc.TenantID, rd.ID)
			items = append(items, t.policyAssignmentJSON(policyID, "/", "DirectoryRole", rd.ID, pol, withPolicy, withRules))
		}
	case strings.EqualFold(scopeType, "Group"):
		g, ok := t.groupByID(scopeID)
		if !ok {
			break
		}
		for _, access := range []string{"member", "owner"} {
			if hasRoleDef && !strings.EqualFold(roleDef, access) {
				continue
			}
			pol := t.pim.policyFor(Eligibility{GroupID: g.ID, AccessID: access})
			policyID := "Group_" + g.ID + "_" + stableGUID("policy", g.ID, access)
			items = append(items, t.policyAssignmentJSON(policyID, g.ID, "Group", access, pol, withPolicy, withRules))
		}
	}
	t.mu.Unlock()
	t.writePage(c, items, "unifiedRoleManagementPolicyAssignment")
}

// policyAssignmentJSON renders a unifiedRoleManagementPolicyAssignment.
// Caller holds t.mu.
func (t *Tenant) policyAssignmentJSON(policyID, scopeID, scopeType, roleDefID string, pol Policy, withPolicy, withRules bool) map[string]any {
	o := map[string]any{
		"id":               policyID + "_" + roleDefID,
		"policyId":         policyID,
		"scopeId":          scopeID,
		"scopeType":        scopeType,
		"roleDefinitionId": roleDefID,
	}
	if !withPolicy {
		return o
	}
	p := map[string]any{
		"id":                    policyID,
		"displayName":           scopeType,
		"description":           scopeType,
		"isOrganizationDefault": false,
		"scopeId":               scopeID,
		"scopeType":             scopeType,
		"lastModifiedDateTime":  nil,
		"lastModifiedBy":        nil,
	}
	if withRules {
		p["rules"] = t.policyRules(pol)
	}
	o["policy"] = p
	return o
}

func ruleTarget(caller, level string) map[string]any {
	return map[string]any{
		"caller":              caller,
		"operations":          []string{"all"},
		"level":               level,
		"inheritableSettings": []string{},
		"enforcedSettings":    []string{},
	}
}

// policyRules renders a policy's rules as Graph does: the end-user
// activation rules plus admin and notification rules a client must skip.
// Caller holds t.mu.
func (t *Tenant) policyRules(pol Policy) []any {
	const (
		expirationType = "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"
		enablementType = "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"
		approvalType   = "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule"
		authCtxType    = "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule"
		notifyType     = "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule"
	)
	approvers := []any{}
	for _, a := range t.pim.approvers(pol) {
		approvers = append(approvers, map[string]any{
			"@odata.type": "#microsoft.graph.singleUser",
			"isBackup":    false,
			"userId":      a.id,
			"description": a.description,
		})
	}
	var claimValue any
	if pol.AuthContext != "" {
		claimValue = pol.AuthContext
	}
	notify := func(id, recipient string) map[string]any {
		return map[string]any{
			"@odata.type":                notifyType,
			"id":                         id,
			"notificationType":           "Email",
			"recipientType":              recipient,
			"notificationLevel":          "All",
			"isDefaultRecipientsEnabled": true,
			"notificationRecipients":     []string{},
			"target":                     ruleTarget("EndUser", "Assignment"),
		}
	}
	return []any{
		map[string]any{
			"@odata.type":          expirationType,
			"id":                   "Expiration_Admin_Eligibility",
			"isExpirationRequired": false,
			"maximumDuration":      "P365D",
			"target":               ruleTarget("Admin", "Eligibility"),
		},
		map[string]any{
			"@odata.type":  enablementType,
			"id":           "Enablement_Admin_Eligibility",
			"enabledRules": []string{},
			"target":       ruleTarget("Admin", "Eligibility"),
		},
		map[string]any{
			"@odata.type":          expirationType,
			"id":                   "Expiration_Admin_Assignment",
			"isExpirationRequired": false,
			"maximumDuration":      "P180D",
			"target":               ruleTarget("Admin", "Assignment"),
		},
		map[string]any{
			"@odata.type":  enablementType,
			"id":           "Enablement_Admin_Assignment",
			"enabledRules": []string{"Justification"},
			"target":       ruleTarget("Admin", "Assignment"),
		},
		map[string]any{
			"@odata.type":          expirationType,
			"id":                   "Expiration_EndUser_Assignment",
			"isExpirationRequired": true,
			"maximumDuration":      isoDuration(pol.MaxDuration.D()),
			"target":               ruleTarget("EndUser", "Assignment"),
		},
		map[string]any{
			"@odata.type":  enablementType,
			"id":           "Enablement_EndUser_Assignment",
			"enabledRules": pol.enabledRules(),
			"target":       ruleTarget("EndUser", "Assignment"),
		},
		map[string]any{
			"@odata.type": approvalType,
			"id":          "Approval_EndUser_Assignment",
			"target":      ruleTarget("EndUser", "Assignment"),
			"setting": map[string]any{
				"isApprovalRequired":               pol.Approval,
				"isApprovalRequiredForExtension":   false,
				"isRequestorJustificationRequired": true,
				"approvalMode":                     "SingleStage",
				"approvalStages": []any{map[string]any{
					"approvalStageTimeOutInDays":      1,
					"isApproverJustificationRequired": true,
					"escalationTimeInMinutes":         0,
					"isEscalationEnabled":             false,
					"primaryApprovers":                approvers,
					"escalationApprovers":             []any{},
				}},
			},
		},
		map[string]any{
			"@odata.type": authCtxType,
			"id":          "AuthenticationContext_EndUser_Assignment",
			"isEnabled":   pol.AuthContext != "",
			"claimValue":  claimValue,
			"target":      ruleTarget("EndUser", "Assignment"),
		},
		notify("Notification_Admin_EndUser_Assignment", "Admin"),
		notify("Notification_Requestor_EndUser_Assignment", "Requestor"),
		notify("Notification_Approver_EndUser_Assignment", "Approver"),
	}
}
