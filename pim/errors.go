package pim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// PIM error codes pimento acts on (Graph and ARM share them).
const (
	codeAcrs            = "RoleAssignmentRequestAcrsValidationFailed"
	codeExists          = "RoleAssignmentExists"
	codeTooShort        = "ActiveDurationTooShort"
	codePolicyFailed    = "RoleAssignmentRequestPolicyValidationFailed"
	codeDoesNotExist    = "RoleAssignmentDoesNotExist"
	codePendingExisting = "PendingRoleAssignmentRequest"
	// codeRequestExists is ARM's answer both to a request name used twice
	// and, as far as is known, to a pending request for the same role
	// (AZ §2.3, UNVERIFIED): the message tells them apart.
	codeRequestExists = "RoleAssignmentRequestExists"
)

// GraphError is an error answer of a PIM API (Graph, or Azure Resource
// Manager) with code and message read safely (the Graph SDK's own Error()
// panics on a body without a message).
type GraphError struct {
	// API is who answered, in words; "" is Graph.
	API     string
	Status  int
	Code    string
	Message string
	// RetryAfter is the Retry-After of a throttled answer (0 when none).
	RetryAfter time.Duration
}

func (e *GraphError) Error() string {
	api := e.API
	if api == "" {
		api = "Graph"
	}
	switch {
	case e.Code != "" && e.Message != "":
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	case e.Code != "":
		return fmt.Sprintf("%s answered HTTP %d (%s) without a message", api, e.Status, e.Code)
	default:
		return fmt.Sprintf("%s answered HTTP %d without an error body pimento could read", api, e.Status)
	}
}

// asGraphError extracts status, code and message without panicking.
func asGraphError(err error) (*GraphError, bool) {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge, true
	}
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		g := &GraphError{Status: oe.ResponseStatusCode, RetryAfter: retryAfterHeader(oe.GetResponseHeaders())}
		if main := oe.GetErrorEscaped(); main != nil {
			if c := main.GetCode(); c != nil {
				g.Code = *c
			}
			if m := main.GetMessage(); m != nil {
				g.Message = *m
			}
		}
		return g, true
	}
	var ae *abstractions.ApiError
	if errors.As(err, &ae) {
		return &GraphError{Status: ae.ResponseStatusCode, Message: strings.TrimSpace(ae.Message), RetryAfter: retryAfterHeader(ae.GetResponseHeaders())}, true
	}
	return nil, false
}

func retryAfterHeader(h *abstractions.ResponseHeaders) time.Duration {
	if h == nil {
		return 0
	}
	date := ""
	if d := h.Get("Date"); len(d) > 0 {
		date = d[0]
	}
	for _, v := range h.Get("Retry-After") {
		if d, ok := parseRetryAfter(v, date); ok {
			return d
		}
	}
	return 0
}

// parseRetryAfter reads Retry-After in either form HTTP allows: seconds,
// or an HTTP date, measured against the answer's own Date (the server's
// clock) when it has one.
func parseRetryAfter(v, date string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(n)*time.Second, 0), n >= 0
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	now := time.Now()
	if d, err := http.ParseTime(date); err == nil {
		now = d
	}
	return max(at.Sub(now), 0), true
}

// withHTTPStatus gives an error the SDK could not read (a malformed error
// body comes back as a bare parse error) the HTTP status it came with.
func withHTTPStatus(err error, status int) error {
	if err == nil || status < 400 {
		return err
	}
	if _, ok := asGraphError(err); ok {
		return err
	}
	return &GraphError{Status: status}
}

// describe turns any Graph call error into one readable line.
func describe(err error) string {
	if err == nil {
		return ""
	}
	if g, ok := asGraphError(err); ok {
		return g.Error()
	}
	return err.Error()
}

// uncertain reports whether a request may or may not have been processed:
// the connection dropped, timed out, or the server failed.
func uncertain(err error) bool {
	if err == nil {
		return false
	}
	if g, ok := asGraphError(err); ok {
		return g.Status >= 500 || g.Status == 0
	}
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset")
}

var failedRules = regexp.MustCompile(`(Expiration|Justification|Ticketing|Mfa|Eligibility|Approval)Rule`)

// explainPolicyFailure says which policy rules PIM refused, in words.
func explainPolicyFailure(msg string) string {
	words := map[string]string{
		"Expiration": "the duration is over the policy maximum", "Justification": "a justification is required",
		"Ticketing": "a ticket number and system are required", "Mfa": "multi-factor authentication is required",
		"Eligibility": "you are not eligible for this role at this scope", "Approval": "approval settings refused the request",
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range failedRules.FindAllStringSubmatch(msg, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, words[m[1]])
		}
	}
	if len(out) == 0 {
		return "PIM refused the request: " + msg
	}
	return "PIM refused the request: " + strings.Join(out, "; ")
}

// wrapped says an error in safe words (never the SDK's own Error(), which
// can panic) while keeping the chain, so callers can still find an
// auth.SignInRequiredError or a context cancellation inside.
type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// wrapf is fmt.Errorf("<format>: <describe(err)>") that keeps err's chain.
func wrapf(err error, format string, args ...any) error {
	return &wrapped{msg: fmt.Sprintf(format, args...) + ": " + describe(err), err: err}
}
