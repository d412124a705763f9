package sim

import (
	"strings"
	"testing"
)

// Both services refuse a start or end that is not RFC 3339, each in its
// own words, and nothing is recorded.
func TestScheduleTimesMustBeRFC3339(t *testing.T) {
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	a := newARMClient(t, tn, TokenSpec{})
	before := len(g.activeRoles())
	for _, field := range []string{"startDateTime", "endDateTime"} {
		t.Run("graph "+field, func(t *testing.T) {
			body := activation(RoleUserAdministrator, "/", "PT1H", "triage")
			si := body["scheduleInfo"].(map[string]any)
			if field == "startDateTime" {
				si["startDateTime"] = "tomorrow at nine"
			} else {
				si["expiration"] = map[string]any{"type": "afterDateTime", "endDateTime": "tomorrow at nine"}
			}
			st, _, m := g.do("POST", reqPath, body)
			code, msg := errCode(m)
			if st != 400 || code != "BadRequest" || !strings.Contains(msg, "The "+field+" 'tomorrow at nine' is not a valid DateTimeOffset") {
				t.Fatalf("%d %v", st, m)
			}
		})
		t.Run("arm "+field, func(t *testing.T) {
			body := armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "deploy")
			si := body["properties"].(map[string]any)["scheduleInfo"].(map[string]any)
			if field == "startDateTime" {
				si["startDateTime"] = "2026-13-01"
			} else {
				si["expiration"] = map[string]any{"type": "AfterDateTime", "endDateTime": "2026-13-01"}
			}
			st, _, m := a.do("PUT", DemoSubscriptionScope+authz+"roleAssignmentScheduleRequests/"+newGUID(), pimVersion, body)
			code, msg := errCode(m)
			if st != 400 || code != "InvalidRequest" || msg != "The "+field+" '2026-13-01' is not an RFC 3339 time." {
				t.Fatalf("%d %v", st, m)
			}
		})
	}
	if n := len(g.activeRoles()); n != before {
		t.Fatalf("refused requests changed the active roles: %d, was %d", n, before)
	}
}
