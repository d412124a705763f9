package tui

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // goldens show wall times
	os.Exit(m.Run())
}

// harness drives a Model the way Bubble Tea does, without a terminal:
// commands run on goroutines, their messages go through Update one at a
// time. Timers never fire by themselves; tests send tickMsg.
type harness struct {
	tb      testing.TB
	m       *Model
	svc     *fakeService
	results chan tea.Msg
	pending int
	quit    bool
	raw     []string
	timers  []time.Duration
}

func newHarness(tb testing.TB, svc *fakeService, opts Options, w, h int) *harness {
	tb.Helper()
	hs := &harness{tb: tb, svc: svc, results: make(chan tea.Msg, 64)}
	hs.m = New(svc, opts)
	hs.m.schedule = func(d time.Duration, _ func(time.Time) tea.Msg) tea.Cmd {
		hs.timers = append(hs.timers, d)
		return nil
	}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.launch(hs.m.Init())
	hs.settle()
	return hs
}

func (h *harness) launch(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	h.pending++
	go func() { h.results <- cmd() }()
}

func (h *harness) handle(msg tea.Msg) {
	if seq, ok := asSequence(msg); ok {
		h.launchInOrder(seq)
		return
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.launch(c)
		}
	case tea.QuitMsg:
		h.quit = true
	case tea.RawMsg:
		h.raw = append(h.raw, msg.Msg.(string))
	default:
		_, cmd := h.m.Update(msg)
		h.launch(cmd)
	}
}

// asSequence unpacks tea.Sequence's message, whose type is unexported.
func asSequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() || v.Type() == reflect.TypeFor[tea.BatchMsg]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
}

// launchInOrder runs cmds one after the other, their messages delivered in
// that order, as Bubble Tea runs a sequence.
func (h *harness) launchInOrder(cmds []tea.Cmd) {
	h.pending += len(cmds)
	go func() {
		for _, c := range cmds {
			if c == nil {
				h.results <- nil
				continue
			}
			h.results <- c()
		}
	}()
}

// send delivers msg and runs what follows until nothing is left to run.
func (h *harness) send(msgs ...tea.Msg) {
	h.tb.Helper()
	for _, msg := range msgs {
		h.handle(msg)
		h.settle()
	}
}

// settle runs commands until none is outstanding.
func (h *harness) settle() {
	h.tb.Helper()
	h.settleUntil(func() bool { return false })
}

// settleUntil runs commands until cond holds or none is outstanding. With a
// fake that blocks on release, commands still blocked after a quiet 100ms
// are left running for later.
func (h *harness) settleUntil(cond func() bool) {
	h.tb.Helper()
	wait := 5 * time.Second
	if h.svc.release != nil {
		wait = 100 * time.Millisecond
	}
	for h.pending > 0 && !cond() {
		select {
		case msg := <-h.results:
			h.pending--
			h.handle(msg)
		case <-time.After(wait):
			if h.svc.release != nil {
				return
			}
			h.tb.Fatalf("a command did not return within %s (%d outstanding)", wait, h.pending)
		}
	}
}

func (h *harness) key(keys ...string) {
	h.tb.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText sends one key press per rune, as a terminal does.
func (h *harness) typeText(s string) {
	h.tb.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) != 1 {
		panic("keyMsg: unknown key " + k)
	}
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// tick advances the fake clock and delivers the one-second tick.
func (h *harness) tick(d time.Duration) {
	h.tb.Helper()
	h.svc.setNow(h.svc.Now().Add(d))
	h.send(tickMsg{})
}

// bells counts the bells written through Bubble Tea's output.
func (h *harness) bells() int {
	n := 0
	for _, r := range h.raw {
		if r == "\a" {
			n++
		}
	}
	return n
}

// screen is the frame as plain text.
func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) mustShow(subs ...string) {
	h.tb.Helper()
	s := h.screen()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			h.tb.Fatalf("screen lacks %q:\n%s", sub, s)
		}
	}
}

func (h *harness) mustNotShow(subs ...string) {
	h.tb.Helper()
	s := h.screen()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			h.tb.Fatalf("screen shows %q:\n%s", sub, s)
		}
	}
}
