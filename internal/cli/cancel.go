package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// CancelOptions are the inputs of `pimento cancel`.
type CancelOptions struct {
	IO  *IOStreams
	App func(context.Context) (*app.App, error)

	Roles    []string
	Selector selector
	JSON     bool
}

// NewCmdCancel builds `pimento cancel`; runF replaces the run (tests).
func NewCmdCancel(f *Factory, runF func(context.Context, *CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "cancel ROLE...",
		Short: "Withdraw requests waiting for approval, or scheduled activations before their start",
		Long: `Withdraw requests that wait for approval, or scheduled activations before
their start. Nothing active changes: to end an active role, use deactivate.

Exit codes: 0 withdrawn, 1 failed (the message says what is true now), 2 bad
input or nothing waiting, 4 sign-in needed.`,
		Example: `  pimento cancel "Privileged Role Administrator"
  pimento cancel SG-Tier0-Break-Glass-Ops --access owner --json`,
		Args:              needRoles("whose request to cancel", "status"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Roles = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Selector.scope, "scope", "", "choose among requests for the same role: a directoryScopeId, an Azure scope id or the scope in words")
	cmd.Flags().StringVar(&opts.Selector.access, "access", "", "for groups: member or owner")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

type cancelJSON struct {
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	RequestID string `json:"requestId"`
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
}

func cancelRun(ctx context.Context, opts *CancelOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	obs := &stderrObserver{w: opts.IO.ErrOut, account: a.Profile().Account}
	snap, targets, _, err := findTargets(ctx, a, opts.IO, obs, false, opts.Selector, opts.Roles, waitingIn, func(_ *pim.Snapshot, names string) error {
		return usagef("no request for %s is waiting for approval or scheduled", names)
	})
	if err != nil {
		return err
	}
	out := []cancelJSON{}
	failed := false
	var signIn error // a needed sign-in wins: exit 4 names the command
	for _, t := range targets {
		p, ok := snap.PendingFor(t)
		what := "request for " + p.Label()
		if x, sched := snap.ScheduledFor(t); !ok && sched {
			p, what = x.Request(), "scheduled activation of "+x.Label()+" (it would have started "+show.DateTime(x.Start)+")"
		}
		j := cancelJSON{Name: p.Name, Scope: p.Scope, RequestID: p.RequestID, Status: "Canceled"}
		if err := a.Cancel(ctx, p); err != nil {
			j.Status, j.Error, failed = "Failed", err.Error(), true
			if signIn == nil && isSignIn(err) {
				signIn = err
			}
		}
		out = append(out, j)
		if !opts.JSON {
			if j.Error != "" {
				fmt.Fprintf(opts.IO.Out, "✗ %s\n", show.Text(j.Error))
			} else {
				fmt.Fprintf(opts.IO.Out, "✓ %s withdrawn\n", show.Text(what))
			}
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
	case failed:
		return &silentError{code: exitFailure}
	}
	return nil
}

// waitingIn is what cancel can withdraw: requests waiting for approval
// and scheduled activations not yet started.
func waitingIn(snap *pim.Snapshot) []pim.Eligibility {
	var out []pim.Eligibility
	for _, p := range snap.Pending {
		out = append(out, p.Eligibility)
	}
	for _, x := range snap.Scheduled {
		if _, ok := snap.PendingFor(x.Eligibility); !ok {
			out = append(out, x.Eligibility)
		}
	}
	return out
}
