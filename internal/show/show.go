// Package show renders text and times for people: every string that comes
// from outside pimento (Graph, ARM, the journal, the config, what the admin
// typed) passes through Text before it reaches a terminal, and times read
// in the admin's local zone with the date when it is not today.
package show

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Text makes s safe to print on a terminal: C0 and C1 control characters,
// ESC, BEL, DEL and line breaks are shown escaped (\x1b, \n) instead of
// acting on the terminal, and invalid UTF-8 becomes U+FFFD. A group named
// "\x1b]52;c;…\a" stays a name and never reaches the clipboard. JSON output
// does not use it: JSON carries the exact value, escaped by the encoder.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString(escape(r))
		case r == '\u2028' || r == '\u2029' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			// Line separators and bidirectional overrides can reorder or
			// split what the admin reads.
			b.WriteString(escape(r))
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func escape(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	}
	if r <= 0xff {
		return `\x` + pad(strconv.FormatInt(int64(r), 16), 2)
	}
	return `\u` + pad(strconv.FormatInt(int64(r), 16), 4)
}

func pad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// Clean removes what Text would escape, for text that is sent on (a
// justification) rather than shown: control characters and line breaks
// become spaces, runs of spaces collapse, and the ends are trimmed.
func Clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "") {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Clock is t in the local zone: "15:04" when it is on now's day, otherwise
// with the date, "Tue 1 Dec 15:04".
func Clock(t, now time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	lt, ln := t.Local(), now.Local()
	if lt.Year() == ln.Year() && lt.YearDay() == ln.YearDay() {
		return lt.Format("15:04")
	}
	if lt.Year() == ln.Year() {
		return lt.Format("Mon 2 Jan 15:04")
	}
	return lt.Format("Mon 2 Jan 2006 15:04")
}

// ClockSeconds is Clock with seconds, for moments that matter to the
// second (when deactivation becomes possible).
func ClockSeconds(t, now time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	lt, ln := t.Local(), now.Local()
	if lt.Year() == ln.Year() && lt.YearDay() == ln.YearDay() {
		return lt.Format("15:04:05")
	}
	return lt.Format("Mon 2 Jan 15:04:05")
}

// Truncate cuts s to at most n runes, ending with "…" when it cut.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// DateTime is t in the local zone, always with the date and the zone:
// "Tue 1 Dec 2026 18:00 CET" (a scheduled start, shown back).
func DateTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Local().Format("Mon 2 Jan 2006 15:04 MST")
}
