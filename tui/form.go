package tui

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/pim"
)

type fieldName int

const (
	fieldJustification fieldName = iota
	fieldDuration
	fieldTicketNumber
	fieldTicketSystem
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

// maxJustification is PIM's limit on the justification text.
const maxJustification = 500

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
	recent     []string
	recentIdx  int
	tried      bool // submit was pressed: show missing fields
	rearm      bool // r on a still-active role: remember, send when it ends
}

func newForm(targets []pim.Eligibility, recent []string, prefill *pim.ActivateRequest, st *Styles, width int) *form {
	f := &form{targets: targets, recent: recent}
	for _, t := range targets {
		p := t.Policy
		if p.MaxDuration > 0 && (f.max == 0 || p.MaxDuration < f.max) {
			f.max = p.MaxDuration
		}
		f.needJust = f.needJust || p.Justification
		f.needTicket = f.needTicket || p.Ticket
	}
	f.presets = presetsFor(f.max)
	f.fields = []fieldName{fieldJustification, fieldDuration}
	if f.needTicket {
		f.fields = append(f.fields, fieldTicketNumber, fieldTicketSystem)
	}
	placeholders := [fieldCount]string{
		"why you need it, e.g. INC-1234 restore mailbox",
		"1h, 90m, 1h30m or PT1H",
		"e.g. INC-1234",
		"e.g. ServiceNow",
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
	f.inputs[fieldJustification].CharLimit = maxJustification
	f.inputs[fieldDuration].CharLimit = 16
	f.inputs[fieldDuration].SetValue(pim.HumanDuration(defaultDuration(f.max)))
	if prefill != nil {
		f.inputs[fieldJustification].SetValue(prefill.Justification)
		if prefill.Duration > 0 && (f.max == 0 || prefill.Duration <= f.max) {
			f.inputs[fieldDuration].SetValue(pim.HumanDuration(prefill.Duration))
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

// defaultDuration is min(1h, max).
func defaultDuration(max time.Duration) time.Duration {
	if max > 0 && max < time.Hour {
		return max
	}
	return time.Hour
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
	cur, err := parseDuration(f.inputs[fieldDuration].Value())
	if err != nil {
		cur = defaultDuration(f.max)
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
	in.SetValue(pim.HumanDuration(f.presets[next]))
	in.CursorEnd()
}

// duration is the parsed, validated duration.
func (f *form) duration() (time.Duration, error) {
	d, err := parseDuration(f.inputs[fieldDuration].Value())
	if err != nil {
		return 0, err
	}
	if d < time.Minute {
		return 0, errors.New("too short: at least 1m")
	}
	if f.max > 0 && d > f.max {
		return 0, fmt.Errorf("over the policy maximum of %s", pim.HumanDuration(f.max))
	}
	return d, nil
}

// fieldError is what is wrong with a field, or "".
func (f *form) fieldError(n fieldName) string {
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
	}
	return ""
}

// requests validates the form. When invalid it focuses the first bad field.
func (f *form) requests() ([]pim.ActivateRequest, bool) {
	for i, n := range f.fields {
		if f.fieldError(n) != "" {
			f.focus = i
			f.focusCmd()
			return nil, false
		}
	}
	d, _ := f.duration()
	val := func(n fieldName) string { return strings.TrimSpace(f.inputs[n].Value()) }
	reqs := make([]pim.ActivateRequest, len(f.targets))
	for i, t := range f.targets {
		reqs[i] = pim.ActivateRequest{
			Target:        t,
			Duration:      d,
			Justification: val(fieldJustification),
			TicketNumber:  val(fieldTicketNumber),
			TicketSystem:  val(fieldTicketSystem),
		}
	}
	return reqs, true
}

var isoDuration = regexp.MustCompile(`^p(?:(\d+(?:\.\d+)?)d)?(?:t(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?)?$`)

// parseDuration reads 1h, 90m, 1h30m, 1.5h and ISO 8601 durations (PT1H).
func parseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, errors.New("enter a duration: 1h, 90m, 1h30m or PT1H")
	}
	if strings.HasPrefix(s, "p") {
		m := isoDuration.FindStringSubmatch(s)
		if m == nil || s == "p" || s == "pt" {
			return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT1H30M", s)
		}
		units := []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second}
		var d time.Duration
		for i, u := range units {
			if m[i+1] == "" {
				continue
			}
			v, err := strconv.ParseFloat(m[i+1], 64)
			if err != nil {
				return 0, err
			}
			d += time.Duration(v * float64(u))
		}
		return d, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("add a unit: %sm or %sh", s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: try 1h, 90m, 1h30m or PT1H", s)
	}
	return d, nil
}
