package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/sim"
)

// NewCmdDemo builds `pimento demo`.
func NewCmdDemo(f *Factory) *cobra.Command {
	var offset time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try pimento on a built-in simulated tenant (no tenant, keyring or browser needed)",
		Long: `Start the simulated Contoso tenant in this process and open the interactive
screen signed in as its admin. Tokens stay in memory and state goes to a
temporary directory: the demo never touches your keyring, config, journal or
prompt state.

Megan Bowen, a second admin of the tenant, has three requests waiting for your
approval (a directory role, a group and an Azure role): tab shows them.`,
		Example: "  pimento demo\n  go run ./cmd/pimento demo\n  pimento demo --clock-offset 5m   # the tenant's clock 5 minutes ahead of this PC",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !f.IO.OutTTY || !f.IO.InTTY {
				return usagef("pimento demo needs a terminal; for scripts, run `pimento sim serve` and point pimento at it (see --help)")
			}
			debug, err := f.Debug()
			if err != nil {
				return err
			}
			a, cleanup, err := StartDemo(cmd.Context(), offset, debug)
			if err != nil {
				return err
			}
			defer cleanup()
			return runTUIWith(cmd.Context(), f, a)
		},
	}
	cmd.Flags().DurationVar(&offset, "clock-offset", 0, "run the simulated tenant's clock this far from this PC's (pimento follows the server's clock)")
	return cmd
}

// StartDemo is the same composition as a real profile, over the simulated
// tenant: a throwaway profile (temp state, tokens in memory) pinned to the
// demo admin, signed in through the simulator's browser.
func StartDemo(ctx context.Context, offset time.Duration, debug io.Writer) (*app.App, func(), error) {
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
	p := &profile.Profile{
		Name: "demo", StateDir: dir, CacheDir: dir, CacheMode: "memory",
		Account: sim.DemoAdminUPN, Requested: sim.DemoAdminUPN, Tenant: "contoso.onmicrosoft.com", Cloud: "global",
		ExpiryWarning: 10 * time.Minute,
	}
	env := map[string]string{"PIMENTO_AUTHORITY": tn.AuthorityURL(), "PIMENTO_GRAPH_URL": tn.GraphURL(), "PIMENTO_ARM_URL": tn.ARMURL()}
	a, err := app.New(ctx, app.Config{
		Profile: p, Getenv: func(k string) string { return env[k] }, Transport: tn.HTTPClient().Transport,
		OpenURL: tn.Browser(), Debug: debug, Simulated: true, Cloud: "simulated",
	})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := a.SignIn(lctx, false, nil); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("sign in to the simulated tenant: %w", err)
	}
	return a, cleanup, nil
}
