// Package simtest starts simulated tenants for tests, with the user's
// directories isolated so no test touches a real config, cache or keyring.
package simtest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pimento-cli/pimento/sim"
)

// Isolate points HOME and the XDG directories at a fresh temp dir (and
// clears $BROWSER), returning that dir.
func Isolate(tb testing.TB) string {
	tb.Helper()
	home := tb.TempDir()
	for _, k := range []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"} {
		tb.Setenv(k, filepath.Join(home, strings.ToLower(k)))
	}
	tb.Setenv("BROWSER", "")
	return home
}

// Start serves the demo scenario on a free loopback port, with no added
// latency, after the edits; it stops when the test ends. A test that passes
// although a fault it armed never fired fails: the fault tested nothing
// (mark a fault that may rightly not fire Optional).
func Start(tb testing.TB, edits ...func(*sim.Scenario)) *sim.Tenant {
	tb.Helper()
	sc := sim.DemoScenario()
	sc.Latency = 0
	for _, e := range edits {
		e(&sc)
	}
	tn, err := sim.New(sc)
	if err != nil {
		tb.Fatal(err)
	}
	if err := tn.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = tn.Close() })
	tb.Cleanup(func() { CheckFaultsFired(tb, tn) })
	return tn
}

// CheckFaultsFired fails tb for each armed fault of tn that never fired,
// unless tb has already failed (a fault skipped by an earlier failure says
// nothing new).
func CheckFaultsFired(tb testing.TB, tn *sim.Tenant) {
	tb.Helper()
	if tb.Failed() || tb.Skipped() {
		return
	}
	for _, f := range tn.UnfiredFaults() {
		tb.Errorf("sim: armed fault never fired: %s", f)
	}
}

// Env is the environment that points pimento at tn: its authority, Graph
// and Azure Resource Manager.
func Env(tn *sim.Tenant) map[string]string {
	return map[string]string{"PIMENTO_AUTHORITY": tn.AuthorityURL(), "PIMENTO_GRAPH_URL": tn.GraphURL(), "PIMENTO_ARM_URL": tn.ARMURL()}
}
