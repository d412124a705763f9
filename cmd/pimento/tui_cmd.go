package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/tui"
)

// tuiService adapts the auth session and the PIM service to the TUI.
type tuiService struct {
	sess       *auth.Session
	svc        *pim.Service
	stateDir   string
	favourites []string
	templates  []string

	mu sync.Mutex
	id tui.Identity
}

func (t *tuiService) Identity() tui.Identity {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id
}

func (t *tuiService) SignIn(ctx context.Context, deviceCode bool, in auth.Interaction) (auth.Account, error) {
	t.sess.SetInteraction(in)
	defer t.sess.SetInteraction(quietInteraction{}) // the bridge dies with the operation
	acct, err := t.sess.Login(ctx, deviceCode)
	if err != nil {
		return acct, err
	}
	if t.stateDir != "" && t.sess.Pinned() == "" {
		_ = savePinned(t.stateDir, pinnedAccount{Account: acct.Username, Tenant: acct.TenantID})
	}
	t.mu.Lock()
	t.id.Account = acct
	t.mu.Unlock()
	return acct, nil
}

func (t *tuiService) Load(ctx context.Context) (*pim.Snapshot, error) {
	// Background reloads never prompt: a needed sign-in shows the sign-in screen.
	snap, err := t.svc.Load(auth.WithNoPrompt(ctx))
	if err == nil {
		favouritesFirst(snap, t.favourites)
	}
	var sr *auth.SignInRequiredError
	if errors.As(err, &sr) {
		// The session is gone (refresh token expired, logout elsewhere):
		// report signed out so the TUI shows its sign-in screen.
		t.mu.Lock()
		t.id.Account = auth.Account{}
		t.mu.Unlock()
	}
	return snap, err
}

func (t *tuiService) Activate(ctx context.Context, reqs []pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) []pim.Outcome {
	t.sess.SetInteraction(in)
	defer t.sess.SetInteraction(quietInteraction{}) // the bridge dies with the operation
	return t.svc.Activate(ctx, reqs, pim.ActivateOptions{Wait: true}, progress)
}

// Deactivate and Cancel have no prompt of their own on screen: a sign-in
// they would need surfaces as an error instead of an invisible prompt.
func (t *tuiService) Deactivate(ctx context.Context, a pim.Active, progress func(pim.Event)) pim.DeactivateOutcome {
	return t.svc.Deactivate(auth.WithNoPrompt(ctx), a, progress)
}

// RecentJustifications offers the profile's templates, then recent ones.
func (t *tuiService) RecentJustifications(n int) []string {
	out := append([]string(nil), t.templates...)
	for _, j := range t.svc.Journal().RecentJustifications(n) {
		if !contains(out, j) {
			out = append(out, j)
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (t *tuiService) Now() time.Time { return t.svc.Now() }

// quietInteraction swallows sign-in notices while the TUI owns the screen
// and no TUI call has installed its own.
type quietInteraction struct{}

func (quietInteraction) BrowserOpened(string, string)            {}
func (quietInteraction) DeviceCodeShown(auth.DeviceCode, string) {}

func runTUI(ctx context.Context, f *Factory) error {
	if !f.IO.OutTTY || !f.IO.InTTY {
		return usagef("without a command, pimento opens its interactive screen, which needs a terminal; from scripts use `pimento status`, `pimento roles` or `pimento activate` (see --help)")
	}
	s, err := f.Settings()
	if err != nil {
		return err
	}
	sess, err := f.Session()
	if err != nil {
		return err
	}
	sess.SetInteraction(quietInteraction{})
	svc, err := f.Service()
	if err != nil {
		return err
	}
	id := tui.Identity{Pinned: s.Account, Tenant: s.Tenant, Cloud: s.Endpoints.Cloud, Profile: s.Profile}
	if acct, ok, err := sess.Account(ctx); err == nil && ok {
		id.Account = acct
		if id.Tenant == "" {
			id.Tenant = acct.TenantID
		}
	}
	ts := &tuiService{
		sess: sess, svc: svc, stateDir: s.StateDir, id: id,
		favourites: s.Config.FavouriteRoles, templates: s.Config.JustificationTemplates,
	}
	return tui.Run(ctx, ts, tui.Options{ExpiryWarning: s.ExpiryWarning, Debug: debugOrNil(f)})
}

// debugOrNil is the --debug file as an io.Writer, or a nil interface.
func debugOrNil(f *Factory) io.Writer {
	if f.flags.debug == "" {
		return nil
	}
	return f.debugWriter()
}

func newDemoCmd(f *Factory) *cobra.Command {
	var offset time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try pimento on a built-in simulated tenant (no tenant, keyring or browser needed)",
		Long: `Start the simulated Contoso tenant in this process and open the interactive
screen signed in as its admin. Tokens stay in memory and state goes to a
temporary directory: the demo never touches your keyring, config, journal or
prompt state.`,
		Example: "  pimento demo\n  go run ./cmd/pimento demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !f.IO.OutTTY || !f.IO.InTTY {
				return usagef("pimento demo needs a terminal; for scripts, run `pimento sim serve` and point pimento at it (see --help)")
			}
			ts, cleanup, err := startDemo(cmd.Context(), offset)
			if err != nil {
				return err
			}
			defer cleanup()
			return tui.Run(cmd.Context(), ts, tui.Options{Debug: debugOrNil(f)})
		},
	}
	cmd.Flags().DurationVar(&offset, "clock-offset", 0, "start the simulated clock this far from now")
	return cmd
}

// startDemo starts the simulated tenant and a signed-in service over it.
func startDemo(ctx context.Context, offset time.Duration) (*tuiService, func(), error) {
	tn, err := sim.New(sim.DemoScenario(), sim.WithClockOffset(offset))
	if err != nil {
		return nil, nil, err
	}
	if err := tn.Start("127.0.0.1:0"); err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "pimento-demo-")
	if err != nil {
		_ = tn.Close()
		return nil, nil, err
	}
	cleanup := func() { _ = tn.Close(); _ = os.RemoveAll(dir) }
	env := map[string]string{"PIMENTO_AUTHORITY": tn.AuthorityURL(), "PIMENTO_GRAPH_URL": tn.GraphURL()}
	ep, err := auth.ResolveEndpoints("global", "", func(k string) string { return env[k] })
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	sess, err := auth.New(auth.Config{
		Endpoints: ep, Profile: "demo", PinnedAccount: sim.DemoAdminUPN,
		HTTPClient: tn.HTTPClient(), OpenURL: tn.Browser(), Interaction: quietInteraction{},
	})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	acct, err := sess.Login(lctx, false)
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("sign in to the simulated tenant: %w", err)
	}
	g, err := pim.NewGraphClient(sess.GraphAuth(), ep.GraphURL, tn.HTTPClient().Transport)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	svc := pim.New(pim.Options{Graph: g, Tokens: sess, Account: acct.Username, CacheDir: dir, StateDir: dir, Now: tn.Now})
	id := tui.Identity{Account: acct, Pinned: sim.DemoAdminUPN, Tenant: "contoso.onmicrosoft.com", Cloud: "simulated", Profile: "demo", Simulated: true}
	return &tuiService{sess: sess, svc: svc, id: id}, cleanup, nil
}

func (t *tuiService) Cancel(ctx context.Context, p pim.Pending) error {
	return t.svc.Cancel(auth.WithNoPrompt(ctx), p)
}

// favouritesFirst moves the profile's favourite roles to the top, in the
// order the config lists them.
func favouritesFirst(snap *pim.Snapshot, favourites []string) {
	if len(favourites) == 0 {
		return
	}
	rank := func(e pim.Eligibility) int {
		for i, f := range favourites {
			if strings.EqualFold(f, e.Name) || strings.EqualFold(f, e.RoleDefinitionID) {
				return i
			}
		}
		return len(favourites)
	}
	sort.SliceStable(snap.Eligible, func(i, j int) bool { return rank(snap.Eligible[i]) < rank(snap.Eligible[j]) })
}
