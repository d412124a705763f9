package sim

import (
	"encoding/json"
	"net/http"
	"time"
)

// assignment is an active role or group assignment (a schedule instance).
type assignment struct {
	ID string
	Eligibility
	Start, End time.Time
	ListedAt   time.Time // the provisioning delay: listed (and in wids) from then on
	Activated  bool      // assignmentType Activated (PIM) rather than Assigned
	RequestID  string
}

func (a *assignment) visibleAt(now time.Time) bool {
	return !now.Before(a.ListedAt) && now.Before(a.End)
}

// scheduleRequest is a roleAssignmentScheduleRequest or a group
// assignmentScheduleRequest.
type scheduleRequest struct {
	ID string
	Eligibility
	Action        string
	Status        string
	Justification string
	TicketNumber  string
	TicketSystem  string
	Duration      string // ISO 8601 as sent
	Start         time.Time
	Created       time.Time
}

// ActiveAssignment describes an active assignment for tests and tools.
type ActiveAssignment struct {
	Eligibility
	Start, End time.Time
	Listed     bool
	Activated  bool
}

// ActiveAssignments lists the active assignments (listed or still provisioning).
func (t *Tenant) ActiveAssignments() []ActiveAssignment {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	var out []ActiveAssignment
	for _, a := range t.assignments {
		if !now.Before(a.End) {
			continue
		}
		out = append(out, ActiveAssignment{Eligibility: a.Eligibility, Start: a.Start, End: a.End, Listed: a.visibleAt(now), Activated: a.Activated})
	}
	return out
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
