// Package cli is pimento's command line: one cobra command per verb, each
// with an options struct and a run function (tests reach the options
// through runF without the network). Commands call the application core
// (internal/app) and print; they decide nothing about accounts, durations
// or time themselves.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/show"
)

// Main runs pimento with args and returns the exit code. The first
// SIGINT, SIGTERM or SIGHUP (Ctrl+C, kill, a closed terminal) cancels the
// command, which then says what is known and journals it; a second one
// ends the process at once.
func Main(args []string, version string) int {
	streams := System()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go watchSignals(sigs, cancel, streams.ErrOut, os.Exit)
	return Run(ctx, &Factory{IO: streams}, args, version)
}

// watchSignals cancels the command on the first signal, so it can find out
// and journal what PIM did, and ends the process on the second.
func watchSignals(sigs <-chan os.Signal, cancel func(), errOut io.Writer, exit func(int)) {
	if _, ok := <-sigs; !ok {
		return
	}
	cancel()
	if _, ok := <-sigs; ok {
		fmt.Fprintln(errOut, "pimento: interrupted again: stopping now; run `pimento status` to see what PIM did")
		exit(exitCancel)
	}
}

// Run runs the command tree with a prepared factory (tests use it).
func Run(ctx context.Context, f *Factory, args []string, version string) int {
	out := &countingWriter{w: f.IO.Out}
	f.IO.Out = out
	root := newRootCmd(f, version)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	f.finish()
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	var se *silentError
	msg := err.Error()
	if !errors.As(err, &se) && msg != "" {
		fmt.Fprintln(f.IO.ErrOut, "pimento: "+show.Text(firstLine(msg)))
	}
	// A script that always parses stdout gets JSON for every outcome.
	if out.n == 0 && wantsJSON(cmd, args) {
		_ = writeJSON(out, errorJSON{Error: errorBody{Code: codeName(code), Message: firstLine(msg), ExitCode: code}})
	}
	return code
}

// errorJSON is what --json prints when a command fails before it has a
// result to print: {"error": {"code", "message", "exitCode"}}.
type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code     string `json:"code"` // usage | failure | pendingApproval | signInRequired | interrupted
	Message  string `json:"message"`
	ExitCode int    `json:"exitCode"`
}

func codeName(code int) string {
	switch code {
	case exitUsage:
		return "usage"
	case exitPending:
		return "pendingApproval"
	case exitSignIn:
		return "signInRequired"
	case exitCancel:
		return "interrupted"
	}
	return "failure"
}

func wantsJSON(cmd *cobra.Command, args []string) bool {
	if cmd != nil {
		if fl := cmd.Flags().Lookup("json"); fl != nil && fl.Value.String() == "true" {
			return true
		}
	}
	for _, a := range args {
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// countingWriter knows whether anything reached stdout.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func newRootCmd(f *Factory, version string) *cobra.Command {
	root := &cobra.Command{
		Use:   "pimento",
		Short: "Just-in-time elevation for Microsoft Entra PIM, in your terminal",
		Long: `pimento activates your eligible Microsoft Entra PIM roles, groups and Azure
resource roles from a terminal: it signs in your separate admin account, checks
each role's policy, steps up when the role needs an authentication context, and
proves the new privilege took effect (in your token, or in Azure's permissions)
before it says "effective".

Run it without a command for the interactive screen; use the commands below
from scripts (roles, status, activate, deactivate, renew, cancel, approvals,
approve, deny, history, whoami and doctor take --json).`,
		Example: `  pimento demo                      # try it on a simulated tenant
  pimento login --account adm-ada@contoso.onmicrosoft.com
  pimento roles
  pimento activate "Exchange Administrator" --duration 1h --justification "CHG-1234 mailbox move"
  pimento status --json`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd.Context(), f)
		},
	}
	// No SetVersionTemplate: text/template looks methods up by reflection,
	// and then the linker must keep every method of every type in the
	// binary (pim/graph.go says what that costs).
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usagef("%v (see --help)", err) })
	pf := root.PersistentFlags()
	pf.StringVar(&f.flags.profile, "profile", "", "profile to use (env PIMENTO_PROFILE; default \"default\")")
	pf.StringVar(&f.flags.account, "account", "", "the admin account (UPN) to sign in as; once pinned, only that account is accepted")
	pf.StringVar(&f.flags.tenant, "tenant", "", "tenant id or domain")
	pf.StringVar(&f.flags.cloud, "cloud", "", "cloud: global, usgov, usgovdod or china")
	pf.StringVar(&f.flags.clientID, "client-id", "", "app (client) id to sign in with (env PIMENTO_CLIENT_ID)")
	pf.BoolVar(&f.flags.noPrompt, "no-prompt", false, "never open a browser or show a device code: exit 4 instead")
	pf.BoolVar(&f.flags.deviceCode, "device-code", false, "sign in with a device code instead of the browser")
	pf.StringVar(&f.flags.debug, "debug", "", "append diagnostics (never tokens) to this file")
	_ = root.RegisterFlagCompletionFunc("cloud", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"global", "usgov", "usgovdod", "china"}, cobra.ShellCompDirectiveNoFileComp
	})

	root.AddGroup(&cobra.Group{ID: "pim", Title: "Elevation:"}, &cobra.Group{ID: "approve", Title: "Approving others' requests:"}, &cobra.Group{ID: "account", Title: "Account:"}, &cobra.Group{ID: "more", Title: "More:"})
	for _, c := range []*cobra.Command{
		NewCmdRoles(f, nil), NewCmdStatus(f, nil), NewCmdActivate(f, nil), NewCmdDeactivate(f, nil),
		NewCmdRenew(f, nil), NewCmdCancel(f, nil), NewCmdHistory(f, nil), NewCmdPrompt(f),
	} {
		c.GroupID = "pim"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{NewCmdApprovals(f, nil), NewCmdApprove(f, nil), NewCmdDeny(f, nil)} {
		c.GroupID = "approve"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{NewCmdLogin(f, nil), NewCmdLogout(f), NewCmdWhoami(f), NewCmdDoctor(f)} {
		c.GroupID = "account"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{NewCmdDemo(f), NewCmdSim(f), NewCmdConfig(f)} {
		c.GroupID = "more"
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID("more")
	root.SetCompletionCommandGroupID("more")
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// `completion tcsh` is a usage error, not a help page and exit 0.
			c.Args = noArgs
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
	return root
}

// noArgs refuses arguments (and unknown commands) as usage: exit 2.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		return usagef("unknown command %q for %q (see `%s --help`)", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
	return usagef("%s takes no arguments (got %q)", cmd.CommandPath(), strings.Join(args, " "))
}
