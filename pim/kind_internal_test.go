package pim

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/microsoft/kiota-abstractions-go/serialization"
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

// Graph's and ARM's scheduleInfo read alike: a duration without a start
// (from the approval) keeps its duration and has no end; an end gives the
// duration, a duration the end.
func TestScheduleOfBothAPIs(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	end := start.Add(2 * time.Hour)
	graph := func(st *time.Time, iso string, e *time.Time) models.RequestScheduleable {
		si := models.NewRequestSchedule()
		si.SetStartDateTime(st)
		exp := models.NewExpirationPattern()
		if iso != "" {
			d, err := serialization.ParseISODuration(iso)
			if err != nil {
				t.Fatal(err)
			}
			exp.SetDuration(d)
		}
		exp.SetEndDateTime(e)
		si.SetExpiration(exp)
		return si
	}
	arm := func(st *time.Time, iso string, e *time.Time) *armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo {
		x := &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfoExpiration{EndDateTime: e}
		if iso != "" {
			x.Duration = &iso
		}
		return &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo{StartDateTime: st, Expiration: x}
	}
	for _, c := range []struct {
		name    string
		start   *time.Time
		iso     string
		end     *time.Time
		wantD   time.Duration
		wantEnd time.Time
	}{
		{"duration, no start", nil, "PT2H", nil, 2 * time.Hour, time.Time{}},
		{"start and duration", &start, "PT2H", nil, 2 * time.Hour, end},
		{"start and end", &start, "", &end, 2 * time.Hour, end},
	} {
		s, d, e := scheduleOf(graph(c.start, c.iso, c.end))
		if d != c.wantD || !e.Equal(c.wantEnd) || (c.start != nil && !s.Equal(*c.start)) {
			t.Errorf("Graph %s: %s %s %s", c.name, s, d, e)
		}
		s, d, e = armScheduleOf(arm(c.start, c.iso, c.end))
		if d != c.wantD || !e.Equal(c.wantEnd) || (c.start != nil && !s.Equal(*c.start)) {
			t.Errorf("ARM %s: %s %s %s", c.name, s, d, e)
		}
	}
	if s, d, e := scheduleOf(nil); !s.IsZero() || d != 0 || !e.IsZero() {
		t.Error("nil Graph schedule")
	}
	if s, d, e := armScheduleOf(nil); !s.IsZero() || d != 0 || !e.IsZero() {
		t.Error("nil ARM schedule")
	}
}
