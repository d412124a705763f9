package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/pim"
)

func newLoginCmd(f *Factory) *cobra.Command {
	var deviceCode bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in your separate admin account and pin it to the profile",
		Long: `Sign in the admin account this profile acts as. The browser opens on this
machine (or set $BROWSER); with --device-code, or when no browser can be opened,
you get a code to enter on another device.

Without --account, the account that signs in is pinned; from then on pimento
refuses to act as any other account in this profile.`,
		Example: `  pimento login --account adm-ada@contoso.onmicrosoft.com --tenant contoso.onmicrosoft.com
  pimento login --device-code
  pimento login --profile fabrikam --account adm-ada@fabrikam.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.flags.deviceCode = f.flags.deviceCode || deviceCode
			if f.flags.noPrompt {
				return usagef("login needs interaction; drop --no-prompt")
			}
			sess, err := f.Session()
			if err != nil {
				return err
			}
			s, _ := f.Settings()
			acct, err := sess.Login(cmd.Context(), f.flags.deviceCode)
			if err != nil {
				return err
			}
			if err := savePinned(s.StateDir, pinnedAccount{Account: acct.Username, Tenant: firstNonEmpty(s.Tenant, acct.TenantID)}); err != nil {
				return fmt.Errorf("remember the pinned account: %w", err)
			}
			fmt.Fprintf(f.IO.ErrOut, "Signed in as %s (tenant %s, profile %s). Tokens: %s.\n", acct.Username, acct.TenantID, s.Profile, f.cache.Backend)
			// Hygiene once after login: cheap, and the moment it matters.
			if svc, err := f.Service(); err == nil {
				if me, err := svc.Me(cmd.Context()); err == nil {
					for _, fd := range pim.Hygiene(me) {
						fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", fd.Message)
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&deviceCode, "device-code", false, "use a device code instead of the browser")
	return cmd
}

func newLogoutCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the admin account and wipe this profile's cached tokens",
		Long: `Remove the pinned account and delete every token pimento cached for the
profile. Your browser session with Entra is not signed out, and tokens other
apps already hold stay valid until they expire.`,
		Example: "  pimento logout\n  pimento logout --profile fabrikam",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sess, err := f.Session()
			if err != nil {
				return err
			}
			if err := sess.Logout(cmd.Context()); err != nil {
				return err
			}
			s, _ := f.Settings()
			_ = os.Remove(filepath.Join(s.StateDir, "account.json"))
			_ = os.Remove(pim.PromptPath(s.StateDir))
			fmt.Fprintf(f.IO.ErrOut, "Signed out of profile %s: cached tokens wiped.\n", s.Profile)
			return nil
		},
	}
}

type whoamiJSON struct {
	Account        string   `json:"account"`
	TenantID       string   `json:"tenantId"`
	Cloud          string   `json:"cloud"`
	Profile        string   `json:"profile"`
	TokenExpiresAt string   `json:"tokenExpiresAt"`
	Roles          []string `json:"roles"`
	WIDs           []string `json:"wids"`
	ACRS           []string `json:"acrs"`
	TokenCache     string   `json:"tokenCache"`
}

func newWhoamiCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "whoami",
		Short:   "Show the signed-in admin account and what its token carries",
		Example: "  pimento whoami\n  pimento whoami --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.RequireAccount(); err != nil {
				return err
			}
			sess, err := f.Session()
			if err != nil {
				return err
			}
			s, _ := f.Settings()
			tok, err := sess.Token(cmd.Context())
			if err != nil {
				return err
			}
			// Built-in names: a whoami process has loaded no role list.
			names := pim.BuiltinRoleNames
			out := whoamiJSON{
				Account: s.Account, TenantID: tok.Facts.TenantID, Cloud: s.Endpoints.Cloud, Profile: s.Profile,
				TokenExpiresAt: tok.Facts.ExpiresAt.UTC().Format(time.RFC3339), WIDs: nonNil(tok.Facts.WIDs), ACRS: nonNil(tok.Facts.ACRS),
				TokenCache: f.cache.Backend, Roles: []string{},
			}
			for _, w := range tok.Facts.WIDs {
				if n, ok := names[w]; ok {
					out.Roles = append(out.Roles, n)
				} else {
					out.Roles = append(out.Roles, w)
				}
			}
			if asJSON {
				return writeJSON(f.IO.Out, out)
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "Account\t%s\n", out.Account)
			fmt.Fprintf(tw, "Tenant\t%s\n", out.TenantID)
			fmt.Fprintf(tw, "Cloud\t%s\n", out.Cloud)
			fmt.Fprintf(tw, "Profile\t%s\n", out.Profile)
			fmt.Fprintf(tw, "Token valid until\t%s (%s left)\n", tok.Facts.ExpiresAt.Local().Format("15:04"), pim.HumanDuration(time.Until(tok.Facts.ExpiresAt)))
			fmt.Fprintf(tw, "Roles in token\t%s\n", strings.Join(out.Roles, ", "))
			if len(out.ACRS) > 0 {
				fmt.Fprintf(tw, "Auth contexts\t%s\n", strings.Join(out.ACRS, ", "))
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

func newDoctorCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the admin account's hygiene (sync, licences, notifications)",
		Long: `Check the signed-in admin account against the separate-admin-account
guidance: cloud-only (not synced from on-premises), no licences (no mailbox or
Teams to phish), and an alternate address for PIM notifications.`,
		Example: "  pimento doctor\n  pimento doctor --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.RequireAccount(); err != nil {
				return err
			}
			svc, err := f.Service()
			if err != nil {
				return err
			}
			me, err := svc.Me(cmd.Context())
			if err != nil {
				return err
			}
			findings := pim.Hygiene(me)
			if asJSON {
				return writeJSON(f.IO.Out, map[string]any{"account": me.UserPrincipalName, "findings": nonNilFindings(findings)})
			}
			if len(findings) == 0 {
				fmt.Fprintf(f.IO.Out, "%s looks like a good admin account: cloud-only, unlicensed, with an alternate address for notifications.\n", me.UserPrincipalName)
				return nil
			}
			for _, fd := range findings {
				fmt.Fprintf(f.IO.Out, "! %s\n", fd.Message)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func nonNilFindings(f []pim.Finding) []pim.Finding {
	if f == nil {
		return []pim.Finding{}
	}
	return f
}
