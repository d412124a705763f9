package auth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// A keyring call that never returns (a locked Secret Service waiting on an
// unlock prompt nobody sees) does not outlive the command's context.
func TestKeyringCallsHonourTheContext(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := withContext(ctx, func() error { <-block; return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func FuzzDecodeFacts(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJ3aWRzIjpbImEiXSwiYWNycyI6ImMxIn0.sig")
	f.Add("opaque")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		facts, err := DecodeFacts(tok)
		if err != nil && facts.Decoded {
			t.Fatal("an undecodable token reads as decoded")
		}
		_ = NewToken(tok, false).String()
	})
}

func FuzzClaimsFromMessage(f *testing.F) {
	f.Add(`The following policy rules failed: ["AcrsRule"]&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%22value%22%3A%22c1%22%7D%7D%7D`)
	f.Add("&claims=%ZZ")
	f.Add("claims={")
	f.Fuzz(func(t *testing.T, msg string) {
		c, ok := ClaimsFromMessage(msg)
		if ok && !json.Valid([]byte(c)) {
			t.Fatalf("claims %q from %q are not JSON", c, msg)
		}
	})
}
