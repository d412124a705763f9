package sim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFaultFiresAreCounted(t *testing.T) {
	sc := DemoScenario()
	sc.Faults = []Fault{{Path: "/never/matches", Kind: FaultStatus, Status: 503}}
	tn, err := New(sc)
	if err != nil {
		t.Fatal(err)
	}
	tn.AddFault(Fault{Method: "GET", Path: "/me", Kind: FaultStatus, Status: 429, Times: 2})
	tn.AddFault(Fault{Method: "POST", Path: "/me", Kind: FaultStatus, Status: 503, Times: 1})
	tn.AddFault(Fault{Path: "/maybe", Kind: FaultStatus, Status: 503, Optional: true})

	tn.mu.Lock()
	for range 3 {
		tn.takeFault("GET", "/v1.0/me", false)
	}
	_, batchOnly := tn.takeFault("GET", "/v1.0/me", false)
	tn.mu.Unlock()
	if batchOnly {
		t.Fatal("a spent fault fired again")
	}

	got := tn.ArmedFaults()
	if len(got) != 4 || got[0].Fired != 0 || got[1].Fired != 2 || got[2].Fired != 0 || got[3].Fired != 0 {
		t.Fatalf("armed = %+v", got)
	}
	unfired := tn.UnfiredFaults()
	if len(unfired) != 2 || unfired[0].Path != "/never/matches" || unfired[1].Method != "POST" {
		t.Fatalf("unfired = %+v", unfired)
	}
	if s := unfired[1].String(); !strings.Contains(s, `POST "/me": status 503`) || !strings.Contains(s, "times 1") {
		t.Fatalf("String = %q", s)
	}
}

// A fault's path matches ignoring case, as routing does.
func TestFaultPathIgnoresCase(t *testing.T) {
	tn, err := New(DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	tn.AddFault(Fault{Path: "/RoleAssignmentScheduleRequests", Kind: FaultStatus, Status: 503})
	tn.mu.Lock()
	_, fired := tn.takeFault("PUT", "/arm/subscriptions/x/providers/microsoft.authorization/roleassignmentschedulerequests/y", false)
	tn.mu.Unlock()
	if !fired {
		t.Fatal("the fault did not match a path that differs in case only")
	}
}

// A fault's latency delays the $batch item it hits, not only a request
// of its own.
func TestFaultLatencyInBatch(t *testing.T) {
	tn, err := New(DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	tn.SetLatency(0)
	const delay = 50 * time.Millisecond
	tn.AddFault(Fault{Path: "/v1.0/me", Kind: FaultStatus, Status: 503, Latency: Duration(delay), InBatch: true})
	h := tn.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := httptest.NewRequest("GET", "/v1.0/me", nil)
	r = r.WithContext(context.WithValue(r.Context(), inBatchKey, true))
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, r)
	if took := time.Since(start); took < delay || rec.Code != 503 {
		t.Fatalf("batch item answered %d after %v, want 503 after %v", rec.Code, took, delay)
	}
}
