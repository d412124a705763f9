package sim

import (
	"strings"
	"testing"
)

// TestPublicARMFaultsAndLog: through the proxy, management.azure.com has
// no /arm prefix, yet a fault armed on an /arm path fires there, answers
// in ARM's error shape, and the log shows the /arm path as in local mode;
// nextLinks point back at the public host without /arm.
func TestPublicARMFaultsAndLog(t *testing.T) {
	tn := startDemo(t, func(sc *Scenario) { sc.PageSize = 2 })
	if _, err := tn.StartProxy("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	tn.AddFault(Fault{Method: "GET", Path: armPrefix + authz + "roleEligibilityScheduleInstances", Kind: FaultStatus, Status: 429, RetryAfter: 1, Times: 1})
	a := newARMClient(t, tn, TokenSpec{})
	u := "https://" + PublicARMHost + authz + "roleEligibilityScheduleInstances?" + pimVersion + asTarget

	st, h, m := a.do("GET", u, "", nil)
	e, _ := m["error"].(map[string]any)
	if st != 429 || h.Get("Retry-After") != "1" || e["code"] != "SubscriptionRequestsThrottled" {
		t.Fatalf("faulted answer: %d %v %v", st, h, m)
	}
	st, _, m = a.do("GET", u, "", nil)
	next, _ := m["nextLink"].(string)
	if st != 200 || !strings.HasPrefix(next, "https://"+PublicARMHost+authz) {
		t.Fatalf("second answer: %d nextLink %q", st, next)
	}
	if got := tn.ArmedFaults(); len(got) != 1 || got[0].Fired != 1 {
		t.Fatalf("armed: %+v", got)
	}
	var paths []string
	for _, r := range tn.Requests() {
		paths = append(paths, r.Path)
	}
	if len(paths) != 2 || paths[0] != paths[1] || paths[0] != armPrefix+authz+"roleEligibilityScheduleInstances" {
		t.Fatalf("logged paths %q", paths)
	}
}
