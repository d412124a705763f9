package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ARM approvals (approvals-facts, AF §1.5, §2.1), on the preview
// api-version the service has them in (A1, A3; armauthorization has no
// client for them, AF §0 row 4):
//
//	GET {ARM}/providers/Microsoft.Authorization/roleAssignmentApprovals/{guid}?api-version=2021-01-01-preview
//	GET …/roleAssignmentApprovals/{guid}/stages[/{stageId}]?api-version=2021-01-01-preview
//	PUT|PATCH …/roleAssignmentApprovals/{guid}/stages/{stageId}?api-version=2021-01-01-preview
//	    {"properties":{"reviewResult":"Approve|Deny","justification":"…"}} (flat accepted too) → 200 + the stage
//
// The inbox is roleAssignmentScheduleRequests?$filter=asApprover() on
// 2020-10-01 (arm_pim.go). The approval id in a request's
// properties.approvalId is the tenant-level path above, with a GUID other
// than the request's name (AF §1.5, §1.6); the sim serves approvals at the
// tenant level only, where peers send them (pimctl, EasyPIM: P1, P2).

// armApprovalVersion is the only api-version with roleAssignmentApprovals
// (AF §0 row 4, A3; its current revision names stages, an older one
// steps, A3-old: the sim serves stages).
const armApprovalVersion = "2021-01-01-preview"

func (t *Tenant) armApprovals(c *armCall) {
	m := c.r.Method
	switch {
	case c.scope.Kind != scopeRoot:
		writeCloudError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The simulated tenant serves role assignment approvals at the tenant level (/providers/Microsoft.Authorization/roleAssignmentApprovals/{id}), not at '%s'.", c.scope.ID))
	case c.name != "" && c.action == "" && m == http.MethodGet:
		t.armGetApproval(c, false)
	case c.name != "" && c.action == "stages" && m == http.MethodGet:
		t.armGetApproval(c, true)
	case c.name != "" && c.action == "stages" && c.sub != "" && (m == http.MethodPut || m == http.MethodPatch):
		t.armDecide(c)
	case c.action != "" && c.action != "stages":
		writeCloudError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("An approval has stages ('%s' is from an older revision of the API, or none).", c.action))
	default:
		// The list (…roleAssignmentApprovals?$filter=asApprover, AF §1.1
		// alt) is not served: the request list's asApprover is the inbox.
		writeCloudError(c.w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("The simulated tenant does not serve %s on this roleAssignmentApprovals path.", m))
	}
}

// armApprovalError spells a state error as ARM does: 403 is
// AuthorizationFailed there (AF §2.2: UNVERIFIED for approvals, expected
// in that style).
func armApprovalError(c *armCall, e *apiError) *apiError {
	if e.status != http.StatusForbidden {
		return e
	}
	upn, _ := c.claims["upn"].(string)
	return &apiError{status: e.status, code: "AuthorizationFailed", message: fmt.Sprintf("The client '%s' with object id '%s' may not review this request: %s", upn, c.userID, e.message)}
}

// armGetApproval answers GET of an approval, of its stages (stages true,
// c.sub empty) or of one stage.
func (t *Tenant) armGetApproval(c *armCall, stages bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, aerr := t.pim.readApproval(kindARM, c.name, c.userID, t.clock.Now())
	if aerr != nil {
		writeARMError(c.w, armApprovalError(c, aerr))
		return
	}
	switch {
	case !stages:
		writeARMJSON(c.w, http.StatusOK, t.armApprovalJSON(r, c.userID))
	case c.sub == "":
		writeARMJSON(c.w, http.StatusOK, map[string]any{"value": t.armStagesJSON(r, c.userID)})
	default:
		st := stageOf(r, c.sub)
		if st == nil {
			writeCloudError(c.w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The approval stage '%s' was not found in approval '%s'.", c.sub, c.name))
			return
		}
		writeARMJSON(c.w, http.StatusOK, t.armStageJSON(r, st, c.userID))
	}
}

// armDecisionBody is a stage decision: wrapped in properties, as the spec
// example, the REST sample and both peers send it, or flat, as the spec's
// parameter schema and E3 show it; both are accepted (AF §2.1, §9.7).
type armDecisionBody struct {
	Properties *decisionFields `json:"properties"`
	decisionFields
}

// armDecide applies PUT or PATCH of a stage (EasyPIM's direct PUT works;
// whether PATCH does is UNVERIFIED, AF §9.6, and the spec names PATCH, so
// both are served). The answer is 200 with the stage, as the spec says
// (A3, A4); E3 says "empty response" and peers take 204, so a client
// should take any 2xx.
func (t *Tenant) armDecide(c *armCall) {
	var body armDecisionBody
	if err := json.NewDecoder(c.r.Body).Decode(&body); err != nil {
		writeCloudError(c.w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: expected {\"properties\":{\"reviewResult\":…,\"justification\":…}}.")
		return
	}
	fields := body.decisionFields
	if body.Properties != nil {
		fields = *body.Properties
	}
	approve, aerr := fields.decision()
	if aerr != nil {
		writeARMError(c.w, aerr)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if aerr := t.pim.decideStage(kindARM, c.name, c.sub, c.userID, approve, deref(fields.Justification), now); aerr != nil {
		writeARMError(c.w, armApprovalError(c, aerr))
		return
	}
	r := t.pim.approvalFor(kindARM, c.name)
	writeARMJSON(c.w, http.StatusOK, t.armStageJSON(r, stageOf(r, c.sub), c.userID))
}

// armApprovalPath is an approval's id: the path requests carry in
// properties.approvalId.
func armApprovalPath(approvalID string) string {
	return "/providers/Microsoft.Authorization/roleAssignmentApprovals/" + approvalID
}

// armApprovalJSON is a roleAssignmentApproval (AF §1.5). Caller holds t.mu.
func (t *Tenant) armApprovalJSON(r *scheduleRequest, caller string) map[string]any {
	return map[string]any{
		"id":         armApprovalPath(r.ApprovalID),
		"type":       "Microsoft.Authorization/roleAssignmentApprovals",
		"name":       r.ApprovalID,
		"properties": map[string]any{"stages": t.armStagesJSON(r, caller)},
	}
}

func (t *Tenant) armStagesJSON(r *scheduleRequest, caller string) []any {
	out := []any{}
	for _, st := range r.Stages {
		out = append(out, t.armStageJSON(r, st, caller))
	}
	return out
}

// armStageJSON is a stage (AF §1.5): reviewedBy is {principalId,
// principalType, principalName, userPrincipalName} (A3, A4). Caller holds
// t.mu.
func (t *Tenant) armStageJSON(r *scheduleRequest, st *approvalStage, caller string) map[string]any {
	var reviewedBy any
	if st.ReviewedBy != "" {
		who := map[string]any{"principalId": st.ReviewedBy, "principalType": "user", "principalName": nil, "userPrincipalName": nil}
		if u, ok := t.sc.userByID(st.ReviewedBy); ok {
			who["principalName"], who["userPrincipalName"] = u.DisplayName, u.UserPrincipalName
		}
		reviewedBy = who
	}
	return map[string]any{
		"id":   armApprovalPath(r.ApprovalID) + "/stages/" + st.ID,
		"type": "Microsoft.Authorization/roleAssignmentApprovals/stages",
		"name": st.ID,
		"properties": map[string]any{
			"displayName":      fmt.Sprintf("Approval stage %d", stageIndex(r, st)+1),
			"assignedToMe":     t.pim.approverOf(r, caller),
			"status":           stageStatus(r, st),
			"reviewedBy":       reviewedBy,
			"reviewedDateTime": timeOrNull(st.Reviewed),
			"reviewResult":     st.Result,
			"justification":    st.Justification,
		},
	}
}

func stageIndex(r *scheduleRequest, st *approvalStage) int {
	for i, s := range r.Stages {
		if strings.EqualFold(s.ID, st.ID) {
			return i
		}
	}
	return 0
}
