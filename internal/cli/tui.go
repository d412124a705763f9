package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/tui"
)

// runTUI opens the interactive screen for the profile.
func runTUI(ctx context.Context, f *Factory) error {
	if !f.IO.OutTTY || !f.IO.InTTY {
		return usagef("without a command, pimento opens its interactive screen, which needs a terminal; from scripts use `pimento status`, `pimento roles` or `pimento activate` (see --help)")
	}
	// While the TUI owns the terminal nothing may write to stderr: calls
	// without an observer of their own never prompt.
	f.quiet = true
	a, err := f.App(ctx)
	if err != nil {
		return err
	}
	if _, _, err := a.Resume(ctx); err != nil {
		var sr *auth.SignInRequiredError
		if !errors.As(err, &sr) {
			return err
		}
		// A damaged cache: the sign-in screen replaces it.
	}
	return runTUIWith(ctx, f, a)
}

// runTUIWith runs the TUI over a composed core (a profile's, or the demo's),
// and after it ends says on stderr what became of a request that was still
// in flight.
func runTUIWith(ctx context.Context, f *Factory, a *app.App) error {
	debug, err := f.Debug()
	if err != nil {
		return err
	}
	res, err := tui.Run(ctx, a, tui.Options{ExpiryWarning: a.Profile().ExpiryWarning, Debug: debug})
	finished := a.Wait(finishWait)
	if res.Line != "" {
		fmt.Fprintln(f.IO.ErrOut, "pimento: "+res.Line)
	} else if !finished {
		fmt.Fprintln(f.IO.ErrOut, "pimento: a request was still in flight when pimento stopped: run `pimento status` to see what PIM did")
	}
	if err == nil && (ctx.Err() != nil || res.CutShort || !finished) {
		return &silentError{code: exitCancel}
	}
	return err
}
