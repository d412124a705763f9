package start_test

import (
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/start"
)

func TestParse(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC) // 17:30 in CET
	cases := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"now", time.Time{}},
		{"18:00", time.Date(2026, 11, 30, 18, 0, 0, 0, berlin)},
		{"17:00", time.Date(2026, 12, 1, 17, 0, 0, 0, berlin)}, // passed today: tomorrow
		{"2026-12-01T18:00", time.Date(2026, 12, 1, 18, 0, 0, 0, berlin)},
		{"2026-12-01 08:15", time.Date(2026, 12, 1, 8, 15, 0, 0, berlin)},
		{"2026-12-01T18:00:00Z", time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)},
		{"+2h", now.Add(2 * time.Hour)},
		{"+PT90M", now.Add(90 * time.Minute)},
	}
	for _, c := range cases {
		got, err := start.Parse(c.in, now, berlin)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"2026-11-30T10:00", "+-1h", "+0s", "25:00", "tomorrow", "2026-13-01T10:00", "+9000h", "18"} {
		if got, err := start.Parse(bad, now, berlin); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", bad, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"18:00", "+2h", "2026-12-01T18:00", "now", "2026-12-01T18:00:00+01:00", "99:99"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := start.Parse(s, now, time.UTC)
		if err != nil || got.IsZero() {
			return
		}
		if !got.After(now) || got.Sub(now) > start.MaxAhead {
			t.Fatalf("Parse(%q) = %v: must lie ahead, within a year", s, got)
		}
	})
}
