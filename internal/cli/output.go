package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// stderrObserver tells the admin on stderr what a command is doing and
// which sign-in it needs, so it works without a terminal and never touches
// stdout.
type stderrObserver struct {
	mu      sync.Mutex
	w       io.Writer
	account string
}

func (s *stderrObserver) BrowserOpened(_ string, claims string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := ""
	if s.account != "" {
		who = " as " + s.account
	}
	fmt.Fprintf(s.w, "Opened your browser to sign in%s%s. Waiting for you to finish there…\n", who, claimsNote(claims))
}

func (s *stderrObserver) DeviceCodeShown(dc auth.DeviceCode, claims string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := ""
	if s.account != "" {
		who = " Sign in as " + s.account + "."
	}
	fmt.Fprintf(s.w, "To sign in%s, open %s and enter the code %s (expires %s).%s\n", claimsNote(claims), show.Text(dc.VerificationURL), show.Text(dc.UserCode), show.Clock(dc.ExpiresAt, time.Now()), who)
}

// Progress writes one line per step; a failure is said once, in the
// final report.
func (s *stderrObserver) Progress(e pim.Event) {
	if e.Stage == pim.StageFailed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, "  %s · %s: %s\n", show.Text(e.Name), e.Stage, show.Text(e.Detail))
}

// warn prints warnings (a journal that could not be written, say).
func warn(w io.Writer, warnings []string) {
	for _, m := range warnings {
		fmt.Fprintf(w, "warning: %s\n", show.Text(m))
	}
}

// claimsNote says why a prompt appeared, from the claims request it carries.
func claimsNote(claims string) string {
	var c struct {
		AccessToken struct {
			Acrs *struct {
				Value  string   `json:"value"`
				Values []string `json:"values"`
			} `json:"acrs"`
		} `json:"access_token"`
	}
	if claims == "" || json.Unmarshal([]byte(claims), &c) != nil || c.AccessToken.Acrs == nil {
		return ""
	}
	v := c.AccessToken.Acrs.Value
	if v == "" {
		v = strings.Join(c.AccessToken.Acrs.Values, " or ")
	}
	if v == "" {
		return " (your role needs a stronger sign-in)"
	}
	return " (your role needs the sign-in context " + show.Text(v) + ")"
}

// when is a time for a table: the local clock (with the date when not
// today) on a terminal, RFC 3339 when piped.
func when(t, now time.Time, tty bool) string {
	if t.IsZero() {
		return "-"
	}
	if !tty {
		return t.UTC().Format(time.RFC3339)
	}
	return show.Clock(t, now)
}

// rfc3339 is t for JSON (nil when zero).
func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func human(d time.Duration) string { return duration.Human(d) }

// quietObserver hears nothing: while the TUI runs, only its own observers
// may show anything.
type quietObserver struct{}

func (quietObserver) BrowserOpened(string, string)            {}
func (quietObserver) DeviceCodeShown(auth.DeviceCode, string) {}
func (quietObserver) Progress(pim.Event)                      {}

// azureNote says in one line on stderr why Azure roles are missing from
// what was listed (nothing when they are there).
func azureNote(w io.Writer, snap *pim.Snapshot) {
	if snap != nil && snap.AzureMissing != "" {
		fmt.Fprintf(w, "note: %s\n", show.Text(snap.AzureMissing))
	}
}
