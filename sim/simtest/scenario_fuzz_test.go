package simtest_test

// FuzzLoadScenario lives here, not in package sim, because a fuzz build
// instruments every dependency of the package's tests, and sim's own tests
// run the Graph SDK (minutes to instrument).

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pimento-cli/pimento/sim"
)

func FuzzLoadScenario(f *testing.F) {
	f.Add([]byte(`{"tenantId":"t","users":[{"id":"u","userPrincipalName":"a@b"}]}`))
	f.Add([]byte(`{"latency":"-1h","faults":[{"path":"/","kind":"bogus"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "sc.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		sc, err := sim.LoadScenario(p)
		if err != nil {
			return
		}
		if _, err := sim.New(sc); err != nil {
			return
		}
	})
}
