package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
)

func run(args []string, io *IOStreams) int {
	f := &Factory{IO: io}
	return runWith(f, args)
}

// runWith runs the command tree with a prepared factory (tests use it).
func runWith(f *Factory, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	var se *silentError
	if msg := err.Error(); !errors.As(err, &se) && msg != "" {
		fmt.Fprintln(f.IO.ErrOut, "pimento: "+firstLine(msg))
	}
	return code
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func newRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "pimento",
		Short: "Just-in-time elevation for Microsoft Entra PIM, in your terminal",
		Long: `pimento activates your eligible Microsoft Entra PIM roles and groups from a
terminal: it signs in your separate admin account, checks each role's policy,
steps up when the role needs an authentication context, and proves the new
privilege reached your token before it says "effective".

Run it without a command for the interactive screen; use the commands below
from scripts (roles, status, activate, deactivate, cancel, history, whoami
and doctor take --json).`,
		Example: `  pimento demo                      # try it on a simulated tenant
  pimento login --account adm-ada@contoso.onmicrosoft.com
  pimento roles
  pimento activate "Exchange Administrator" --duration 1h --justification "CHG-1234 mailbox move"
  pimento status --json`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd.Context(), f)
		},
	}
	root.SetVersionTemplate("pimento {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usagef("%v (see --help)", err) })
	pf := root.PersistentFlags()
	pf.StringVar(&f.flags.profile, "profile", "", "profile to use (env PIMENTO_PROFILE; default \"default\")")
	pf.StringVar(&f.flags.account, "account", "", "the admin account (UPN) this profile is pinned to")
	pf.StringVar(&f.flags.tenant, "tenant", "", "tenant id or domain")
	pf.StringVar(&f.flags.cloud, "cloud", "", "cloud: global, usgov, usgovdod or china")
	pf.StringVar(&f.flags.clientID, "client-id", "", "app (client) id to sign in with (env PIMENTO_CLIENT_ID)")
	pf.BoolVar(&f.flags.noPrompt, "no-prompt", false, "never open a browser or show a device code: exit 4 instead")
	pf.BoolVar(&f.flags.deviceCode, "device-code", false, "sign in with a device code instead of the browser")
	pf.StringVar(&f.flags.debug, "debug", "", "append diagnostics (never tokens) to this file")
	_ = root.RegisterFlagCompletionFunc("cloud", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"global", "usgov", "usgovdod", "china"}, cobra.ShellCompDirectiveNoFileComp
	})

	root.AddGroup(&cobra.Group{ID: "pim", Title: "Elevation:"}, &cobra.Group{ID: "account", Title: "Account:"}, &cobra.Group{ID: "more", Title: "More:"})
	for _, c := range []*cobra.Command{newRolesCmd(f), newStatusCmd(f), newActivateCmd(f), newDeactivateCmd(f), newCancelCmd(f), newHistoryCmd(f), newPromptCmd(f)} {
		c.GroupID = "pim"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newLoginCmd(f), newLogoutCmd(f), newWhoamiCmd(f), newDoctorCmd(f)} {
		c.GroupID = "account"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newDemoCmd(f), newSimCmd(f), newConfigCmd(f)} {
		c.GroupID = "more"
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID("more")
	root.SetCompletionCommandGroupID("more")
	return root
}
