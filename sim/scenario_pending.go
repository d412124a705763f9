package sim

import (
	"fmt"
	"strings"
	"time"
)

// PendingRequest is a self-activation waiting for approval when the
// scenario starts: another user's request an approver finds in their
// inbox. CreatedAgo is relative to the tenant clock at start; after 24
// hours the approval expires (approvals.go), so a few minutes ago leaves
// the window almost whole.
type PendingRequest struct {
	// ID is the request's id (on ARM its name, a GUID); empty: a new GUID.
	ID string `json:"id,omitempty"`
	// Eligibility is the requester (UserID) and what they asked for; they
	// must be eligible for it, and its policy must require approval.
	Eligibility
	CreatedAgo Duration `json:"createdAgo"`
	// Duration is the activation's length (default 1h, at most the
	// policy's maximum).
	Duration Duration `json:"duration,omitempty"`
	// StartIn puts the requested start this long after the tenant starts
	// (a scheduled activation); zero: the start is the request's creation.
	StartIn       Duration `json:"startIn,omitempty"`
	Justification string   `json:"justification,omitempty"`
	TicketNumber  string   `json:"ticketNumber,omitempty"`
	TicketSystem  string   `json:"ticketSystem,omitempty"`
	// ApprovalID is, for an Azure role, the roleAssignmentApprovals GUID;
	// empty: derived from ID. Graph approvals take the request's id
	// (AF §1.1), so it is refused for directory roles and groups.
	ApprovalID string `json:"approvalId,omitempty"`
}

// validatePending checks the scenario's pending requests by seeding them
// into a throwaway state: what New will do, and fail on, for real.
func (sc *Scenario) validatePending() error {
	if len(sc.Pending) == 0 {
		return nil
	}
	s := newPIMState(*sc, newGUID)
	now := time.Now().UTC()
	for i, p := range sc.Pending {
		if err := s.seed(p, now); err != nil {
			return fmt.Errorf("scenario: pending request %d: %w", i, err)
		}
	}
	return nil
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
