package sim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Approvals in the state machine, for every kind alike: a request that
// needs approval opens an approval with one stage; a listed approver who
// is not the requester decides it; after 24 hours it expires. The HTTP
// shapes (Graph beta steps, Graph v1.0 stages, ARM stages) are views of
// the same records. Sources: approvals-facts (AF) in /work/shared/docs.

// approvalWindow is how long approvers have: "24 hours", not configurable
// (AF §0 row 5, E1/E2/E3). Counted from the request's creation, not from a
// requested start: which one PIM uses is UNVERIFIED (AF §9.11); creation
// is the stricter reading, the one a client warning about starts more than
// 24 hours ahead expects.
const approvalWindow = 24 * time.Hour

// StatusTimedOut is the status of a request whose approval expired. The
// Graph docs list no such status and ARM's enum has TimedOut (AF §2.2);
// both APIs show the one PIM backend's statuses (PendingApproval, Granted,
// Provisioned, Denied, Canceled are spelled alike in both), so the sim
// shows TimedOut on both. UNVERIFIED (AF §9.4); the safer side for a
// client is "any status but PendingApproval is closed".
const StatusTimedOut = "TimedOut"

// Review results: NotReviewed until decided, then the decision as the
// write body spells it (AF §1.3: "Simulate NotReviewed→Approve/Deny";
// ARM output shows Approve, A3/A4).
const (
	reviewNotReviewed = "NotReviewed"
	reviewApprove     = "Approve"
	reviewDeny        = "Deny"
)

// Stage statuses (AF §1.3, G7/G8; ARM's enum has the same three, A3).
const (
	stageInProgress = "InProgress"
	stageCompleted  = "Completed"
	stageExpired    = "Expired"
)

// approvalStage is one stage (a step, on beta) of an approval. PIM
// approvals are single-stage ("Multi-step approvals aren't currently
// supported", AF §1.3, E1), so a request has one; the list keeps the
// shapes honest.
type approvalStage struct {
	ID            string
	Result        string // reviewNotReviewed | reviewApprove | reviewDeny
	ReviewedBy    string // the deciding approver's user id
	Justification string
	Reviewed      time.Time
}

// openApproval gives a request that needs approval its approval and
// stage. On Graph the approval id is the request id (AF §1.1, G6); on ARM
// it is a GUID of its own inside a path (AF §1.5: approvalId
// …/roleAssignmentApprovals/{guid}, another GUID than the request's name),
// unless the scenario names one. The stage id is a GUID of its own too: a
// client must read the stages, not assume step id == approval id (AF §9.2,
// §1.5 "Safer: GET the stages and use the returned id").
//
// A pending directory-role request already names its target schedule
// (its own id) and has a completedDateTime, its creation (AF §1.2, E1:
// approvalId == id == targetScheduleId). The group example's
// completedDateTime is null (AF §1.4); its targetScheduleId, of the form
// {groupId}_{accessId}_{requestId}, the sim does not serve (UNVERIFIED
// what it becomes once granted), so a pending group request has none.
func openApproval(req *scheduleRequest, armApprovalID string) {
	req.ApprovalID = req.ID
	switch kindOf(req.Eligibility) {
	case kindRole:
		req.TargetSchedule = req.ID
		req.Completed = req.Created
	case kindARM:
		req.ApprovalID = armApprovalID
		if req.ApprovalID == "" {
			req.ApprovalID = stableGUID("approval", req.ID)
		}
	}
	req.Stages = []*approvalStage{{ID: stableGUID("approval-stage", req.ApprovalID, "1"), Result: reviewNotReviewed}}
}

// expire closes requests whose approval window has passed (called from
// settle). completedDateTime is the moment it expired.
func (s *pimState) expire(now time.Time) {
	for _, r := range s.requests {
		if r.Status == StatusPendingApproval && !now.Before(r.Created.Add(approvalWindow)) {
			r.Status = StatusTimedOut
			r.Completed = r.Created.Add(approvalWindow)
		}
	}
}

// stageStatus is a stage's status as the APIs show it.
func stageStatus(r *scheduleRequest, st *approvalStage) string {
	switch {
	case st.Result != reviewNotReviewed:
		return stageCompleted
	case r.Status == StatusPendingApproval:
		return stageInProgress
	case r.Status == StatusTimedOut:
		return stageExpired
	}
	return stageCompleted // canceled by the requester before anyone decided
}

// approverOf reports whether user may decide r: a listed approver of its
// policy who is not the requester. This is assignedToMe: "Approvers are
// not able to approve their own role activation requests" (AF §2.2, E1),
// so a requester who is also listed is not assigned their own.
func (s *pimState) approverOf(r *scheduleRequest, user string) bool {
	return user != "" && !strings.EqualFold(user, r.UserID) && hasString(s.approverIDs(s.policyFor(r.Eligibility)), user)
}

// requestsToApprove lists the requests of a kind whose approval names
// approver, whatever their status: the approver inbox before the client's
// status filter. Whether the real lists return decided requests too is
// UNVERIFIED (AF §9.5 for ARM asApprover); the documented Graph call adds
// $filter=status eq 'PendingApproval' (AF §1.1, E1), so the sim returns
// them and a client must filter, on the server or itself. The requester's
// own requests are never in it (AF §9.4: hide own requests).
func (s *pimState) requestsToApprove(approver string, kind pimKind) []*scheduleRequest {
	var out []*scheduleRequest
	for _, r := range s.requests {
		if len(r.Stages) > 0 && kindOf(r.Eligibility) == kind && s.approverOf(r, approver) {
			out = append(out, r)
		}
	}
	return out
}

// approvalFor finds the request behind an approval id of a kind.
func (s *pimState) approvalFor(kind pimKind, approvalID string) *scheduleRequest {
	for _, r := range s.requests {
		if len(r.Stages) > 0 && kindOf(r.Eligibility) == kind && strings.EqualFold(r.ApprovalID, approvalID) {
			return r
		}
	}
	return nil
}

func approvalNotFound(id string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "ResourceNotFound", message: fmt.Sprintf("The approval '%s' was not found.", id)}
}

// readApproval finds an approval the caller may read: its approvers and
// its requester (who follows their request). Anyone else gets 403, the
// answer for "not an approver" (AF §1.7: "show a 403 as not an approver").
func (s *pimState) readApproval(kind pimKind, approvalID, caller string, now time.Time) (*scheduleRequest, *apiError) {
	s.settle(now)
	r := s.approvalFor(kind, approvalID)
	if r == nil {
		return nil, approvalNotFound(approvalID)
	}
	if !strings.EqualFold(caller, r.UserID) && !s.approverOf(r, caller) {
		return nil, notApprover()
	}
	return r, nil
}

func notApprover() *apiError {
	return &apiError{status: http.StatusForbidden, code: "Forbidden", message: "The signed-in user is not an approver of this request."}
}

// stageOf finds a stage of r by id.
func stageOf(r *scheduleRequest, stageID string) *approvalStage {
	for _, st := range r.Stages {
		if strings.EqualFold(st.ID, stageID) {
			return st
		}
	}
	return nil
}

// decideStage applies an approver's decision on a stage (PATCH steps/{id},
// stages/{id}, ARM PUT stages/{id}). The checks, in order: unknown
// approval or stage 404 (G1/G4); the requester 403 (AF §2.2: wire error
// UNVERIFIED, refused plainly); not a listed approver 403 (G1/G4); then
// the stage's state (decide).
func (s *pimState) decideStage(kind pimKind, approvalID, stageID, caller string, approve bool, justification string, now time.Time) *apiError {
	s.settle(now)
	r := s.approvalFor(kind, approvalID)
	if r == nil {
		return approvalNotFound(approvalID)
	}
	st := stageOf(r, stageID)
	if st == nil {
		return &apiError{status: http.StatusNotFound, code: "ResourceNotFound", message: fmt.Sprintf("The approval stage '%s' was not found in approval '%s'.", stageID, approvalID)}
	}
	if strings.EqualFold(caller, r.UserID) {
		return selfApproval()
	}
	if !s.approverOf(r, caller) {
		return notApprover()
	}
	if aerr := stageOpen(r, st); aerr != nil {
		return aerr
	}
	// The policy's approval stage requires the approver's justification
	// (isApproverJustificationRequired is true in the rules the sim
	// serves); whether the API enforces it is UNVERIFIED, and a client
	// that always sends one is right either way.
	if strings.TrimSpace(justification) == "" {
		return badRequest("BadRequest", "A justification is required: the approval stage requires the approver's justification.")
	}
	return s.decide(r, st, caller, approve, justification, now)
}

func selfApproval() *apiError {
	return &apiError{status: http.StatusForbidden, code: "Forbidden", message: "Approvers cannot approve their own requests."}
}

// decide records a decision on a stage in progress (stageOpen). An
// approved activation starts at its requested start, or now if that has
// passed, and runs its full length (pimrules.go grant: Granted for a later
// start, Provisioned now, listed after the provisioning delay and on ARM
// usable after the propagation delay).
func (s *pimState) decide(r *scheduleRequest, st *approvalStage, reviewer string, approve bool, justification string, now time.Time) *apiError {
	if aerr := stageOpen(r, st); aerr != nil {
		return aerr
	}
	if approve {
		if s.existingFor(r.Eligibility, now) != nil {
			return badRequest("RoleAssignmentExists", "The Role assignment already exists.")
		}
		if !r.Start.After(now) {
			r.Start = now
		}
		s.grant(r, now)
		st.Result = reviewApprove
	} else {
		r.Status = StatusDenied // ARM may say AdminDenied (AF §2.3); UNVERIFIED, Denied on both
		r.Completed = now
		st.Result = reviewDeny
	}
	st.ReviewedBy, st.Justification, st.Reviewed = reviewer, justification, now
	return nil
}

// stageOpen refuses a decision on a stage that is not in progress. One
// already decided (or whose request was canceled) is 409, as Graph
// documents for "already decided by another approver" (AF §2.2, G1/G4;
// ARM UNVERIFIED, the same). An expired one is 400: the request is no
// longer pending and the requester must submit again (AF §2.2 Expired;
// the wire error is UNVERIFIED, §9.4).
func stageOpen(r *scheduleRequest, st *approvalStage) *apiError {
	switch {
	case r.Status == StatusTimedOut:
		return badRequest("BadRequest", fmt.Sprintf("The approval of request '%s' expired: approvers have 24 hours to decide. The requester must submit a new request.", r.ID))
	case st.Result != reviewNotReviewed || r.Status != StatusPendingApproval:
		return &apiError{status: http.StatusConflict, code: "Conflict", message: fmt.Sprintf("The approval stage is completed: the request is %s.", r.Status)}
	}
	return nil
}

// decideByHook is Tenant.Approve/Deny: the decision of the request's first
// listed approver who is not the requester, with no approver checks.
func (s *pimState) decideByHook(requestID string, approve bool, now time.Time) *apiError {
	s.settle(now)
	r := s.requestNamed(requestID)
	if r == nil || len(r.Stages) == 0 {
		return &apiError{status: http.StatusNotFound, code: "ResourceNotFound", message: fmt.Sprintf("No request '%s' awaits approval.", requestID)}
	}
	reviewer := ""
	for _, id := range s.approverIDs(s.policyFor(r.Eligibility)) {
		if !strings.EqualFold(id, r.UserID) {
			reviewer = id
			break
		}
	}
	return s.decide(r, r.Stages[0], reviewer, approve, "", now)
}

// seedPending adds the scenario's pending requests at the tenant's start.
func (s *pimState) seedPending(list []PendingRequest, now time.Time) error {
	for i, p := range list {
		if err := s.seed(p, now); err != nil {
			return fmt.Errorf("scenario: pending request %d: %w", i, err)
		}
	}
	return nil
}

// seed stores one pending request as if its requester had sent it
// CreatedAgo before now, with the checks activation would make.
func (s *pimState) seed(p PendingRequest, now time.Time) error {
	target := canonicalTarget(p.Eligibility)
	kind := kindOf(target)
	switch {
	case p.CreatedAgo < 0 || p.StartIn < 0 || p.Duration < 0:
		return fmt.Errorf("createdAgo, startIn and duration must not be negative")
	case !s.isEligible(target):
		return fmt.Errorf("user %q is not eligible for what it requests", target.UserID)
	case s.pendingFor(target) != nil:
		return fmt.Errorf("user %q has a pending request for the same target already", target.UserID)
	case p.ApprovalID != "" && (kind != kindARM || !isGUID(p.ApprovalID)):
		return fmt.Errorf("approvalId is for Azure roles only, and a GUID")
	case kind == kindARM && p.ID != "" && !isGUID(p.ID):
		return fmt.Errorf("the id of an Azure role request is its name, a GUID")
	case p.ID != "" && s.requestNamed(p.ID) != nil:
		return fmt.Errorf("the id %q is taken", p.ID)
	}
	pol := s.policyFor(target)
	switch {
	case !pol.Approval:
		return fmt.Errorf("its policy needs no approval, so nothing would wait")
	case strings.TrimSpace(p.Justification) == "":
		return fmt.Errorf("a justification is required (JustificationRule)")
	case pol.Ticket && (strings.TrimSpace(p.TicketNumber) == "" || strings.TrimSpace(p.TicketSystem) == ""):
		return fmt.Errorf("a ticket is required (TicketingRule)")
	}
	length := p.Duration.D()
	if length == 0 {
		length = time.Hour
	}
	if length > pol.MaxDuration.D() {
		return fmt.Errorf("duration %v is over the policy's maximum %v", length, pol.MaxDuration.D())
	}
	id := p.ID
	if id == "" {
		id = s.newID()
	}
	created := now.Add(-p.CreatedAgo.D())
	start := created
	if p.StartIn > 0 {
		start = now.Add(p.StartIn.D())
	}
	req := &scheduleRequest{
		ID: id, Eligibility: target, Action: actionSelfActivate, Status: StatusPendingApproval,
		Justification: p.Justification, TicketNumber: p.TicketNumber, TicketSystem: p.TicketSystem,
		Start: start, ExpirationType: "afterDuration", Duration: isoDuration(length), length: length,
		Created: created, seeded: true,
	}
	openApproval(req, p.ApprovalID)
	s.requests = append(s.requests, req)
	return nil
}
