package sim

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzLoadScenario(f *testing.F) {
	f.Add([]byte(`{"tenantId":"t","users":[{"id":"u","userPrincipalName":"a@b"}]}`))
	f.Add([]byte(`{"latency":"-1h","faults":[{"path":"/","kind":"bogus"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "sc.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		sc, err := LoadScenario(p)
		if err != nil {
			return
		}
		if _, err := New(sc); err != nil {
			return
		}
	})
}
