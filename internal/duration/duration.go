// Package duration is pimento's one grammar for durations typed by people:
// on the command line, in the TUI's form and in the config file. It reads
// the Go form (1h30m, 90m, 1.5h) and ISO 8601 (PT1H30M, P1DT2H), always to a
// whole number of seconds, with nothing left over, and never overflows.
//
// Kiota's ISO parser is not used on input: it is unanchored (PT1H30X reads
// as an hour) and overflows on large values.
package duration

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MinActivation is PIM's shortest activation.
const MinActivation = 5 * time.Minute

// maxValue bounds any duration pimento accepts: a year is far beyond every
// PIM limit and far from time.Duration's overflow at 292 years.
const maxValue = 366 * 24 * time.Hour

// Examples is what error messages offer as the accepted forms.
const Examples = "1h, 90m, 1h30m or PT1H30M"

// Parse reads a positive duration in the Go form or ISO 8601.
func Parse(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("a duration is needed, like %s", Examples)
	}
	var (
		d   time.Duration
		err error
	)
	if t[0] == 'P' || t[0] == 'p' {
		d, err = parseISO(strings.ToUpper(t))
	} else {
		d, err = parseGo(strings.ToLower(t))
	}
	if err != nil {
		return 0, fmt.Errorf("duration %q: %v", s, err)
	}
	return d, nil
}

// ParseActivation reads the length of an activation: Parse, and at least
// PIM's five minutes.
func ParseActivation(s string) (time.Duration, error) {
	d, err := Parse(s)
	if err != nil {
		return 0, err
	}
	if d < MinActivation {
		return 0, fmt.Errorf("duration %q: PIM activates for at least 5 minutes", s)
	}
	return d, nil
}

func parseGo(s string) (time.Duration, error) {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("add a unit, like %sm or %sh", s, s)
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, errors.New("use a positive duration like " + Examples)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("use a form like " + Examples)
	}
	return check(d)
}

// parseISO reads PnDTnHnMnS with whole numbers: every part optional but at
// least one present, T followed by at least one part, nothing left over.
func parseISO(s string) (time.Duration, error) {
	bad := errors.New("not ISO 8601 like PT1H30M or P1DT2H (whole numbers of days, hours, minutes, seconds)")
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, bad
	}
	datePart, timePart, hasT := strings.Cut(rest, "T")
	if hasT && timePart == "" {
		return 0, bad
	}
	var total time.Duration
	parts := 0
	add := func(n int64, unit time.Duration) error {
		if n > int64(maxValue/unit) {
			return errors.New("too long: pimento accepts at most a year")
		}
		total += time.Duration(n) * unit
		if total > maxValue {
			return errors.New("too long: pimento accepts at most a year")
		}
		parts++
		return nil
	}
	if err := eat(datePart, []unitSpec{{'D', 24 * time.Hour}}, add, bad); err != nil {
		return 0, err
	}
	if err := eat(timePart, []unitSpec{{'H', time.Hour}, {'M', time.Minute}, {'S', time.Second}}, add, bad); err != nil {
		return 0, err
	}
	if parts == 0 {
		return 0, bad
	}
	return check(total)
}

type unitSpec struct {
	letter byte
	unit   time.Duration
}

// eat consumes "<digits><letter>" groups in the order of units, each at
// most once.
func eat(s string, units []unitSpec, add func(int64, time.Duration) error, bad error) error {
	next := 0
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 18 {
			return bad
		}
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return bad
		}
		letter := s[i]
		found := false
		for next < len(units) {
			u := units[next]
			next++
			if u.letter == letter {
				if err := add(n, u.unit); err != nil {
					return err
				}
				found = true
				break
			}
		}
		if !found {
			return bad
		}
		s = s[i+1:]
	}
	return nil
}

func check(d time.Duration) (time.Duration, error) {
	switch {
	case d <= 0:
		return 0, errors.New("use a positive duration like " + Examples)
	case d > maxValue:
		return 0, errors.New("too long: pimento accepts at most a year")
	case d%time.Second != 0:
		return 0, errors.New("use whole seconds")
	}
	return d, nil
}

// ISO renders d as ISO 8601 (PT1H30M, P1DT2H): what PIM is sent and what
// JSON output shows. Sub-second parts are dropped; zero is PT0S.
func ISO(d time.Duration) string {
	if d < time.Second {
		return "PT0S"
	}
	d = d.Truncate(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	sec := d / time.Second
	var b strings.Builder
	b.WriteByte('P')
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if h > 0 || m > 0 || sec > 0 {
		b.WriteByte('T')
		if h > 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m > 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if sec > 0 {
			fmt.Fprintf(&b, "%dS", sec)
		}
	}
	return b.String()
}

// Human renders a length people read at a glance: 45s, 42m, 1h30m, 2h,
// 1d2h. It rounds down, so time left is never overstated.
func Human(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	d = d.Truncate(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case days > 0 && h == 0:
		return fmt.Sprintf("%dd", days)
	case days > 0:
		return fmt.Sprintf("%dd%dh", days, h)
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dh%02dm", h, m)
	}
}

// Duration is a config value read with Parse.
type Duration time.Duration

// UnmarshalText reads the Go form or ISO 8601.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the Go form without trailing zero units (1h30m).
func (d Duration) MarshalText() ([]byte, error) { return []byte(GoForm(time.Duration(d))), nil }

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Activation is a config value read with ParseActivation.
type Activation time.Duration

// UnmarshalText reads the Go form or ISO 8601, at least 5 minutes.
func (d *Activation) UnmarshalText(b []byte) error {
	v, err := ParseActivation(string(b))
	if err != nil {
		return err
	}
	*d = Activation(v)
	return nil
}

// MarshalText writes the Go form (1h30m).
func (d Activation) MarshalText() ([]byte, error) { return []byte(GoForm(time.Duration(d))), nil }

// D is the value as a time.Duration.
func (d Activation) D() time.Duration { return time.Duration(d) }

// GoForm is time.Duration's String without the trailing zero units:
// 1h30m, 2h, 45m, 30s.
func GoForm(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
