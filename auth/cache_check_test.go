package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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

func TestBrowserVariableForms(t *testing.T) {
	u := "https://login.example/authorize?a=1"
	got := BrowserCommands("firefox --new-window:lynx -dump %s:w3m '%s':chromium --app=%s --x=100%%", u)
	want := [][]string{
		{"firefox", "--new-window", u},
		{"lynx", "-dump", u},
		{"w3m", "'" + u + "'"},
		{"chromium", "--app=" + u, "--x=100%"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if strings.Join(got[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("command %d = %q, want %q", i, got[i], want[i])
		}
	}
}
