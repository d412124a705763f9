package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/pim"
)

// Exit codes: the contract other tooling depends on (README).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitPending = 3
	exitSignIn  = 4
	exitCancel  = 130
)

// usageError is bad input: exit 2, nothing changed.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// pendingError means a request already waits for approval, so nothing
// was sent: exit 3.
type pendingError struct{ names []string }

func (e *pendingError) Error() string {
	return "already waiting for approval, nothing was sent: " + strings.Join(e.names, ", ") + " (`pimento cancel` withdraws a request)"
}

// silentError has already been reported (each line said it): exit code.
type silentError struct{ code int }

func (e *silentError) Error() string { return "" }

// exitCode maps an error to the documented exit code.
func exitCode(err error) int {
	var (
		ue *usageError
		pu *profile.UsageError
		pl *app.PlanError
		po *pim.PolicyError
		pe *pendingError
		se *silentError
		sr *auth.SignInRequiredError
		am *auth.AccountMismatchError
		pc *profile.PinConflictError
		dp *profile.DamagedPinError
		ie *pim.InterruptedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ue), errors.As(err, &pu), errors.As(err, &pl), errors.As(err, &po):
		return exitUsage
	case errors.As(err, &pe):
		return exitPending
	case errors.As(err, &sr), errors.As(err, &am), errors.As(err, &pc), errors.As(err, &dp):
		return exitSignIn
	case errors.As(err, &ie), errors.Is(err, context.Canceled):
		return exitCancel
	default:
		return exitFailure
	}
}

// isSignIn reports whether err needs a sign-in: a per-item error that wins
// over the other outcomes, so that exit 4 names the command to run.
func isSignIn(err error) bool { return err != nil && exitCode(err) == exitSignIn }
