// Package tui is pimento's terminal interface: one screen that says who the
// admin is, what they may activate, what is active and for how long, and walks
// an activation through to a privilege that is provably in the token.
//
// The TUI calls only the Service interface below; it never speaks HTTP, never
// reads tokens and never writes to the terminal outside Bubble Tea.
package tui

import (
	"context"
	"io"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// Identity is who the TUI acts as and where. It is read from memory: calling
// it must not do I/O.
type Identity struct {
	// Account is the signed-in admin; its Username is empty when signed out.
	Account auth.Account
	// Pinned is the only account this profile accepts (UPN); empty when none.
	Pinned    string
	Tenant    string // tenant name or id, as the profile names it
	Cloud     string // e.g. "Global", "USGov"
	Profile   string // the pimento profile name
	Simulated bool   // the service is a simulation (demo); shown as a banner
}

// SignedIn reports whether an account is signed in.
func (i Identity) SignedIn() bool { return i.Account.Username != "" }

// Service is everything the TUI needs. It is satisfied by an adapter over
// pim.Service and the auth layer; tests use a fake.
//
// Every method but Identity, RecentJustifications and Now is called from a
// tea.Cmd goroutine and may block. Callbacks (auth.Interaction, progress) may
// be called from any goroutine, synchronously, before the method returns.
type Service interface {
	// Identity is the current account, tenant, cloud and profile.
	Identity() Identity
	// SignIn signs in with the browser or a device code. It returns an
	// error (shown verbatim) for any account other than the pinned one.
	SignIn(ctx context.Context, deviceCode bool, in auth.Interaction) (auth.Account, error)
	// Load reads eligible, active and pending roles and groups.
	Load(ctx context.Context) (*pim.Snapshot, error)
	// Activate activates every request and streams progress per target.
	Activate(ctx context.Context, reqs []pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) []pim.Outcome
	// Deactivate ends one active elevation and streams progress.
	Deactivate(ctx context.Context, a pim.Active, progress func(pim.Event)) pim.DeactivateOutcome
	// Cancel withdraws a request that waits for approval.
	Cancel(ctx context.Context, p pim.Pending) error
	// RecentJustifications returns up to n justifications, newest first.
	RecentJustifications(n int) []string
	// Now is the service's clock (a demo's simulated clock may be offset).
	Now() time.Time
}

// Options tune the TUI. The zero value is usable.
type Options struct {
	// ExpiryWarning is how long before an elevation ends the banner and bell
	// appear. Default 10m; negative disables the warning.
	ExpiryWarning time.Duration
	// RefreshInterval is how often the snapshot is reloaded. Default 60s.
	RefreshInterval time.Duration
	// Debug, when set, receives one line per message Update handles. Never
	// point it at the terminal the TUI runs in.
	Debug io.Writer
}

const (
	defaultExpiryWarning   = 10 * time.Minute
	defaultRefreshInterval = 60 * time.Second
	recentJustifications   = 5
)

func (o Options) withDefaults() Options {
	if o.ExpiryWarning == 0 {
		o.ExpiryWarning = defaultExpiryWarning
	}
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = defaultRefreshInterval
	}
	return o
}
