package sim

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Faults: armed from the scenario or with AddFault, matched in the
// middleware, and counted, so a test can tell a fault that never fired (and
// so tested nothing) from one that did.

// armedFault is a fault and what became of it.
type armedFault struct {
	Fault
	fired int
}

// spent reports whether a fault limited by Times has fired them all.
func (a *armedFault) spent() bool { return a.Times > 0 && a.fired >= a.Times }

// ArmedFault is a fault armed on the tenant and how often it has fired.
type ArmedFault struct {
	Fault
	Fired int
}

// AddFault arms a fault from now on.
func (t *Tenant) AddFault(f Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.armFault(f)
}

// armFault arms f. Caller holds t.mu (or owns t, in New).
func (t *Tenant) armFault(f Fault) {
	t.faults = append(t.faults, &armedFault{Fault: f})
}

// ArmedFaults lists every fault armed so far, in arming order, with its
// fire count (spent faults included).
func (t *Tenant) ArmedFaults() []ArmedFault {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ArmedFault, 0, len(t.faults))
	for _, a := range t.faults {
		out = append(out, ArmedFault{Fault: a.Fault, Fired: a.fired})
	}
	return out
}

// UnfiredFaults lists the armed faults that never fired and are not
// Optional: a test that armed one exercised nothing with it.
func (t *Tenant) UnfiredFaults() []Fault {
	var out []Fault
	for _, a := range t.ArmedFaults() {
		if a.Fired == 0 && !a.Optional {
			out = append(out, a.Fault)
		}
	}
	return out
}

// String describes a fault for test failures, e.g.
// "POST roleAssignmentScheduleRequests: status 429 (times 1)".
func (f Fault) String() string {
	var b strings.Builder
	if f.Method != "" {
		b.WriteString(strings.ToUpper(f.Method) + " ")
	} else {
		b.WriteString("any ")
	}
	fmt.Fprintf(&b, "%q: %s", f.Path, f.Kind)
	if f.Status != 0 {
		fmt.Fprintf(&b, " %d", f.Status)
	}
	if f.InBatch {
		b.WriteString(" in $batch")
	}
	if f.Times > 0 {
		fmt.Fprintf(&b, " (times %d)", f.Times)
	} else {
		b.WriteString(" (always)")
	}
	return b.String()
}

// takeFault finds the first matching fault that is not spent and counts
// the fire. Caller holds t.mu.
func (t *Tenant) takeFault(method, path string, inBatch bool) (Fault, bool) {
	for _, a := range t.faults {
		if a.spent() {
			continue
		}
		if a.Method != "" && !strings.EqualFold(a.Method, method) {
			continue
		}
		// Paths route ignoring case (Graph segments, ARM keywords), so
		// a fault's path matches so too.
		if !strings.Contains(strings.ToLower(path), strings.ToLower(a.Path)) {
			continue
		}
		if a.InBatch && !inBatch {
			continue
		}
		a.fired++
		return a.Fault, true
	}
	return Fault{}, false
}

// writeFault answers as the fault says, with Graph's error shape or, on
// ARM paths, ARM's CloudError and throttling code (AZ §2.3).
func writeFault(w http.ResponseWriter, f Fault, arm bool) {
	status := f.Status
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	switch f.Kind {
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"error": {"code": "Bad`) // truncated on purpose
	case FaultClaimsChallenge:
		claims := f.Claims
		if claims == "" {
			claims = `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="`+base64.StdEncoding.EncodeToString([]byte(claims))+`"`)
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp")
	case FaultNoMessage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"error":{"code":"UnknownError"}}`)
	default:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(f.RetryAfter))
		}
		code := "ServiceUnavailable"
		msg := "The service is temporarily unavailable."
		if status == http.StatusTooManyRequests {
			code, msg = "TooManyRequests", "Too many requests. Retry after the indicated time."
		}
		if arm {
			if status == http.StatusTooManyRequests {
				code = "SubscriptionRequestsThrottled"
				msg = fmt.Sprintf("Number of requests exceeded the limit. Please try again after '%d' seconds.", f.RetryAfter)
			}
			writeCloudError(w, status, code, msg)
			return
		}
		writeError(w, status, code, msg)
	}
}
