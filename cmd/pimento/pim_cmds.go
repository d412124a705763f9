package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// load signs in (if needed) and reads the first screen.
func load(ctx context.Context, f *Factory) (*pim.Service, *pim.Snapshot, error) {
	if err := f.RequireAccount(); err != nil {
		return nil, nil, err
	}
	svc, err := f.Service()
	if err != nil {
		return nil, nil, err
	}
	snap, err := svc.Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	s, _ := f.Settings()
	favouritesFirst(snap, s.Config.FavouriteRoles)
	return svc, snap, nil
}

type roleJSON struct {
	Name             string   `json:"name"`
	Scope            string   `json:"scope"`
	Kind             pim.Kind `json:"kind"`
	RoleDefinitionID string   `json:"roleDefinitionId,omitempty"`
	DirectoryScopeID string   `json:"directoryScopeId,omitempty"`
	GroupID          string   `json:"groupId,omitempty"`
	AccessID         string   `json:"accessId,omitempty"`
	MaxDuration      string   `json:"maxDuration"`
	Requirements     []string `json:"requirements"`
	AuthContext      *string  `json:"authContext"`
}

func toRoleJSON(e pim.Eligibility) roleJSON {
	r := roleJSON{Name: e.Name, Scope: e.Scope, Kind: e.Kind, MaxDuration: isoDuration(e.Policy.MaxDuration), Requirements: []string{}}
	if e.Kind == pim.KindGroup {
		r.GroupID, r.AccessID = e.GroupID, e.AccessID
	} else {
		r.RoleDefinitionID, r.DirectoryScopeID = e.RoleDefinitionID, e.DirectoryScopeID
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

func isoDuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	return serialization.FromDuration(d).String()
}

func newRolesCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "List the roles and groups you may activate, with their policies",
		Example: `  pimento roles
  pimento roles --json | jq -r '.[] | select(.requirements | index("ticket")) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, snap, err := load(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				out := []roleJSON{}
				for _, e := range snap.Eligible {
					out = append(out, toRoleJSON(e))
				}
				return writeJSON(f.IO.Out, out)
			}
			if len(snap.Eligible) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "You have no eligible roles or groups.")
				return nil
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSCOPE\tMAX\tREQUIRES\tSTATE")
			for _, e := range snap.Eligible {
				state := ""
				if a, ok := snap.ActiveFor(e); ok {
					state = "active " + remainingText(a, f)
				} else if _, ok := snap.PendingFor(e); ok {
					state = "pending approval"
				}
				req := []string{}
				for _, q := range e.Policy.Requirements() {
					if q == pim.RequireAuthContext {
						req = append(req, "context "+e.Policy.AuthContext)
						continue
					}
					req = append(req, string(q))
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Scope, pim.HumanDuration(e.Policy.MaxDuration), strings.Join(req, ","), state)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func remainingText(a pim.Active, f *Factory) string {
	if a.End.IsZero() {
		return "(permanent)"
	}
	return pim.HumanDuration(a.Remaining(f.now())) + " left"
}

func (f *Factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

type statusJSON struct {
	Name             string   `json:"name"`
	Kind             pim.Kind `json:"kind"`
	Scope            string   `json:"scope"`
	State            string   `json:"state"` // active | assigned | pendingApproval
	EndDateTime      *string  `json:"endDateTime"`
	RemainingSeconds *int64   `json:"remainingSeconds"`
}

func newStatusCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show active elevations with their remaining time, and pending requests",
		Example: `  pimento status
  pimento status --json | jq '.[] | select(.remainingSeconds < 600)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, snap, err := load(cmd.Context(), f)
			if err != nil {
				return err
			}
			now := f.now()
			out := []statusJSON{}
			for _, a := range snap.Active {
				st := statusJSON{Name: a.Name, Kind: a.Kind, Scope: a.Scope, State: "active"}
				if a.Assigned {
					st.State = "assigned"
				}
				if !a.End.IsZero() {
					end := a.End.UTC().Format(time.RFC3339)
					secs := int64(a.Remaining(now).Seconds())
					st.EndDateTime, st.RemainingSeconds = &end, &secs
				}
				out = append(out, st)
			}
			for _, p := range snap.Pending {
				out = append(out, statusJSON{Name: p.Name, Kind: p.Kind, Scope: p.Scope, State: "pendingApproval"})
			}
			if asJSON {
				return writeJSON(f.IO.Out, out)
			}
			if len(out) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "Nothing is active.")
				return nil
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSCOPE\tSTATE\tENDS\tLEFT")
			for _, st := range out {
				ends, left := "-", "-"
				if st.EndDateTime != nil {
					t, _ := time.Parse(time.RFC3339, *st.EndDateTime)
					ends = t.Local().Format("15:04")
					if !f.IO.OutTTY {
						ends = *st.EndDateTime
					}
					left = pim.HumanDuration(time.Duration(*st.RemainingSeconds) * time.Second)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Name, st.Scope, st.State, ends, left)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// selector picks eligibilities by name or id, scope and access.
type selector struct {
	scope  string
	access string
}

// resolve finds exactly one candidate for each ROLE argument. Arguments
// that match none are reported together through missing, which says it in
// the command's own words ("not active", "no request waiting", …).
func (sel selector) resolve(candidates []pim.Eligibility, args []string, missing func(names string) error) ([]pim.Eligibility, error) {
	if sel.access != "" && sel.access != "member" && sel.access != "owner" {
		return nil, usagef("--access must be member or owner")
	}
	var out []pim.Eligibility
	var unmatched []string
	seen := map[string]bool{}
	for _, arg := range args {
		var matches []pim.Eligibility
		for _, e := range candidates {
			if !strings.EqualFold(e.Name, arg) && !strings.EqualFold(e.RoleDefinitionID, arg) && !strings.EqualFold(e.GroupID, arg) {
				continue
			}
			if sel.scope != "" && !strings.EqualFold(e.DirectoryScopeID, sel.scope) && !strings.EqualFold(e.Scope, sel.scope) {
				continue
			}
			if sel.access != "" && e.Kind == pim.KindGroup && e.AccessID != sel.access {
				continue
			}
			matches = append(matches, e)
		}
		switch len(matches) {
		case 0:
			unmatched = append(unmatched, fmt.Sprintf("%q", arg))
			continue
		case 1:
		default:
			var c []string
			for _, m := range matches {
				if m.Kind == pim.KindGroup {
					c = append(c, fmt.Sprintf("--access %s", m.AccessID))
				} else {
					c = append(c, fmt.Sprintf("--scope %q (%s)", m.DirectoryScopeID, m.Scope))
				}
			}
			return nil, usagef("%q matches %d eligibilities; choose one with %s", arg, len(matches), strings.Join(c, " or "))
		}
		if !seen[matches[0].Key()] {
			seen[matches[0].Key()] = true
			out = append(out, matches[0])
		}
	}
	if len(unmatched) > 0 {
		return nil, missing(strings.Join(unmatched, ", ") + sel.describe())
	}
	return out, nil
}

func (sel selector) describe() string {
	s := ""
	if sel.scope != "" {
		s += " at scope " + sel.scope
	}
	if sel.access != "" {
		s += " with access " + sel.access
	}
	return s
}

var isoPattern = regexp.MustCompile(`^P(T|\d)`)

// parseDuration accepts 1h, 90m, 1h30m and ISO 8601 like PT1H.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if isoPattern.MatchString(strings.ToUpper(s)) {
		d, err := serialization.ParseISODuration(strings.ToUpper(s))
		if err != nil {
			return 0, fmt.Errorf("duration %q is not ISO 8601 like PT1H30M", s)
		}
		v, err := d.ToDuration()
		if err != nil {
			return 0, fmt.Errorf("duration %q: %v", s, err)
		}
		if v <= 0 || strings.ContainsAny(s, "-.,") {
			return 0, fmt.Errorf("duration %q: use a positive whole ISO 8601 duration like PT1H or PT90M", s)
		}
		return v, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("duration %q: use a form like 1h, 90m, 1h30m or PT1H", s)
	}
	return d, nil
}

type activateJSON struct {
	Name               string   `json:"name"`
	Scope              string   `json:"scope"`
	Status             string   `json:"status"`
	EndDateTime        *string  `json:"endDateTime"`
	Effective          bool     `json:"effective"`
	SecondsToEffective *float64 `json:"secondsToEffective,omitempty"`
	Error              string   `json:"error,omitempty"`
}

func newActivateCmd(f *Factory) *cobra.Command {
	var (
		asJSON                     bool
		noWait                     bool
		duration, justification    string
		ticketNumber, ticketSystem string
		sel                        selector
	)
	cmd := &cobra.Command{
		Use:   "activate ROLE...",
		Short: "Activate eligible roles or groups, and wait until they are effective",
		Long: `Activate one or more eligible roles or groups. ROLE is a display name
(case-insensitive) or a role definition id; groups by display name.

Each request is checked against its policy before anything is sent. When a
role needs an authentication context, pimento signs you in with it first (the
browser opens, or a device code is shown on stderr). By default it then waits
until the role is listed as active and, for tenant-wide roles, until a fresh
token carries it, and says how long that took.

Exit codes: 0 effective, 1 failed, 2 bad input, 3 waiting for approval,
4 sign-in needed.`,
		Example: `  pimento activate "Exchange Administrator" --duration 1h --justification "CHG-1234" --ticket-number CHG-1234 --ticket-system ServiceNow
  pimento activate "Helpdesk Administrator" --scope "AU: Berlin Helpdesk" --duration 30m --justification "password resets"
  pimento activate SG-Tier0-Break-Glass-Ops --access member --duration PT1H --justification "incident 42" --json`,
		Args:              needRoles("to activate", "roles"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			var d time.Duration
			if duration != "" {
				var err error
				if d, err = parseDuration(duration); err != nil {
					return usagef("%v", err)
				}
			}
			svc, snap, err := load(cmd.Context(), f)
			if err != nil {
				return err
			}
			targets, err := sel.resolve(snap.Eligible, args, func(names string) error {
				return usagef("you have no eligibility named %s: run `pimento roles` to see yours", names)
			})
			if err != nil {
				return err
			}
			s, _ := f.Settings()
			reqs := make([]pim.ActivateRequest, len(targets))
			for i, t := range targets {
				rd := d
				if rd == 0 {
					rd = s.Default
					if rd == 0 {
						rd = time.Hour
					}
					if t.Policy.MaxDuration > 0 && rd > t.Policy.MaxDuration {
						rd = t.Policy.MaxDuration
					}
				}
				reqs[i] = pim.ActivateRequest{Target: t, Duration: rd, Justification: justification, TicketNumber: ticketNumber, TicketSystem: ticketSystem}
			}
			for _, r := range reqs {
				if err := pim.Validate(r); err != nil {
					return err
				}
			}
			outs := svc.Activate(cmd.Context(), reqs, pim.ActivateOptions{Wait: !noWait}, progressPrinter(f.IO.ErrOut))
			return reportActivation(f, outs, asJSON, noWait)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&duration, "duration", "", "how long: 1h, 90m, 1h30m or PT1H (never above the policy maximum; default 1h or the profile's default_duration)")
	fl.StringVar(&justification, "justification", "", "why you need it (required by most policies)")
	fl.StringVar(&ticketNumber, "ticket-number", "", "ticket number, when the policy requires one")
	fl.StringVar(&ticketSystem, "ticket-system", "", "ticket system, when the policy requires one")
	fl.StringVar(&sel.scope, "scope", "", "choose among eligibilities of the same role: a directoryScopeId or the scope in words")
	fl.StringVar(&sel.access, "access", "", "for groups: member or owner")
	fl.BoolVar(&noWait, "no-wait", false, "return when PIM accepts the request, without waiting until it is effective")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func reportActivation(f *Factory, outs []pim.Outcome, asJSON, noWait bool) error {
	var failed, pending []string
	out := []activateJSON{}
	for _, o := range outs {
		j := activateJSON{Name: o.Target.Name, Scope: o.Target.Scope, Status: o.Status, Effective: o.Effective}
		if !o.End.IsZero() && o.Err == nil && !pim.IsPending(o.Status) {
			e := o.End.UTC().Format(time.RFC3339)
			j.EndDateTime = &e
		}
		if o.Effective {
			secs := o.EffectiveAfter.Seconds()
			j.SecondsToEffective = &secs
		}
		switch {
		case o.Err != nil:
			j.Error = o.Err.Error()
			if j.Status == "" {
				j.Status = "Failed"
			}
			failed = append(failed, o.Target.Label())
		case pim.IsPending(o.Status):
			pending = append(pending, o.Target.Label())
		case !noWait && !o.Effective:
			// Accepted but not proven: never a success when waiting was asked.
			failed = append(failed, o.Target.Label())
		}
		out = append(out, j)
	}
	if asJSON {
		if err := writeJSON(f.IO.Out, out); err != nil {
			return err
		}
	} else {
		for _, o := range outs {
			switch {
			case o.Err != nil:
				fmt.Fprintf(f.IO.Out, "✗ %s: %s\n", o.Target.Label(), o.Err)
			case o.Effective:
				fmt.Fprintf(f.IO.Out, "✓ %s effective after %.1fs, until %s (%s)\n", o.Target.Label(), o.EffectiveAfter.Seconds(), o.End.Local().Format("15:04"), proofWords(o))
			case pim.IsPending(o.Status):
				fmt.Fprintf(f.IO.Out, "… %s is waiting for approval%s: nothing is active until an approver agrees\n", o.Target.Label(), approvers(o.Target))
			default:
				fmt.Fprintf(f.IO.Out, "✓ %s accepted (%s), until %s; not yet verified%s\n", o.Target.Label(), o.Status, o.End.Local().Format("15:04"), map[bool]string{true: " (--no-wait)", false: ""}[noWait])
			}
		}
	}
	// A sign-in that was needed and not possible wins: exit 4 names the command.
	for _, o := range outs {
		var sr *auth.SignInRequiredError
		var am *auth.AccountMismatchError
		if errors.As(o.Err, &sr) {
			return sr
		}
		if errors.As(o.Err, &am) {
			return am
		}
	}
	switch {
	case len(failed) > 0 && asJSON:
		return fmt.Errorf("not activated: %s", strings.Join(failed, ", "))
	case len(failed) > 0:
		return &silentError{code: exitFailure} // each failure was printed above
	case len(pending) > 0:
		return &pendingError{names: pending}
	}
	return nil
}

func proofWords(o pim.Outcome) string {
	if o.Proof == "token" {
		return "verified in a fresh token"
	}
	if o.Target.Kind == pim.KindGroup {
		return "listed as active; other apps see the membership in their next token"
	}
	return "listed as active; scoped roles never show in the token"
}

func approvers(e pim.Eligibility) string {
	if len(e.Policy.Approvers) == 0 {
		return ""
	}
	return " from " + strings.Join(e.Policy.Approvers, ", ")
}

// progressPrinter writes one stderr line per step.
func progressPrinter(w io.Writer) func(pim.Event) {
	return func(e pim.Event) {
		if e.Stage == pim.StageFailed {
			return // the final report says it once
		}
		fmt.Fprintf(w, "  %s · %s: %s\n", e.Name, e.Stage, e.Detail)
	}
}

type deactivateJSON struct {
	Name                string  `json:"name"`
	Scope               string  `json:"scope"`
	Status              string  `json:"status"`
	PossibleAt          *string `json:"possibleAt,omitempty"`
	PreviousTokenExpiry *string `json:"previousTokenExpiry,omitempty"`
	Error               string  `json:"error,omitempty"`
}

func newDeactivateCmd(f *Factory) *cobra.Command {
	var (
		asJSON bool
		sel    selector
	)
	cmd := &cobra.Command{
		Use:   "deactivate ROLE...",
		Short: "End active elevations early",
		Long: `Deactivate active roles or groups before they expire. PIM refuses this for
the first 5 minutes after activation; pimento then says when it becomes possible.

Afterwards pimento refreshes its own token. Tokens other apps already hold keep
the role until they expire (typically 60–90 minutes, up to about 28 hours with
continuous access evaluation): deactivation does not revoke them.`,
		Example: `  pimento deactivate "Global Reader"
  pimento deactivate "Exchange Administrator" "Global Reader" --json`,
		Args:              needRoles("to deactivate", "status"),
		ValidArgsFunction: completeRoles(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, snap, err := load(cmd.Context(), f)
			if err != nil {
				return err
			}
			targets, err := sel.resolve(activeAsEligible(snap), args, func(names string) error {
				return usagef("%s is not active: nothing was deactivated", names)
			})
			if err != nil {
				return err
			}
			var out []deactivateJSON
			var failed []string
			for _, t := range targets {
				a, _ := snap.ActiveFor(t)
				res := svc.Deactivate(cmd.Context(), a, progressPrinter(f.IO.ErrOut))
				j := deactivateJSON{Name: a.Name, Scope: a.Scope, Status: res.Status}
				if !res.PreviousTokenExpiry.IsZero() {
					p := res.PreviousTokenExpiry.UTC().Format(time.RFC3339)
					j.PreviousTokenExpiry = &p
				}
				var ts *pim.TooShortError
				if errors.As(res.Err, &ts) {
					p := ts.PossibleAt.UTC().Format(time.RFC3339)
					j.PossibleAt = &p
					j.Status = "TooSoon"
				}
				if res.Err != nil {
					j.Error = res.Err.Error()
					if j.Status == "" {
						j.Status = "Failed"
					}
					failed = append(failed, a.Label())
				}
				out = append(out, j)
				if !asJSON {
					if res.Err != nil {
						fmt.Fprintf(f.IO.Out, "✗ %s\n", res.Err)
						continue
					}
					fmt.Fprintf(f.IO.Out, "✓ %s deactivated (%s).\n", a.Label(), res.Status)
					if !res.PreviousTokenExpiry.IsZero() {
						fmt.Fprintf(f.IO.Out, "  pimento's own token was refreshed; its previous token was valid until %s.\n", pim.TokenValidUntil(res.PreviousTokenExpiry))
					}
					fmt.Fprintf(f.IO.Out, "  Note: %s\n", pim.OtherAppsNote)
				}
			}
			if asJSON {
				if err := writeJSON(f.IO.Out, out); err != nil {
					return err
				}
				if len(failed) > 0 {
					return &silentError{code: exitFailure}
				}
				return nil
			}
			if len(failed) > 0 {
				return &silentError{code: exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sel.scope, "scope", "", "choose among active assignments of the same role: a directoryScopeId or the scope in words")
	cmd.Flags().StringVar(&sel.access, "access", "", "for groups: member or owner")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// activeAsEligible lets the selector work on active elevations.
func activeAsEligible(snap *pim.Snapshot) []pim.Eligibility {
	var out []pim.Eligibility
	for _, a := range snap.Active {
		out = append(out, a.Eligibility)
	}
	return out
}

func newHistoryCmd(f *Factory) *cobra.Command {
	var (
		asJSON bool
		limit  int
	)
	cmd := &cobra.Command{
		Use:     "history",
		Short:   "Show the local journal of activations and deactivations",
		Example: "  pimento history\n  pimento history --json --limit 100",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := f.Settings()
			if err != nil {
				return err
			}
			entries, err := pim.NewJournal(s.StateDir).Entries()
			if err != nil {
				return fmt.Errorf("read the journal: %w", err)
			}
			if limit > 0 && len(entries) > limit {
				entries = entries[len(entries)-limit:]
			}
			if asJSON {
				if entries == nil {
					entries = []pim.Entry{}
				}
				return writeJSON(f.IO.Out, entries)
			}
			if len(entries) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "No activations recorded yet.")
				return nil
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tACTION\tNAME\tSCOPE\tDURATION\tRESULT\tJUSTIFICATION")
			for _, e := range entries {
				res := e.Result
				if e.SecondsToEffective != nil {
					res += fmt.Sprintf(", effective after %.1fs", *e.SecondsToEffective)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04"), e.Action, e.Role, e.Scope, e.Duration, truncate(res, 60), truncate(e.Justification, 40))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&limit, "limit", 50, "show at most this many recent entries (0: all)")
	return cmd
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
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
