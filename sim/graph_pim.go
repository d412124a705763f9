package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Graph handlers for PIM for directory roles and for groups: they parse
// the request, call t.pim under t.mu and render JSON. The rules live in
// pimstate.go and pimrules.go.

// entityNames are the OData names of a kind's entities.
type entityNames struct {
	instance, schedule, request, requestSet string
}

func entities(k pimKind) entityNames {
	if k == kindGroup {
		return entityNames{
			instance:   "privilegedAccessGroupAssignmentScheduleInstance",
			schedule:   "privilegedAccessGroupAssignmentSchedule",
			request:    "privilegedAccessGroupAssignmentScheduleRequest",
			requestSet: "identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
		}
	}
	return entityNames{
		instance:   "unifiedRoleAssignmentScheduleInstance",
		schedule:   "unifiedRoleAssignmentSchedule",
		request:    "unifiedRoleAssignmentScheduleRequest",
		requestSet: "roleManagement/directory/roleAssignmentScheduleRequests",
	}
}

func (t *Tenant) serveEligibilityInstances(c *graphCall, kind pimKind) {
	exp := expands(c.r)
	t.mu.Lock()
	var items []any
	for _, e := range t.pim.eligibilities {
		if e.UserID == c.userID && kindOf(e) == kind {
			items = append(items, t.eligibilityInstanceJSON(e, exp))
		}
	}
	t.mu.Unlock()
	entity := "unifiedRoleEligibilityScheduleInstance"
	if kind == kindGroup {
		entity = "privilegedAccessGroupEligibilityScheduleInstance"
	}
	t.writePage(c, items, entity)
}

func (t *Tenant) serveAssignmentInstances(c *graphCall, kind pimKind) {
	exp := expands(c.r)
	t.mu.Lock()
	var items []any
	for _, a := range t.pim.instancesFor(c.userID, kind, t.clock.Now()) {
		items = append(items, t.instanceJSON(a, exp))
	}
	t.mu.Unlock()
	t.writePage(c, items, entities(kind).instance)
}

// serveAssignmentSchedules lists current and future schedules
// (roleAssignmentSchedules / group assignmentSchedules filterByCurrentUser).
func (t *Tenant) serveAssignmentSchedules(c *graphCall, kind pimKind) {
	if aerr := checkQueryOptions(c.r, false); aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	exp := expands(c.r)
	t.mu.Lock()
	now := t.clock.Now()
	t.pim.settle(now)
	var items []any
	for _, a := range t.pim.schedulesFor(c.userID, kind, now) {
		items = append(items, t.scheduleJSON(a, now, exp))
	}
	t.mu.Unlock()
	t.writePage(c, items, entities(kind).schedule)
}

// serveListRequests answers roleAssignmentScheduleRequests/filterByCurrentUser
// and its group twin, for on='principal' (mine) or on='approver' (others'
// requests whose policy names me, whatever their status: the documented
// call adds $filter=status eq 'PendingApproval', AF §1.1, approvals.go).
func (t *Tenant) serveListRequests(c *graphCall, kind pimKind, on string) {
	if aerr := checkQueryOptions(c.r, true); aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	filter, aerr := parseRequestFilter(c.r.URL.Query().Get("$filter"), kind)
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	exp := expands(c.r)
	t.mu.Lock()
	t.pim.settle(t.clock.Now())
	reqs := t.pim.requestsFor(c.userID, kind)
	if on == "approver" {
		reqs = t.pim.requestsToApprove(c.userID, kind)
	}
	var items []any
	for _, r := range reqs {
		if filter.matches(r) {
			items = append(items, t.requestJSON(r, exp))
		}
	}
	t.mu.Unlock()
	t.writePage(c, items, entities(kind).request)
}

func (t *Tenant) serveGetRequest(c *graphCall, kind pimKind, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pim.settle(t.clock.Now())
	r := t.pim.request(kind, id)
	if r == nil || r.UserID != c.userID {
		writeError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The request '%s' was not found.", id))
		return
	}
	writeJSON(c.w, http.StatusOK, t.requestJSON(r, expands(c.r)))
}

func (t *Tenant) serveCancelRequest(c *graphCall, kind pimKind, id string) {
	t.mu.Lock()
	aerr := t.pim.cancel(kind, id, c.userID, t.clock.Now())
	t.mu.Unlock()
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (t *Tenant) serveCreateRequest(c *graphCall, kind pimKind) {
	var body requestBody
	if err := json.NewDecoder(c.r.Body).Decode(&body); err != nil {
		writeError(c.w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	action, in, aerr := body.input(kind, c.userID)
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	in.withCaller(c.claims)
	t.mu.Lock()
	req, aerr := t.pim.apply(action, in, t.clock.Now())
	var out map[string]any
	if aerr == nil {
		out = t.requestJSON(req, nil)
	}
	t.mu.Unlock()
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	out["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#" + entities(kind).requestSet + "/$entity"
	writeJSON(c.w, http.StatusCreated, out)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	writeError(w, e.status, e.code, e.message)
}

// requestBody is a unifiedRoleAssignmentScheduleRequest or a
// privilegedAccessGroupAssignmentScheduleRequest as POSTed.
type requestBody struct {
	Action           string            `json:"action"`
	PrincipalID      string            `json:"principalId"`
	RoleDefinitionID string            `json:"roleDefinitionId"`
	DirectoryScopeID *string           `json:"directoryScopeId"`
	AppScopeID       *string           `json:"appScopeId"`
	GroupID          string            `json:"groupId"`
	AccessID         string            `json:"accessId"`
	Justification    *string           `json:"justification"`
	ScheduleInfo     *scheduleInfoBody `json:"scheduleInfo"`
	TicketInfo       *ticketInfoBody   `json:"ticketInfo"`
	IsValidationOnly *bool             `json:"isValidationOnly"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// input checks the body's shape and turns it into the state's input.
func (b *requestBody) input(kind pimKind, caller string) (requestAction, requestInput, *apiError) {
	var in requestInput
	target := Eligibility{UserID: caller}
	if kind == kindRole {
		if b.RoleDefinitionID == "" {
			return "", in, badRequest("InvalidRequest", "The roleDefinitionId is required.")
		}
		if b.DirectoryScopeID == nil && b.AppScopeID == nil {
			return "", in, badRequest("InvalidRequest", "Either directoryScopeId or appScopeId is required.")
		}
		target.RoleDefinitionID = b.RoleDefinitionID
		target.DirectoryScopeID = deref(b.DirectoryScopeID)
		target.AppScopeID = deref(b.AppScopeID)
	} else {
		if b.GroupID == "" || b.AccessID == "" {
			return "", in, badRequest("InvalidRequest", "The groupId and accessId are required.")
		}
		if !strings.EqualFold(b.AccessID, "member") && !strings.EqualFold(b.AccessID, "owner") {
			return "", in, badRequest("InvalidRequest", fmt.Sprintf("The accessId '%s' is not valid; use member or owner.", b.AccessID))
		}
		target.GroupID = b.GroupID
		target.AccessID = strings.ToLower(b.AccessID)
	}
	if !strings.EqualFold(b.PrincipalID, caller) {
		return "", in, &apiError{status: http.StatusForbidden, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation. The principalId of a self-service request must be the signed-in user."}
	}
	action, ok := parseAction(b.Action)
	switch {
	case b.Action == "":
		return "", in, badRequest("InvalidRequest", "The action is required.")
	case !ok:
		return "", in, badRequest("InvalidRequest", fmt.Sprintf("The action '%s' is not supported for a self-service request by the simulated tenant; use selfActivate or selfDeactivate.", b.Action))
	}
	in = requestInput{
		Target:        target,
		Justification: deref(b.Justification),
		AppScopeID:    b.AppScopeID,
	}
	if b.IsValidationOnly != nil {
		in.ValidationOnly = *b.IsValidationOnly
	}
	if b.TicketInfo != nil {
		in.TicketNumber = deref(b.TicketInfo.TicketNumber)
		in.TicketSystem = deref(b.TicketInfo.TicketSystem)
	}
	var err *apiError
	in.Start, in.Expiration, err = b.ScheduleInfo.parse(func(field, value string) *apiError {
		return badRequest("BadRequest", fmt.Sprintf("The %s '%s' is not a valid DateTimeOffset (RFC 3339 with a time zone).", field, value))
	})
	if err != nil {
		return "", in, err
	}
	return action, in, nil
}
