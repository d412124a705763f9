package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Graph approvals (approvals-facts, AF): the approver's decision.
//
//   - Directory roles: beta only (AF §0 row 1, G3, E11):
//     GET  /beta/roleManagement/directory/roleAssignmentApprovals/{id}            → steps[]
//     GET  /beta/roleManagement/directory/roleAssignmentApprovals/{id}/steps[/{stepId}]
//     PATCH /beta/roleManagement/directory/roleAssignmentApprovals/{id}/steps/{stepId} → 204 (G1)
//     The same path under /v1.0 is 400, as Graph answers a segment it does
//     not have, so a client whose beta URL silently became v1.0 (pimctl's
//     shared adapter, AF §3.1) fails here too (AF §8 item 3; what the real
//     v1.0 answers is UNVERIFIED, §9.1).
//   - PIM for Groups: v1.0 (AF §0 row 3, G3, G4, K1):
//     GET  /v1.0/identityGovernance/privilegedAccess/group/assignmentApprovals/{id} → stages[]
//     GET  …/assignmentApprovals/{id}/stages[/{stageId}]
//     PATCH …/assignmentApprovals/{id}/stages/{stageId}                          → 204 (G4)
//     and the beta twin with steps (EasyPIM's, AF §1.4, §8 item 4).
//
// The inboxes are the request lists' filterByCurrentUser(on='approver')
// (graph_pim.go). Approval ids are request ids (AF §1.1, G6).

// routeApprovals dispatches the v1.0 approval paths; false: no route.
func (t *Tenant) routeApprovals(c *graphCall) bool {
	if len(c.lower) >= 3 && c.lower[0] == "rolemanagement" && c.lower[1] == "directory" && c.lower[2] == "roleassignmentapprovals" {
		writeError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", c.segs[2]))
		return true
	}
	return t.routeApprovalPaths(c, []string{"identitygovernance", "privilegedaccess", "group", "assignmentapprovals"}, kindGroup, "stages")
}

// routeBetaCall dispatches the beta paths the sim serves: approvals with
// steps, for directory roles and for groups.
func (t *Tenant) routeBetaCall(c *graphCall) bool {
	return t.routeApprovalPaths(c, []string{"rolemanagement", "directory", "roleassignmentapprovals"}, kindRole, "steps") ||
		t.routeApprovalPaths(c, []string{"identitygovernance", "privilegedaccess", "group", "assignmentapprovals"}, kindGroup, "steps")
}

// routeApprovalPaths serves {set}/{id}, {set}/{id}/{steps}, and
// {set}/{id}/{steps}/{stepId} (GET, and PATCH to decide).
func (t *Tenant) routeApprovalPaths(c *graphCall, set []string, kind pimKind, steps string) bool {
	n := len(set)
	if len(c.lower) <= n || len(c.lower) > n+3 {
		return false
	}
	for i, seg := range set {
		if c.lower[i] != seg {
			return false
		}
	}
	id := c.segs[n]
	if isFilterByCurrentUser(id) {
		return false // the approvals' own filterByCurrentUser is not served
	}
	m := c.r.Method
	switch {
	case len(c.lower) == n+1:
		if requireMethod(c, m, http.MethodGet) {
			t.serveApproval(c, kind, id, steps)
		}
	case c.lower[n+1] != steps:
		return false
	case len(c.lower) == n+2:
		if requireMethod(c, m, http.MethodGet) {
			t.serveApprovalStages(c, kind, id, steps, "")
		}
	case m == http.MethodPatch:
		t.serveDecision(c, kind, id, c.segs[n+2])
	case requireMethod(c, m, http.MethodGet):
		t.serveApprovalStages(c, kind, id, steps, c.segs[n+2])
	}
	return true
}

// approvalSet is the entity set's path for @odata.context.
func approvalSet(kind pimKind) string {
	if kind == kindGroup {
		return "identityGovernance/privilegedAccess/group/assignmentApprovals"
	}
	return "roleManagement/directory/roleAssignmentApprovals"
}

func (c *graphCall) metadata() string { return "/" + c.version + "/$metadata#" }

// serveApproval answers GET of an approval with its stages (v1.0) or steps
// (beta) inline, as the documented answers show them (AF §1.3, §1.4).
func (t *Tenant) serveApproval(c *graphCall, kind pimKind, id, steps string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, aerr := t.pim.readApproval(kind, id, c.userID, t.clock.Now())
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	base := t.graphBase(c.r) + c.metadata() + approvalSet(kind)
	writeJSON(c.w, http.StatusOK, map[string]any{
		"@odata.context":         base + "/$entity",
		"id":                     r.ApprovalID,
		steps + "@odata.context": base + "('" + r.ApprovalID + "')/" + steps,
		steps:                    t.graphStagesJSON(c, r),
	})
}

// serveApprovalStages answers GET of the stages (steps) or of one.
func (t *Tenant) serveApprovalStages(c *graphCall, kind pimKind, id, steps, stageID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, aerr := t.pim.readApproval(kind, id, c.userID, t.clock.Now())
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	base := t.graphBase(c.r) + c.metadata() + approvalSet(kind) + "('" + r.ApprovalID + "')/" + steps
	if stageID == "" {
		writeJSON(c.w, http.StatusOK, map[string]any{"@odata.context": base, "value": t.graphStagesJSON(c, r)})
		return
	}
	st := stageOf(r, stageID)
	if st == nil {
		writeError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The approval stage '%s' was not found in approval '%s'.", stageID, id))
		return
	}
	o := t.graphStageJSON(c, r, st)
	o["@odata.context"] = base + "/$entity"
	writeJSON(c.w, http.StatusOK, o)
}

// serveDecision applies PATCH …/stages/{id} (…/steps/{id} on beta): 204
// (G1, G4), the errors of pimState.decideStage otherwise.
func (t *Tenant) serveDecision(c *graphCall, kind pimKind, id, stageID string) {
	var body decisionFields
	if err := json.NewDecoder(c.r.Body).Decode(&body); err != nil {
		writeError(c.w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	approve, aerr := body.decision()
	if aerr == nil {
		t.mu.Lock()
		aerr = t.pim.decideStage(kind, id, stageID, c.userID, approve, deref(body.Justification), t.clock.Now())
		t.mu.Unlock()
	}
	if aerr != nil {
		writeAPIError(c.w, aerr)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// graphStagesJSON renders r's stages for the caller. Caller holds t.mu.
func (t *Tenant) graphStagesJSON(c *graphCall, r *scheduleRequest) []any {
	out := []any{}
	for _, st := range r.Stages {
		out = append(out, t.graphStageJSON(c, r, st))
	}
	return out
}

// graphStageJSON is an approvalStage (v1.0) or approvalStep (beta): the
// fields of AF §1.3. reviewedBy is one identity on v1.0 (the SDK's
// approvalStage model, K1) and, on beta, a collection of userIdentity as
// the approvalStep resource documents it (G7); beta's shape is
// UNVERIFIED (AF §9.3), and serving the two shapes keeps a client decoding
// it raw, the sheet's safer side. Caller holds t.mu.
func (t *Tenant) graphStageJSON(c *graphCall, r *scheduleRequest, st *approvalStage) map[string]any {
	var reviewedBy any
	if st.ReviewedBy != "" {
		who := map[string]any{"@odata.type": "#microsoft.graph.userIdentity", "id": st.ReviewedBy, "displayName": nil, "userPrincipalName": nil}
		if u, ok := t.sc.userByID(st.ReviewedBy); ok {
			who["displayName"], who["userPrincipalName"] = u.DisplayName, u.UserPrincipalName
		}
		reviewedBy = who
		if c.version == graphBeta {
			reviewedBy = []any{who}
		}
	}
	return map[string]any{
		"id":               st.ID,
		"displayName":      nil,
		"reviewedDateTime": timeOrNull(st.Reviewed),
		"reviewResult":     st.Result,
		"status":           stageStatus(r, st),
		"assignedToMe":     t.pim.approverOf(r, c.userID),
		"justification":    st.Justification,
		"reviewedBy":       reviewedBy,
	}
}

// decisionFields are the writable fields of a stage: reviewResult and
// justification (AF §2.1).
type decisionFields struct {
	ReviewResult  *string `json:"reviewResult"`
	Justification *string `json:"justification"`
}

// decision checks reviewResult: Approve or Deny, the write spellings (G1),
// case ignored. The justification is checked with the stage
// (decideStage).
func (d decisionFields) decision() (approve bool, aerr *apiError) {
	switch v := strings.TrimSpace(deref(d.ReviewResult)); {
	case strings.EqualFold(v, reviewApprove):
		approve = true
	case strings.EqualFold(v, reviewDeny):
	case v == "":
		return false, badRequest("BadRequest", "The reviewResult is required: Approve or Deny.")
	default:
		return false, badRequest("BadRequest", fmt.Sprintf("The reviewResult '%s' is not valid: use Approve or Deny.", v))
	}
	return approve, nil
}
