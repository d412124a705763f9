package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
)

// PromptState is the small file `pimento prompt` reads: the active
// elevations as of the last load or activation. The prompt never touches
// the network.
type PromptState struct {
	path string
}

// PromptEntry is one active elevation in the prompt state.
type PromptEntry struct {
	Name   string    `json:"name"`
	Kind   string    `json:"kind"`
	Access string    `json:"access,omitempty"` // member | owner, for groups
	End    time.Time `json:"end"`              // zero when permanent
}

type promptFile struct {
	V       int       `json:"v"`
	Written time.Time `json:"written"` // server time
	// ServerOffset is the server's clock minus the PC's when written, so
	// the prompt counts down on the server's time.
	ServerOffset time.Duration `json:"serverOffset"`
	Active       []PromptEntry `json:"active"`
	Eligible     []string      `json:"eligible,omitempty"` // names, for shell completion
}

// NewPromptState keeps the prompt state in dir ("" keeps none).
func NewPromptState(dir string) *PromptState {
	if dir == "" {
		return &PromptState{}
	}
	return &PromptState{path: PromptPath(dir)}
}

// PromptPath is where the prompt state lives in dir.
func PromptPath(dir string) string { return filepath.Join(dir, "prompt.json") }

// Save records the active elevations and eligible names, written at
// written (server time) with the server's offset from the PC's clock.
func (p *PromptState) Save(written time.Time, offset time.Duration, active []PromptEntry, eligible []string) error {
	if p == nil || p.path == "" {
		return nil
	}
	b, err := json.Marshal(promptFile{V: Version, Written: written, ServerOffset: offset, Active: active, Eligible: eligible})
	if err != nil {
		return err
	}
	if err := WriteAtomic(p.path, b); err != nil {
		return &WriteError{What: "the prompt state", Path: p.path, Err: err}
	}
	return nil
}

// Clear removes the prompt state (after logout, or when it cannot be
// kept true).
func (p *PromptState) Clear() error {
	if p == nil || p.path == "" {
		return nil
	}
	if err := os.Remove(p.path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// maxSegment caps the prompt segment so a long list never swamps a prompt.
const maxSegment = 60

// Segment renders the prompt segment for the PC's time local, e.g.
// "⚡ExchAdmin 42m ⚡SG-Ops·owner 5m"; empty when nothing is active or the
// state cannot be read.
func Segment(path string, local time.Time) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var f promptFile
	if json.Unmarshal(b, &f) != nil || f.V > Version {
		return ""
	}
	now := local.Add(f.ServerOffset)
	sort.SliceStable(f.Active, func(i, j int) bool { return endsBefore(f.Active[i], f.Active[j]) })
	var parts []string
	for _, a := range f.Active {
		if !a.End.IsZero() && !now.Before(a.End) {
			continue
		}
		name := show.Text(Abbreviate(a.Name))
		if a.Access != "" {
			name += "·" + show.Text(a.Access)
		}
		left := ""
		if !a.End.IsZero() {
			left = " " + duration.Human(a.End.Sub(now))
		}
		parts = append(parts, "⚡"+show.Truncate(name, 24)+left)
	}
	var out string
	for i, p := range parts {
		next := out
		if next != "" {
			next += " "
		}
		next += p
		if len([]rune(next)) > maxSegment {
			return out + " +" + strconv.Itoa(len(parts)-i)
		}
		out = next
	}
	return out
}

func endsBefore(a, b PromptEntry) bool {
	switch {
	case a.End.IsZero():
		return false
	case b.End.IsZero():
		return true
	}
	return a.End.Before(b.End)
}

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

// CachedNames lists eligible names from the last load, for shell
// completion without network.
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
