package tui

import (
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
)

// Troubles the core reports beside a result are shown, as text, until esc.
func TestWarningsFromTheCoreAreShown(t *testing.T) {
	t.Run("load", func(t *testing.T) {
		f := newFake()
		f.snap.Warnings = []string{"could not write the prompt state: disk full\x1b[2J"}
		h := newHarness(t, f, Options{}, 120, 40)
		h.mustShow(`⚠ could not write the prompt state: disk full\x1b[2J`)
		h.key("esc")
		h.mustNotShow("disk full")
	})
	t.Run("activation", func(t *testing.T) {
		f := newFake()
		f.activate = func(r pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) pim.Outcome {
			o := f.verifyInToken(r, in, progress)
			o.Warnings = []string{"could not write the journal: permission denied"}
			return o
		}
		h := newHarness(t, f, Options{}, 120, 40)
		h.key("down", "enter")
		h.typeText("INC-9")
		h.key("enter")
		h.mustShow("✓ verified: Global Reader", "⚠ could not write the journal: permission denied")
		h.key("esc") // back to the list: still there
		h.mustShow("⚠ could not write the journal: permission denied")
	})
	t.Run("deactivation", func(t *testing.T) {
		f := newFake()
		f.snap.Active = []pim.Active{f.at(f.snap.Eligible[1], t0.Add(-20*time.Minute), time.Hour)}
		f.deactivate = func(a pim.Active, _ func(pim.Event)) pim.DeactivateOutcome {
			return pim.DeactivateOutcome{Target: a.Eligibility, Status: "Revoked", Warnings: []string{"could not write the prompt state: read-only"}}
		}
		h := newHarness(t, f, Options{}, 120, 40)
		h.key("down", "d", "y")
		h.mustShow("⚠ could not write the prompt state: read-only")
	})
}
