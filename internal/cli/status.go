package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// StatusOptions are the inputs of `pimento status`.
type StatusOptions struct {
	IO   *IOStreams
	App  func(context.Context) (*app.App, error)
	JSON bool
}

// NewCmdStatus builds `pimento status`; runF replaces the run (tests).
func NewCmdStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show active elevations with their remaining time, pending requests and scheduled activations",
		Long: `Show what is active and for how long, by the server's clock, what waits
for approval, and what is scheduled to start later (with its start).`,
		Example: `  pimento status
  pimento status --json | jq '.[] | select(.remainingSeconds < 600)'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

type statusJSON struct {
	Name             string   `json:"name"`
	Kind             pim.Kind `json:"kind"`
	Scope            string   `json:"scope"`
	AzureScope       string   `json:"azureScope,omitempty"`    // Azure roles: the ARM scope id
	State            string   `json:"state"`                   // active | assigned | pendingApproval | scheduled
	StartDateTime    *string  `json:"startDateTime,omitempty"` // scheduled: when it starts
	EndDateTime      *string  `json:"endDateTime"`
	RemainingSeconds *int64   `json:"remainingSeconds"`
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	snap, err := a.Status(ctx)
	if err != nil {
		return err
	}
	warn(opts.IO.ErrOut, snap.Warnings)
	azureNote(opts.IO.ErrOut, snap)
	now := a.Now()
	out := []statusJSON{}
	for _, x := range snap.Active {
		st := statusJSON{Name: x.Name, Kind: x.Kind, Scope: x.Scope, AzureScope: x.AzureScope, State: "active"}
		if x.Assigned {
			st.State = "assigned"
		}
		if !x.End.IsZero() {
			secs := int64(x.Remaining(now) / time.Second)
			st.EndDateTime, st.RemainingSeconds = rfc3339(x.End), &secs
		}
		out = append(out, st)
	}
	for _, p := range snap.Pending {
		out = append(out, statusJSON{Name: p.Name, Kind: p.Kind, Scope: p.Scope, AzureScope: p.AzureScope, State: "pendingApproval"})
	}
	for _, x := range snap.Scheduled {
		// Nothing runs yet: no remaining time until it starts.
		out = append(out, statusJSON{
			Name: x.Name, Kind: x.Kind, Scope: x.Scope, AzureScope: x.AzureScope, State: "scheduled",
			StartDateTime: rfc3339(x.Start), EndDateTime: rfc3339(x.End),
		})
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "Nothing is active.")
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPE\tSTATE\tENDS\tLEFT")
	for _, st := range out {
		ends, left, state := "-", "-", st.State
		if st.EndDateTime != nil {
			end, _ := time.Parse(time.RFC3339, *st.EndDateTime)
			ends = when(end, now, opts.IO.OutTTY)
		}
		if st.RemainingSeconds != nil {
			left = human(time.Duration(*st.RemainingSeconds) * time.Second)
		}
		if st.StartDateTime != nil {
			start, _ := time.Parse(time.RFC3339, *st.StartDateTime)
			state += " from " + when(start, now, opts.IO.OutTTY)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", show.Text(st.Name), show.Text(st.Scope), state, ends, left)
	}
	return tw.Flush()
}
