package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// RenewOptions are the inputs of `pimento renew`.
type RenewOptions struct {
	IO  *IOStreams
	App func(context.Context) (*app.App, error)

	Role     []string
	Selector selector
	// Plan overrides what the last activation sent (its justification,
	// ticket, duration); empty fields keep them.
	Plan app.PlanInput
	JSON bool
}

// NewCmdRenew builds `pimento renew`; runF replaces the run (tests).
func NewCmdRenew(f *Factory, runF func(context.Context, *RenewOptions) error) *cobra.Command {
	opts := &RenewOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "renew ROLE",
		Short: "Start an active elevation over with a fresh duration",
		Long: `PIM cannot extend a running activation. renew deactivates the role and
activates it again, with the justification and ticket of its last activation
(from pimento's journal) and a fresh duration: its last duration, or --duration.
Between the two there is a gap of a few seconds without the role.

It is refused, with the reason and nothing sent, when the role was activated less
than 5 minutes ago (PIM refuses deactivation until then), when its policy needs
approval (the new request would wait for an approver while you have no access),
or when it is a permanent assignment. It waits until the new activation is
effective, as activate does.

Exit codes: 0 renewed and effective, 1 failed or too soon (the message says what
is active now), 2 bad input or a policy that rules renewing out, 4 sign-in needed,
130 interrupted.`,
		Example: `  pimento renew "Exchange Administrator"
  pimento renew Contributor --scope "sub: Contoso Prod" --duration 2h --json`,
		Args:              needRoles("to renew", "status"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("renew takes one ROLE at a time (got %d)", len(args))
			}
			opts.Role = args
			if opts.Plan.Duration != "" {
				if _, err := duration.ParseActivation(opts.Plan.Duration); err != nil {
					return usagef("%v", err)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return renewRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Plan.Duration, "duration", "", "the fresh duration (default: the last activation's)")
	fl.StringVar(&opts.Plan.Justification, "justification", "", "the justification (default: the last activation's)")
	fl.StringVar(&opts.Plan.TicketNumber, "ticket-number", "", "the ticket number (default: the last activation's)")
	fl.StringVar(&opts.Plan.TicketSystem, "ticket-system", "", "the ticket system (default: the last activation's)")
	fl.StringVar(&opts.Selector.scope, "scope", "", "choose among active assignments of the same role: a directoryScopeId, an Azure scope id or the scope in words")
	fl.StringVar(&opts.Selector.access, "access", "", "for groups: member or owner")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// renewJSON is the result of `renew --json`.
type renewJSON struct {
	Name        string  `json:"name"`
	Scope       string  `json:"scope"`
	Deactivated bool    `json:"deactivated"`
	Status      string  `json:"status"` // the new activation's PIM status, Refused, TooSoon or Failed
	EndDateTime *string `json:"endDateTime"`
	Effective   bool    `json:"effective"`
	Proof       *string `json:"proof"`
	PossibleAt  *string `json:"possibleAt,omitempty"`
	Error       string  `json:"error,omitempty"`
}

func renewRun(ctx context.Context, opts *RenewOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	obs := &stderrObserver{w: opts.IO.ErrOut, account: a.Profile().Account}
	snap, targets, _, err := findTargets(ctx, a, opts.IO, obs, false, opts.Selector, opts.Role, activeIn, func(_ *pim.Snapshot, names string) error {
		return usagef("%s is not active: there is nothing to renew (`pimento activate` starts it)", names)
	})
	if err != nil {
		return err
	}
	act, _ := snap.ActiveFor(targets[0])
	j := renewJSON{Name: act.Name, Scope: act.Scope}
	var refused *pim.RenewRefusedError
	if err := a.CanRenew(act); errors.As(err, &refused) {
		j.Status, j.Error = "Refused", err.Error()
		code := exitUsage
		if !refused.PossibleAt.IsZero() {
			j.Status, j.PossibleAt, code = "TooSoon", rfc3339(refused.PossibleAt), exitFailure
		}
		return reportRenew(opts, j, err, code)
	}
	in, known := a.RenewInput(act.Eligibility)
	in = overlay(in, opts.Plan)
	if !known && act.Policy.Justification && strings.TrimSpace(in.Justification) == "" {
		return usagef("pimento has no record of activating %s (the portal, or another PC): give --justification%s", show.Text(act.Label()), ticketHint(act))
	}
	fmt.Fprintf(opts.IO.ErrOut, "Renewing %s: %s.\n", show.Text(act.Label()), pim.GapNote)
	res := a.Renew(ctx, act, in, obs)
	for _, w := range [][]string{res.Deactivation.Warnings, res.Activation.Warnings} {
		warn(opts.IO.ErrOut, w)
	}
	o := res.Activation
	j.Deactivated = res.Activated // set only once the deactivation succeeded
	j.Status, j.Effective = o.Status, o.Effective
	if res.Err == nil && !o.End.IsZero() {
		j.EndDateTime = rfc3339(o.End)
	}
	if o.Effective {
		p := string(o.Proof)
		j.Proof = &p
	}
	if res.Err != nil || !o.Effective {
		if j.Status == "" {
			j.Status = "Failed"
		}
		if res.Err == nil {
			res.Err = fmt.Errorf("%s was activated again (%s), until %s, but not verified yet: run `pimento status`", act.Label(), o.Status, show.Clock(o.End, a.Now()))
		}
		j.Error = res.Err.Error()
		code := max(exitCode(res.Err), exitFailure) // a plan or policy error is 2, an interrupt 130
		return reportRenew(opts, j, res.Err, code)
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, j)
	}
	fmt.Fprintf(opts.IO.Out, "✓ %s renewed: effective after %.1fs, until %s (%s)\n", show.Text(act.Label()), o.EffectiveAfter.Seconds(), show.Clock(o.End, a.Now()), proofWords(o))
	return nil
}

// reportRenew prints a renewal that did not happen (or not fully) and
// returns the exit code.
func reportRenew(opts *RenewOptions, j renewJSON, err error, code int) error {
	if opts.JSON {
		if werr := writeJSON(opts.IO.Out, j); werr != nil {
			return werr
		}
	} else {
		fmt.Fprintf(opts.IO.Out, "✗ %s\n", show.Text(err.Error()))
	}
	return &silentError{code: code}
}

// overlay puts the flags the admin gave over what the journal had.
func overlay(base, flags app.PlanInput) app.PlanInput {
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&base.Duration, flags.Duration},
		{&base.Justification, flags.Justification},
		{&base.TicketNumber, flags.TicketNumber},
		{&base.TicketSystem, flags.TicketSystem},
	} {
		if strings.TrimSpace(f.v) != "" {
			*f.dst = f.v
		}
	}
	return base
}

func ticketHint(a pim.Active) string {
	if a.Policy.Ticket {
		return ", --ticket-number and --ticket-system"
	}
	return ""
}
