package simtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// recorder is a testing.TB that records errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()       {}
func (r *recorder) Failed() bool  { return len(r.errs) > 0 }
func (r *recorder) Skipped() bool { return false }
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckFaultsFiredNamesEachSilentFault(t *testing.T) {
	tn := simtest.Start(t)
	tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultStatus, Status: 429, Times: 1})
	tn.AddFault(sim.Fault{Path: "/me", Kind: sim.FaultStatus, Status: 503, Optional: true})

	rec := &recorder{TB: t}
	simtest.CheckFaultsFired(rec, tn)
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], `POST "roleAssignmentScheduleRequests": status 429`) {
		t.Fatalf("errors = %q", rec.errs)
	}

	// Once it fires, nothing is reported. (Fire it through the server.)
	resp, err := tn.HTTPClient().Post(tn.GraphURL()+"/roleManagement/directory/roleAssignmentScheduleRequests", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Fatalf("fault did not fire: %d", resp.StatusCode)
	}
	rec = &recorder{TB: t}
	simtest.CheckFaultsFired(rec, tn)
	if len(rec.errs) != 0 {
		t.Fatalf("errors after firing = %q", rec.errs)
	}
}
