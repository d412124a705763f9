package auth

import (
	"context"
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
