package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/pim"
)

type cancelJSON struct {
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	RequestID string `json:"requestId"`
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
}

func newCancelCmd(f *Factory) *cobra.Command {
	var (
		asJSON bool
		sel    selector
	)
	cmd := &cobra.Command{
		Use:   "cancel ROLE...",
		Short: "Withdraw requests that are waiting for approval",
		Example: `  pimento cancel "Privileged Role Administrator"
  pimento cancel SG-Tier0-Break-Glass-Ops --access owner --json`,
		Args:              needRoles("whose request to cancel", "status"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, snap, err := load(cmd.Context(), f)
			if err != nil {
				return err
			}
			var pending []pim.Eligibility
			for _, p := range snap.Pending {
				pending = append(pending, p.Eligibility)
			}
			targets, err := sel.resolve(pending, args, func(names string) error {
				return usagef("no request for %s is waiting for approval", names)
			})
			if err != nil {
				return err
			}
			out := []cancelJSON{}
			failed := false
			for _, t := range targets {
				p, _ := snap.PendingFor(t)
				j := cancelJSON{Name: p.Name, Scope: p.Scope, RequestID: p.RequestID, Status: "Canceled"}
				if err := svc.Cancel(cmd.Context(), p); err != nil {
					j.Status, j.Error, failed = "Failed", err.Error(), true
				}
				out = append(out, j)
				if !asJSON {
					if j.Error != "" {
						fmt.Fprintf(f.IO.Out, "✗ %s\n", j.Error)
					} else {
						fmt.Fprintf(f.IO.Out, "✓ request for %s withdrawn\n", p.Label())
					}
				}
			}
			if asJSON {
				if err := writeJSON(f.IO.Out, out); err != nil {
					return err
				}
			}
			if failed {
				return &silentError{code: exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sel.scope, "scope", "", "choose among requests for the same role: a directoryScopeId or the scope in words")
	cmd.Flags().StringVar(&sel.access, "access", "", "for groups: member or owner")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
