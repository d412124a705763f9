// Package tui is pimento's terminal interface: one screen that says who the
// admin is, what they may activate, what is active and for how long, and walks
// an activation through to a privilege that is provably in the token.
//
// The TUI calls only the Service interface below; it never speaks HTTP, never
// reads tokens and never writes to the terminal outside Bubble Tea, save
// one sequence that gives the window title back when a signal killed the
// program before the model could (title.go).
package tui

import (
	"context"
	"io"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

// Identity is who the TUI acts as and where (the core's).
type Identity = app.Identity

// Service is everything the TUI needs: the application core's use cases
// (internal/app satisfies it); tests use a fake.
//
// Identity, Plan, DefaultDuration, CanRenew, Now and ServerOffset do no
// I/O and are called from Update. The others are called from a tea.Cmd
// goroutine and may block (RecentJustifications and RenewInput read the
// journal). Observers may be called from any goroutine,
// before the method returns.
type Service interface {
	// Identity is the current account, tenant, cloud and profile.
	Identity() Identity
	// SignIn signs in with the browser or a device code, and pins the
	// profile on the first sign-in. It refuses any other account.
	SignIn(ctx context.Context, deviceCode bool, in auth.Interaction) (auth.Account, error)
	// Load reads eligible, active and pending roles and groups. It never
	// prompts for a sign-in.
	Load(ctx context.Context) (*pim.Snapshot, error)
	// Plan turns the form's input into requests: the core owns durations,
	// defaults and policy checks.
	Plan(targets []pim.Eligibility, in app.PlanInput) (app.Plan, error)
	// DefaultDuration is the duration offered for targets.
	DefaultDuration(targets []pim.Eligibility) time.Duration
	// Activate sends the requests and, with wait, follows them until
	// effective, telling obs about sign-ins and progress.
	Activate(ctx context.Context, reqs []pim.ActivateRequest, wait bool, obs app.Observer) []pim.Outcome
	// Deactivate ends one active elevation.
	Deactivate(ctx context.Context, a pim.Active, obs app.Observer) pim.DeactivateOutcome
	// Cancel withdraws a request that waits for approval, or a scheduled
	// activation before its start.
	Cancel(ctx context.Context, p pim.Pending) error
	// CanRenew says why an activation cannot be renewed now (nil: it can).
	CanRenew(a pim.Active) error
	// RenewInput is what the last activation of e sent that PIM accepted
	// (justification, ticket, duration); false when none is known.
	RenewInput(e pim.Eligibility) (app.PlanInput, bool)
	// Renew deactivates a and activates it again with in.
	Renew(ctx context.Context, a pim.Active, in app.PlanInput, obs app.Observer) pim.RenewOutcome
	// Approvals reads the requests waiting for the admin's decision, with
	// their stages; with a nil observer it never prompts.
	Approvals(ctx context.Context, obs app.Observer) (*pim.Snapshot, error)
	// Decide approves or denies one request with the approver's
	// justification.
	Decide(ctx context.Context, a pim.Approval, d pim.Decision, justification string, obs app.Observer) pim.DecisionOutcome
	// RecentJustifications returns up to n justifications, newest first.
	RecentJustifications(n int) []string
	// Now is the server's clock.
	Now() time.Time
	// ServerOffset is the server's clock minus the PC's: what turns a time
	// read on the PC's clock (a device code's expiry) into the server's.
	ServerOffset() time.Duration
}

var _ Service = (*app.App)(nil)

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
	// FinishTimeout bounds how long quitting waits for a request in flight
	// to tell the truth (default 25s).
	FinishTimeout time.Duration
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
	if o.FinishTimeout <= 0 {
		o.FinishTimeout = 25 * time.Second
	}
	return o
}
