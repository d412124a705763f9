package sim

import (
	"strings"
	"testing"
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
