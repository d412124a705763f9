package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// DeactivateOptions are the inputs of `pimento deactivate`.
type DeactivateOptions struct {
	IO  *IOStreams
	App func(context.Context) (*app.App, error)

	Roles    []string
	Selector selector
	NoWait   bool
	JSON     bool
}

// NewCmdDeactivate builds `pimento deactivate`; runF replaces the run.
func NewCmdDeactivate(f *Factory, runF func(context.Context, *DeactivateOptions) error) *cobra.Command {
	opts := &DeactivateOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "deactivate ROLE...",
		Short: "End active elevations early",
		Long: `Deactivate active roles, groups or Azure roles before they expire. PIM refuses
this for the first 5 minutes after activation; pimento then says when it becomes
possible.

Afterwards pimento refreshes its own token. Tokens other apps already hold keep
a directory role until they expire (typically 60–90 minutes, up to about 28
hours with continuous access evaluation): deactivation does not revoke them.
Azure Resource Manager may honour a removed Azure role for up to 10 minutes more.

Exit codes: 0 deactivated, 1 failed or too soon (the message says when it
becomes possible), 2 bad input or not active, 4 sign-in needed, 130 interrupted.`,
		Example: `  pimento deactivate "Global Reader"
  pimento deactivate "Exchange Administrator" "Global Reader" --json`,
		Args:              needRoles("to deactivate", "status"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Roles = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return deactivateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Selector.scope, "scope", "", "choose among active assignments of the same role: a directoryScopeId, an Azure scope id or the scope in words")
	cmd.Flags().StringVar(&opts.Selector.access, "access", "", "for groups: member or owner")
	cmd.Flags().BoolVar(&opts.NoWait, "no-wait", false, "return when PIM answers, without refreshing pimento's own token (it keeps the role until it expires)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

type deactivateJSON struct {
	Name                string  `json:"name"`
	Scope               string  `json:"scope"`
	Status              string  `json:"status"`
	PossibleAt          *string `json:"possibleAt,omitempty"`
	PreviousTokenExpiry *string `json:"previousTokenExpiry,omitempty"`
	Error               string  `json:"error,omitempty"`
}

func deactivateRun(ctx context.Context, opts *DeactivateOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	obs := &stderrObserver{w: opts.IO.ErrOut, account: a.Profile().Account}
	// With --no-wait a recent list goes straight to the request (PIM says
	// if it is no longer active); otherwise PIM is read first.
	snap, targets, _, err := findTargets(ctx, a, opts.IO, obs, opts.NoWait, opts.Selector, opts.Roles, activeIn,
		func(snap *pim.Snapshot, names string) error { return notActive(a, snap, opts, names) })
	if err != nil {
		return err
	}
	out := []deactivateJSON{}
	var failed, interrupted bool
	var signIn error // a needed sign-in wins: exit 4 names the command
	now := a.Now()
	for _, t := range targets {
		x, _ := snap.ActiveFor(t)
		res := a.DeactivateWith(ctx, x, !opts.NoWait, obs)
		warn(opts.IO.ErrOut, res.Warnings)
		j := deactivateJSON{Name: x.Name, Scope: x.Scope, Status: res.Status, PreviousTokenExpiry: rfc3339(res.PreviousTokenExpiry)}
		var ts *pim.TooShortError
		if errors.As(res.Err, &ts) {
			j.PossibleAt = rfc3339(ts.PossibleAt)
			j.Status = "TooSoon"
		}
		if res.Err != nil {
			j.Error = res.Err.Error()
			if j.Status == "" {
				j.Status = "Failed"
			}
			failed = true
			interrupted = interrupted || ctx.Err() != nil
			if signIn == nil && isSignIn(res.Err) {
				signIn = res.Err
			}
		}
		out = append(out, j)
		if opts.JSON {
			continue
		}
		if res.Err != nil {
			fmt.Fprintf(opts.IO.Out, "✗ %s\n", show.Text(res.Err.Error()))
			continue
		}
		fmt.Fprintf(opts.IO.Out, "✓ %s deactivated (%s).\n", show.Text(x.Label()), show.Text(res.Status))
		switch until := pim.TokenValidUntil(res.PreviousTokenExpiry, now); {
		case res.PreviousTokenExpiry.IsZero():
		case res.Refreshed:
			fmt.Fprintf(opts.IO.Out, "  pimento's own token was refreshed; its previous token was valid until %s.\n", until)
		case opts.NoWait:
			fmt.Fprintf(opts.IO.Out, "  pimento's own token was not refreshed (--no-wait): it carries the role until %s.\n", until)
		default:
			fmt.Fprintf(opts.IO.Out, "  pimento's own token could not be refreshed: it carries the role until %s (run `pimento login` to replace it).\n", until)
		}
		if x.InTokens() {
			fmt.Fprintf(opts.IO.Out, "  Note: %s\n", pim.OtherAppsNote)
		} else {
			fmt.Fprintf(opts.IO.Out, "  Note: %s\n", pim.AzureCacheNote)
		}
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, out); err != nil {
			return err
		}
	}
	switch {
	case signIn != nil:
		return signIn
	case interrupted:
		return &silentError{code: exitCancel}
	case failed:
		return &silentError{code: exitFailure}
	}
	return nil
}

// notActive explains ROLEs that PIM does not list as active: one accepted
// moments ago (activate --no-wait) is still provisioning, which is not
// "nothing to deactivate".
func notActive(a *app.App, snap *pim.Snapshot, opts *DeactivateOptions, names string) error {
	eligible, err := opts.Selector.resolve(snap.Eligible, opts.Roles, func(string) error { return errNoMatch })
	if err == nil {
		now := a.Now()
		for _, e := range eligible {
			if start, ok := a.JustAccepted(e); ok {
				return fmt.Errorf("%s was accepted by PIM at %s and is still being provisioned: deactivation becomes possible at %s (5 minutes after activation); nothing was sent",
					show.Text(e.Label()), show.Clock(start, now), show.ClockSeconds(start.Add(pim.MinActiveDuration), now))
			}
		}
	}
	return usagef("%s is not active: nothing was deactivated", names)
}

var errNoMatch = errors.New("no match")

// findTargets finds the ROLE arguments among in(snapshot). With useCache
// and a recent list holding every name, no request is made; otherwise PIM
// is read now (a sign-in prompted on stderr, its warnings shown) and
// fresh is true. missing explains names the fresh list lacks.
func findTargets(ctx context.Context, a *app.App, io *IOStreams, obs *stderrObserver, useCache bool, sel selector, roles []string,
	in func(*pim.Snapshot) []pim.Eligibility, missing func(*pim.Snapshot, string) error,
) (snap *pim.Snapshot, targets []pim.Eligibility, fresh bool, err error) {
	if err := sel.validate(); err != nil {
		return nil, nil, false, err
	}
	// The pin is checked first, also for a cached list: the list outlives
	// a logout, and a command that sends needs the account it was for.
	if err := a.RequireAccount(); err != nil {
		return nil, nil, false, err
	}
	if snap, ok := a.Cached(); ok && useCache {
		if targets, err := sel.resolve(in(snap), roles, func(string) error { return errNoMatch }); err == nil {
			return snap, targets, false, nil
		}
	}
	if snap, err = a.LoadWithPrompt(ctx, obs); err != nil {
		return nil, nil, false, err
	}
	warn(io.ErrOut, snap.Warnings)
	azureNote(io.ErrOut, snap)
	targets, err = sel.resolve(in(snap), roles, func(names string) error { return missing(snap, names) })
	return snap, targets, true, err
}

func eligibleIn(snap *pim.Snapshot) []pim.Eligibility { return snap.Eligible }

func activeIn(snap *pim.Snapshot) []pim.Eligibility {
	out := make([]pim.Eligibility, 0, len(snap.Active))
	for _, x := range snap.Active {
		out = append(out, x.Eligibility)
	}
	return out
}
