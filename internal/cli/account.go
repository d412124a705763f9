package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// LoginOptions are the inputs of `pimento login`.
type LoginOptions struct {
	IO         *IOStreams
	App        func(context.Context) (*app.App, error)
	DeviceCode bool
	NoPrompt   bool
}

// NewCmdLogin builds `pimento login`; runF replaces the run (tests).
func NewCmdLogin(f *Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in your separate admin account and pin it to the profile",
		Long: `Sign in the admin account this profile acts as. The browser opens on this
machine (or set $BROWSER); with --device-code, or when no browser can be opened,
you get a code to enter on another device.

The first sign-in pins the profile to the account that signed in (or, with
--account, accepts only that account). From then on pimento refuses to act as
any other account in this profile; ` + "`pimento logout`" + ` unpins it.`,
		Example: `  pimento login --account adm-ada@contoso.onmicrosoft.com --tenant contoso.onmicrosoft.com
  pimento login --device-code
  pimento login --profile fabrikam --account adm-ada@fabrikam.com`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.DeviceCode = opts.DeviceCode || f.flags.deviceCode
			opts.NoPrompt = f.flags.noPrompt
			if opts.NoPrompt {
				return usagef("login needs interaction; drop --no-prompt")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DeviceCode, "device-code", false, "use a device code instead of the browser")
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	p := a.Profile()
	acct, err := a.SignIn(ctx, opts.DeviceCode, &stderrObserver{w: opts.IO.ErrOut, account: p.Account})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Signed in as %s (tenant %s, profile %s). Tokens: %s.\n", show.Text(acct.Username), show.Text(acct.TenantID), p.Name, a.TokenCache().Backend)
	if a.TokenCache().Mode == "memory" {
		fmt.Fprintln(opts.IO.ErrOut, "Note: PIMENTO_TOKEN_CACHE=memory keeps tokens only while this process runs: this sign-in ends with it, and the next command signs in again.")
	}
	// The ARM token now, from the same refresh token: the next command
	// finds it cached, and a missing consent is said once, here.
	if line := a.AzureReady(ctx); line != "" {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", show.Text(line))
	}
	// Hygiene once after login: cheap, and the moment it matters.
	if me, err := a.Me(ctx); err == nil {
		for _, fd := range pim.Hygiene(me) {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", show.Text(fd.Message))
		}
	}
	return nil
}

// NewCmdLogout builds `pimento logout`.
func NewCmdLogout(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Unpin the admin account and wipe this profile's cached tokens",
		Long: `Remove the pinned account and delete every token pimento cached for the
profile, even a token cache that can no longer be read. Your browser session
with Entra is not signed out, and tokens other apps already hold stay valid
until they expire.`,
		Example: "  pimento logout\n  pimento logout --profile fabrikam",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.unpinning = true
			a, err := f.App(cmd.Context())
			if err != nil {
				return err
			}
			if err := a.Logout(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Signed out of profile %s: the pin is removed and cached tokens are wiped.\n", a.Profile().Name)
			return nil
		},
	}
}

type whoamiJSON struct {
	Account        string   `json:"account"`
	TenantID       string   `json:"tenantId"`
	Cloud          string   `json:"cloud"`
	Profile        string   `json:"profile"`
	TokenExpiresAt *string  `json:"tokenExpiresAt"`
	Roles          []string `json:"roles"`
	WIDs           []string `json:"wids"`
	ACRS           []string `json:"acrs"`
	TokenCache     string   `json:"tokenCache"`
}

// NewCmdWhoami builds `pimento whoami`.
func NewCmdWhoami(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "whoami",
		Short:   "Show the signed-in admin account and what its token carries",
		Example: "  pimento whoami\n  pimento whoami --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := f.App(cmd.Context())
			if err != nil {
				return err
			}
			tok, err := a.Token(cmd.Context())
			if err != nil {
				return err
			}
			p := a.Profile()
			out := whoamiJSON{
				Account: p.Account, TenantID: tok.Facts.TenantID, Cloud: a.Endpoints().Cloud, Profile: p.Name,
				WIDs: nonNil(tok.Facts.WIDs), ACRS: nonNil(tok.Facts.ACRS), TokenCache: a.TokenCache().Backend, Roles: []string{},
			}
			if tok.Facts.Decoded {
				out.TokenExpiresAt = rfc3339(tok.Facts.ExpiresAt)
			}
			// Built-in names: whoami loads no role list.
			for _, w := range tok.Facts.WIDs {
				if n, ok := pim.BuiltinRoleNames[w]; ok {
					out.Roles = append(out.Roles, n)
				} else {
					out.Roles = append(out.Roles, w)
				}
			}
			if asJSON {
				return writeJSON(f.IO.Out, out)
			}
			now := a.Now()
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "Account\t%s\n", show.Text(out.Account))
			fmt.Fprintf(tw, "Tenant\t%s\n", show.Text(out.TenantID))
			fmt.Fprintf(tw, "Cloud\t%s\n", out.Cloud)
			fmt.Fprintf(tw, "Profile\t%s\n", out.Profile)
			if tok.Facts.Decoded {
				fmt.Fprintf(tw, "Token valid until\t%s (%s left)\n", show.Clock(tok.Facts.ExpiresAt, now), human(tok.Facts.ExpiresAt.Sub(now)))
				fmt.Fprintf(tw, "Roles in token\t%s\n", show.Text(strings.Join(out.Roles, ", ")))
			} else {
				fmt.Fprintf(tw, "Token\tcould not be read (access tokens are opaque by contract): no roles to show\n")
			}
			if len(out.ACRS) > 0 {
				fmt.Fprintf(tw, "Auth contexts\t%s\n", show.Text(strings.Join(out.ACRS, ", ")))
			}
			fmt.Fprintf(tw, "Token cache\t%s\n", out.TokenCache)
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// NewCmdDoctor builds `pimento doctor`.
func NewCmdDoctor(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the admin account's hygiene (sync, licences, notifications)",
		Long: `Check the signed-in admin account against the separate-admin-account
guidance: cloud-only (not synced from on-premises), no licences (no mailbox or
Teams to phish), and an alternate address for PIM notifications.`,
		Example: "  pimento doctor\n  pimento doctor --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := f.App(cmd.Context())
			if err != nil {
				return err
			}
			me, err := a.Me(cmd.Context())
			if err != nil {
				return err
			}
			findings := pim.Hygiene(me)
			if findings == nil {
				findings = []pim.Finding{}
			}
			if asJSON {
				return writeJSON(f.IO.Out, map[string]any{"account": me.UserPrincipalName, "findings": findings})
			}
			if len(findings) == 0 {
				fmt.Fprintf(f.IO.Out, "%s looks like a good admin account: cloud-only, unlicensed, with an alternate address for notifications.\n", show.Text(me.UserPrincipalName))
				return nil
			}
			for _, fd := range findings {
				fmt.Fprintf(f.IO.Out, "! %s\n", show.Text(fd.Message))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
