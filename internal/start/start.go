// Package start reads when a scheduled activation should begin, as an
// admin types it: "18:00" (today, or tomorrow once 18:00 has passed),
// "2026-12-01T18:00" (local time), an RFC 3339 time with its zone, or
// "+2h" / "+PT90M" from now. "now" (or nothing) is now.
package start

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
)

// Examples is what error messages offer.
const Examples = `18:00, 2026-12-01T18:00 or +2h`

// MaxAhead bounds how far ahead a start may be: PIM documents no limit,
// and a year is far past any eligibility pimento has seen.
const MaxAhead = 366 * 24 * time.Hour

// Parse reads s relative to now (the server's time) in loc (the admin's
// zone). It returns the zero time for "now". A start must lie ahead.
func Parse(s string, now time.Time, loc *time.Location) (time.Time, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.EqualFold(t, "now") {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.Local
	}
	var at time.Time
	switch {
	case strings.HasPrefix(t, "+"):
		d, err := duration.Parse(t[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("start %q: %v", s, err)
		}
		at = now.Add(d)
	case len(t) <= 5 && strings.Contains(t, ":"):
		clock, err := time.ParseInLocation("15:04", t, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("start %q: use a time like %s", s, Examples)
		}
		local := now.In(loc)
		at = time.Date(local.Year(), local.Month(), local.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
		if !at.After(now) {
			at = at.AddDate(0, 0, 1) // 18:00 has passed today: tomorrow's
		}
	default:
		v, err := parseDateTime(t, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("start %q: use a time like %s", s, Examples)
		}
		at = v
	}
	at = at.Truncate(time.Second)
	switch {
	case !at.After(now):
		return time.Time{}, fmt.Errorf("start %q is in the past; leave --start out to activate now", s)
	case at.Sub(now) > MaxAhead:
		return time.Time{}, errors.New("start " + fmt.Sprintf("%q", s) + " is more than a year ahead")
	}
	return at, nil
}

func parseDateTime(t string, loc *time.Location) (time.Time, error) {
	if v, err := time.Parse(time.RFC3339, t); err == nil {
		return v, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if v, err := time.ParseInLocation(layout, t, loc); err == nil {
			return v, nil
		}
	}
	return time.Time{}, errors.New("not a date and time")
}
