package sim

import (
	"strings"
	"time"
)

// ARM JSON for PIM records, in the 2020-10-01 shapes (AZ §1.5, §1.7):
// {properties, name, id, type}, capitalised type segments in ids and
// types (RoleEligibilityScheduleInstances, …), RFC 3339 Z times from the
// tenant clock, and expandedProperties so a client needs no extra calls
// for names. All functions here expect the caller to hold t.mu.

// armProvider is the provider segment of every id under a scope.
func armProvider(scope string) string {
	if scope == "/" {
		return "/providers/Microsoft.Authorization/"
	}
	return scope + "/providers/Microsoft.Authorization/"
}

// armResource wraps properties as an ARM resource of type typ (e.g.
// RoleAssignmentScheduleRequests) named name under scope.
func armResource(scope, typ, name string, props map[string]any) map[string]any {
	return map[string]any{
		"properties": props,
		"name":       name,
		"id":         armProvider(scope) + typ + "/" + name,
		"type":       "Microsoft.Authorization/" + typ,
	}
}

// expandedProperties names the scope, role and principal of a target.
func (t *Tenant) expandedProperties(e Eligibility) map[string]any {
	name, kind := t.pim.topo.describe(e.Scope)
	role, roleType := "", "BuiltInRole"
	if r, ok := t.pim.armRoles[roleGUID(e.RoleDefinitionID)]; ok {
		role, roleType = r.RoleName, r.Type
	}
	principal := map[string]any{"id": e.UserID, "displayName": nil, "email": nil, "type": "User"}
	if u, ok := t.sc.userByID(e.UserID); ok {
		email := u.Mail
		if email == "" {
			email = u.UserPrincipalName
		}
		principal["displayName"], principal["email"] = u.DisplayName, email
	}
	return map[string]any{
		"scope":          map[string]any{"id": e.Scope, "displayName": name, "type": kind},
		"roleDefinition": map[string]any{"id": roleDefinitionID(e.Scope, roleGUID(e.RoleDefinitionID)), "displayName": role, "type": roleType},
		"principal":      principal,
	}
}

// targetProperties are the properties every record of a target carries.
func (t *Tenant) targetProperties(e Eligibility) map[string]any {
	return map[string]any{
		"scope":              e.Scope,
		"roleDefinitionId":   roleDefinitionID(e.Scope, roleGUID(e.RoleDefinitionID)),
		"principalId":        e.UserID,
		"principalType":      "User",
		"condition":          nil,
		"conditionVersion":   nil,
		"expandedProperties": t.expandedProperties(e),
	}
}

func armEligibilityName(e Eligibility) string { return eligibilityID(e) }

func armEligibilityScheduleID(e Eligibility) string {
	return armProvider(e.Scope) + "RoleEligibilitySchedules/" + stableGUID("eligibility-schedule", eligibilityID(e))
}

// armEligibilityJSON is a RoleEligibilityScheduleInstance (AZ §1.5).
func (t *Tenant) armEligibilityJSON(e Eligibility) map[string]any {
	p := t.targetProperties(e)
	p["status"] = StatusProvisioned
	p["roleEligibilityScheduleId"] = armEligibilityScheduleID(e)
	p["startDateTime"] = graphTime(eligibilityStart)
	p["endDateTime"] = nil // permanent eligibility
	p["memberType"] = "Direct"
	p["createdOn"] = graphTime(eligibilityStart)
	return armResource(e.Scope, "RoleEligibilityScheduleInstances", armEligibilityName(e), p)
}

func armAssignmentType(a *assignment) string {
	if a.Activated {
		return "Activated"
	}
	return "Assigned"
}

// armScheduleName is the RoleAssignmentSchedule name: the request's name
// for an activation, as on Graph.
func armScheduleName(a *assignment) string { return scheduleIDOf(a) }

func armOriginID(a *assignment) string {
	return armProvider(a.Scope) + "roleAssignments/" + stableGUID("origin", a.ID)
}

// linkProperties adds the eligibility an assignment came from.
func (t *Tenant) linkProperties(p map[string]any, a *assignment, instance bool) {
	p["linkedRoleEligibilityScheduleId"] = nil
	if instance {
		p["linkedRoleEligibilityScheduleInstanceId"] = nil
	}
	if !a.Activated {
		return
	}
	if e, ok := t.pim.linkedEligibility(a.Eligibility); ok {
		p["linkedRoleEligibilityScheduleId"] = armEligibilityScheduleID(e)
		if instance {
			p["linkedRoleEligibilityScheduleInstanceId"] = armProvider(e.Scope) + "RoleEligibilityScheduleInstances/" + armEligibilityName(e)
		}
	}
}

// armInstanceJSON is a RoleAssignmentScheduleInstance (AZ §1.5).
func (t *Tenant) armInstanceJSON(a *assignment) map[string]any {
	p := t.targetProperties(a.Eligibility)
	p["originRoleAssignmentId"] = armOriginID(a)
	p["roleAssignmentScheduleId"] = armProvider(a.Scope) + "RoleAssignmentSchedules/" + armScheduleName(a)
	p["assignmentType"] = armAssignmentType(a)
	p["status"] = StatusProvisioned
	p["startDateTime"] = graphTime(a.Start)
	p["endDateTime"] = timeOrNull(a.End)
	p["memberType"] = "Direct"
	p["createdOn"] = graphTime(a.Created)
	t.linkProperties(p, a, true)
	return armResource(a.Scope, "RoleAssignmentScheduleInstances", stableGUID("instance", a.ID), p)
}

// armScheduleJSON is a RoleAssignmentSchedule: Granted before its start,
// Provisioned from then on (as on Graph; AZ §2.2).
func (t *Tenant) armScheduleJSON(a *assignment, now time.Time) map[string]any {
	p := t.targetProperties(a.Eligibility)
	status := StatusProvisioned
	if a.scheduledAt(now) {
		status = StatusGranted
	}
	p["status"] = status
	p["assignmentType"] = armAssignmentType(a)
	p["memberType"] = "Direct"
	p["startDateTime"] = graphTime(a.Start)
	p["endDateTime"] = timeOrNull(a.End)
	p["createdOn"] = graphTime(a.Created)
	p["updatedOn"] = graphTime(a.Created)
	p["roleAssignmentScheduleRequestId"] = nil
	if a.RequestID != "" {
		p["roleAssignmentScheduleRequestId"] = armProvider(a.Scope) + "RoleAssignmentScheduleRequests/" + a.RequestID
	}
	t.linkProperties(p, a, false)
	return armResource(a.Scope, "RoleAssignmentSchedules", armScheduleName(a), p)
}

// armExpirationType spells an expiration type as ARM's enum does.
func armExpirationType(sent string, hasDuration bool) any {
	switch strings.ToLower(sent) {
	case "afterduration":
		return "AfterDuration"
	case "afterdatetime":
		return "AfterDateTime"
	case "noexpiration":
		return "NoExpiration"
	}
	if hasDuration {
		return "AfterDuration"
	}
	return nil
}

func armRequestType(a requestAction) string {
	if a == actionSelfDeactivate {
		return "SelfDeactivate"
	}
	return "SelfActivate"
}

// armRequestJSON is a RoleAssignmentScheduleRequest as PUT answers it and
// GET returns it (AZ §1.7). Approval ids are paths on ARM (AF §1.1 notes).
func (t *Tenant) armRequestJSON(r *scheduleRequest) map[string]any {
	p := t.targetProperties(r.Eligibility)
	approval := any(nil)
	if r.ApprovalID != "" {
		approval = armApprovalPath(r.ApprovalID)
	}
	p["requestType"] = armRequestType(r.Action)
	p["status"] = r.Status
	p["approvalId"] = approval
	p["targetRoleAssignmentScheduleId"] = nullIfEmpty(r.TargetSchedule)
	p["targetRoleAssignmentScheduleInstanceId"] = nil
	p["linkedRoleEligibilityScheduleId"] = nullIfEmpty(r.Linked)
	p["justification"] = nullIfEmpty(r.Justification)
	p["requestorId"] = r.UserID
	p["createdOn"] = graphTime(r.Created)
	p["scheduleInfo"] = map[string]any{
		"startDateTime": timeOrNull(r.Start),
		"expiration": map[string]any{
			"type":        armExpirationType(r.ExpirationType, r.Duration != ""),
			"endDateTime": nullIfEmpty(r.EndDateTime),
			"duration":    nullIfEmpty(r.Duration),
		},
	}
	p["ticketInfo"] = map[string]any{"ticketNumber": nullIfEmpty(r.TicketNumber), "ticketSystem": nullIfEmpty(r.TicketSystem)}
	return armResource(r.Scope, "RoleAssignmentScheduleRequests", r.ID, p)
}
