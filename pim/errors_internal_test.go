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
