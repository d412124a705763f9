package tui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// The title is pushed on the terminal's title stack before pimento sets
// its own, and popped on the way out, whichever way the admin quits.
func TestTitleIsRestoredOnQuit(t *testing.T) {
	push, pop := ansi.WindowOp(22, 2), ansi.WindowOp(23, 2)
	for _, keys := range [][]string{{"q"}, {"ctrl+c"}} {
		h := newHarness(t, newFake(), Options{}, 80, 24)
		if len(h.raw) == 0 || h.raw[0] != push+ansi.SetWindowTitle("pimento") {
			t.Fatalf("start wrote %q", h.raw)
		}
		if v := h.m.View(); v.WindowTitle != "" {
			t.Fatalf("View sets WindowTitle %q: Bubble Tea would clear it on exit", v.WindowTitle)
		}
		h.key(keys...)
		if !h.quit || h.raw[len(h.raw)-1] != ansi.SetWindowTitle("")+pop {
			t.Fatalf("%v: quit=%v, wrote %q", keys, h.quit, h.raw)
		}
	}
}

// syncBuffer is the terminal Bubble Tea writes to in the process test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// What reaches the terminal, through a real Bubble Tea program: the push
// comes before pimento's title, and the pop is the last title sequence
// written, also when a signal ends the program.
func TestTitleBytesWrittenByTheProgram(t *testing.T) {
	push, pop := ansi.WindowOp(22, 2), ansi.WindowOp(23, 2)
	for _, how := range []string{"q", "signal"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			in, keys := io.Pipe()
			defer func() { _ = keys.Close() }()
			out := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				_, err := run(ctx, newFake(), Options{}, in, out)
				done <- err
			}()
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(out.String(), ansi.SetWindowTitle("pimento")) {
				if time.Now().After(deadline) {
					t.Fatalf("no title: %q", out.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if how == "q" {
				_, _ = keys.Write([]byte("q"))
			} else {
				cancel()
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the program did not end")
			}
			s := out.String()
			set := ansi.SetWindowTitle("pimento")
			if p, at := strings.Index(s, push), strings.Index(s, set); p < 0 || at < p {
				t.Fatalf("push at %d, title at %d", p, at)
			}
			last := strings.LastIndex(s, pop)
			for _, title := range []string{set, ansi.SetWindowTitle("")} {
				if i := strings.LastIndex(s, title); i > last {
					t.Fatalf("%q written after the pop (%d > %d)", title, i, last)
				}
			}
			if last < 0 || strings.Count(s, pop) != 1 {
				t.Fatalf("pop written %d times", strings.Count(s, pop))
			}
		})
	}
}
