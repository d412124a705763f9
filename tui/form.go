package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/start"
	"github.com/pimento-cli/pimento/pim"
)

type fieldName int

const (
	fieldJustification fieldName = iota
	fieldDuration
	fieldTicketNumber
	fieldTicketSystem
	fieldStart
	fieldCount
)

type formAction int

const (
	formNone formAction = iota
	formSubmit
	formBack
)

// basePresets are offered when they do not exceed the policy maximum.
var basePresets = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}

// form is the activation form for one or more targets.
type form struct {
	targets    []pim.Eligibility
	max        time.Duration // the smallest policy maximum; 0 when unknown
	needJust   bool
	needTicket bool
	fields     []fieldName
	focus      int
	inputs     [fieldCount]textinput.Model
	presets    []time.Duration
	def        time.Duration // the core's default for these targets
	recent     []string
	recentIdx  int
	tried      bool  // submit was pressed: show missing fields
	err        error // the core refused the input (Plan): nothing was sent
	rearm      bool  // r on a still-active role: remember, send when it ends
	// renew is the activation r renews (deactivate, activate again now).
	renew *pim.Active
	// why says why r re-activates when it ends rather than renewing now.
	why string
}

func newForm(targets []pim.Eligibility, recent []string, prefill *pim.ActivateRequest, def time.Duration, st *Styles, width int) *form {
	f := &form{targets: targets, recent: recent, def: def}
	for _, t := range targets {
		p := t.Policy
		if p.MaxDuration > 0 && (f.max == 0 || p.MaxDuration < f.max) {
			f.max = p.MaxDuration
		}
		f.needJust = f.needJust || p.Justification
		f.needTicket = f.needTicket || p.Ticket
	}
	f.presets = presetsFor(f.max)
	if f.def <= 0 {
		f.def = time.Hour
		if f.max > 0 && f.max < f.def {
			f.def = f.max
		}
	}
	f.fields = []fieldName{fieldJustification, fieldDuration}
	if f.needTicket {
		f.fields = append(f.fields, fieldTicketNumber, fieldTicketSystem)
	}
	// Last: most activations start now, and tab order stays as it was.
	f.fields = append(f.fields, fieldStart)
	placeholders := [fieldCount]string{
		"why you need it, e.g. INC-1234 restore mailbox",
		"1h, 90m, 1h30m or PT1H",
		"e.g. INC-1234",
		"e.g. ServiceNow",
		"now, 18:00, 2026-12-01T18:00 or +2h",
	}
	for i := range f.inputs {
		in := textinput.New()
		in.Prompt = "› "
		in.Placeholder = placeholders[i]
		in.KeyMap.NextSuggestion.SetEnabled(false)
		in.KeyMap.PrevSuggestion.SetEnabled(false)
		in.KeyMap.AcceptSuggestion.SetEnabled(false)
		f.inputs[i] = in
	}
	f.inputs[fieldJustification].CharLimit = pim.MaxJustification
	f.inputs[fieldDuration].CharLimit = 16
	f.inputs[fieldDuration].SetValue(duration.GoForm(f.def))
	f.inputs[fieldStart].CharLimit = 25
	f.inputs[fieldStart].SetValue("now")
	if prefill != nil {
		f.inputs[fieldJustification].SetValue(prefill.Justification)
		if prefill.Duration > 0 && (f.max == 0 || prefill.Duration <= f.max) {
			f.inputs[fieldDuration].SetValue(duration.GoForm(prefill.Duration))
		}
		f.inputs[fieldTicketNumber].SetValue(prefill.TicketNumber)
		f.inputs[fieldTicketSystem].SetValue(prefill.TicketSystem)
	}
	f.setStyles(st)
	f.setWidth(width)
	return f
}

// presetsFor keeps the presets within max and offers max itself.
func presetsFor(max time.Duration) []time.Duration {
	if max <= 0 {
		return append([]time.Duration(nil), basePresets...)
	}
	var out []time.Duration
	for _, p := range basePresets {
		if p <= max {
			out = append(out, p)
		}
	}
	if len(out) == 0 || out[len(out)-1] != max {
		out = append(out, max)
	}
	return out
}

func (f *form) setStyles(st *Styles) {
	for i := range f.inputs {
		f.inputs[i].SetStyles(st.Input)
	}
}

func (f *form) setWidth(w int) {
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(10, min(w-8, 72)))
	}
}

func (f *form) focusName() fieldName { return f.fields[f.focus] }

// focusCmd focuses the current field and blurs the others.
func (f *form) focusCmd() tea.Cmd {
	for i := range f.inputs {
		f.inputs[i].Blur()
	}
	return f.inputs[f.focusName()].Focus()
}

func (f *form) update(msg tea.KeyPressMsg, k KeyMap) (formAction, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Back):
		return formBack, nil
	case key.Matches(msg, k.Submit):
		f.tried = true
		return formSubmit, nil
	case key.Matches(msg, k.NextField):
		f.focus = (f.focus + 1) % len(f.fields)
		return formNone, f.focusCmd()
	case key.Matches(msg, k.PrevField):
		f.focus = (f.focus + len(f.fields) - 1) % len(f.fields)
		return formNone, f.focusCmd()
	case f.focusName() == fieldDuration && key.Matches(msg, k.PresetPrev, k.PresetNext):
		f.stepPreset(key.Matches(msg, k.PresetNext))
		return formNone, nil
	case f.focusName() == fieldJustification && key.Matches(msg, k.Recent) && len(f.recent) > 0:
		in := &f.inputs[fieldJustification]
		in.SetValue(f.recent[f.recentIdx%len(f.recent)])
		in.CursorEnd()
		f.recentIdx++
		return formNone, nil
	}
	return formNone, f.updateInput(msg)
}

func (f *form) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	n := f.focusName()
	f.inputs[n], cmd = f.inputs[n].Update(msg)
	return cmd
}

// stepPreset moves the duration to the next longer or shorter preset.
func (f *form) stepPreset(longer bool) {
	cur, err := duration.ParseActivation(f.inputs[fieldDuration].Value())
	if err != nil {
		cur = f.def
	}
	next := -1
	if longer {
		for i, p := range f.presets {
			if p > cur {
				next = i
				break
			}
		}
		if next < 0 {
			next = len(f.presets) - 1
		}
	} else {
		for i := len(f.presets) - 1; i >= 0; i-- {
			if f.presets[i] < cur {
				next = i
				break
			}
		}
		if next < 0 {
			next = 0
		}
	}
	in := &f.inputs[fieldDuration]
	in.SetValue(duration.GoForm(f.presets[next]))
	in.CursorEnd()
}

// duration is the parsed, validated duration: the core's grammar (the
// same table of inputs is tested here, in the CLI and in the config).
func (f *form) duration() (time.Duration, error) {
	d, err := duration.ParseActivation(f.inputs[fieldDuration].Value())
	if err != nil {
		return 0, errors.New(strings.TrimPrefix(err.Error(), "duration "+strconv.Quote(f.inputs[fieldDuration].Value())+": "))
	}
	if f.max > 0 && d > f.max {
		return 0, fmt.Errorf("over the policy maximum of %s", duration.Human(f.max))
	}
	return d, nil
}

// startsNow keeps the start field out: a re-activation starts when the
// old one ends, a renewal at once.
func (f *form) startsNow() {
	var kept []fieldName
	for _, n := range f.fields {
		if n != fieldStart {
			kept = append(kept, n)
		}
	}
	f.fields = kept
	f.focus = min(f.focus, len(f.fields)-1)
}

// start is the start field read against now, the server's time (zero:
// now), or why it cannot be.
func (f *form) start(now time.Time) (time.Time, error) {
	v := f.inputs[fieldStart].Value()
	at, err := start.Parse(v, now, time.Local)
	if err != nil {
		return time.Time{}, errors.New(strings.TrimPrefix(err.Error(), "start "+strconv.Quote(v)+": "))
	}
	return at, nil
}

// fieldError is what is wrong with a field at now, or "".
func (f *form) fieldError(n fieldName, now time.Time) string {
	v := strings.TrimSpace(f.inputs[n].Value())
	switch n {
	case fieldJustification:
		if f.needJust && v == "" && f.tried {
			return "required by policy"
		}
	case fieldDuration:
		if _, err := f.duration(); err != nil {
			return err.Error()
		}
	case fieldTicketNumber, fieldTicketSystem:
		if f.needTicket && v == "" && f.tried {
			return "required by policy"
		}
	case fieldStart:
		if _, err := f.start(now); err != nil {
			return err.Error()
		}
	}
	return ""
}

// input is what the admin typed, once every field is valid at now;
// otherwise it focuses the first bad field. The core makes requests of it
// (Plan).
func (f *form) input(now time.Time) (app.PlanInput, bool) {
	for i, n := range f.fields {
		if f.fieldError(n, now) != "" {
			f.focus = i
			f.focusCmd()
			return app.PlanInput{}, false
		}
	}
	val := func(n fieldName) string { return strings.TrimSpace(f.inputs[n].Value()) }
	in := app.PlanInput{
		Duration: val(fieldDuration), Justification: val(fieldJustification),
		TicketNumber: val(fieldTicketNumber), TicketSystem: val(fieldTicketSystem),
	}
	if slices.Contains(f.fields, fieldStart) {
		in.Start = val(fieldStart)
	}
	return in, true
}
