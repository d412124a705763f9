package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// DecideOptions are the inputs of `pimento approve` and `pimento deny`.
type DecideOptions struct {
	IO  *IOStreams
	App func(context.Context) (*app.App, error)

	Decision      pim.Decision
	IDs           []string
	Justification string
	JSON          bool
}

// NewCmdApprove builds `pimento approve`; runF replaces the run (tests).
func NewCmdApprove(f *Factory, runF func(context.Context, *DecideOptions) error) *cobra.Command {
	return newCmdDecide(f, pim.Approve, runF)
}

// NewCmdDeny builds `pimento deny`; runF replaces the run (tests).
func NewCmdDeny(f *Factory, runF func(context.Context, *DecideOptions) error) *cobra.Command {
	return newCmdDecide(f, pim.Deny, runF)
}

func newCmdDecide(f *Factory, d pim.Decision, runF func(context.Context, *DecideOptions) error) *cobra.Command {
	opts := &DecideOptions{IO: f.IO, App: f.App, Decision: d}
	verb := d.Verb()
	cmd := &cobra.Command{
		Use:   verb + " ID... --justification TEXT",
		Short: map[pim.Decision]string{pim.Approve: "Approve requests that wait for you", pim.Deny: "Deny requests that wait for you"}[d],
		Long: `Decide other admins' requests that wait for your approval (see ` + "`pimento approvals`" + `).
ID is the request id that ` + "`pimento approvals`" + ` shows (for an Azure role its
approval id works too). The justification goes with the decision; PIM records who
decided, and the requester and the other approvers are notified.

Each decision is sent once. When the answer is lost pimento reads the approval
again to learn whether PIM recorded it, and never sends it twice. A request that
was already decided, has expired (approvers have 24 hours) or is not yours to
decide gets one line saying so, and nothing is sent.

Directory roles are decided through Microsoft Graph beta (the only place PIM
offers it), groups through Graph v1.0, Azure roles through Azure Resource
Manager (api-version 2021-01-01-preview).

Exit codes: 0 every decision was recorded, 1 otherwise (each line says which),
2 bad input, 4 sign-in needed.`,
		Example: map[pim.Decision]string{
			pim.Approve: `  pimento approve 5f0b7e2c-9a14-4d6e-8c3b-1e7a2d9f4b60 --justification "INC-4711 confirmed by phone"
  pimento approvals --json | jq -r '.[] | select(.requesterUpn == "megan@contoso.com") | .id' |
    xargs pimento approve --justification "change window CHG-88" --json`,
			pim.Deny: `  pimento deny 5f0b7e2c-9a14-4d6e-8c3b-1e7a2d9f4b60 --justification "no ticket; open one first"
  pimento deny c2d8a6f1-3b5e-4a97-9d0c-7f1e4b2a8c35 7e4a1c9d-2f6b-4b38-a5e0-9d3c8f1b6a24 --justification "outside the change window" --json`,
		}[d],
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			if len(args) == 0 {
				return usagef("name at least one request ID to %s (see `pimento approvals`)", verb)
			}
			if strings.TrimSpace(opts.Justification) == "" {
				return usagef("--justification is required: say why you %s", verb)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return decideRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Justification, "justification", "", fmt.Sprintf("why you %s (required; at most %d characters)", verb, pim.MaxJustification))
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// decisionJSON is one decision of `approve --json` / `deny --json`.
type decisionJSON struct {
	ID           string   `json:"id"`
	Kind         pim.Kind `json:"kind,omitempty"`
	Name         string   `json:"name,omitempty"`
	Scope        string   `json:"scope,omitempty"`
	Requester    string   `json:"requester,omitempty"`
	RequesterUPN string   `json:"requesterUpn,omitempty"`
	Decision     string   `json:"decision"` // approve | deny
	Recorded     bool     `json:"recorded"`
	Error        string   `json:"error,omitempty"`
}

func decideRun(ctx context.Context, opts *DecideOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	obs := &stderrObserver{w: opts.IO.ErrOut, account: a.Profile().Account}
	snap, err := a.ApprovalsWithoutStages(ctx, obs)
	if err != nil {
		return err
	}
	warn(opts.IO.ErrOut, snap.Warnings)
	azureNote(opts.IO.ErrOut, snap)
	out := []decisionJSON{}
	failed, seen := false, map[string]bool{}
	var signIn error
	for _, id := range opts.IDs {
		id = strings.TrimSpace(id)
		if seen[strings.ToLower(id)] {
			continue
		}
		seen[strings.ToLower(id)] = true
		j := decideOne(ctx, a, snap, id, opts, obs)
		failed = failed || !j.Recorded
		out = append(out, j.decisionJSON)
		if j.err != nil && signIn == nil && isSignIn(j.err) {
			signIn = j.err
		}
		warn(opts.IO.ErrOut, j.warnings)
		if !opts.JSON {
			fmt.Fprintln(opts.IO.Out, j.line)
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
		return &silentError{code: exitFailure} // each line said which
	}
	return nil
}

// decided is one decision's JSON, its line and what else it reported.
type decided struct {
	decisionJSON
	line     string
	warnings []string
	err      error
}

func decideOne(ctx context.Context, a *app.App, snap *pim.Snapshot, id string, opts *DecideOptions, obs app.Observer) decided {
	d := decided{decisionJSON: decisionJSON{ID: id, Decision: opts.Decision.Verb()}}
	fail := func(what, why string) decided {
		d.Error = why
		d.line = "✗ " + show.Text(id+what) + ": " + show.Text(why)
		return d
	}
	var target pim.Approval
	found := false
	for _, x := range snap.Approvals {
		if x.Matches(id) {
			target, found = x, true
			break
		}
	}
	if !found {
		// Not waiting: say what became of it, if the admin approves it.
		x, ok, err := a.FindApproval(ctx, id, obs)
		switch {
		case err != nil:
			d.err = err
			return fail("", "could not read it: "+err.Error())
		case !ok:
			return fail("", "no request with this id waits for your approval (see `pimento approvals`); nothing was sent")
		}
		d.fill(x)
		return fail(" "+x.Label()+" from "+x.RequesterLabel(), a.Closed(ctx, x)+"; nothing was sent")
	}
	d.fill(target)
	res := a.Decide(ctx, target, opts.Decision, opts.Justification, obs)
	d.warnings, d.err = res.Warnings, res.Err
	what := " " + target.Label() + " from " + target.RequesterLabel()
	if !res.Recorded {
		return fail(what, res.Err.Error())
	}
	d.Recorded = true
	past := map[pim.Decision]string{pim.Approve: "approved", pim.Deny: "denied"}[opts.Decision]
	d.line = "✓ " + past + show.Text(what) + " (" + show.Text(id) + ")"
	if res.Reconciled {
		d.line += ": the answer was lost, and PIM shows your decision recorded"
	}
	return d
}

func (d *decided) fill(x pim.Approval) {
	d.Kind, d.Name, d.Scope, d.Requester, d.RequesterUPN = x.Kind, x.Name, x.Scope, x.Requester, x.RequesterUPN
}
