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

// ActivateOptions are the inputs of `pimento activate`.
type ActivateOptions struct {
	IO  *IOStreams
	App func(context.Context) (*app.App, error)

	Roles    []string
	Plan     app.PlanInput
	Selector selector
	NoWait   bool
	JSON     bool
}

// NewCmdActivate builds `pimento activate`; runF replaces the run (tests).
func NewCmdActivate(f *Factory, runF func(context.Context, *ActivateOptions) error) *cobra.Command {
	opts := &ActivateOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "activate ROLE...",
		Short: "Activate eligible roles, groups or Azure roles, and wait until they are effective",
		Long: `Activate one or more eligible roles, groups or Azure roles. ROLE is a display
name (case-insensitive) or a role definition id; groups by display name. When
one name is eligible at several scopes, --scope picks one: a directory scope id,
an Azure scope id (/subscriptions/…) or the scope in words ("rg: rg-secrets").

Each request is checked against its policy before anything is sent. When a
role needs an authentication context, pimento signs you in with it first (the
browser opens, or a device code is shown on stderr). By default it then waits
until the role is listed as active and, for tenant-wide roles, until a fresh
token carries it (for Azure roles, until Azure's permissions at the scope show
it), and says how long that took.

--duration takes 1h, 90m, 1h30m or ISO 8601 (PT1H30M): at least 5 minutes and
never above the policy maximum. Without it, the profile's default_duration (or
1h) is used, capped at each role's maximum.

--start schedules the activation for later: 18:00 (today, or tomorrow once it
has passed), 2026-12-01T18:00 (your local time) or +2h. pimento shows the start
back in your time with the date, sends it in the server's time, and returns once
PIM accepted it (Granted): it starts then, ` + "`pimento status`" + ` lists it as scheduled and
` + "`pimento cancel`" + ` withdraws it before its start.

Exit codes: 0 effective (or accepted with --no-wait, or scheduled with --start),
1 failed, 2 bad input, 3 waiting for approval, 4 sign-in needed, 130 interrupted.`,
		Example: `  pimento activate "Exchange Administrator" --duration 1h --justification "CHG-1234" --ticket-number CHG-1234 --ticket-system ServiceNow
  pimento activate "Helpdesk Administrator" --scope "AU: Berlin Helpdesk" --duration 30m --justification "password resets"
  pimento activate SG-Tier0-Break-Glass-Ops --access member --duration PT1H --justification "incident 42" --json
  pimento activate "Exchange Administrator" --start 22:00 --duration 2h --justification "CHG-88 maintenance window" --ticket-number CHG-88 --ticket-system ServiceNow`,
		Args:              needRoles("to activate", "roles"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Roles = args
			if cmd.Flags().Changed("duration") && strings.TrimSpace(opts.Plan.Duration) == "" {
				return usagef("--duration needs a value, like %s", duration.Examples)
			}
			if opts.Plan.Duration != "" {
				// Bad input is refused before anything touches the network.
				if _, err := duration.ParseActivation(opts.Plan.Duration); err != nil {
					return usagef("%v", err)
				}
			}
			if err := opts.Selector.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return activateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Plan.Duration, "duration", "", "how long: 1h, 90m, 1h30m or PT1H30M (at least 5m, never above the policy maximum)")
	fl.StringVar(&opts.Plan.Justification, "justification", "", fmt.Sprintf("why you need it (required by most policies; at most %d characters)", pim.MaxJustification))
	fl.StringVar(&opts.Plan.TicketNumber, "ticket-number", "", "ticket number, when the policy requires one")
	fl.StringVar(&opts.Plan.TicketSystem, "ticket-system", "", "ticket system, when the policy requires one")
	fl.StringVar(&opts.Plan.Start, "start", "", "start later: 18:00, 2026-12-01T18:00 (local time) or +2h (default: now)")
	fl.StringVar(&opts.Selector.scope, "scope", "", "choose among eligibilities of the same role: a directoryScopeId, an Azure scope id or the scope in words")
	fl.StringVar(&opts.Selector.access, "access", "", "for groups: member or owner")
	fl.BoolVar(&opts.NoWait, "no-wait", false, "return when PIM accepts the request, without waiting until it is effective")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

type activateJSON struct {
	Name               string   `json:"name"`
	Scope              string   `json:"scope"`
	Status             string   `json:"status"`
	EndDateTime        *string  `json:"endDateTime"`
	StartDateTime      *string  `json:"startDateTime,omitempty"` // a scheduled activation's start
	Effective          bool     `json:"effective"`
	SecondsToEffective *float64 `json:"secondsToEffective"`
	Proof              *string  `json:"proof"`
	Error              string   `json:"error,omitempty"`
}

func activateRun(ctx context.Context, opts *ActivateOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	obs := &stderrObserver{w: opts.IO.ErrOut, account: a.Profile().Account}
	// A recent list of eligibilities and policies lets the request go out
	// at once: PIM re-checks everything, and what it refuses is reported
	// as it says. Without one (or when a ROLE is not in it), load first.
	snap, targets, fresh, err := findTargets(ctx, a, opts.IO, obs, true, opts.Selector, opts.Roles, eligibleIn,
		func(_ *pim.Snapshot, names string) error {
			return usagef("you have no eligibility named %s: run `pimento roles` to see yours", names)
		})
	if err != nil {
		return err
	}
	if fresh {
		// Fresh from PIM: what it would refuse is refused here.
		if err := activatable(snap, targets, a); err != nil {
			return err
		}
	}
	plan, err := a.Plan(targets, opts.Plan)
	if err != nil {
		return err
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", show.Text(n))
	}
	outs := a.Activate(ctx, plan.Requests, !opts.NoWait, obs)
	return reportActivation(opts, a, outs)
}

// activatable checks locally what PIM would refuse: an elevation already
// active (exit 2, PIM cannot extend it) or a request already waiting for
// approval (exit 3).
func activatable(snap *pim.Snapshot, targets []pim.Eligibility, a *app.App) error {
	now := a.Now()
	var pending []string
	for _, t := range targets {
		if x, ok := snap.ActiveFor(t); ok && (x.End.IsZero() || x.Remaining(now) > 0) {
			if x.End.IsZero() {
				return usagef("%s is permanently assigned: there is nothing to activate", show.Text(t.Label()))
			}
			return usagef("%s is already active until %s: PIM cannot extend a running activation; nothing was sent", show.Text(t.Label()), show.Clock(x.End, now))
		}
		if _, ok := snap.PendingFor(t); ok {
			pending = append(pending, t.Label())
		}
	}
	if len(pending) > 0 {
		return &pendingError{names: pending}
	}
	return nil
}

func reportActivation(opts *ActivateOptions, a *app.App, outs []pim.Outcome) error {
	var failed, pending []string
	var interrupted error
	var already *pim.AlreadyError
	out := []activateJSON{}
	now := a.Now()
	for _, o := range outs {
		j := activateJSON{Name: o.Target.Name, Scope: o.Target.Scope, Status: o.Status, Effective: o.Effective}
		if !o.End.IsZero() && o.Err == nil && !pim.IsPending(o.Status) {
			j.EndDateTime = rfc3339(o.End)
		}
		if o.Scheduled {
			j.StartDateTime = rfc3339(o.Sent.Start)
		}
		if o.Effective {
			secs := o.EffectiveAfter.Seconds()
			proof := string(o.Proof)
			j.SecondsToEffective, j.Proof = &secs, &proof
		}
		var ie *pim.InterruptedError
		var ae *pim.AlreadyError
		switch {
		case errors.As(o.Err, &ae):
			already = ae
			j.Error = o.Err.Error()
			j.Status = "AlreadyActive"
			if ae.Pending {
				j.Status = "AlreadyPending"
			}
		case errors.As(o.Err, &ie):
			interrupted = o.Err
			j.Error = o.Err.Error()
			if j.Status == "" {
				j.Status = "Unknown"
			}
		case o.Err != nil:
			j.Error = o.Err.Error()
			if j.Status == "" {
				j.Status = "Failed"
			}
			failed = append(failed, o.Target.Label())
		case pim.IsPending(o.Status):
			pending = append(pending, o.Target.Label())
		case o.Scheduled:
		case !opts.NoWait && !o.Effective:
			// Accepted but not proven: never a success when waiting was asked.
			failed = append(failed, o.Target.Label())
		}
		out = append(out, j)
		warn(opts.IO.ErrOut, o.Warnings)
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, out); err != nil {
			return err
		}
	} else {
		for _, o := range outs {
			name, status := show.Text(o.Target.Label()), show.Text(o.Status)
			switch {
			case o.Err != nil:
				fmt.Fprintf(opts.IO.Out, "✗ %s: %s\n", name, show.Text(o.Err.Error()))
			case o.Scheduled:
				fmt.Fprintf(opts.IO.Out, "✓ %s scheduled (%s): starts %s, until %s; `pimento cancel` withdraws it before then\n", name, status, show.DateTime(o.Sent.Start), show.DateTime(o.End))
			case o.Effective:
				fmt.Fprintf(opts.IO.Out, "✓ %s effective after %.1fs, until %s (%s)\n", name, o.EffectiveAfter.Seconds(), show.Clock(o.End, now), proofWords(o))
			case pim.IsPending(o.Status):
				fmt.Fprintf(opts.IO.Out, "… %s is waiting for approval%s: nothing is active until an approver agrees\n", name, approvers(o.Target))
			case opts.NoWait:
				fmt.Fprintf(opts.IO.Out, "✓ %s accepted (%s), until %s; not yet verified (--no-wait)\n", name, status, show.Clock(o.End, now))
			default:
				fmt.Fprintf(opts.IO.Out, "✗ %s accepted (%s), until %s, but not verified: run `pimento status`\n", name, status, show.Clock(o.End, now))
			}
		}
	}
	// A sign-in that was needed and not possible wins: exit 4 names the command.
	for _, o := range outs {
		if isSignIn(o.Err) {
			return o.Err
		}
	}
	switch {
	case interrupted != nil:
		return &silentError{code: exitCancel}
	case len(failed) > 0:
		return &silentError{code: exitFailure} // each failure was printed above
	case already != nil && already.Pending:
		return &silentError{code: exitPending}
	case already != nil:
		return &silentError{code: exitUsage}
	case len(pending) > 0:
		return &silentError{code: exitPending} // each line said it
	}
	return nil
}

func proofWords(o pim.Outcome) string {
	switch {
	case o.Proof == pim.ProofToken:
		return "verified in a fresh token"
	case o.Proof == pim.ProofPermissions:
		return "Azure's permissions at its scope show the role's actions"
	case o.Target.Kind == pim.KindAzureRole:
		return "listed as active; Azure's permissions could not be read, so it may take a few minutes to be usable"
	case o.Target.Kind == pim.KindGroup:
		return "listed as active; other apps see the membership in their next token"
	case o.Target.InTokenWIDs():
		return "listed as active; token proof unavailable"
	}
	return "listed as active; scoped roles never show in the token"
}

func approvers(e pim.Eligibility) string {
	if len(e.Policy.Approvers) == 0 {
		return ""
	}
	return " from " + show.Text(strings.Join(e.Policy.Approvers, ", "))
}

// needRoles requires at least one ROLE argument, saying where to find them.
func needRoles(what, listCmd string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("name at least one ROLE %s (see `pimento %s`)", what, listCmd)
		}
		return nil
	}
}
