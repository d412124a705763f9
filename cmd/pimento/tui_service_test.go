package main

import (
	"context"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// The demo wiring signs in without a browser or keyring, and a session that
// is gone makes the TUI's service report "signed out" (so it shows sign-in).
func TestDemoServiceAndSignedOutAfterLostSession(t *testing.T) {
	simtest.Isolate(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ts, cleanup, err := startDemo(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if id := ts.Identity(); !id.SignedIn() || !id.Simulated {
		t.Fatalf("identity = %+v", id)
	}
	snap, err := ts.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.ActiveFor(pim.Eligibility{Kind: pim.KindDirectoryRole, RoleDefinitionID: "f2ef992c-3afb-46b9-b7cf-a126ee74c451", DirectoryScopeID: "/"}); !ok {
		t.Error("the demo's Global Reader should be active")
	}
	if err := ts.sess.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Load(ctx); err == nil {
		t.Fatal("Load after logout should fail")
	}
	if ts.Identity().SignedIn() {
		t.Error("after a lost session the TUI must be told it is signed out")
	}
}
