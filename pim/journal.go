package pim

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Entry is one line of the activation journal. It never holds a token.
type Entry struct {
	Time               time.Time  `json:"time"`
	Account            string     `json:"account"`
	Action             string     `json:"action"` // activate | deactivate | cancel
	Role               string     `json:"role"`
	Kind               Kind       `json:"kind"`
	Scope              string     `json:"scope"`
	DirectoryScopeID   string     `json:"directoryScopeId,omitempty"`
	GroupID            string     `json:"groupId,omitempty"`
	AccessID           string     `json:"accessId,omitempty"`
	Duration           string     `json:"duration,omitempty"` // ISO 8601
	Justification      string     `json:"justification,omitempty"`
	TicketNumber       string     `json:"ticketNumber,omitempty"`
	TicketSystem       string     `json:"ticketSystem,omitempty"`
	RequestID          string     `json:"requestId,omitempty"`
	Result             string     `json:"result"` // Graph status, or "failed: …"
	SecondsToEffective *float64   `json:"secondsToEffective,omitempty"`
	DeactivatedAt      *time.Time `json:"deactivatedAt,omitempty"`
}

// Journal is an append-only JSON lines file in the state directory.
type Journal struct {
	mu   sync.Mutex
	path string
}

// NewJournal opens the journal in dir ("" keeps no journal).
func NewJournal(dir string) *Journal {
	if dir == "" {
		return &Journal{}
	}
	return &Journal{path: filepath.Join(dir, "journal.jsonl")}
}

// Path is the journal file ("" when none is kept).
func (j *Journal) Path() string { return j.path }

// Append adds one entry.
func (j *Journal) Append(e Entry) error {
	if j == nil || j.path == "" {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Entries reads the whole journal, oldest first. Damaged lines are skipped.
func (j *Journal) Entries() ([]Entry, error) {
	if j == nil || j.path == "" {
		return nil, nil
	}
	f, err := os.Open(j.path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// RecentJustifications lists up to n distinct justifications, newest first.
func (j *Journal) RecentJustifications(n int) []string {
	entries, _ := j.Entries()
	seen := map[string]bool{}
	var out []string
	for i := len(entries) - 1; i >= 0 && len(out) < n; i-- {
		just := entries[i].Justification
		if just == "" || seen[just] || entries[i].Action != "activate" {
			continue
		}
		seen[just] = true
		out = append(out, just)
	}
	return out
}
