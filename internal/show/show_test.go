package show_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pimento-cli/pimento/internal/show"
)

func TestTextDisarmsTerminalControls(t *testing.T) {
	cases := map[string]string{
		"Global Reader":                "Global Reader",
		"AU \x1b[2J":                   `AU \x1b[2J`,
		"grp\x1b]52;c;ZXZpbA==\x07":    `grp\x1b]52;c;ZXZpbA==\x07`,
		"two\nlines":                   `two\nlines`,
		"tab\there":                    "tab here",
		"c1\u009b31m":                  `c1\x9b31m`,
		"del\x7f":                      `del\x7f`,
		"bidi\u202egnp.exe":            `bidi\u202egnp.exe`,
		"Café München":                 "Café München",
		string([]byte{'a', 0xff, 'b'}): "a\uFFFDb",
	}
	for in, want := range cases {
		if got := show.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanStripsControlsForSending(t *testing.T) {
	if got := show.Clean("  INC-1\x1b[31m  restore\n\tmailbox\x00 "); got != "INC-1 [31m restore mailbox" {
		t.Errorf("Clean = %q", got)
	}
}

func TestClockCarriesTheDateWhenNotToday(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.Local)
	if got := show.Clock(now.Add(2*time.Hour), now); got != "12:00" {
		t.Errorf("today: %q", got)
	}
	if got := show.Clock(now.Add(20*time.Hour), now); got != "Tue 1 Dec 06:00" {
		t.Errorf("tomorrow: %q", got)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J", "\x1b]52;c;AA==\x07", "a\nb", "\u202e", string([]byte{0xc2, 0x9b})} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := show.Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) is not valid UTF-8", s)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
				t.Fatalf("Text(%q) = %q still holds %U", s, out, r)
			}
		}
		if strings.ContainsRune(show.Clean(s), '\x1b') {
			t.Fatalf("Clean(%q) kept ESC", s)
		}
	})
}
