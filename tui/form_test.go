package tui

import (
	"slices"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	ok := map[string]time.Duration{
		"1h":       time.Hour,
		"90m":      90 * time.Minute,
		"1h30m":    90 * time.Minute,
		" 1H30M ":  90 * time.Minute,
		"1.5h":     90 * time.Minute,
		"PT1H":     time.Hour,
		"pt45m":    45 * time.Minute,
		"PT1H30M":  90 * time.Minute,
		"PT0.5H":   30 * time.Minute,
		"P0DT2H":   2 * time.Hour,
		"PT3600S":  time.Hour,
		"2h0m0s":   2 * time.Hour,
		"8h":       8 * time.Hour,
		"PT8H":     8 * time.Hour,
		"45m":      45 * time.Minute,
		"PT1H0M0S": time.Hour,
	}
	for in, want := range ok {
		got, err := parseDuration(in)
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "90", "1 hour", "PT", "P", "PTH", "1x", "h1", "PT1H30"} {
		if d, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestPresetsNeverExceedMax(t *testing.T) {
	cases := []struct {
		max  time.Duration
		want []time.Duration
		def  time.Duration
	}{
		{8 * time.Hour, []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}, time.Hour},
		{2 * time.Hour, []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour}, time.Hour},
		{90 * time.Minute, []time.Duration{30 * time.Minute, time.Hour, 90 * time.Minute}, time.Hour},
		{20 * time.Minute, []time.Duration{20 * time.Minute}, 20 * time.Minute},
		{24 * time.Hour, []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour}, time.Hour},
	}
	for _, c := range cases {
		if got := presetsFor(c.max); !slices.Equal(got, c.want) {
			t.Errorf("presetsFor(%v) = %v, want %v", c.max, got, c.want)
		}
		if got := defaultDuration(c.max); got != c.def {
			t.Errorf("defaultDuration(%v) = %v, want %v", c.max, got, c.def)
		}
	}
}

func TestFormUsesSmallestMaxOfSeveralTargets(t *testing.T) {
	e := sampleEligible()
	f := newForm(e[1:3], nil, nil, NewStyles(true), 80) // 8h and 4h
	if f.max != 4*time.Hour || !f.needJust || f.needTicket {
		t.Fatalf("max=%v needJust=%v needTicket=%v", f.max, f.needJust, f.needTicket)
	}
	f.inputs[fieldDuration].SetValue("5h")
	if _, ok := f.requests(); ok {
		t.Fatal("5h passed a 4h maximum")
	}
}
