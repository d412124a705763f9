package cli

import (
	"testing"
	"time"

	"github.com/pimento-cli/pimento/sim"
)

// newPublicCloudCLI runs pimento on its public-cloud code path (--cloud
// global: login.microsoftonline.com with MSAL's instance discovery,
// graph.microsoft.com, management.azure.com), reaching the simulator
// through its HTTPS proxy.
func newPublicCloudCLI(t *testing.T, mutate ...func(*sim.Scenario)) *cli {
	t.Helper()
	c := newCLI(t, mutate...)
	if _, err := c.tn.StartProxy("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c.env = map[string]string{"PIMENTO_TOKEN_CACHE": "file", "PIMENTO_TENANT": c.tn.TenantID()}
	return c
}

// TestPublicCloudPathMakesNoIdentityProviderTripForACachedToken: on the
// public cloud, MSAL asks for instance discovery and OpenID metadata once
// per process; pimento serves both from its file, so a command whose token
// is cached makes no round trip to the identity provider at all.
func TestPublicCloudPathMakesNoIdentityProviderTripForACachedToken(t *testing.T) {
	c := newPublicCloudCLI(t, func(sc *sim.Scenario) { sc.Latency = sim.Duration(20 * time.Millisecond) })
	rec := &tripRecorder{next: c.tn.HTTPClient().Transport}
	c.transport = rec
	c.login()
	rec.reset()
	if _, errOut, code := c.run("roles"); code != 0 {
		t.Fatalf("roles: %q", errOut)
	}
	rec.reset()
	if _, errOut, code := c.run("status"); code != 0 {
		t.Fatalf("status: %q", errOut)
	}
	trips, authority, _, paths := rec.sequential()
	if trips != 1 || authority != 0 {
		t.Errorf("status on the public-cloud path: %d round trips, %d to the identity provider: %v", trips, authority, paths)
	}
}
