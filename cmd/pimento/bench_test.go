package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/sim"
)

// BenchmarkRoundTrips runs each command as a fresh pimento process against
// `pimento sim serve` with 100 ms added to every answer, warm caches and a
// valid cached token, and reports the sequential round trips the admin
// waits for, the requests to the identity provider and to Graph/ARM, and
// the wall time: once with custom endpoints (the simulator's URLs) and once
// on the public-cloud code path (login.microsoftonline.com with MSAL's
// instance discovery, through the simulator's proxy).
//
//	go test -run '^$' -bench RoundTrips -benchtime 3x ./cmd/pimento
func BenchmarkRoundTrips(b *testing.B) {
	if _, err := exec.LookPath("curl"); err != nil {
		b.Skip("curl plays the browser here and is not installed")
	}
	bin := buildBinary(b)
	sc := sim.DemoScenario()
	sc.Latency = sim.Duration(100 * time.Millisecond)
	sc.ProvisioningDelay = 0
	// Many eligible roles, some active for 10 minutes already, so every
	// iteration activates one and deactivates another.
	sc.Roles, sc.Eligibilities, sc.Policies, sc.Active = benchRoles(sc, 40)
	s := startSimServe(b, bin, sc)
	for _, path := range []struct {
		name string
		env  []string
		base int // each path acts on its own roles of the shared tenant
	}{{"custom", s.env, 0}, {"public", s.public, 10}} {
		run := func(args ...string) error {
			cmd := exec.Command(bin, args...)
			cmd.Env = path.env
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%v: %v\n%s", args, err, out)
			}
			return nil
		}
		if err := run("login"); err != nil {
			b.Fatal(err)
		}
		if err := run("roles"); err != nil { // warm the policy cache
			b.Fatal(err)
		}
		next := 0
		for _, c := range []struct {
			name string
			args func(i int) []string
		}{
			{"roles", func(int) []string { return []string{"roles"} }},
			{"status", func(int) []string { return []string{"status"} }},
			{"activate-no-wait", func(i int) []string {
				return []string{"activate", benchRole(path.base + i), "--duration", "1h", "--no-wait"}
			}},
			{"activate-wait", func(i int) []string { return []string{"activate", benchRole(path.base + 20 + i), "--duration", "1h"} }},
			{"deactivate-no-wait", func(i int) []string { return []string{"deactivate", benchActive(path.base + i), "--no-wait"} }},
		} {
			b.Run(path.name+"/"+c.name, func(b *testing.B) {
				var trips, authority, resource int
				var wall time.Duration
				for b.Loop() {
					dbg := filepath.Join(b.TempDir(), "debug.log")
					start := time.Now()
					if err := run(append(c.args(next), "--debug", dbg)...); err != nil {
						b.Fatal(err)
					}
					wall += time.Since(start)
					t, a, r := countTrips(b, dbg)
					trips, authority, resource = trips+t, authority+a, resource+r
					next++
				}
				n := float64(b.N)
				b.ReportMetric(float64(trips)/n, "trips/op")
				b.ReportMetric(float64(authority)/n, "idp-calls/op")
				b.ReportMetric(float64(resource)/n, "graph+arm-calls/op")
				b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms/op")
			})
			next = 0
		}
	}
}

func benchRole(i int) string   { return fmt.Sprintf("Bench Role %02d", i) }
func benchActive(i int) string { return fmt.Sprintf("Bench Active %02d", i) }

// benchRoles adds n eligible roles and n roles active for 10 minutes.
func benchRoles(sc sim.Scenario, n int) ([]sim.RoleDefinition, []sim.Eligibility, []sim.Policy, []sim.Activation) {
	roles, eligs, pols, active := sc.Roles, sc.Eligibilities, sc.Policies, sc.Active
	for i := 0; i < n; i++ {
		for _, prefix := range []string{"Bench Role", "Bench Active"} {
			id := fmt.Sprintf("0000%04d-0000-4000-8000-%012d", i, map[string]int{"Bench Role": 1, "Bench Active": 2}[prefix])
			roles = append(roles, sim.RoleDefinition{ID: id, DisplayName: fmt.Sprintf("%s %02d", prefix, i), TemplateID: id})
			e := sim.Eligibility{UserID: sim.DemoAdminUserID, RoleDefinitionID: id, DirectoryScopeID: "/"}
			eligs = append(eligs, e)
			pols = append(pols, sim.Policy{RoleDefinitionID: id, MaxDuration: sim.Duration(8 * time.Hour)})
			if prefix == "Bench Active" {
				active = append(active, sim.Activation{Eligibility: e, StartedAgo: sim.Duration(10 * time.Minute), Remaining: sim.Duration(time.Hour)})
			}
		}
	}
	return roles, eligs, pols, active
}

var debugLine = regexp.MustCompile(`^(\S+) http (\S+) (\S+?)(/\S*) (?:→ \d+ in|failed after) (\S+)`)

// countTrips reads a --debug log: each request's end (the line's time) and
// duration give its interval; overlapping intervals are one round trip.
func countTrips(b *testing.B, path string) (trips, authority, resource int) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, 0
	}
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	type span struct{ start, end time.Time }
	var spans []span
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := debugLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		end, err1 := time.Parse("2006-01-02T15:04:05.000Z", m[1])
		d, err2 := time.ParseDuration(m[5])
		if err1 != nil || err2 != nil {
			continue
		}
		spans = append(spans, span{end.Add(-d), end})
		if strings.HasPrefix(m[4], "/v1.0") || strings.HasPrefix(m[4], "/beta") || strings.Contains(m[4], "/providers/") || strings.Contains(m[3], "management") {
			resource++
		} else {
			authority++
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	var last time.Time
	for _, s := range spans {
		if last.IsZero() || s.start.After(last) {
			trips++
		}
		if s.end.After(last) {
			last = s.end
		}
	}
	return trips, authority, resource
}
