package pim_test

import (
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// benchLatency is a realistic Graph round trip for the first-screen figures.
const benchLatency = 50 * time.Millisecond

// The benchmarks report figures, they do not assert timings. Run them with
//
//	go test ./pim/ -run '^$' -bench . -benchtime=3x

func BenchmarkFirstScreenCold(b *testing.B) {
	e := newEnv(b, withAzure(), withScenario(func(sc *sim.Scenario) { sc.Latency = sim.Duration(benchLatency) }))
	var snap *pim.Snapshot
	for b.Loop() {
		svc := e.newService(b.TempDir(), fastPoll) // empty policy cache
		var err error
		if snap, err = svc.Load(e.ctx()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(snap.RoundTrips), "roundtrips")
	b.ReportMetric(float64(len(snap.Eligible)), "eligible")
}

func BenchmarkFirstScreenWarm(b *testing.B) {
	e := newEnv(b, withAzure(), withScenario(func(sc *sim.Scenario) { sc.Latency = sim.Duration(benchLatency) }))
	if _, err := e.svc.Load(e.ctx()); err != nil { // fills the cache
		b.Fatal(err)
	}
	var snap *pim.Snapshot
	for b.Loop() {
		svc := e.newService(e.cacheDir, fastPoll)
		var err error
		if snap, err = svc.Load(e.ctx()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(snap.RoundTrips), "roundtrips")
}

// BenchmarkActivateToEffective measures activation to proof with PIM's
// provisioning taking 2 s, and the product's default poll settings. The
// figure that matters is how long pimento needs beyond the provisioning.
func BenchmarkActivateToEffective(b *testing.B) {
	const delay = 2 * time.Second
	e := newEnv(b, withPoll(pim.PollConfig{}), withScenario(func(sc *sim.Scenario) {
		sc.Latency = sim.Duration(benchLatency)
		sc.ProvisioningDelay = sim.Duration(delay)
	}))
	snap := e.load()
	user := elig(b, snap, "User Administrator")
	var beyond, total time.Duration
	n := 0
	for b.Loop() {
		outs := e.svc.Activate(e.ctx(), []pim.ActivateRequest{{Target: user, Duration: time.Hour, Justification: "bench"}}, pim.ActivateOptions{Wait: true}, nil)
		if outs[0].Err != nil || !outs[0].Effective {
			b.Fatalf("outcome = %+v", outs[0])
		}
		total += outs[0].EffectiveAfter
		beyond += outs[0].EffectiveAfter - delay
		n++
		// Make room for the next iteration (not timed in the metric).
		b.StopTimer()
		e.tn.Clock().Advance(6 * time.Minute)
		a, ok := e.load().ActiveFor(user)
		if !ok {
			b.Fatal("not in the snapshot")
		}
		if res := e.svc.Deactivate(e.ctx(), a, nil); res.Err != nil {
			b.Fatal(res.Err)
		}
		b.StartTimer()
	}
	b.ReportMetric(total.Seconds()/float64(n), "s_to_effective")
	b.ReportMetric(beyond.Seconds()/float64(n), "s_beyond_provisioning")
}
