package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// PIM for directory roles and for groups: schedule instances, schedule
// requests (activate, deactivate, cancel) and the activation policies.

type pimKind int

const (
	kindRole pimKind = iota
	kindGroup
)

// Request statuses used by the sim.
const (
	StatusPendingApproval = "PendingApproval"
	StatusProvisioned     = "Provisioned"
	StatusGranted         = "Granted"
	StatusRevoked         = "Revoked"
	StatusCanceled        = "Canceled"
	StatusDenied          = "Denied"
)

// minActiveBeforeDeactivate is PIM's five-minute rule.
const minActiveBeforeDeactivate = 5 * time.Minute

// eligibilityStart is the startDateTime the sim reports for eligibilities.
var eligibilityStart = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

func sameTarget(a, b Eligibility) bool {
	if a.GroupID != "" || b.GroupID != "" {
		return strings.EqualFold(a.GroupID, b.GroupID) && strings.EqualFold(a.AccessID, b.AccessID)
	}
	return strings.EqualFold(a.RoleDefinitionID, b.RoleDefinitionID) && a.DirectoryScopeID == b.DirectoryScopeID
}

func kindOf(e Eligibility) pimKind {
	if e.GroupID != "" {
		return kindGroup
	}
	return kindRole
}

// ---- instances ----

func eligibilityID(e Eligibility) string {
	return stableGUID("eligibility", e.UserID, e.RoleDefinitionID, e.DirectoryScopeID, e.GroupID, e.AccessID)
}

// scheduleIDOf is the roleAssignmentScheduleId / assignmentScheduleId of an
// assignment: the id of the request that created it, as in Graph.
func scheduleIDOf(a *assignment) string {
	if a.RequestID != "" {
		return a.RequestID
	}
	return stableGUID("schedule", a.ID)
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

// decorate adds the expansions a role instance or request asked for.
// Caller holds t.mu.
func (t *Tenant) decorateRole(o map[string]any, e Eligibility, exp map[string]bool) {
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
	if exp["principal"] {
		o["principal"] = t.principalJSON(e.UserID)
	}
}

func (t *Tenant) decorateGroup(o map[string]any, e Eligibility, exp map[string]bool) {
	if exp["group"] {
		if g, ok := t.groupByID(e.GroupID); ok {
			o["group"] = groupJSON(g)
		} else {
			o["group"] = nil
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

func (t *Tenant) serveRoleEligibilityInstances(c *graphCall) {
	exp := expands(c.r)
	t.mu.Lock()
	var items []any
	for _, e := range t.sc.Eligibilities {
		if e.UserID != c.userID || e.RoleDefinitionID == "" {
			continue
		}
		id := eligibilityID(e)
		o := map[string]any{
			"id":                        id,
			"principalId":               e.UserID,
			"roleDefinitionId":          e.RoleDefinitionID,
			"directoryScopeId":          e.DirectoryScopeID,
			"appScopeId":                nil,
			"startDateTime":             graphTime(eligibilityStart),
			"endDateTime":               nil,
			"memberType":                "Direct",
			"roleEligibilityScheduleId": id,
		}
		t.decorateRole(o, e, exp)
		items = append(items, o)
	}
	t.mu.Unlock()
	t.writePage(c, items, "unifiedRoleEligibilityScheduleInstance")
}

func assignmentType(a *assignment, group bool) string {
	switch {
	case group && a.Activated:
		return "activated"
	case group:
		return "assigned"
	case a.Activated:
		return "Activated"
	default:
		return "Assigned"
	}
}

func (t *Tenant) serveRoleAssignmentInstances(c *graphCall) {
	exp := expands(c.r)
	t.mu.Lock()
	now := t.clock.Now()
	var items []any
	for _, a := range t.assignments {
		if a.UserID != c.userID || a.RoleDefinitionID == "" || !a.visibleAt(now) {
			continue
		}
		o := map[string]any{
			"id":                       a.ID,
			"principalId":              a.UserID,
			"roleDefinitionId":         a.RoleDefinitionID,
			"directoryScopeId":         a.DirectoryScopeID,
			"appScopeId":               nil,
			"startDateTime":            graphTime(a.Start),
			"endDateTime":              timeOrNull(a.End),
			"assignmentType":           assignmentType(a, false),
			"memberType":               "Direct",
			"roleAssignmentOriginId":   stableGUID("origin", a.ID),
			"roleAssignmentScheduleId": scheduleIDOf(a),
		}
		t.decorateRole(o, a.Eligibility, exp)
		items = append(items, o)
	}
	t.mu.Unlock()
	t.writePage(c, items, "unifiedRoleAssignmentScheduleInstance")
}

func (t *Tenant) serveGroupEligibilityInstances(c *graphCall) {
	exp := expands(c.r)
	t.mu.Lock()
	var items []any
	for _, e := range t.sc.Eligibilities {
		if e.UserID != c.userID || e.GroupID == "" {
			continue
		}
		id := eligibilityID(e)
		o := map[string]any{
			"id":                    id,
			"groupId":               e.GroupID,
			"accessId":              e.AccessID,
			"principalId":           e.UserID,
			"memberType":            "direct",
			"startDateTime":         graphTime(eligibilityStart),
			"endDateTime":           nil,
			"eligibilityScheduleId": id,
		}
		t.decorateGroup(o, e, exp)
		items = append(items, o)
	}
	t.mu.Unlock()
	t.writePage(c, items, "privilegedAccessGroupEligibilityScheduleInstance")
}

func (t *Tenant) serveGroupAssignmentInstances(c *graphCall) {
	exp := expands(c.r)
	t.mu.Lock()
	now := t.clock.Now()
	var items []any
	for _, a := range t.assignments {
		if a.UserID != c.userID || a.GroupID == "" || !a.visibleAt(now) {
			continue
		}
		o := map[string]any{
			"id":                   a.ID,
			"groupId":              a.GroupID,
			"accessId":             a.AccessID,
			"principalId":          a.UserID,
			"memberType":           "direct",
			"assignmentType":       assignmentType(a, true),
			"startDateTime":        graphTime(a.Start),
			"endDateTime":          timeOrNull(a.End),
			"assignmentScheduleId": scheduleIDOf(a),
		}
		t.decorateGroup(o, a.Eligibility, exp)
		items = append(items, o)
	}
	t.mu.Unlock()
	t.writePage(c, items, "privilegedAccessGroupAssignmentScheduleInstance")
}

// ---- schedule requests ----

// requestBody is a unifiedRoleAssignmentScheduleRequest or a
// privilegedAccessGroupAssignmentScheduleRequest as POSTed.
type requestBody struct {
	Action           string  `json:"action"`
	PrincipalID      string  `json:"principalId"`
	RoleDefinitionID string  `json:"roleDefinitionId"`
	DirectoryScopeID *string `json:"directoryScopeId"`
	AppScopeID       *string `json:"appScopeId"`
	GroupID          string  `json:"groupId"`
	AccessID         string  `json:"accessId"`
	Justification    *string `json:"justification"`
	ScheduleInfo     *struct {
		StartDateTime *string `json:"startDateTime"`
		Expiration    *struct {
			Type        *string `json:"type"`
			Duration    *string `json:"duration"`
			EndDateTime *string `json:"endDateTime"`
		} `json:"expiration"`
	} `json:"scheduleInfo"`
	TicketInfo *struct {
		TicketNumber *string `json:"ticketNumber"`
		TicketSystem *string `json:"ticketSystem"`
	} `json:"ticketInfo"`
	IsValidationOnly *bool `json:"isValidationOnly"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// requestView is what a response says about a request beyond the stored
// scheduleRequest.
type requestView struct {
	targetScheduleID string
	validationOnly   bool
	expirationType   string
	endDateTime      string
	appScopeID       *string
	completed        time.Time
}

// requestJSON renders a schedule request. Caller holds t.mu.
func (t *Tenant) requestJSON(r *scheduleRequest, v requestView, exp map[string]bool) map[string]any {
	expType := v.expirationType
	if expType == "" {
		if r.Duration != "" {
			expType = "afterDuration"
		} else {
			expType = "notSpecified"
		}
	}
	var appScope any
	if v.appScopeID != nil {
		appScope = *v.appScopeID
	}
	target := v.targetScheduleID
	if target == "" {
		for _, a := range t.assignments {
			if a.RequestID == r.ID {
				target = scheduleIDOf(a)
			}
		}
	}
	var approvalID any
	if r.Status == StatusPendingApproval || r.Status == StatusCanceled || r.Status == StatusDenied || t.wasApproved(r.ID) {
		approvalID = r.ID
	}
	completed := v.completed
	if completed.IsZero() && (r.Status == StatusProvisioned || r.Status == StatusRevoked || r.Status == StatusGranted) {
		completed = r.Created
	}
	var duration any
	if r.Duration != "" {
		duration = r.Duration
	}
	o := map[string]any{
		"id":                r.ID,
		"status":            r.Status,
		"action":            r.Action,
		"principalId":       r.UserID,
		"justification":     nullIfEmpty(r.Justification),
		"createdDateTime":   graphTime(r.Created),
		"completedDateTime": timeOrNull(completed),
		"approvalId":        approvalID,
		"customData":        nil,
		"isValidationOnly":  v.validationOnly,
		"targetScheduleId":  nullIfEmpty(target),
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
				"duration":    duration,
				"endDateTime": nullIfEmpty(v.endDateTime),
			},
		},
		"ticketInfo": map[string]any{
			"ticketNumber": nullIfEmpty(r.TicketNumber),
			"ticketSystem": nullIfEmpty(r.TicketSystem),
		},
	}
	if kindOf(r.Eligibility) == kindGroup {
		o["groupId"] = r.GroupID
		o["accessId"] = r.AccessID
		t.decorateGroup(o, r.Eligibility, exp)
	} else {
		o["roleDefinitionId"] = r.RoleDefinitionID
		o["directoryScopeId"] = nullIfEmpty(r.DirectoryScopeID)
		o["appScopeId"] = appScope
		t.decorateRole(o, r.Eligibility, exp)
	}
	return o
}

// wasApproved reports whether Approve created the request's assignment.
// Caller holds t.mu.
func (t *Tenant) wasApproved(id string) bool {
	for _, a := range t.assignments {
		if a.RequestID == id && a.ID == stableGUID("approved", id) {
			return true
		}
	}
	return false
}

var statusFilterRE = regexp.MustCompile(`(?i)^\s*status\s+eq\s+'([^']*)'\s*$`)

func (t *Tenant) serveListRequests(c *graphCall, kind pimKind) {
	exp := expands(c.r)
	status := ""
	if f := c.r.URL.Query().Get("$filter"); strings.TrimSpace(f) != "" {
		m := statusFilterRE.FindStringSubmatch(f)
		if m == nil {
			writeError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid filter clause: the simulated tenant supports only \"status eq '...'\", got %q.", f))
			return
		}
		status = m[1]
	}
	t.mu.Lock()
	var items []any
	for _, r := range t.requests {
		if r.UserID != c.userID || kindOf(r.Eligibility) != kind {
			continue
		}
		if status != "" && !strings.EqualFold(r.Status, status) {
			continue
		}
		items = append(items, t.requestJSON(r, requestView{}, exp))
	}
	t.mu.Unlock()
	entity := "unifiedRoleAssignmentScheduleRequest"
	if kind == kindGroup {
		entity = "privilegedAccessGroupAssignmentScheduleRequest"
	}
	t.writePage(c, items, entity)
}

func (t *Tenant) findRequest(id string, kind pimKind) *scheduleRequest {
	for _, r := range t.requests {
		if strings.EqualFold(r.ID, id) && kindOf(r.Eligibility) == kind {
			return r
		}
	}
	return nil
}

func (t *Tenant) serveGetRequest(c *graphCall, kind pimKind, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.findRequest(id, kind)
	if r == nil || r.UserID != c.userID {
		writeError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The request '%s' was not found.", id))
		return
	}
	writeJSON(c.w, http.StatusOK, t.requestJSON(r, requestView{}, expands(c.r)))
}

func (t *Tenant) serveCancelRequest(c *graphCall, kind pimKind, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.findRequest(id, kind)
	if r == nil || r.UserID != c.userID {
		writeError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The request '%s' was not found.", id))
		return
	}
	if r.Status != StatusPendingApproval {
		writeError(c.w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("The request is in status '%s' and cannot be canceled. Only requests pending approval can be canceled.", r.Status))
		return
	}
	r.Status = StatusCanceled
	c.w.WriteHeader(http.StatusNoContent)
}

// policyFor returns the activation policy of a role or group access, or
// the defaults (8 hours, justification and MFA required). Caller holds t.mu.
func (t *Tenant) policyFor(e Eligibility) Policy {
	for _, p := range t.sc.Policies {
		if e.GroupID != "" {
			if strings.EqualFold(p.GroupID, e.GroupID) && strings.EqualFold(p.AccessID, e.AccessID) {
				return withPolicyDefaults(p)
			}
			continue
		}
		if p.GroupID == "" && strings.EqualFold(p.RoleDefinitionID, e.RoleDefinitionID) {
			return withPolicyDefaults(p)
		}
	}
	return Policy{
		RoleDefinitionID: e.RoleDefinitionID,
		GroupID:          e.GroupID,
		AccessID:         e.AccessID,
		MaxDuration:      Duration(8 * time.Hour),
		Justification:    true,
		MFA:              true,
	}
}

func withPolicyDefaults(p Policy) Policy {
	if p.MaxDuration <= 0 {
		p.MaxDuration = Duration(8 * time.Hour)
	}
	return p
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// acrsClaimsMessage is the message of RoleAssignmentRequestAcrsValidationFailed.
func acrsClaimsMessage(value string) string {
	claims := `{"access_token":{"acrs":{"essential":true, "value":"` + value + `"}}}`
	return "&claims=" + strings.ReplaceAll(url.QueryEscape(claims), "+", "%20")
}

func policyRulesFailed(rules ...string) string {
	b, _ := json.Marshal(rules)
	return "The following policy rules failed: " + string(b)
}

type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: msg}
}

func (t *Tenant) serveCreateRequest(c *graphCall, kind pimKind) {
	var body requestBody
	dec := json.NewDecoder(c.r.Body)
	if err := dec.Decode(&body); err != nil {
		writeError(c.w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	t.mu.Lock()
	out, status, aerr := t.createRequest(c, kind, &body)
	t.mu.Unlock()
	if aerr != nil {
		writeError(c.w, aerr.status, aerr.code, aerr.message)
		return
	}
	entity := "roleManagement/directory/roleAssignmentScheduleRequests/$entity"
	if kind == kindGroup {
		entity = "identityGovernance/privilegedAccess/group/assignmentScheduleRequests/$entity"
	}
	out["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#" + entity
	writeJSON(c.w, status, out)
}

// createRequest applies PIM's rules to a request. Caller holds t.mu.
func (t *Tenant) createRequest(c *graphCall, kind pimKind, b *requestBody) (map[string]any, int, *apiError) {
	now := t.clock.Now()
	target := Eligibility{UserID: c.userID}
	if kind == kindRole {
		if b.RoleDefinitionID == "" {
			return nil, 0, badRequest("InvalidRequest", "The roleDefinitionId is required.")
		}
		target.RoleDefinitionID = b.RoleDefinitionID
		target.DirectoryScopeID = deref(b.DirectoryScopeID)
		if b.DirectoryScopeID == nil && b.AppScopeID == nil {
			return nil, 0, badRequest("InvalidRequest", "Either directoryScopeId or appScopeId is required.")
		}
	} else {
		if b.GroupID == "" || b.AccessID == "" {
			return nil, 0, badRequest("InvalidRequest", "The groupId and accessId are required.")
		}
		if !strings.EqualFold(b.AccessID, "member") && !strings.EqualFold(b.AccessID, "owner") {
			return nil, 0, badRequest("InvalidRequest", fmt.Sprintf("The accessId '%s' is not valid; use member or owner.", b.AccessID))
		}
		target.GroupID = b.GroupID
		target.AccessID = strings.ToLower(b.AccessID)
	}
	if !strings.EqualFold(b.PrincipalID, c.userID) {
		return nil, 0, &apiError{status: http.StatusForbidden, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation. The principalId of a self-service request must be the signed-in user."}
	}
	view := requestView{appScopeID: b.AppScopeID}
	if b.IsValidationOnly != nil {
		view.validationOnly = *b.IsValidationOnly
	}
	req := &scheduleRequest{
		ID:            newGUID(),
		Eligibility:   target,
		Justification: deref(b.Justification),
		Created:       now,
		Start:         now,
	}
	if b.TicketInfo != nil {
		req.TicketNumber = deref(b.TicketInfo.TicketNumber)
		req.TicketSystem = deref(b.TicketInfo.TicketSystem)
	}
	if b.ScheduleInfo != nil && b.ScheduleInfo.Expiration != nil {
		view.expirationType = deref(b.ScheduleInfo.Expiration.Type)
		view.endDateTime = deref(b.ScheduleInfo.Expiration.EndDateTime)
		req.Duration = deref(b.ScheduleInfo.Expiration.Duration)
	}

	switch {
	case strings.EqualFold(b.Action, "selfActivate"):
		req.Action = "selfActivate"
		return t.selfActivate(req, view, b, c.acrs(), now)
	case strings.EqualFold(b.Action, "selfDeactivate"):
		req.Action = "selfDeactivate"
		return t.selfDeactivate(req, view, now)
	case b.Action == "":
		return nil, 0, badRequest("InvalidRequest", "The action is required.")
	default:
		return nil, 0, badRequest("InvalidRequest", fmt.Sprintf("The action '%s' is not supported for a self-service request by the simulated tenant; use selfActivate or selfDeactivate.", b.Action))
	}
}

func (t *Tenant) isEligible(target Eligibility) bool {
	for _, e := range t.sc.Eligibilities {
		if e.UserID == target.UserID && sameTarget(e, target) {
			return true
		}
	}
	return false
}

// activeFor is the user's active (listed or provisioning) assignment for
// the target, or nil. Caller holds t.mu.
func (t *Tenant) activeFor(target Eligibility, now time.Time) *assignment {
	for _, a := range t.assignments {
		if a.UserID == target.UserID && sameTarget(a.Eligibility, target) && now.Before(a.End) && !now.Before(a.Start) {
			return a
		}
	}
	return nil
}

func (t *Tenant) selfActivate(req *scheduleRequest, view requestView, b *requestBody, acrs []string, now time.Time) (map[string]any, int, *apiError) {
	target := req.Eligibility
	if !t.isEligible(target) {
		return nil, 0, badRequest("RoleAssignmentRequestPolicyValidationFailed", policyRulesFailed("EligibilityRule"))
	}
	if t.activeFor(target, now) != nil {
		return nil, 0, badRequest("RoleAssignmentExists", "The Role assignment already exists.")
	}
	for _, r := range t.requests {
		if r.UserID == target.UserID && r.Action == "selfActivate" && r.Status == StatusPendingApproval && sameTarget(r.Eligibility, target) {
			return nil, 0, badRequest("PendingRoleAssignmentRequest", "There is already an existing pending Role assignment request.")
		}
	}
	pol := t.policyFor(target)
	if pol.AuthContext != "" && !hasString(acrs, pol.AuthContext) {
		return nil, 0, badRequest("RoleAssignmentRequestAcrsValidationFailed", acrsClaimsMessage(pol.AuthContext))
	}

	// Expiration, justification, ticketing.
	var failed []string
	dur, ok := requestedDuration(b, now)
	if !ok || dur <= 0 || dur > pol.MaxDuration.D() {
		failed = append(failed, "ExpirationRule")
	}
	if (pol.Justification || pol.Approval) && strings.TrimSpace(req.Justification) == "" {
		failed = append(failed, "JustificationRule")
	}
	if pol.Ticket && (strings.TrimSpace(req.TicketNumber) == "" || strings.TrimSpace(req.TicketSystem) == "") {
		failed = append(failed, "TicketingRule")
	}
	if len(failed) > 0 {
		return nil, 0, badRequest("RoleAssignmentRequestPolicyValidationFailed", policyRulesFailed(failed...))
	}
	if req.Duration == "" {
		req.Duration = isoDuration(dur)
	}

	switch {
	case pol.Approval:
		req.Status = StatusPendingApproval
		if !view.validationOnly {
			t.requests = append(t.requests, req)
		}
	case view.validationOnly:
		req.Status = StatusGranted
	default:
		req.Status = StatusProvisioned
		a := &assignment{
			ID:          newGUID(),
			Eligibility: target,
			Start:       now,
			End:         now.Add(dur),
			ListedAt:    now.Add(t.sc.ProvisioningDelay.D()),
			Activated:   true,
			RequestID:   req.ID,
		}
		t.assignments = append(t.assignments, a)
		t.requests = append(t.requests, req)
		view.targetScheduleID = scheduleIDOf(a)
		view.completed = now
	}
	return t.requestJSON(req, view, nil), http.StatusCreated, nil
}

// requestedDuration is the length of the requested activation.
func requestedDuration(b *requestBody, now time.Time) (time.Duration, bool) {
	if b.ScheduleInfo == nil || b.ScheduleInfo.Expiration == nil {
		return 0, false
	}
	e := b.ScheduleInfo.Expiration
	typ := strings.ToLower(deref(e.Type))
	if typ == "noexpiration" {
		return 0, false
	}
	if d := deref(e.Duration); d != "" && typ != "afterdatetime" {
		v, err := parseISODuration(d)
		return v, err == nil
	}
	if end := deref(e.EndDateTime); end != "" {
		tm, err := time.Parse(time.RFC3339, end)
		if err != nil {
			return 0, false
		}
		start := now
		if s := deref(b.ScheduleInfo.StartDateTime); s != "" {
			if st, err := time.Parse(time.RFC3339, s); err == nil && st.After(now) {
				start = st
			}
		}
		return tm.Sub(start), true
	}
	return 0, false
}

func (t *Tenant) selfDeactivate(req *scheduleRequest, view requestView, now time.Time) (map[string]any, int, *apiError) {
	a := t.activeFor(req.Eligibility, now)
	if a == nil || !a.Activated {
		return nil, 0, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	}
	if now.Sub(a.Start) < minActiveBeforeDeactivate {
		return nil, 0, badRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.")
	}
	if view.validationOnly {
		req.Status = StatusGranted
		return t.requestJSON(req, view, nil), http.StatusCreated, nil
	}
	a.End = now
	req.Status = StatusRevoked
	req.Duration = ""
	t.requests = append(t.requests, req)
	view.targetScheduleID = scheduleIDOf(a)
	view.completed = now
	return t.requestJSON(req, view, nil), http.StatusCreated, nil
}

// Approve grants a request that is pending approval, as an approver would:
// the request becomes Provisioned and the assignment starts now (listed
// after the provisioning delay).
func (t *Tenant) Approve(requestID string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var req *scheduleRequest
	for _, r := range t.requests {
		if r.ID == requestID {
			req = r
		}
	}
	if req == nil {
		return fmt.Errorf("sim: no request %q", requestID)
	}
	if req.Status != StatusPendingApproval {
		return fmt.Errorf("sim: request %q is %s, not %s", requestID, req.Status, StatusPendingApproval)
	}
	dur, err := parseISODuration(req.Duration)
	if err != nil || dur <= 0 {
		dur = time.Hour
	}
	now := t.clock.Now()
	if t.activeFor(req.Eligibility, now) != nil {
		return errors.New("sim: the assignment is already active")
	}
	req.Status = StatusProvisioned
	req.Start = now
	t.assignments = append(t.assignments, &assignment{
		ID:          stableGUID("approved", req.ID),
		Eligibility: req.Eligibility,
		Start:       now,
		End:         now.Add(dur),
		ListedAt:    now.Add(t.sc.ProvisioningDelay.D()),
		Activated:   true,
		RequestID:   req.ID,
	})
	return nil
}

// Deny rejects a request that is pending approval.
func (t *Tenant) Deny(requestID string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range t.requests {
		if r.ID == requestID {
			if r.Status != StatusPendingApproval {
				return fmt.Errorf("sim: request %q is %s, not %s", requestID, r.Status, StatusPendingApproval)
			}
			r.Status = StatusDenied
			return nil
		}
	}
	return fmt.Errorf("sim: no request %q", requestID)
}

// ScheduleRequest describes a stored schedule request for tests and tools.
type ScheduleRequest struct {
	ID string
	Eligibility
	Action        string
	Status        string
	Justification string
	TicketNumber  string
	TicketSystem  string
	Duration      string
	Created       time.Time
}

// ScheduleRequests lists the schedule requests the tenant has stored
// (role and group; validation-only requests are not stored).
func (t *Tenant) ScheduleRequests() []ScheduleRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ScheduleRequest, 0, len(t.requests))
	for _, r := range t.requests {
		out = append(out, ScheduleRequest{
			ID: r.ID, Eligibility: r.Eligibility, Action: r.Action, Status: r.Status,
			Justification: r.Justification, TicketNumber: r.TicketNumber, TicketSystem: r.TicketSystem,
			Duration: r.Duration, Created: r.Created,
		})
	}
	return out
}
