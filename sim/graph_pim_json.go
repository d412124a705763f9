package sim

import (
	"strings"
	"time"
)

// Graph JSON for PIM records: instances, schedules and schedule requests
// of directory roles and groups, with the expansions Graph offers.

// eligibilityStart is the startDateTime the sim reports for eligibilities.
var eligibilityStart = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

func eligibilityID(e Eligibility) string {
	return stableGUID("eligibility", e.UserID, e.RoleDefinitionID, e.DirectoryScopeID, e.AppScopeID, e.GroupID, e.AccessID)
}

func (t *Tenant) roleByID(id string) (RoleDefinition, bool) {
	for _, r := range t.sc.Roles {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return RoleDefinition{}, false
}

func (t *Tenant) groupByID(id string) (Group, bool) {
	for _, g := range t.sc.Groups {
		if strings.EqualFold(g.ID, id) {
			return g, true
		}
	}
	return Group{}, false
}

func roleDefinitionJSON(r RoleDefinition) map[string]any {
	tmpl := r.TemplateID
	if tmpl == "" {
		tmpl = r.ID
	}
	return map[string]any{
		"id":              r.ID,
		"displayName":     r.DisplayName,
		"description":     nil,
		"templateId":      tmpl,
		"isBuiltIn":       tmpl == r.ID,
		"isEnabled":       true,
		"resourceScopes":  []string{"/"},
		"version":         "1",
		"rolePermissions": []any{},
	}
}

// decorate adds the target's ids and the expansions asked for to o.
// Caller holds t.mu.
func (t *Tenant) decorate(o map[string]any, e Eligibility, exp map[string]bool) {
	if kindOf(e) == kindGroup {
		o["groupId"] = e.GroupID
		o["accessId"] = e.AccessID
		if exp["group"] {
			if g, ok := t.groupByID(e.GroupID); ok {
				o["group"] = groupJSON(g)
			} else {
				o["group"] = nil
			}
		}
	} else {
		o["roleDefinitionId"] = e.RoleDefinitionID
		if _, ok := o["directoryScopeId"]; !ok {
			o["directoryScopeId"] = nullIfEmpty(e.DirectoryScopeID)
		}
		if _, ok := o["appScopeId"]; !ok {
			o["appScopeId"] = nullIfEmpty(e.AppScopeID)
		}
		if exp["roledefinition"] {
			if rd, ok := t.roleByID(e.RoleDefinitionID); ok {
				o["roleDefinition"] = roleDefinitionJSON(rd)
			} else {
				o["roleDefinition"] = nil
			}
		}
		if exp["directoryscope"] {
			o["directoryScope"] = t.scopeObject(e.DirectoryScopeID)
		}
	}
	if exp["principal"] {
		o["principal"] = t.principalJSON(e.UserID)
	}
}

func (t *Tenant) principalJSON(id string) any {
	u, ok := t.sc.userByID(id)
	if !ok {
		return nil
	}
	o := userJSON(u)
	o["@odata.type"] = "#microsoft.graph.user"
	return o
}

// memberType is "Direct" for roles and "direct" for groups, as Graph
// spells each.
func memberType(k pimKind) string {
	if k == kindGroup {
		return "direct"
	}
	return "Direct"
}

func assignmentType(a *assignment) string {
	typ := "Assigned"
	if a.Activated {
		typ = "Activated"
	}
	if kindOf(a.Eligibility) == kindGroup {
		return strings.ToLower(typ)
	}
	return typ
}

// eligibilityInstanceJSON is a unifiedRoleEligibilityScheduleInstance or
// a privilegedAccessGroupEligibilityScheduleInstance. Caller holds t.mu.
func (t *Tenant) eligibilityInstanceJSON(e Eligibility, exp map[string]bool) map[string]any {
	id := eligibilityID(e)
	o := map[string]any{
		"id":            id,
		"principalId":   e.UserID,
		"startDateTime": graphTime(eligibilityStart),
		"endDateTime":   nil,
		"memberType":    memberType(kindOf(e)),
	}
	if kindOf(e) == kindGroup {
		o["eligibilityScheduleId"] = id
	} else {
		o["roleEligibilityScheduleId"] = id
	}
	t.decorate(o, e, exp)
	return o
}

// instanceJSON is a unifiedRoleAssignmentScheduleInstance or a
// privilegedAccessGroupAssignmentScheduleInstance. Caller holds t.mu.
func (t *Tenant) instanceJSON(a *assignment, exp map[string]bool) map[string]any {
	o := map[string]any{
		"id":             a.ID,
		"principalId":    a.UserID,
		"startDateTime":  graphTime(a.Start),
		"endDateTime":    timeOrNull(a.End),
		"assignmentType": assignmentType(a),
		"memberType":     memberType(kindOf(a.Eligibility)),
	}
	if kindOf(a.Eligibility) == kindGroup {
		o["assignmentScheduleId"] = scheduleIDOf(a)
	} else {
		o["roleAssignmentOriginId"] = stableGUID("origin", a.ID)
		o["roleAssignmentScheduleId"] = scheduleIDOf(a)
	}
	t.decorate(o, a.Eligibility, exp)
	return o
}

// scheduleJSON is a unifiedRoleAssignmentSchedule or a
// privilegedAccessGroupAssignmentSchedule: the schedule behind an instance,
// listed before its start too. Its status is Granted until the start and
// Provisioned from then on; "scheduled" is for the client to derive from
// status and scheduleInfo.startDateTime (AF §4.2: there is no Scheduled
// status). Caller holds t.mu.
func (t *Tenant) scheduleJSON(a *assignment, now time.Time, exp map[string]bool) map[string]any {
	status := StatusProvisioned
	if a.scheduledAt(now) {
		status = StatusGranted
	}
	o := map[string]any{
		"id":               scheduleIDOf(a),
		"principalId":      a.UserID,
		"status":           status,
		"createdDateTime":  graphTime(a.Created),
		"modifiedDateTime": nil,
		"createdUsing":     nullIfEmpty(a.RequestID),
		"assignmentType":   assignmentType(a),
		"memberType":       memberType(kindOf(a.Eligibility)),
		"scheduleInfo": map[string]any{
			"startDateTime": graphTime(a.Start),
			"recurrence":    nil,
			"expiration":    map[string]any{"type": "afterDateTime", "endDateTime": timeOrNull(a.End), "duration": nil},
		},
	}
	t.decorate(o, a.Eligibility, exp)
	return o
}

// requestJSON renders a schedule request. Caller holds t.mu.
func (t *Tenant) requestJSON(r *scheduleRequest, exp map[string]bool) map[string]any {
	expType := r.ExpirationType
	if expType == "" {
		expType = "notSpecified"
		if r.Duration != "" {
			expType = "afterDuration"
		}
	}
	o := map[string]any{
		"id":                r.ID,
		"status":            r.Status,
		"action":            string(r.Action),
		"principalId":       r.UserID,
		"justification":     nullIfEmpty(r.Justification),
		"createdDateTime":   graphTime(r.Created),
		"completedDateTime": timeOrNull(r.Completed),
		"approvalId":        nullIfEmpty(r.ApprovalID),
		"customData":        nil,
		"isValidationOnly":  r.ValidationOnly,
		"targetScheduleId":  nullIfEmpty(r.TargetSchedule),
		"createdBy": map[string]any{
			"application": nil,
			"device":      nil,
			"user":        map[string]any{"id": r.UserID, "displayName": nil},
		},
		"scheduleInfo": map[string]any{
			"startDateTime": timeOrNull(r.Start),
			"recurrence":    nil,
			"expiration": map[string]any{
				"type":        expType,
				"duration":    nullIfEmpty(r.Duration),
				"endDateTime": nullIfEmpty(r.EndDateTime),
			},
		},
		"ticketInfo": map[string]any{
			"ticketNumber": nullIfEmpty(r.TicketNumber),
			"ticketSystem": nullIfEmpty(r.TicketSystem),
		},
	}
	if kindOf(r.Eligibility) == kindRole {
		o["directoryScopeId"] = nullIfEmpty(r.DirectoryScopeID)
		var appScope any
		if r.AppScopeID != nil {
			appScope = *r.AppScopeID
		}
		o["appScopeId"] = appScope
	}
	t.decorate(o, r.Eligibility, exp)
	return o
}
