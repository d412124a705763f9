package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/sim"
)

// NewCmdSim builds `pimento sim`.
func NewCmdSim(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated Entra tenant (for trying and testing pimento)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		addr, scenario string
		offset         time.Duration
	)
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulated tenant over HTTPS on loopback",
		Long: `Serve a simulated Entra ID authority, Microsoft Graph (PIM endpoints) and Azure
Resource Manager (PIM for Azure resources) over HTTPS on loopback, with a CA
made at start. It prints four lines on stdout: the authority URL, the Graph
URL, the path of the CA file (PEM) and the Azure Resource Manager URL.`,
		Example: `  pimento sim serve --addr 127.0.0.1:8443
  # in another shell, point pimento at it:
  export PIMENTO_AUTHORITY=https://127.0.0.1:8443/<tenant> PIMENTO_GRAPH_URL=https://127.0.0.1:8443/v1.0
  export PIMENTO_ARM_URL=https://127.0.0.1:8443/arm
  export SSL_CERT_FILE=/tmp/pimento-sim-…/pimento-sim-ca.pem PIMENTO_TOKEN_CACHE=memory
  curl --cacert "$SSL_CERT_FILE" "$PIMENTO_GRAPH_URL/me"   # 401 without a token: it is up`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc := sim.DemoScenario()
			if scenario != "" {
				var err error
				if sc, err = sim.LoadScenario(scenario); err != nil {
					return usagef("%v", err)
				}
			}
			tn, err := sim.New(sc, sim.WithClockOffset(offset))
			if err != nil {
				return usagef("%v", err)
			}
			if err := tn.Start(addr); err != nil {
				return err
			}
			defer func() { _ = tn.Close() }()
			dir, err := os.MkdirTemp("", "pimento-sim-")
			if err != nil {
				return err
			}
			defer func() { _ = os.RemoveAll(dir) }()
			ca, err := tn.WriteCA(dir)
			if err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out, tn.AuthorityURL())
			fmt.Fprintln(f.IO.Out, tn.GraphURL())
			fmt.Fprintln(f.IO.Out, ca)
			fmt.Fprintln(f.IO.Out, tn.ARMURL()) // last: readers of the first three lines keep working
			fmt.Fprintln(f.IO.ErrOut, "Simulated tenant running; press Ctrl+C to stop.")
			<-cmd.Context().Done()
			return nil
		},
	}
	serve.Flags().StringVar(&addr, "addr", "127.0.0.1:8443", "address to listen on (127.0.0.1:0 picks a free port)")
	serve.Flags().StringVar(&scenario, "scenario", "", "scenario file (JSON); default: the demo tenant")
	serve.Flags().DurationVar(&offset, "clock-offset", 0, "start the tenant's clock this far from now (e.g. 10m)")
	cmd.AddCommand(serve)
	return cmd
}
