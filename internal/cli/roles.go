package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// RolesOptions are the inputs of `pimento roles`.
type RolesOptions struct {
	IO   *IOStreams
	App  func(context.Context) (*app.App, error)
	JSON bool
}

// NewCmdRoles builds `pimento roles`; runF replaces the run (tests).
func NewCmdRoles(f *Factory, runF func(context.Context, *RolesOptions) error) *cobra.Command {
	opts := &RolesOptions{IO: f.IO, App: f.App}
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "List the roles, groups and Azure roles you may activate, with their policies",
		Example: `  pimento roles
  pimento roles --json | jq -r '.[] | select(.requirements | index("ticket")) | .name'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return rolesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

type roleJSON struct {
	Name             string   `json:"name"`
	Scope            string   `json:"scope"`
	Kind             pim.Kind `json:"kind"`
	RoleDefinitionID string   `json:"roleDefinitionId,omitempty"`
	DirectoryScopeID string   `json:"directoryScopeId,omitempty"`
	AppScopeID       string   `json:"appScopeId,omitempty"`
	AzureScope       string   `json:"azureScope,omitempty"`
	GroupID          string   `json:"groupId,omitempty"`
	AccessID         string   `json:"accessId,omitempty"`
	MaxDuration      string   `json:"maxDuration"`
	Requirements     []string `json:"requirements"`
	AuthContext      *string  `json:"authContext"`
}

func toRoleJSON(e pim.Eligibility) roleJSON {
	r := roleJSON{Name: e.Name, Scope: e.Scope, Kind: e.Kind, MaxDuration: duration.ISO(e.Policy.MaxDuration), Requirements: []string{}}
	switch e.Kind {
	case pim.KindGroup:
		r.GroupID, r.AccessID = e.GroupID, e.AccessID
	case pim.KindAzureRole:
		r.RoleDefinitionID, r.AzureScope = e.RoleDefinitionID, e.AzureScope
	default:
		r.RoleDefinitionID, r.DirectoryScopeID, r.AppScopeID = e.RoleDefinitionID, e.DirectoryScopeID, e.AppScopeID
	}
	for _, q := range e.Policy.Requirements() {
		r.Requirements = append(r.Requirements, string(q))
	}
	if e.Policy.AuthContext != "" {
		c := e.Policy.AuthContext
		r.AuthContext = &c
	}
	return r
}

func rolesRun(ctx context.Context, opts *RolesOptions) error {
	a, err := opts.App(ctx)
	if err != nil {
		return err
	}
	snap, err := a.Load(ctx)
	if err != nil {
		return err
	}
	warn(opts.IO.ErrOut, snap.Warnings)
	azureNote(opts.IO.ErrOut, snap)
	if opts.JSON {
		out := []roleJSON{}
		for _, e := range snap.Eligible {
			out = append(out, toRoleJSON(e))
		}
		return writeJSON(opts.IO.Out, out)
	}
	if len(snap.Eligible) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "You have no eligible roles, groups or Azure roles.")
		return nil
	}
	now := a.Now()
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPE\tMAX\tREQUIRES\tSTATE")
	for _, e := range snap.Eligible {
		state := ""
		if x, ok := snap.ActiveFor(e); ok {
			state = "active " + remainingText(x, now)
		} else if _, ok := snap.PendingFor(e); ok {
			state = "pending approval"
		}
		var req []string
		for _, q := range e.Policy.Requirements() {
			if q == pim.RequireAuthContext {
				req = append(req, "context "+e.Policy.AuthContext)
				continue
			}
			req = append(req, string(q))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", show.Text(e.Name), show.Text(e.Scope), human(e.Policy.MaxDuration), show.Text(strings.Join(req, ",")), state)
	}
	return tw.Flush()
}

// remainingText is the time left of an elevation, by the server's clock.
func remainingText(x pim.Active, now time.Time) string {
	if x.End.IsZero() {
		return "(permanent)"
	}
	return human(x.Remaining(now)) + " left"
}
