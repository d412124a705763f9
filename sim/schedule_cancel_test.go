package sim

import (
	"net/http"
	"testing"
	"time"
)

// Scheduled activations for every kind (approvals-facts §4.2): Granted
// with a future start, in the schedules and not the instances before it,
// withdrawn by cancel (Graph 204, ARM 200); cancel is only for Granted (or
// pending) requests, so a canceled or Provisioned one is 400.

func TestCancelScheduledEveryKind(t *testing.T) {
	type kindCase struct {
		name                 string
		create               func(start time.Time) (status int, id string, reqStatus string)
		get                  func(id string) string // the request's status
		cancel               func(id string) int
		schedules, instances func() int
		canceled             int // cancel's success status
	}
	tn := startDemo(t, nil)
	g := newGraphClient(t, tn, DemoAdminUPN)
	a := newARMClient(t, tn, TokenSpec{})
	count := func(st int, _ http.Header, m map[string]any) int {
		t.Helper()
		if st != 200 {
			t.Fatalf("list: %d %v", st, m)
		}
		return len(values(m))
	}
	graphKind := func(name, requests, schedules, instances string, body func(time.Time) map[string]any) kindCase {
		return kindCase{
			name: name,
			create: func(start time.Time) (int, string, string) {
				st, _, m := g.do("POST", requests, body(start))
				id, _ := m["id"].(string)
				status, _ := m["status"].(string)
				return st, id, status
			},
			get: func(id string) string {
				_, _, m := g.do("GET", requests+"/"+id, nil)
				s, _ := m["status"].(string)
				return s
			},
			cancel:    func(id string) int { st, _, _ := g.do("POST", requests+"/"+id+"/cancel", nil); return st },
			schedules: func() int { return count(g.do("GET", schedules, nil)) },
			instances: func() int { return count(g.do("GET", instances, nil)) },
			canceled:  204,
		}
	}
	armReqs := DemoSubscriptionScope + authz + "roleAssignmentScheduleRequests/"
	kinds := []kindCase{
		graphKind("directory role", reqPath, "/roleManagement/directory/roleAssignmentSchedules/filterByCurrentUser(on='principal')", activePath,
			func(start time.Time) map[string]any { return activationAt(RoleUserAdministrator, start, "PT1H") }),
		graphKind("group", groupBase+"/assignmentScheduleRequests", groupSchedulesPath, groupBase+"/assignmentScheduleInstances/filterByCurrentUser(on='principal')",
			func(start time.Time) map[string]any {
				return map[string]any{"action": "selfActivate", "principalId": DemoAdminUserID, "groupId": DemoGroupID, "accessId": "member", "justification": "later",
					"scheduleInfo": map[string]any{"startDateTime": start.Format(time.RFC3339), "expiration": map[string]any{"type": "afterDuration", "duration": "PT1H"}}}
			}),
		{
			name: "Azure role",
			create: func(start time.Time) (int, string, string) {
				body := armActivation(AzureRoleContributor, DemoSubscriptionScope, "PT1H", "later")
				props(body)["scheduleInfo"].(map[string]any)["startDateTime"] = start.Format(time.RFC3339)
				name := newGUID()
				st, _, m := a.do("PUT", armReqs+name, pimVersion, body)
				s, _ := props(m)["status"].(string)
				return st, name, s
			},
			get: func(id string) string {
				_, _, m := a.do("GET", armReqs+id, pimVersion, nil)
				s, _ := props(m)["status"].(string)
				return s
			},
			cancel:    func(id string) int { st, _, _ := a.do("POST", armReqs+id+"/cancel", pimVersion, nil); return st },
			schedules: func() int { return count(a.do("GET", authz+"roleAssignmentSchedules", pimVersion+asTarget, nil)) },
			instances: func() int {
				return count(a.do("GET", authz+"roleAssignmentScheduleInstances", pimVersion+asTarget, nil))
			},
			canceled: 200,
		},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			schedules0, instances0 := k.schedules(), k.instances()
			st, id, status := k.create(tn.Now().Add(time.Hour).Truncate(time.Second))
			if st != 201 || status != StatusGranted {
				t.Fatalf("scheduled: %d %s", st, status)
			}
			if k.schedules() != schedules0+1 || k.instances() != instances0 {
				t.Fatal("a scheduled activation must be in the schedules and not the instances")
			}
			if st := k.cancel(id); st != k.canceled {
				t.Fatalf("cancel: %d", st)
			}
			if k.get(id) != StatusCanceled || k.schedules() != schedules0 {
				t.Fatal("canceled, yet still scheduled")
			}
			if st := k.cancel(id); st != 400 {
				t.Fatalf("cancel twice: %d", st)
			}
			// Started now: Provisioned, and no longer cancelable.
			st, id, status = k.create(tn.Now())
			if st != 201 || status != StatusProvisioned {
				t.Fatalf("now: %d %s", st, status)
			}
			if st := k.cancel(id); st != 400 {
				t.Fatalf("cancel provisioned: %d", st)
			}
		})
	}
}
