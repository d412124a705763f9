package sim

import (
	"strings"
	"time"
)

// pimState is PIM as data and rules: who is eligible for what under which
// policy, the assignments (active and scheduled) and the schedule requests.
// It knows nothing of HTTP, JSON, locks or clocks: every method takes the
// tenant's now, so the rules are table-tested without a server. The Tenant
// holds one and calls it under t.mu.
//
// Records are kind-generic: a target is an Eligibility (principal plus what
// is activated) and the kind only decides which ids name it, so a third
// kind (Azure resource roles: an ARM scope and a full role definition id)
// adds a case to kindOf and sameTarget, not new records.
type pimState struct {
	eligibilities     []Eligibility
	policies          []Policy
	users             []User
	provisioningDelay time.Duration
	newID             func() string // request and assignment ids

	// Azure resource roles: the scope hierarchy (what lies above what)
	// and how long ARM takes to apply and remove a role assignment.
	topo     *armTopology
	armRoles map[string]AzureRole // by GUID
	armDelay time.Duration

	assignments []*assignment
	requests    []*scheduleRequest
}

func newPIMState(sc Scenario, newID func() string) *pimState {
	s := &pimState{
		policies:          append([]Policy(nil), sc.Policies...),
		users:             sc.Users,
		provisioningDelay: sc.ProvisioningDelay.D(),
		newID:             newID,
		topo:              newARMTopology(sc),
		armRoles:          azureRoles(sc),
		armDelay:          sc.ARMPropagationDelay.D(),
	}
	for _, e := range sc.Eligibilities {
		s.eligibilities = append(s.eligibilities, canonicalTarget(e))
	}
	for i, p := range s.policies {
		if p.Scope != "" {
			s.policies[i].Scope = canonicalScope(p.Scope)
			s.policies[i].RoleDefinitionID = roleGUID(p.RoleDefinitionID)
		}
	}
	return s
}

type pimKind int

const (
	kindRole  pimKind = iota // directory role: roleDefinitionId at directoryScopeId
	kindGroup                // PIM for Groups: groupId with accessId member|owner
	kindARM                  // Azure resource role: full role definition id at an ARM scope
)

func kindOf(e Eligibility) pimKind {
	switch {
	case e.Scope != "":
		return kindARM
	case e.GroupID != "":
		return kindGroup
	}
	return kindRole
}

// sameTarget reports whether a and b name the same thing to activate (the
// principal aside).
func sameTarget(a, b Eligibility) bool {
	if kindOf(a) != kindOf(b) {
		return false
	}
	switch kindOf(a) {
	case kindGroup:
		return strings.EqualFold(a.GroupID, b.GroupID) && strings.EqualFold(a.AccessID, b.AccessID)
	case kindARM:
		// Roles by GUID: the same role shows subscription-prefixed or not
		// depending on where it is read (AZ §3.1).
		return strings.EqualFold(a.Scope, b.Scope) && roleGUID(a.RoleDefinitionID) == roleGUID(b.RoleDefinitionID)
	}
	return strings.EqualFold(a.RoleDefinitionID, b.RoleDefinitionID) && a.DirectoryScopeID == b.DirectoryScopeID && a.AppScopeID == b.AppScopeID
}

// requestAction is a schedule request's action, as Graph spells it.
type requestAction string

const (
	actionSelfActivate   requestAction = "selfActivate"
	actionSelfDeactivate requestAction = "selfDeactivate"
)

// Request statuses used by the sim.
const (
	StatusPendingApproval = "PendingApproval"
	StatusProvisioned     = "Provisioned"
	StatusGranted         = "Granted" // validated, or scheduled for a future start
	StatusRevoked         = "Revoked"
	StatusCanceled        = "Canceled"
	StatusDenied          = "Denied"
	// StatusPendingEvaluation is ARM's answer to validating an
	// activation that will need approval (AF §2.3).
	StatusPendingEvaluation = "PendingEvaluation"
)

// assignment is an active or scheduled role or group assignment: the
// schedule, whose instance is listed from ListedAt until End.
type assignment struct {
	ID string
	Eligibility
	Start, End time.Time
	ListedAt   time.Time // Start plus the provisioning delay: listed (and in wids) from then on
	Activated  bool      // assignmentType Activated (PIM) rather than Assigned
	RequestID  string    // the request that created it; empty for the scenario's
	Created    time.Time
}

// visibleAt reports whether the instance is listed (and in wids) at now.
func (a *assignment) visibleAt(now time.Time) bool {
	return !now.Before(a.ListedAt) && now.Before(a.End)
}

// currentAt reports whether the assignment is in force at now, listed yet
// or still provisioning.
func (a *assignment) currentAt(now time.Time) bool {
	return !now.Before(a.Start) && now.Before(a.End)
}

// scheduledAt reports whether the assignment starts after now.
func (a *assignment) scheduledAt(now time.Time) bool { return now.Before(a.Start) }

// scheduleIDOf is the roleAssignmentScheduleId / assignmentScheduleId of an
// assignment: the id of the request that created it, as in Graph.
func scheduleIDOf(a *assignment) string {
	if a.RequestID != "" {
		return a.RequestID
	}
	return stableGUID("schedule", a.ID)
}

// scheduleRequest is a roleAssignmentScheduleRequest or a group
// assignmentScheduleRequest, with everything its JSON says.
type scheduleRequest struct {
	ID string
	Eligibility
	Action         requestAction
	Status         string
	Justification  string
	TicketNumber   string
	TicketSystem   string
	Start          time.Time     // scheduleInfo.startDateTime
	ExpirationType string        // as sent; derived when not sent
	Duration       string        // ISO 8601, as sent or derived
	EndDateTime    string        // as sent (afterDateTime)
	length         time.Duration // the activation's length, for approval
	AppScopeID     *string
	ValidationOnly bool
	Created        time.Time
	Completed      time.Time
	TargetSchedule string
	ApprovalID     string
	Stages         []*approvalStage // the approval's, when it needs one (approvals.go)
	Linked         string           // linkedRoleEligibilityScheduleId as sent (ARM)
	seeded         bool             // from Scenario.Pending, not made by a client
}

// settle moves requests along with time: a Granted activation whose start
// has come is Provisioned, and an approval left undecided for 24 hours
// expires (approvals.go).
func (s *pimState) settle(now time.Time) {
	s.expire(now)
	for _, r := range s.requests {
		if r.Status != StatusGranted || r.Action != actionSelfActivate {
			continue
		}
		if a := s.assignmentOf(r.ID); a != nil && !a.scheduledAt(now) {
			r.Status = StatusProvisioned
		}
	}
}

// assignmentOf is the assignment a request created, or nil.
func (s *pimState) assignmentOf(requestID string) *assignment {
	for _, a := range s.assignments {
		if a.RequestID == requestID {
			return a
		}
	}
	return nil
}

// isEligible reports whether the target's principal may activate it. An
// Azure eligibility may be activated at a child scope too
// ("Just-Enough-Access", AZ §2.1 after the minimal body, D1).
func (s *pimState) isEligible(target Eligibility) bool {
	if kindOf(target) == kindARM {
		_, ok := s.linkedEligibility(target)
		return ok
	}
	for _, e := range s.eligibilities {
		if e.UserID == target.UserID && sameTarget(e, target) {
			return true
		}
	}
	return false
}

// currentFor is the principal's assignment in force for the target at now
// (listed or provisioning), or nil.
func (s *pimState) currentFor(target Eligibility, now time.Time) *assignment {
	for _, a := range s.assignments {
		if a.UserID == target.UserID && sameTarget(a.Eligibility, target) && a.currentAt(now) {
			return a
		}
	}
	return nil
}

// existingFor is an assignment in force or scheduled for the target, or
// nil: either makes a new activation RoleAssignmentExists. ARM still
// holds an Azure role assignment for its propagation delay after it ended
// (AZ §5: re-activation 2 minutes after a deactivation was
// RoleAssignmentExists, P6 live 3.9).
func (s *pimState) existingFor(target Eligibility, now time.Time) *assignment {
	for _, a := range s.assignments {
		end := a.End
		if kindOf(a.Eligibility) == kindARM {
			end = end.Add(s.armDelay)
		}
		if a.UserID == target.UserID && sameTarget(a.Eligibility, target) && now.Before(end) {
			return a
		}
	}
	return nil
}

// pendingFor is the principal's request awaiting approval for the target.
func (s *pimState) pendingFor(target Eligibility) *scheduleRequest {
	for _, r := range s.requests {
		if r.UserID == target.UserID && r.Action == actionSelfActivate && r.Status == StatusPendingApproval && sameTarget(r.Eligibility, target) {
			return r
		}
	}
	return nil
}

// ownedBy reports whether a record of user is in a list for principal;
// an empty principal lists everyone's (the ARM lists, whose filter picks).
func ownedBy(user, principal string) bool { return principal == "" || user == principal }

// instancesFor lists the principal's listed instances of a kind: what
// *AssignmentScheduleInstances shows.
func (s *pimState) instancesFor(principal string, kind pimKind, now time.Time) []*assignment {
	var out []*assignment
	for _, a := range s.assignments {
		if ownedBy(a.UserID, principal) && kindOf(a.Eligibility) == kind && a.visibleAt(now) {
			out = append(out, a)
		}
	}
	return out
}

// schedulesFor lists the principal's schedules of a kind that have not
// ended: current ones and those that start later. *AssignmentSchedules
// "show current assignments and requests for assignments to be created in
// the future" (approvals-facts §4.2, E10).
func (s *pimState) schedulesFor(principal string, kind pimKind, now time.Time) []*assignment {
	var out []*assignment
	for _, a := range s.assignments {
		if ownedBy(a.UserID, principal) && kindOf(a.Eligibility) == kind && now.Before(a.End) {
			out = append(out, a)
		}
	}
	return out
}

// requestsFor lists the principal's own requests of a kind, oldest first.
func (s *pimState) requestsFor(principal string, kind pimKind) []*scheduleRequest {
	var out []*scheduleRequest
	for _, r := range s.requests {
		if ownedBy(r.UserID, principal) && kindOf(r.Eligibility) == kind {
			out = append(out, r)
		}
	}
	return out
}

// request finds a request of a kind by id.
func (s *pimState) request(kind pimKind, id string) *scheduleRequest {
	for _, r := range s.requests {
		if strings.EqualFold(r.ID, id) && kindOf(r.Eligibility) == kind {
			return r
		}
	}
	return nil
}

// policyFor returns the activation policy of a role or group access, or
// the defaults (8 hours, justification and MFA required).
func (s *pimState) policyFor(e Eligibility) Policy {
	if p, ok := s.scenarioPolicyFor(e); ok {
		return p
	}
	return Policy{
		RoleDefinitionID: e.RoleDefinitionID,
		Scope:            e.Scope,
		GroupID:          e.GroupID,
		AccessID:         e.AccessID,
		MaxDuration:      Duration(8 * time.Hour),
		Justification:    true,
		MFA:              true,
	}
}

// scenarioPolicyFor is the scenario's policy for e, if it has one.
func (s *pimState) scenarioPolicyFor(e Eligibility) (Policy, bool) {
	kind := kindOf(e)
	if kind == kindARM {
		return s.armPolicyFor(e)
	}
	for _, p := range s.policies {
		switch {
		case p.Scope != "":
		case kind == kindGroup:
			if strings.EqualFold(p.GroupID, e.GroupID) && strings.EqualFold(p.AccessID, e.AccessID) {
				return withPolicyDefaults(p), true
			}
		case p.GroupID == "" && strings.EqualFold(p.RoleDefinitionID, e.RoleDefinitionID):
			return withPolicyDefaults(p), true
		}
	}
	return Policy{}, false
}

// enabledRules is the end user's Enablement rule list, the same words in
// Graph and ARM: what an activation must bring.
func (p Policy) enabledRules() []string {
	enabled := []string{}
	if p.MFA {
		enabled = append(enabled, "MultiFactorAuthentication")
	}
	if p.Justification {
		enabled = append(enabled, "Justification")
	}
	if p.Ticket {
		enabled = append(enabled, "Ticketing")
	}
	return enabled
}

func withPolicyDefaults(p Policy) Policy {
	if p.MaxDuration <= 0 {
		p.MaxDuration = Duration(8 * time.Hour)
	}
	return p
}

// approverIDs resolves a policy's approvers to user ids.
func (s *pimState) approverIDs(p Policy) []string {
	var out []string
	for _, a := range s.approvers(p) {
		out = append(out, a.id)
	}
	return out
}

// approver is a policy's approver as the policy rules show it: a user id
// and a description (the user's display name when the user exists).
type approver struct{ id, description string }

// approvers resolves a policy's approvers, each a user id, a UPN or a
// display name, to users; a name with no user keeps a stable made-up id
// and its text as the description.
func (s *pimState) approvers(p Policy) []approver {
	var out []approver
	for _, name := range p.Approvers {
		a := approver{id: stableGUID("approver", name), description: name}
		for _, u := range s.users {
			if strings.EqualFold(u.ID, name) || strings.EqualFold(u.DisplayName, name) || strings.EqualFold(u.UserPrincipalName, name) {
				a = approver{id: u.ID, description: u.DisplayName}
				break
			}
		}
		out = append(out, a)
	}
	return out
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
