package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func benchModel(b *testing.B, n int) (*Model, loadedMsg) {
	b.Helper()
	f := newFake()
	f.id.Simulated = true
	f.snap.Eligible = manyEligible(n)
	snap, _ := f.Load(context.Background())
	m := New(f, Options{})
	m.schedule = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	return m, loadedMsg{snap: snap, recent: f.recent}
}

// BenchmarkFirstFrame measures a model built, sized, loaded with 1,000
// eligible roles and rendered once.
func BenchmarkFirstFrame(b *testing.B) {
	f := newFake()
	f.snap.Eligible = manyEligible(1000)
	snap, _ := f.Load(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		m := New(f, Options{})
		m.schedule = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Init()
		m.Update(loadedMsg{seq: m.loadSeq, snap: snap, recent: f.recent})
		_ = m.View()
	}
}

// BenchmarkFilterKeystroke measures one keystroke in the filter (Update and
// View) over 1,000 eligible roles: typing "admin", then erasing it.
func BenchmarkFilterKeystroke(b *testing.B) {
	m, loaded := benchModel(b, 1000)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.loadSeq = 1
	loaded.seq = 1
	m.Update(loaded)
	m.Update(keyMsg("/"))
	keys := []tea.KeyPressMsg{keyMsg("a"), keyMsg("d"), keyMsg("m"), keyMsg("i"), keyMsg("n")}
	for range 5 {
		keys = append(keys, keyMsg("backspace"))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Update(keys[i%len(keys)])
		_ = m.View()
		i++
	}
}
