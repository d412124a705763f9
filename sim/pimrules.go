package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The rules PIM applies to self-service requests, whatever the kind. Each
// rule notes where it comes from: entra-pim-facts (EP §n) or
// approvals-facts (AF §n) in /work/shared/docs.

// minActiveBeforeDeactivate is PIM's five-minute rule (EP §2.5).
const minActiveBeforeDeactivate = 5 * time.Minute

// startTolerance is how far after now a startDateTime may be and still mean
// "now": clients send their own clock truncated to the second.
const startTolerance = time.Second

// requestInput is a self-service request as PIM weighs it, parsed from a
// Graph body (or, later, an ARM one).
type requestInput struct {
	ID             string // client-chosen (ARM PUTs name the request); empty: a new GUID
	Target         Eligibility
	Justification  string
	TicketNumber   string
	TicketSystem   string
	Start          time.Time // scheduleInfo.startDateTime; zero when not sent
	Expiration     expirationInput
	AppScopeID     *string
	ValidationOnly bool
	ACRS           []string // authentication contexts the caller's token satisfies
	WithoutMFA     bool     // the caller's token has no mfa in amr
	Linked         string   // ARM linkedRoleEligibilityScheduleId, echoed back
}

// withCaller fills in what the caller's token proves: the authentication
// contexts it satisfies (AcrsRule, EP §2.7) and whether it did MFA
// (MfaRule, EP §2.6 rule list).
func (in *requestInput) withCaller(claims map[string]any) {
	in.ACRS = claimStrings(claims, "acrs")
	in.WithoutMFA = !hasString(claimStrings(claims, "amr"), "mfa")
}

// parseAction reads a self-service action, whatever its case: Graph
// spells it selfActivate, ARM's requestType SelfActivate.
func parseAction(s string) (requestAction, bool) {
	for _, a := range []requestAction{actionSelfActivate, actionSelfDeactivate} {
		if strings.EqualFold(s, string(a)) {
			return a, true
		}
	}
	return "", false
}

// expirationInput is scheduleInfo.expiration as sent.
type expirationInput struct {
	Type     string    // afterDuration | afterDateTime | noExpiration | ""
	Duration string    // ISO 8601
	End      time.Time // endDateTime; zero when not sent
	EndText  string    // endDateTime as sent, echoed back
}

// length is how long an activation starting at start lasts; false when
// the expiration does not say (or says noExpiration, which self-activation
// may not ask for).
func (e expirationInput) length(start time.Time) (time.Duration, bool) {
	typ := strings.ToLower(e.Type)
	if typ == "noexpiration" {
		return 0, false
	}
	if e.Duration != "" && typ != "afterdatetime" {
		d, err := parseISODuration(e.Duration)
		return d, err == nil
	}
	if !e.End.IsZero() {
		return e.End.Sub(start), true
	}
	return 0, false
}

type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: msg}
}

// requestExists refuses a second request under a name already used: ARM
// request names are client GUIDs and a PUT is not idempotent (AZ §1.7).
// 409 and the code are UNVERIFIED; the sheet's safer side (§10.4).
func requestExists(id string) *apiError {
	return &apiError{status: http.StatusConflict, code: "RoleAssignmentRequestExists", message: fmt.Sprintf("A role assignment request with Id: %s already exists", id)}
}

// pendingExists is the answer to an activation while one waits for
// approval: PendingRoleAssignmentRequest on Graph (EP §2.6); on ARM the
// code is UNVERIFIED and the sim uses RoleAssignmentRequestExists (AZ §2.3,
// P5), which a client must tell from requestExists by status and message.
func pendingExists(k pimKind) *apiError {
	code := "PendingRoleAssignmentRequest"
	if k == kindARM {
		code = "RoleAssignmentRequestExists"
	}
	return badRequest(code, "There is already an existing pending Role assignment request.")
}

// requestNamed finds a stored request of any kind by id.
func (s *pimState) requestNamed(id string) *scheduleRequest {
	for _, r := range s.requests {
		if strings.EqualFold(r.ID, id) {
			return r
		}
	}
	return nil
}

func policyRulesFailed(rules ...string) string {
	b, _ := json.Marshal(rules)
	return "The following policy rules failed: " + string(b)
}

// acrsClaimsMessage is the message of RoleAssignmentRequestAcrsValidationFailed
// (EP §2.7: the claims request URL-encoded after "&claims=", space kept).
func acrsClaimsMessage(value string) string {
	claims := `{"access_token":{"acrs":{"essential":true, "value":"` + value + `"}}}`
	return "&claims=" + strings.ReplaceAll(url.QueryEscape(claims), "+", "%20")
}

func (s *pimState) newRequest(in requestInput, action requestAction, now time.Time) *scheduleRequest {
	id := in.ID
	if id == "" {
		id = s.newID()
	}
	return &scheduleRequest{
		ID: id, Eligibility: in.Target, Action: action,
		Justification: in.Justification, TicketNumber: in.TicketNumber, TicketSystem: in.TicketSystem,
		Start: now, ExpirationType: in.Expiration.Type, Duration: in.Expiration.Duration, EndDateTime: in.Expiration.EndText,
		AppScopeID: in.AppScopeID, ValidationOnly: in.ValidationOnly, Created: now, Linked: in.Linked,
	}
}

// apply applies a self-service request of either action.
func (s *pimState) apply(action requestAction, in requestInput, now time.Time) (*scheduleRequest, *apiError) {
	if action == actionSelfActivate {
		return s.activate(in, now)
	}
	return s.deactivate(in, now)
}

// activate applies selfActivate. The answer is the request as Graph
// returns it: Provisioned (active now), Granted (scheduled for a later
// start, or validation only) or PendingApproval (PendingEvaluation when
// ARM validates one).
func (s *pimState) activate(in requestInput, now time.Time) (*scheduleRequest, *apiError) {
	s.settle(now)
	if in.ID != "" && !in.ValidationOnly && s.requestNamed(in.ID) != nil {
		return nil, requestExists(in.ID)
	}
	target := in.Target
	if !s.isEligible(target) {
		return nil, badRequest("RoleAssignmentRequestPolicyValidationFailed", policyRulesFailed("EligibilityRule"))
	}
	// Active, provisioning or scheduled: all refused. A future-dated
	// activation while active (or a second while one is scheduled) is
	// RoleAssignmentExists on the UNVERIFIED safer side (AF §4.2 Overlap, §9.16).
	if s.existingFor(target, now) != nil {
		return nil, badRequest("RoleAssignmentExists", "The Role assignment already exists.") // EP §2.5, §2.6
	}
	if s.pendingFor(target) != nil {
		return nil, pendingExists(kindOf(target))
	}
	pol := s.policyFor(target)
	if pol.AuthContext != "" && !hasString(in.ACRS, pol.AuthContext) {
		return nil, badRequest("RoleAssignmentRequestAcrsValidationFailed", acrsClaimsMessage(pol.AuthContext)) // EP §2.7
	}

	// The activation runs from start for its length. A start in the past
	// costs the admin those minutes; one so far back that the activation
	// would already be over fails the ExpirationRule, the rule about when
	// an activation ends (AF §4.2 Duration cap; no documented error of its
	// own, and a policy failure is one clients never resend).
	start := now
	if !in.Start.IsZero() {
		start = in.Start
	}
	length, ok := in.Expiration.length(start)
	var failed []string
	if !ok || length <= 0 || length > pol.MaxDuration.D() || !start.Add(length).After(now) {
		failed = append(failed, "ExpirationRule")
	}
	if (pol.Justification || pol.Approval) && strings.TrimSpace(in.Justification) == "" {
		failed = append(failed, "JustificationRule")
	}
	if pol.Ticket && (strings.TrimSpace(in.TicketNumber) == "" || strings.TrimSpace(in.TicketSystem) == "") {
		failed = append(failed, "TicketingRule")
	}
	// MFA required and the token has none: a policy failure, with no
	// claims to step up with (AZ §4 case A, D2).
	if pol.MFA && in.WithoutMFA {
		failed = append(failed, "MfaRule")
	}
	if len(failed) > 0 {
		return nil, badRequest("RoleAssignmentRequestPolicyValidationFailed", policyRulesFailed(failed...)) // EP §2.6
	}

	req := s.newRequest(in, actionSelfActivate, now)
	req.Start = start
	req.length = length
	if req.Duration == "" {
		req.Duration = isoDuration(length)
	}
	switch {
	case pol.Approval && in.ValidationOnly && kindOf(target) == kindARM:
		// ARM's validate of a role that needs approval answers
		// PendingEvaluation and opens no approval (AF §2.3, I3).
		req.Status = StatusPendingEvaluation
		return req, nil
	case pol.Approval:
		req.Status = StatusPendingApproval
		openApproval(req, "")
		if !in.ValidationOnly {
			s.requests = append(s.requests, req)
		}
		return req, nil
	case in.ValidationOnly:
		req.Status = StatusGranted
		req.Completed = now
		return req, nil
	}
	s.grant(req, now)
	s.requests = append(s.requests, req)
	return req, nil
}

// grant creates the assignment of an accepted activation. It starts now,
// or at the request's start when that is later than now (then the request
// is Granted with completedDateTime = the start, AF §4.1, §0.9), and ends
// at the request's start plus its length.
func (s *pimState) grant(req *scheduleRequest, now time.Time) {
	from, status := now, StatusProvisioned
	if req.Start.Sub(now) > startTolerance {
		from, status = req.Start, StatusGranted
	}
	a := &assignment{
		ID:          s.newID(),
		Eligibility: req.Eligibility,
		Start:       from,
		End:         req.Start.Add(req.length),
		ListedAt:    from.Add(s.provisioningDelay),
		Activated:   true,
		RequestID:   req.ID,
		Created:     now,
	}
	s.assignments = append(s.assignments, a)
	req.Status = status
	req.Completed = from
	req.TargetSchedule = scheduleIDOf(a)
}

// deactivate applies selfDeactivate: it ends the activation in force now.
// A scheduled one that has not started is not in force; it is withdrawn
// with cancel (AF §4.2: the safer side of the UNVERIFIED note).
func (s *pimState) deactivate(in requestInput, now time.Time) (*scheduleRequest, *apiError) {
	s.settle(now)
	if in.ID != "" && !in.ValidationOnly && s.requestNamed(in.ID) != nil {
		return nil, requestExists(in.ID)
	}
	a := s.currentFor(in.Target, now)
	// On ARM an activation still provisioning does not exist yet (AZ §2.3:
	// deactivating 44 s after activating was RoleAssignmentDoesNotExist).
	if a != nil && kindOf(in.Target) == kindARM && !a.visibleAt(now) {
		a = nil
	}
	if a == nil || !a.Activated {
		return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.") // EP §2.6
	}
	if now.Sub(a.Start) < minActiveBeforeDeactivate {
		return nil, badRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.") // EP §2.5
	}
	req := s.newRequest(in, actionSelfDeactivate, now)
	if in.ValidationOnly {
		req.Status = StatusGranted
		req.Completed = now
		return req, nil
	}
	a.End = now
	req.Status = StatusRevoked // EP §2.3
	req.Duration = ""
	req.TargetSchedule = scheduleIDOf(a)
	req.Completed = now
	s.requests = append(s.requests, req)
	return req, nil
}

// cancel withdraws the principal's request: one pending approval, or one
// granted for a start still to come (AF §4.2 Cancel: "Only for Granted
// requests"; pending approval can be canceled in the portal, E4). Anything
// else, Provisioned included, is 400.
func (s *pimState) cancel(kind pimKind, id, principal string, now time.Time) *apiError {
	s.settle(now)
	r := s.request(kind, id)
	if r == nil || r.UserID != principal {
		return &apiError{status: http.StatusNotFound, code: "ResourceNotFound", message: fmt.Sprintf("The request '%s' was not found.", id)}
	}
	switch {
	case r.Status == StatusPendingApproval:
	case r.Status == StatusGranted && r.Action == actionSelfActivate:
		s.removeAssignmentOf(r.ID)
	default:
		return badRequest("InvalidRequest", fmt.Sprintf("The request is in status '%s' and cannot be canceled. Only requests pending approval or granted for a later start can be canceled.", r.Status))
	}
	r.Status = StatusCanceled
	return nil
}

func (s *pimState) removeAssignmentOf(requestID string) {
	kept := s.assignments[:0]
	for _, a := range s.assignments {
		if a.RequestID != requestID {
			kept = append(kept, a)
		}
	}
	s.assignments = kept
}

// scheduleInfoBody and ticketInfoBody are the request body's scheduleInfo
// and ticketInfo, the same shape in Graph and ARM.
type scheduleInfoBody struct {
	StartDateTime *string `json:"startDateTime"`
	Expiration    *struct {
		Type        *string `json:"type"`
		Duration    *string `json:"duration"`
		EndDateTime *string `json:"endDateTime"`
	} `json:"expiration"`
}

type ticketInfoBody struct {
	TicketNumber *string `json:"ticketNumber"`
	TicketSystem *string `json:"ticketSystem"`
}

// parse reads the start and expiration; bad words the service's refusal
// of a time that is not RFC 3339 (each service says it its own way).
func (si *scheduleInfoBody) parse(bad func(field, value string) *apiError) (time.Time, expirationInput, *apiError) {
	var start time.Time
	var exp expirationInput
	if si == nil {
		return start, exp, nil
	}
	if s := deref(si.StartDateTime); s != "" {
		st, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return start, exp, bad("startDateTime", s)
		}
		start = st.UTC()
	}
	if e := si.Expiration; e != nil {
		exp = expirationInput{Type: deref(e.Type), Duration: deref(e.Duration), EndText: deref(e.EndDateTime)}
		if exp.EndText != "" {
			end, err := time.Parse(time.RFC3339, exp.EndText)
			if err != nil {
				return start, exp, bad("endDateTime", exp.EndText)
			}
			exp.End = end.UTC()
		}
	}
	return start, exp, nil
}
