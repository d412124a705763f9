package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/internal/state"
)

// HistoryOptions are the inputs of `pimento history`.
type HistoryOptions struct {
	IO      *IOStreams
	Profile func() (*profile.Profile, error)
	JSON    bool
	Limit   int
}

// NewCmdHistory builds `pimento history`; runF replaces the run (tests).
func NewCmdHistory(f *Factory, runF func(context.Context, *HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: f.IO, Profile: f.Profile}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show the local journal of what was sent to PIM and what came of it",
		Long: `Show the local journal: every activation as it was sent (start, duration,
justification, ticket) and what came of it, deactivations and cancellations.
It never holds a token.`,
		Example: "  pimento history\n  pimento history --json --limit 100",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Limit < 0 {
				return usagef("--limit must be 0 (all) or more (got %d)", opts.Limit)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return historyRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&opts.Limit, "limit", 50, "show at most this many recent entries (0: all)")
	return cmd
}

func historyRun(opts *HistoryOptions) error {
	p, err := opts.Profile()
	if err != nil {
		return err
	}
	j := state.NewJournal(p.StateDir)
	read, err := j.Entries()
	if err != nil {
		return fmt.Errorf("read the journal %s: %w", j.Path(), err)
	}
	reportUnreadable(opts.IO.ErrOut, j.Path(), read.Unreadable)
	entries := read.Entries
	if opts.Limit > 0 && len(entries) > opts.Limit {
		entries = entries[len(entries)-opts.Limit:]
	}
	if opts.JSON {
		if entries == nil {
			entries = []state.Entry{}
		}
		return writeJSON(opts.IO.Out, entries)
	}
	if len(entries) == 0 {
		if len(read.Unreadable) == 0 {
			fmt.Fprintln(opts.IO.ErrOut, "No activations recorded yet.")
		}
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTION\tNAME\tSCOPE\tDURATION\tRESULT\tJUSTIFICATION")
	for _, e := range entries {
		res := e.Result
		if e.SecondsToEffective != nil {
			res += fmt.Sprintf(", effective after %.1fs", *e.SecondsToEffective)
		}
		at := e.Time.Local().Format("2006-01-02 15:04")
		if !opts.IO.OutTTY {
			at = e.Time.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", at, show.Text(e.Action), show.Text(e.Role), show.Text(e.Scope), show.Text(e.Duration),
			show.Text(show.Truncate(res, 60)), show.Text(show.Truncate(e.Justification, 40)))
	}
	return tw.Flush()
}

// reportUnreadable warns about journal lines that could not be read,
// rather than passing over them in silence.
func reportUnreadable(w io.Writer, path string, lines []int) {
	if len(lines) == 0 {
		return
	}
	var nums []string
	for i, n := range lines {
		if i == 5 {
			nums = append(nums, fmt.Sprintf("and %d more", len(lines)-5))
			break
		}
		nums = append(nums, fmt.Sprint(n))
	}
	fmt.Fprintf(w, "warning: %d line(s) of the journal %s could not be read (line %s)\n", len(lines), show.Text(path), strings.Join(nums, ", "))
}
