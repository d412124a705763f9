package pim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// PromptState is the small file `pimento prompt` reads: the active
// elevations as of the last status or activation. No network on that path.
type PromptState struct {
	path string
}

// PromptEntry is one active elevation in the prompt state.
type PromptEntry struct {
	Name string    `json:"name"`
	End  time.Time `json:"end"` // zero when permanent
}

type promptFile struct {
	Written  time.Time     `json:"written"`
	Active   []PromptEntry `json:"active"`
	Eligible []string      `json:"eligible,omitempty"` // names, for shell completion
}

// NewPromptState keeps the prompt state in dir ("" keeps none).
func NewPromptState(dir string) *PromptState {
	if dir == "" {
		return &PromptState{}
	}
	return &PromptState{path: filepath.Join(dir, "prompt.json")}
}

// Save records the snapshot's PIM activations (not permanent assignments).
func (p *PromptState) Save(s *Snapshot, now time.Time) {
	if p == nil || p.path == "" || s == nil {
		return
	}
	f := promptFile{Written: now}
	seen := map[string]bool{}
	for _, e := range s.Eligible {
		if !seen[e.Name] {
			seen[e.Name] = true
			f.Eligible = append(f.Eligible, e.Name)
		}
	}
	for _, a := range s.Active {
		if a.Assigned {
			continue
		}
		f.Active = append(f.Active, PromptEntry{Name: a.Name, End: a.End})
	}
	b, err := json.Marshal(f)
	if err != nil {
		return
	}
	_ = os.MkdirAll(filepath.Dir(p.path), 0o700)
	tmp, err := os.CreateTemp(filepath.Dir(p.path), "prompt-*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), p.path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// Segment renders the prompt segment for now, e.g. "⚡ExchAdmin 42m
// ⚡GlobalReader 5m"; empty when nothing is active.
func Segment(path string, now time.Time) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var f promptFile
	if json.Unmarshal(b, &f) != nil {
		return ""
	}
	sort.Slice(f.Active, func(i, j int) bool { return f.Active[i].End.Before(f.Active[j].End) })
	var parts []string
	for _, a := range f.Active {
		if !a.End.IsZero() && !now.Before(a.End) {
			continue
		}
		left := ""
		if !a.End.IsZero() {
			left = " " + HumanDuration(a.End.Sub(now))
		}
		parts = append(parts, "⚡"+Abbreviate(a.Name)+left)
	}
	return strings.Join(parts, " ")
}

// PromptPath is where the prompt state lives in dir.
func PromptPath(dir string) string { return filepath.Join(dir, "prompt.json") }

// Abbreviate shortens a role name for a prompt: "Exchange Administrator" →
// "ExchAdmin", "Global Reader" → "GlobalReader".
func Abbreviate(name string) string {
	short := map[string]string{"Administrator": "Admin", "Exchange": "Exch", "Security": "Sec", "Privileged": "Priv", "Application": "App", "Authentication": "Auth"}
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		if s, ok := short[w]; ok {
			w = s
		}
		b.WriteString(w)
	}
	return b.String()
}

// CachedNames lists eligible role and group names from the last load, for
// shell completion without network.
func CachedNames(dir string) []string {
	b, err := os.ReadFile(PromptPath(dir))
	if err != nil {
		return nil
	}
	var f promptFile
	if json.Unmarshal(b, &f) != nil {
		return nil
	}
	return f.Eligible
}
