package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// ApprovalsOptions are the inputs of `pimento approvals`.
type ApprovalsOptions struct {
	IO   *IOStreams
	App  func(context.Context) (*app.App, error)
	JSON bool
}

// NewCmdApprovals builds `pimento approvals`; runF replaces the run (tests).
func NewCmdApprovals(f *Factory, runF func(context.Context, *ApprovalsOptions) error) *cobra.Command {
	opts := &ApprovalsOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "approvals",
		Short: "List the requests that wait for your approval",
		Long: `List other admins' requests that wait for your decision: directory roles,
PIM groups and Azure roles. Each shows the requester, what they asked for
(role, scope, duration and start), why (justification, ticket), how long it has
waited and how much of PIM's 24-hour window is left, and the approval stage.
Your own requests are never listed: PIM does not let you approve them.

Decide with ` + "`pimento approve ID`" + ` or ` + "`pimento deny ID`" + `. Exit 0, also when
nothing waits.`,
		Example: `  pimento approvals
  pimento approvals --json | jq -r '.[] | select(.kind == "azureRole") | .id'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return approvalsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// approvalJSON is one request of `approvals --json`: the contract other
// tooling reads (README).
type approvalJSON struct {
	ID              string   `json:"id"`
	Kind            pim.Kind `json:"kind"`
	Name            string   `json:"name"`
	Scope           string   `json:"scope"`
	Requester       string   `json:"requester"`
	RequesterUPN    string   `json:"requesterUpn"`
	Justification   string   `json:"justification"`
	TicketNumber    *string  `json:"ticketNumber"`
	TicketSystem    *string  `json:"ticketSystem"`
	Duration        *string  `json:"duration"`      // ISO 8601
	StartDateTime   *string  `json:"startDateTime"` // as requested; null: not said
	CreatedDateTime *string  `json:"createdDateTime"`
	ExpiresDateTime *string  `json:"expiresDateTime"`
}

func toApprovalJSON(a pim.Approval) approvalJSON {
	j := approvalJSON{
		ID: a.RequestID, Kind: a.Kind, Name: a.Name, Scope: a.Scope, Requester: a.Requester, RequesterUPN: a.RequesterUPN,
		Justification: a.Justification, TicketNumber: nonEmpty(a.TicketNumber), TicketSystem: nonEmpty(a.TicketSystem),
		StartDateTime: rfc3339(a.Start), CreatedDateTime: rfc3339(a.Created),
	}
	if a.Duration > 0 {
		j.Duration = nonEmpty(duration.ISO(a.Duration))
	}
	if !a.Created.IsZero() {
		j.ExpiresDateTime = rfc3339(a.Expires())
	}
	return j
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func approvalsRun(ctx context.Context, opts *ApprovalsOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	list := a.Approvals
	if opts.JSON {
		list = a.ApprovalsWithoutStages // the JSON has no stage
	}
	snap, err := list(ctx, nil)
	if err != nil {
		return err
	}
	warn(opts.IO.ErrOut, snap.Warnings)
	azureNote(opts.IO.ErrOut, snap)
	if opts.JSON {
		out := []approvalJSON{}
		for _, x := range snap.Approvals {
			out = append(out, toApprovalJSON(x))
		}
		return writeJSON(opts.IO.Out, out)
	}
	if len(snap.Approvals) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "Nothing waits for your approval.")
		return nil
	}
	now := a.Now()
	for i, x := range snap.Approvals {
		if i > 0 {
			fmt.Fprintln(opts.IO.Out)
		}
		printApproval(opts.IO.Out, x, now)
	}
	fmt.Fprintf(opts.IO.ErrOut, "\n%d waiting: `pimento approve ID --justification TEXT` or `pimento deny ID --justification TEXT`\n", len(snap.Approvals))
	return nil
}

// printApproval writes one request as a short block: every tenant string
// through show.Text.
func printApproval(w io.Writer, x pim.Approval, now time.Time) {
	kind := map[pim.Kind]string{pim.KindDirectoryRole: "directory role", pim.KindGroup: "group", pim.KindAzureRole: "Azure role"}[x.Kind]
	fmt.Fprintf(w, "%s  %s · %s\n", show.Text(x.RequestID), show.Text(x.Label()), kind)
	line := func(k, v string) { fmt.Fprintf(w, "  %-9s %s\n", k, v) }
	line("from", show.Text(x.RequesterLabel()))
	line("asks for", asksFor(x, now))
	line("why", orDash(show.Text(x.Justification)))
	ticket := "-"
	if x.TicketNumber != "" || x.TicketSystem != "" {
		ticket = show.Text(x.TicketNumber + " (" + x.TicketSystem + ")")
	}
	line("ticket", ticket)
	line("waiting", waitingWords(x, now))
	if words := pim.StageWords(x.Stages); words != "" {
		line("stage", show.Text(words))
	}
}

func asksFor(x pim.Approval, now time.Time) string {
	d := "an unstated duration"
	if x.Duration > 0 {
		d = duration.Human(x.Duration)
	}
	if x.Start.After(now) {
		return d + ", from " + show.DateTime(x.Start)
	}
	return d + ", from when it is approved"
}

// waitingWords are the age and what is left of the 24-hour window.
func waitingWords(x pim.Approval, now time.Time) string {
	if x.Created.IsZero() {
		return "-"
	}
	left := x.Expires().Sub(now)
	if left <= 0 {
		return "since " + show.Clock(x.Created, now) + ": the 24-hour window has closed"
	}
	return fmt.Sprintf("%s, %s left of PIM's 24 hours (until %s)", duration.Human(now.Sub(x.Created)), duration.Human(left), show.Clock(x.Expires(), now))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
