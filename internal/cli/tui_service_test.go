package cli

import (
	"context"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// The demo is the same composition as a real profile over the simulated
// tenant: it signs in without a browser or keyring, and a session that is
// gone makes the core report "signed out" (so the TUI shows sign-in).
func TestDemoComposesTheCoreAndSignedOutAfterLostSession(t *testing.T) {
	simtest.Isolate(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, cleanup, err := StartDemo(ctx, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if id := a.Identity(); !id.SignedIn() || !id.Simulated {
		t.Fatalf("identity = %+v", id)
	}
	snap, err := a.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.ActiveFor(pim.Eligibility{Kind: pim.KindDirectoryRole, RoleDefinitionID: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", DirectoryScopeID: "/"}); !ok {
		t.Error("the demo's Global Reader should be active")
	}
	if err := a.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Load(ctx); err == nil {
		t.Fatal("Load after logout should fail")
	}
	if a.Identity().SignedIn() {
		t.Error("after a lost session the TUI must be told it is signed out")
	}
}
