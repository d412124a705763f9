package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// The PIM state as tests and tools see it, and the test hooks that play
// an approver.

// ActiveAssignment describes an active assignment for tests and tools.
type ActiveAssignment struct {
	Eligibility
	Start, End time.Time
	Listed     bool
	Activated  bool
}

func activeAssignment(a *assignment, now time.Time) ActiveAssignment {
	return ActiveAssignment{Eligibility: a.Eligibility, Start: a.Start, End: a.End, Listed: a.visibleAt(now), Activated: a.Activated}
}

// ActiveAssignments lists the assignments in force now (listed or still
// provisioning); scheduled ones that have not started are not active.
func (t *Tenant) ActiveAssignments() []ActiveAssignment {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	var out []ActiveAssignment
	for _, a := range t.pim.assignments {
		if a.currentAt(now) {
			out = append(out, activeAssignment(a, now))
		}
	}
	return out
}

// Approve grants a request that is pending approval (of any kind, by its
// request id), as its first listed approver would, with no justification:
// the activation starts now (or at its requested start, if that is later)
// and runs its full duration; it is listed after the provisioning delay.
// A request decided already or expired is an error, as over the wire.
func (t *Tenant) Approve(requestID string) error {
	return t.decide(requestID, true)
}

// Deny rejects a request that is pending approval, as Approve approves.
func (t *Tenant) Deny(requestID string) error {
	return t.decide(requestID, false)
}

func (t *Tenant) decide(requestID string, approve bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if aerr := t.pim.decideByHook(requestID, approve, t.clock.Now()); aerr != nil {
		return fmt.Errorf("sim: request %s: %s", requestID, aerr.message)
	}
	return nil
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
	// Start is scheduleInfo.startDateTime: as requested, or when the
	// request was made (or approved) if none was given or it had passed.
	Start time.Time

	// ApprovalID is the approval's id when the request needed one (the
	// request id on Graph, a GUID of its own on ARM).
	ApprovalID string
	// The decision, once made: ReviewResult Approve or Deny (NotReviewed
	// before), by ReviewedBy (a user id) with ReviewJustification at
	// Reviewed.
	ReviewResult        string
	ReviewedBy          string
	ReviewJustification string
	Reviewed            time.Time
}

func scheduleRequestOf(r *scheduleRequest) ScheduleRequest {
	out := ScheduleRequest{
		ID: r.ID, Eligibility: r.Eligibility, Action: string(r.Action), Status: r.Status,
		Justification: r.Justification, TicketNumber: r.TicketNumber, TicketSystem: r.TicketSystem,
		Duration: r.Duration, Created: r.Created, Start: r.Start, ApprovalID: r.ApprovalID,
	}
	if len(r.Stages) > 0 {
		st := r.Stages[0]
		out.ReviewResult, out.ReviewedBy, out.ReviewJustification, out.Reviewed = st.Result, st.ReviewedBy, st.Justification, st.Reviewed
	}
	return out
}

// ScheduleRequests lists the schedule requests clients made (every kind;
// validation-only requests are not stored), with their status as of now.
// The scenario's seeded requests (Scenario.Pending) are not in it, so a
// test counts what its client sent; Request finds any request by id.
func (t *Tenant) ScheduleRequests() []ScheduleRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pim.settle(t.clock.Now())
	out := make([]ScheduleRequest, 0, len(t.pim.requests))
	for _, r := range t.pim.requests {
		if !r.seeded {
			out = append(out, scheduleRequestOf(r))
		}
	}
	return out
}

// Request finds a stored request of any kind by id, seeded ones included,
// with its status as of now.
func (t *Tenant) Request(id string) (ScheduleRequest, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pim.settle(t.clock.Now())
	if r := t.pim.requestNamed(id); r != nil {
		return scheduleRequestOf(r), true
	}
	return ScheduleRequest{}, false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes a Graph error body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code":       code,
		"message":    message,
		"innerError": map[string]any{"date": responseTime(w).Format("2006-01-02T15:04:05"), "request-id": "00000000-0000-0000-0000-000000000000"},
	}})
}

// responseTime is the tenant time stamped on the response by the
// middleware, so error bodies agree with the Date header.
func responseTime(w http.ResponseWriter) time.Time {
	if d, err := http.ParseTime(w.Header().Get("Date")); err == nil {
		return d.UTC()
	}
	return time.Now().UTC()
}
