package tui

import (
	"slices"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/duration/durationtest"
	"github.com/pimento-cli/pimento/pim"
)

// TestFormReadsDurationsLikeTheCore runs the one duration table through
// the form: what the CLI and the config accept, the form accepts, and
// nothing else.
func TestFormReadsDurationsLikeTheCore(t *testing.T) {
	target := pim.Eligibility{Kind: pim.KindDirectoryRole, Name: "Global Reader", RoleDefinitionID: "r", DirectoryScopeID: "/"}
	for _, c := range durationtest.Activation {
		f := newForm([]pim.Eligibility{target}, nil, nil, time.Hour, NewStyles(true), 80)
		f.inputs[fieldDuration].SetValue(c.In)
		got, err := f.duration()
		switch {
		case c.Want == 0 && err == nil:
			t.Errorf("form accepted %q as %v", c.In, got)
		case c.Want != 0 && (err != nil || got != c.Want):
			t.Errorf("form read %q as %v, %v; want %v", c.In, got, err, c.Want)
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
		target := pim.Eligibility{Policy: pim.Policy{MaxDuration: c.max}}
		if got := app.DefaultFor([]pim.Eligibility{target}, 0); got != c.def {
			t.Errorf("default for max %v = %v, want %v", c.max, got, c.def)
		}
	}
}

func TestFormUsesSmallestMaxOfSeveralTargets(t *testing.T) {
	e := sampleEligible()
	f := newForm(e[1:3], nil, nil, 0, NewStyles(true), 80) // 8h and 4h
	if f.max != 4*time.Hour || !f.needJust || f.needTicket {
		t.Fatalf("max=%v needJust=%v needTicket=%v", f.max, f.needJust, f.needTicket)
	}
	f.inputs[fieldDuration].SetValue("5h")
	if _, ok := f.input(t0); ok {
		t.Fatal("5h passed a 4h maximum")
	}
}
