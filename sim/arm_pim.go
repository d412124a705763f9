package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ARM handlers for PIM: the lists, and the schedule requests (PUT with a
// client GUID, GET, cancel, validate). They parse, call t.pim under t.mu
// and render; the rules are in pimrules.go and arm_state.go.

func (t *Tenant) armListEligibilities(c *armCall) {
	f, ok := t.listFilter(c, instanceFilterClauses...)
	if !ok {
		return
	}
	t.mu.Lock()
	var items []any
	for _, e := range t.pim.eligibilities {
		if kindOf(e) == kindARM && f.matchTarget(t.pim.topo, c.scope.ID, c.userID, e) {
			items = append(items, t.armEligibilityJSON(e))
		}
	}
	t.mu.Unlock()
	t.writeARMPage(c, items)
}

// armListAssignments answers roleAssignmentScheduleInstances (listed
// activations and standing assignments) or roleAssignmentSchedules
// (current and future ones).
func (t *Tenant) armListAssignments(c *armCall, schedules bool) {
	f, ok := t.listFilter(c, instanceFilterClauses...)
	if !ok {
		return
	}
	t.mu.Lock()
	now := t.clock.Now()
	t.pim.settle(now)
	list := t.pim.instancesFor("", kindARM, now)
	if schedules {
		list = t.pim.schedulesFor("", kindARM, now)
	}
	var items []any
	for _, a := range list {
		if !f.matchTarget(t.pim.topo, c.scope.ID, c.userID, a.Eligibility) {
			continue
		}
		if schedules {
			items = append(items, t.armScheduleJSON(a, now))
		} else {
			items = append(items, t.armInstanceJSON(a))
		}
	}
	t.mu.Unlock()
	t.writeARMPage(c, items)
}

// armGetInstance answers GET of one eligibility or assignment instance by
// name. An unprivileged caller needs $filter=asTarget on it too (AZ §1.4,
// I3); the SDK's Get cannot send one, so it meets InsufficientPermissions
// as in the real service.
func (t *Tenant) armGetInstance(c *armCall) {
	f, ok := t.listFilter(c, instanceFilterClauses...)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if c.typ == "roleeligibilityscheduleinstances" {
		for _, e := range t.pim.eligibilities {
			if kindOf(e) == kindARM && strings.EqualFold(armEligibilityName(e), c.name) && strings.EqualFold(e.Scope, c.scope.ID) && f.matchTarget(t.pim.topo, c.scope.ID, c.userID, e) {
				writeARMJSON(c.w, http.StatusOK, t.armEligibilityJSON(e))
				return
			}
		}
	} else {
		for _, a := range t.pim.instancesFor("", kindARM, now) {
			if strings.EqualFold(stableGUID("instance", a.ID), c.name) && strings.EqualFold(a.Scope, c.scope.ID) && f.matchTarget(t.pim.topo, c.scope.ID, c.userID, a.Eligibility) {
				writeARMJSON(c.w, http.StatusOK, t.armInstanceJSON(a))
				return
			}
		}
	}
	writeCloudError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The instance '%s' was not found at scope '%s'.", c.name, c.scope.ID))
}

func (t *Tenant) armListRequests(c *armCall) {
	f, ok := t.listFilter(c, requestFilterClauses...)
	if !ok {
		return
	}
	t.mu.Lock()
	t.pim.settle(t.clock.Now())
	reqs := t.pim.requestsFor("", kindARM)
	if f.asApprover {
		// Others' requests the caller approves, whatever their status:
		// filtering on PendingApproval is the client's (AF §0 row 4, §9.5).
		reqs = t.pim.requestsToApprove(c.userID, kindARM)
	}
	match := f
	match.asTarget = f.asTarget || f.asRequestor // self-service: the requestor is the target
	var items []any
	for _, r := range reqs {
		if match.matchTarget(t.pim.topo, c.scope.ID, c.userID, r.Eligibility) {
			items = append(items, t.armRequestJSON(r))
		}
	}
	t.mu.Unlock()
	t.writeARMPage(c, items)
}

// armOwnRequest finds the caller's request named c.name at c's scope;
// another scope or principal reads as not found.
func (t *Tenant) armOwnRequest(c *armCall) (*scheduleRequest, *apiError) {
	r := t.pim.request(kindARM, c.name)
	if r == nil || !strings.EqualFold(r.UserID, c.userID) || !strings.EqualFold(r.Scope, c.scope.ID) {
		return nil, &apiError{
			status: http.StatusNotFound, code: "RoleAssignmentScheduleRequestNotFound",
			message: fmt.Sprintf("The role assignment schedule request '%s' was not found at scope '%s'.", c.name, c.scope.ID),
		}
	}
	return r, nil
}

func (t *Tenant) armGetRequest(c *armCall) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pim.settle(t.clock.Now())
	r, aerr := t.armOwnRequest(c)
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	writeARMJSON(c.w, http.StatusOK, t.armRequestJSON(r))
}

// armCancelRequest withdraws a pending or scheduled request: 200 with an
// empty body (AZ §1.2, S10).
func (t *Tenant) armCancelRequest(c *armCall) {
	t.mu.Lock()
	aerr := func() *apiError {
		if _, aerr := t.armOwnRequest(c); aerr != nil {
			return aerr
		}
		return t.pim.cancel(kindARM, c.name, c.userID, t.clock.Now())
	}()
	t.mu.Unlock()
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	writeARMJSON(c.w, http.StatusOK, nil)
}

// armCreateRequest applies a PUT (201 with the request, AZ §1.7) or, for
// validate, the same checks without storing anything (200).
func (t *Tenant) armCreateRequest(c *armCall, validate bool) {
	if !isGUID(c.name) {
		// The name is "a GUID for the role assignment" (S1); refusing
		// others is the sim's reading, with its own code.
		writeCloudError(c.w, http.StatusBadRequest, "InvalidRoleAssignmentScheduleRequestName", fmt.Sprintf("The request name '%s' is not valid: it must be a GUID.", c.name))
		return
	}
	var body armRequestBody
	if err := json.NewDecoder(c.r.Body).Decode(&body); err != nil || body.Properties == nil {
		writeCloudError(c.w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: expected {\"properties\":{…}}.")
		return
	}
	action, in, aerr := body.Properties.input(c)
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	in.ValidationOnly = validate
	t.mu.Lock()
	req, aerr := t.pim.apply(action, in, t.clock.Now())
	var out map[string]any
	if aerr == nil {
		out = t.armRequestJSON(req)
	}
	t.mu.Unlock()
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	status := http.StatusCreated
	if validate {
		status = http.StatusOK
	}
	writeARMJSON(c.w, status, out)
}

// armRequestBody is a RoleAssignmentScheduleRequest as PUT (AZ §2.1).
type armRequestBody struct {
	Properties *armRequestProperties `json:"properties"`
}

type armRequestProperties struct {
	PrincipalID      string            `json:"principalId"`
	RoleDefinitionID string            `json:"roleDefinitionId"`
	RequestType      string            `json:"requestType"`
	Justification    *string           `json:"justification"`
	Linked           *string           `json:"linkedRoleEligibilityScheduleId"`
	ScheduleInfo     *scheduleInfoBody `json:"scheduleInfo"`
	TicketInfo       *ticketInfoBody   `json:"ticketInfo"`
}

// input checks the body and turns it into the state's input, keyed by
// the PUT's scope and the role's full id there.
func (p *armRequestProperties) input(c *armCall) (requestAction, requestInput, *apiError) {
	var in requestInput
	if p.PrincipalID == "" || p.RoleDefinitionID == "" || p.RequestType == "" {
		return "", in, badRequest("InvalidRequest", "The properties principalId, roleDefinitionId and requestType are required.")
	}
	guid := roleGUID(p.RoleDefinitionID)
	if guid == "" {
		return "", in, badRequest("InvalidRoleDefinitionId", fmt.Sprintf("The role definition ID '%s' is not valid.", p.RoleDefinitionID))
	}
	if !strings.EqualFold(p.PrincipalID, c.userID) {
		// Self* requests are for the caller only; acting for another
		// principal needs rights the sim gives nobody (AZ §2.3 AuthorizationFailed).
		upn, _ := c.claims["upn"].(string)
		return "", in, &apiError{status: http.StatusForbidden, code: "AuthorizationFailed", message: fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action "+
			"'Microsoft.Authorization/roleAssignmentScheduleRequests/write' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.", upn, c.userID, c.scope.ID)}
	}
	action, ok := parseAction(p.RequestType)
	if !ok {
		return "", in, badRequest("InvalidRequest", fmt.Sprintf("The requestType '%s' is not supported by the simulated tenant; use SelfActivate or SelfDeactivate.", p.RequestType))
	}
	in = requestInput{
		ID:            strings.ToLower(c.name),
		Target:        Eligibility{UserID: c.userID, Scope: c.scope.ID, RoleDefinitionID: roleDefinitionID(c.scope.ID, guid)},
		Justification: deref(p.Justification),
		Linked:        deref(p.Linked),
	}
	in.withCaller(c.claims)
	if p.TicketInfo != nil {
		in.TicketNumber, in.TicketSystem = deref(p.TicketInfo.TicketNumber), deref(p.TicketInfo.TicketSystem)
	}
	var err *apiError
	in.Start, in.Expiration, err = p.ScheduleInfo.parse(func(field, value string) *apiError {
		return badRequest("InvalidRequest", fmt.Sprintf("The %s '%s' is not an RFC 3339 time.", field, value))
	})
	if err != nil {
		return "", in, err
	}
	return action, in, nil
}
