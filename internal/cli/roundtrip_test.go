package cli

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/sim"
)

// tripRecorder sees every request a command makes, as the client sends it.
type tripRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []trip
}

type trip struct {
	graph, arm bool
	path       string
	start, end time.Time
}

func (r *tripRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := r.next.RoundTrip(req)
	r.mu.Lock()
	r.log = append(r.log, trip{
		graph: strings.HasPrefix(req.URL.Path, "/v1.0") || strings.HasPrefix(req.URL.Path, "/beta/"),
		// ARM under the simulator's /arm, or as management.azure.com on the
		// public-cloud path.
		arm:  strings.HasPrefix(req.URL.Path, "/arm/") || req.URL.Hostname() == sim.PublicARMHost,
		path: req.Method + " " + req.URL.Path, start: start, end: time.Now(),
	})
	r.mu.Unlock()
	return resp, err
}

func (r *tripRecorder) reset() {
	r.mu.Lock()
	r.log = nil
	r.mu.Unlock()
}

// sequential counts the round trips a user waits for: requests that
// overlap in time (a batch's concurrent chunks) count once. Graph and
// Azure Resource Manager are read side by side, so the wait is the
// longer of their two chains (each with the identity provider's trips).
func (r *tripRecorder) sequential() (trips, authority, graph int, paths []string) {
	r.mu.Lock()
	log := append([]trip(nil), r.log...)
	r.mu.Unlock()
	sort.Slice(log, func(i, j int) bool { return log[i].start.Before(log[j].start) })
	chain := func(keep func(trip) bool) int {
		n := 0
		var end time.Time
		for _, t := range log {
			if !keep(t) {
				continue
			}
			if t.start.After(end) || end.IsZero() {
				n++
			}
			if t.end.After(end) {
				end = t.end
			}
		}
		return n
	}
	trips = max(chain(func(t trip) bool { return !t.arm }), chain(func(t trip) bool { return !t.graph }))
	for _, t := range log {
		switch {
		case t.graph:
			graph++
		case !t.arm:
			authority++
		}
		paths = append(paths, t.path)
	}
	return trips, authority, graph, paths
}

// TestRoundTripBudgets: in a fresh process (a new core) with warm caches,
// a valid cached token and lists that fit one page, each command makes the
// round trips it must and no more, Azure roles included.
func TestRoundTripBudgets(t *testing.T) {
	c := newCLI(t, func(sc *sim.Scenario) {
		sc.Latency = sim.Duration(20 * time.Millisecond) // sequential calls cannot overlap by chance
		sc.ProvisioningDelay = 0
	})
	rec := &tripRecorder{next: c.tn.HTTPClient().Transport}
	c.transport = rec
	c.login()
	budget := func(name string, want, wantAuthority int, args ...string) {
		t.Helper()
		rec.reset()
		if out, errOut, code := c.run(args...); code != 0 {
			t.Fatalf("%s: exit %d %q %q", name, code, out, errOut)
		}
		trips, authority, _, paths := rec.sequential()
		if trips != want || authority != wantAuthority {
			t.Errorf("%s: %d sequential round trips (%d to the identity provider), want %d (%d): %v", name, trips, authority, want, wantAuthority, paths)
		}
	}
	budget("roles, cold policy cache", 2, 0, "roles")
	budget("roles", 1, 0, "roles")
	// The first screen's load brings the requests to approve, of every
	// kind, inside the same round trip.
	if c.tn.CountRequests("GET", "filterByCurrentUser(on='approver')") < 2 || c.tn.CountRequests("GET", "/arm/providers/Microsoft.Authorization/roleAssignmentScheduleRequests") == 0 {
		t.Error("the first screen does not read the requests to approve")
	}
	budget("status", 1, 0, "status")
	if n := len(c.tn.Requests()); n == 0 || c.tn.CountRequests("GET", "/arm/providers/Microsoft.Authorization/roleAssignmentScheduleInstances") == 0 {
		t.Error("the budgets must include Azure Resource Manager")
	}
	budget("activate --no-wait", 1, 0, "activate", "User Administrator", "--duration", "1h", "--justification", "x", "--no-wait")
	c.tn.Clock().Advance(6 * time.Minute)
	budget("deactivate --no-wait", 1, 0, "deactivate", "User Administrator", "--no-wait")
	// Waiting: the POST, the polls, one token request, nothing else from
	// the identity provider.
	rec.reset()
	if _, errOut, code := c.run("activate", "Security Administrator", "--duration", "1h", "--justification", "x"); code != 0 {
		t.Fatalf("activate: %q", errOut)
	}
	_, authority, _, paths := rec.sequential()
	if authority != 1 {
		t.Errorf("activate (wait): %d identity provider requests, want the one token refresh: %v", authority, paths)
	}
}
