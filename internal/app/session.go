package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/pim"
)

// Identity is who the core acts as and where. Reading it does no I/O.
type Identity struct {
	// Account is the signed-in admin; its Username is empty when signed out.
	Account auth.Account
	// Pinned is the only account this profile accepts (UPN); empty when none.
	Pinned    string
	Tenant    string // tenant name or id, as the profile names it
	Cloud     string
	Profile   string
	Simulated bool // the tenant is the demo's simulation
}

// SignedIn reports whether an account is signed in.
func (i Identity) SignedIn() bool { return i.Account.Username != "" }

// Identity is the current account, tenant, cloud and profile.
func (a *App) Identity() Identity {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := Identity{
		Account: a.account, Pinned: pinnedOf(a.profile), Tenant: a.profile.Tenant,
		Cloud: a.endpoints.Cloud, Profile: a.profile.Name, Simulated: a.cfg.Simulated,
	}
	if a.cfg.Cloud != "" {
		id.Cloud = a.cfg.Cloud
	}
	if id.Tenant == "" {
		id.Tenant = a.account.TenantID
	}
	return id
}

// Resume finds the pinned account in the token cache (no network), so a
// front end knows whether a sign-in is needed.
func (a *App) Resume(ctx context.Context) (auth.Account, bool, error) {
	acct, ok, err := a.session.Account(ctx)
	if err != nil || !ok {
		return acct, ok, err
	}
	a.mu.Lock()
	a.account = acct
	a.mu.Unlock()
	return acct, true, nil
}

// SignIn signs the admin in (browser, or device code) and, on the first
// sign-in, pins the profile to whoever signed in, or refuses anyone but
// the account asked for. Sign-in prompts go to in. The pin is saved before
// SignIn returns: the next process knows who this profile is.
func (a *App) SignIn(ctx context.Context, deviceCode bool, in auth.Interaction) (auth.Account, error) {
	if in != nil {
		ctx = auth.WithInteraction(ctx, in)
	}
	a.mu.Lock()
	want := a.profile.Account
	a.mu.Unlock()
	acct, err := a.session.Login(ctx, deviceCode, want)
	if err != nil {
		return acct, err
	}
	// The profile changes under the lock: Identity and RequireAccount read
	// it from other goroutines (the TUI signs in while a load may run).
	a.mu.Lock()
	var perr error
	if !a.profile.Pinned {
		perr = a.profile.SavePin(acct.Username, acct.TenantID)
	}
	if perr == nil {
		a.account = acct
	}
	a.mu.Unlock()
	if perr != nil {
		_ = a.session.Logout(context.WithoutCancel(ctx))
		return auth.Account{}, fmt.Errorf("signed in as %s, but the pin could not be saved, so nothing was kept: %w", acct.Username, perr)
	}
	a.session.Pin(acct.Username)
	return acct, nil
}

// AzureReady gets a token for Azure Resource Manager silently, so the next
// command has it cached, and says in one line why Azure roles will be
// missing if it cannot ("" when they will not be).
func (a *App) AzureReady(ctx context.Context) string {
	return a.pim.AzureReady(auth.WithNoPrompt(ctx))
}

// Logout forgets the pinned account and wipes the profile's cached tokens,
// damaged or not, and the prompt state.
func (a *App) Logout(ctx context.Context) error {
	err := a.session.Logout(ctx)
	a.mu.Lock()
	uerr := a.profile.Unpin()
	a.mu.Unlock()
	if err == nil {
		err = uerr
	}
	if perr := a.prompt.Clear(); err == nil && perr != nil {
		err = perr
	}
	a.session.Pin("")
	a.mu.Lock()
	a.account = auth.Account{}
	a.last = nil
	a.mu.Unlock()
	return err
}

// RequireAccount fails with exit 4 when no account is pinned yet.
func (a *App) RequireAccount() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.profile.Pinned {
		return &auth.SignInRequiredError{Reason: "no admin account is signed in for profile " + a.profile.Name, Command: profile.LoginCommand(a.profile.Name)}
	}
	return nil
}

// Token is the current access token (whoami). Only its facts leave auth.
func (a *App) Token(ctx context.Context) (auth.Token, error) {
	if err := a.RequireAccount(); err != nil {
		return auth.Token{}, err
	}
	return a.session.Token(ctx)
}

// Me is the signed-in account as Graph describes it (doctor, hygiene).
func (a *App) Me(ctx context.Context) (pim.Me, error) {
	if err := a.RequireAccount(); err != nil {
		return pim.Me{}, err
	}
	return a.pim.Me(ctx)
}

// signedOut records that the session is gone (a needed sign-in), so the
// TUI shows its sign-in screen.
func (a *App) signedOut(err error) {
	var sr *auth.SignInRequiredError
	if errors.As(err, &sr) {
		a.mu.Lock()
		a.account = auth.Account{}
		a.mu.Unlock()
	}
}
