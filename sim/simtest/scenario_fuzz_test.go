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
	f.Add([]byte(`{"tenantId":"t","users":[{"id":"u","userPrincipalName":"a@b"}],"managementGroups":[{"id":"m","parent":"m"}],` +
		`"subscriptions":[{"id":"6f1d2c3b-8a4e-4b7f-9c1d-2e3f4a5b6c7d","managementGroup":"m"}],` +
		`"eligibilities":[{"userId":"u","roleDefinitionId":"acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":"/providers/Microsoft.Management/managementGroups/m"}]}`))
	// A request waiting for approval at the start (Scenario.Pending).
	f.Add([]byte(`{"tenantId":"t","users":[{"id":"u","userPrincipalName":"a@b"},{"id":"v","userPrincipalName":"c@d"}],"roles":[{"id":"r","displayName":"R"}],` +
		`"policies":[{"roleDefinitionId":"r","maxDuration":"2h","approval":true,"approvers":["c@d"]}],"eligibilities":[{"userId":"u","roleDefinitionId":"r","directoryScopeId":"/"}],` +
		`"pending":[{"userId":"u","roleDefinitionId":"r","directoryScopeId":"/","createdAgo":"5m","duration":"1h","justification":"j"}]}`))
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
