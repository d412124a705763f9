package pim

import (
	"testing"
	"time"
)

func TestParseRetryAfterReadsBothForms(t *testing.T) {
	date := "Mon, 30 Nov 2026 12:00:00 GMT"
	cases := map[string]time.Duration{"7": 7 * time.Second, "Mon, 30 Nov 2026 12:00:30 GMT": 30 * time.Second, "Mon, 30 Nov 2026 11:59:00 GMT": 0}
	for v, want := range cases {
		if got, ok := parseRetryAfter(v, date); !ok || got != want {
			t.Errorf("Retry-After %q = %v %v, want %v", v, got, ok, want)
		}
	}
	if _, ok := parseRetryAfter("soon", date); ok {
		t.Error("a bad Retry-After was read")
	}
}

// One rule for every throttled write: resent once after its Retry-After,
// or after defaultThrottleWait without one; not when the wait is too long.
func TestThrottledWaits(t *testing.T) {
	for _, c := range []struct {
		err  error
		wait time.Duration
		ok   bool
	}{
		{&GraphError{Status: 429, RetryAfter: time.Second}, time.Second, true},
		{&GraphError{Status: 429}, defaultThrottleWait, true},
		{&GraphError{Status: 429, RetryAfter: maxThrottleWait + time.Second}, 0, false},
		{&GraphError{Status: 503, RetryAfter: time.Second}, 0, false},
		{nil, 0, false},
	} {
		if _, wait, ok := throttled(c.err); wait != c.wait || ok != c.ok {
			t.Errorf("throttled(%v) = %s, %v; want %s, %v", c.err, wait, ok, c.wait, c.ok)
		}
	}
}
