package pim

import (
	"encoding/json"
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

func FuzzClaimsFromMessage(f *testing.F) {
	f.Add(`The following policy rules failed: ["AcrsRule"]&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%22value%22%3A%22c1%22%7D%7D%7D`)
	f.Add("&claims=%ZZ")
	f.Add("claims={")
	f.Fuzz(func(t *testing.T, msg string) {
		c, ok := claimsFromMessage(msg)
		if ok && !json.Valid([]byte(c)) {
			t.Fatalf("claims %q from %q are not JSON", c, msg)
		}
	})
}
