package state_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/state"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func TestJournalMergesSubmittedAndOutcome(t *testing.T) {
	j := state.NewJournal(t.TempDir())
	start := t0
	if err := j.Append(state.Entry{ID: "a1", Time: t0, Action: "activate", Role: "Global Reader", StartDateTime: &start, Justification: "INC-1", Result: state.Submitted}); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(state.Entry{ID: "a1", Time: t0.Add(time.Second), Action: "activate", RequestID: "r-1", Result: "Provisioned", Proof: "token"}); err != nil {
		t.Fatal(err)
	}
	r, err := j.Entries()
	if err != nil || len(r.Entries) != 1 {
		t.Fatalf("%v %+v", err, r)
	}
	e := r.Entries[0]
	if e.Result != "Provisioned" || e.RequestID != "r-1" || e.Justification != "INC-1" || e.Proof != "token" || !e.StartDateTime.Equal(start) {
		t.Errorf("merged = %+v", e)
	}
}

func TestJournalStartsANewLineAfterATruncatedOne(t *testing.T) {
	dir := t.TempDir()
	j := state.NewJournal(dir)
	if err := os.WriteFile(j.Path(), []byte(`{"v":1,"id":"x","time":"2026-11-30T09:00:00Z","action":"activate","role":"Glob`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(state.Entry{ID: "b", Time: t0, Action: "activate", Role: "Exchange Administrator", Result: "Provisioned"}); err != nil {
		t.Fatal(err)
	}
	r, err := j.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != 1 || r.Entries[0].Role != "Exchange Administrator" {
		t.Fatalf("the new record was lost: %+v", r)
	}
	if len(r.Unreadable) != 1 || r.Unreadable[0] != 1 {
		t.Errorf("the damaged line is not reported: %v", r.Unreadable)
	}
}

func TestJournalReportsGarbage(t *testing.T) {
	dir := t.TempDir()
	j := state.NewJournal(dir)
	if err := os.WriteFile(j.Path(), []byte("garbage\n{}\n[1,2]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := j.Entries()
	if err != nil || len(r.Entries) != 0 || len(r.Unreadable) != 3 {
		t.Fatalf("%v %+v", err, r)
	}
}

func TestJournalWriteErrorNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "state")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := state.NewJournal(blocker).Append(state.Entry{Time: t0, Action: "activate"})
	var we *state.WriteError
	if err == nil || !strings.Contains(err.Error(), "journal") || !asWriteError(err, &we) {
		t.Fatalf("err = %v", err)
	}
}

func asWriteError(err error, target **state.WriteError) bool {
	we, ok := err.(*state.WriteError)
	*target = we
	return ok
}

func TestPromptSegment(t *testing.T) {
	dir := t.TempDir()
	p := state.NewPromptState(dir)
	err := p.Save(t0, 4*time.Minute, []state.PromptEntry{
		{Name: "Exchange Administrator", Kind: "directoryRole", End: t0.Add(42 * time.Minute)},
		{Name: "SG-Ops", Kind: "group", Access: "owner", End: t0.Add(5 * time.Minute)},
		{Name: "SG-Ops", Kind: "group", Access: "member", End: t0.Add(90 * time.Minute)},
		{Name: "Over", Kind: "directoryRole", End: t0.Add(-time.Minute)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The PC is 4 minutes behind the server: the prompt counts on the server's clock.
	got := state.Segment(state.PromptPath(dir), t0.Add(-4*time.Minute))
	if got != "⚡SG-Ops·owner 5m ⚡ExchAdmin 42m ⚡SG-Ops·member 1h30m" {
		t.Errorf("segment = %q", got)
	}
}

func TestPromptSegmentIsCappedAndSafe(t *testing.T) {
	dir := t.TempDir()
	var active []state.PromptEntry
	for i := 0; i < 12; i++ {
		active = append(active, state.PromptEntry{Name: fmt.Sprintf("Role %d \x1b]52;c;AA==\x07", i), End: t0.Add(time.Hour)})
	}
	if err := state.NewPromptState(dir).Save(t0, 0, active, nil); err != nil {
		t.Fatal(err)
	}
	got := state.Segment(state.PromptPath(dir), t0)
	if strings.ContainsRune(got, '\x1b') || strings.ContainsRune(got, '\a') {
		t.Fatalf("escape reached the prompt: %q", got)
	}
	if n := len([]rune(got)); n > 70 || !strings.Contains(got, " +") {
		t.Errorf("segment not capped (%d runes): %q", n, got)
	}
}

func TestCacheExpiresAndMerges(t *testing.T) {
	dir := t.TempDir()
	now := t0
	clock := func() time.Time { return now }
	a := state.OpenCache(dir, "meta.json", clock)
	b := state.OpenCache(dir, "meta.json", clock)
	a.Put("role:1", map[string]string{"max": "PT2H"})
	b.Put("role:2", map[string]string{"max": "PT8H"})
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	c := state.OpenCache(dir, "meta.json", clock)
	var v map[string]string
	if !c.Get("role:1", time.Hour, &v) || v["max"] != "PT2H" || !c.Get("role:2", time.Hour, &v) {
		t.Fatalf("a save lost the other's entry")
	}
	now = now.Add(2 * time.Hour)
	if c.Get("role:1", time.Hour, &v) {
		t.Error("an expired entry was served")
	}
}

// TestCacheTwoProcessesAtOnce runs this test binary twice, saving many
// entries to the same cache concurrently: the file must stay readable.
func TestCacheTwoProcessesAtOnce(t *testing.T) {
	if dir := os.Getenv("PIMENTO_CACHE_WRITER"); dir != "" {
		id := os.Getenv("PIMENTO_CACHE_WRITER_ID")
		for i := 0; i < 200; i++ {
			c := state.OpenCache(dir, "meta.json", time.Now)
			c.Put(fmt.Sprintf("%s:%d", id, i), strings.Repeat("x", 500))
			if err := c.Save(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCacheTwoProcessesAtOnce$")
			cmd.Env = append(os.Environ(), "PIMENTO_CACHE_WRITER="+dir, fmt.Sprintf("PIMENTO_CACHE_WRITER_ID=p%d", i))
			out, err := cmd.CombinedOutput()
			if err != nil {
				errs[i] = fmt.Errorf("%v: %s", err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		V       int                        `json:"v"`
		Entries map[string]json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(b, &f); err != nil || f.V != state.Version || len(f.Entries) == 0 {
		t.Fatalf("the cache file is damaged: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".meta.json.*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temp files left behind: %v", leftovers)
	}
}

func FuzzJournalReader(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"a","time":"2026-11-30T09:00:00Z","action":"activate","result":"submitted"}` + "\n" + `{"v":1,"id":"a","time":"2026-11-30T09:00:01Z","action":"activate","result":"Provisioned"}`))
	f.Add([]byte("garbage\n\x00\xff{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		j := state.NewJournal(dir)
		if err := os.WriteFile(j.Path(), b, 0o600); err != nil {
			t.Fatal(err)
		}
		r, _ := j.Entries()
		for _, e := range r.Entries {
			if e.Action == "" {
				t.Fatalf("an entry without an action was read: %+v", e)
			}
		}
	})
}

func FuzzPromptState(f *testing.F) {
	f.Add([]byte(`{"v":1,"written":"2026-11-30T09:00:00Z","serverOffset":0,"active":[{"name":"Global Reader","end":"2026-11-30T10:00:00Z"}]}`))
	f.Add([]byte(`{"active":[{"name":"\u001b[2J","end":"9999-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(state.PromptPath(dir), b, 0o600); err != nil {
			t.Fatal(err)
		}
		s := state.Segment(state.PromptPath(dir), t0)
		if strings.ContainsAny(s, "\x1b\a\n") {
			t.Fatalf("segment %q carries controls", s)
		}
	})
}

// BenchmarkPromptSegment renders the shell prompt segment from the state
// file, the path `pimento prompt` takes on every prompt.
func BenchmarkPromptSegment(b *testing.B) {
	dir := b.TempDir()
	if err := state.NewPromptState(dir).Save(t0, 0, []state.PromptEntry{
		{Name: "Global Reader", End: t0.Add(20 * time.Minute)}, {Name: "Exchange Administrator", End: t0.Add(time.Hour)},
	}, []string{"Global Reader", "Exchange Administrator"}); err != nil {
		b.Fatal(err)
	}
	path := state.PromptPath(dir)
	var seg string
	for b.Loop() {
		seg = state.Segment(path, t0)
	}
	if seg == "" {
		b.Fatal("empty segment")
	}
}
