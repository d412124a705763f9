package pim

import (
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// A request without an action (a nil enum pointer) has none, and does not
// panic; one with an action reads as sent.
func TestActionOfNilEnum(t *testing.T) {
	var role *models.UnifiedRoleScheduleRequestActions
	var group *models.ScheduleRequestActions
	if got := actionOf(role); got != "" {
		t.Errorf("nil role action = %q", got)
	}
	if got := actionOf(group); got != "" {
		t.Errorf("nil group action = %q", got)
	}
	act := models.SELFACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	if got := actionOf(&act); got != ActionActivate {
		t.Errorf("role action = %q, want %q", got, ActionActivate)
	}
	deact := models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS
	if got := actionOf(&deact); got != ActionDeactivate {
		t.Errorf("group action = %q, want %q", got, ActionDeactivate)
	}
	// What a request without an action decodes to reads as none.
	r := models.NewUnifiedRoleAssignmentScheduleRequest()
	if got := roleRequestRecord(r).Action; got != "" {
		t.Errorf("request without an action: %q", got)
	}
}
