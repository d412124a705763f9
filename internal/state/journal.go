package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Entry is one record of the journal. An activation is written twice under
// one ID: before the request is sent ("submitted", with exactly what is
// sent) and when its outcome is known; Entries merges the two. It never
// holds a token.
type Entry struct {
	V       int       `json:"v"`
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Account string    `json:"account"`
	Action  string    `json:"action"` // activate | deactivate | cancel | approve | deny
	Role    string    `json:"role"`
	Kind    string    `json:"kind"`
	Scope   string    `json:"scope"`

	RoleDefinitionID string `json:"roleDefinitionId,omitempty"`
	DirectoryScopeID string `json:"directoryScopeId,omitempty"`
	AppScopeID       string `json:"appScopeId,omitempty"`
	GroupID          string `json:"groupId,omitempty"`
	AccessID         string `json:"accessId,omitempty"`
	AzureScope       string `json:"azureScope,omitempty"` // an Azure role's ARM scope

	// What was sent.
	StartDateTime *time.Time `json:"startDateTime,omitempty"`
	Duration      string     `json:"duration,omitempty"` // ISO 8601
	Justification string     `json:"justification,omitempty"`
	TicketNumber  string     `json:"ticketNumber,omitempty"`
	TicketSystem  string     `json:"ticketSystem,omitempty"`
	// Requester is, for an approver's decision, whose request it was.
	Requester string `json:"requester,omitempty"`

	// What came of it.
	RequestID          string     `json:"requestId,omitempty"`
	Result             string     `json:"result"` // submitted | a PIM status | failed: … | accepted, not verified (…)
	SecondsToEffective *float64   `json:"secondsToEffective,omitempty"`
	Proof              string     `json:"proof,omitempty"` // token | listing | permissions
	DeactivatedAt      *time.Time `json:"deactivatedAt,omitempty"`
}

// Submitted is the result of a record written before its request was sent.
const Submitted = "submitted"

// Journal is an append-only JSON lines file.
type Journal struct {
	mu   sync.Mutex
	path string
}

// NewJournal keeps the journal in dir ("" keeps none).
func NewJournal(dir string) *Journal {
	if dir == "" {
		return &Journal{}
	}
	return &Journal{path: filepath.Join(dir, "journal.jsonl")}
}

// Path is the journal file ("" when none is kept).
func (j *Journal) Path() string { return j.path }

// Append adds one record. A file whose last line was cut short (a crash,
// a full disk) gets a new line first, so the new record stays readable.
func (j *Journal) Append(e Entry) error {
	if j == nil || j.path == "" {
		return nil
	}
	e.V = Version
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.append(b); err != nil {
		return &WriteError{What: "the journal", Path: j.path, Err: err}
	}
	return nil
}

func (j *Journal) append(line []byte) error {
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_APPEND|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Read is the journal as read: merged entries, oldest first, and the line
// numbers that could not be read.
type Read struct {
	Entries    []Entry
	Unreadable []int
}

// Entries reads the whole journal. Records sharing an ID are merged into
// the first one, later fields winning; damaged lines are reported, not
// silently dropped.
func (j *Journal) Entries() (Read, error) {
	if j == nil || j.path == "" {
		return Read{}, nil
	}
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return Read{}, nil
	}
	if err != nil {
		return Read{}, err
	}
	defer func() { _ = f.Close() }() // read-only
	return readJournal(f)
}

func readJournal(r io.Reader) (Read, error) {
	var out Read
	byID := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e Entry
		if json.Unmarshal(line, &e) != nil || e.Action == "" || e.Time.IsZero() {
			out.Unreadable = append(out.Unreadable, n)
			continue
		}
		if i, ok := byID[e.ID]; ok && e.ID != "" {
			out.Entries[i] = merge(out.Entries[i], e)
			continue
		}
		if e.ID != "" {
			byID[e.ID] = len(out.Entries)
		}
		out.Entries = append(out.Entries, e)
	}
	return out, sc.Err()
}

// merge completes a submitted record with its outcome.
func merge(first, later Entry) Entry {
	if later.StartDateTime != nil {
		// Sent again (after a throttle or a step-up) with a new start.
		first.StartDateTime = later.StartDateTime
	}
	if later.RequestID != "" {
		first.RequestID = later.RequestID
	}
	if later.Result != "" {
		first.Result = later.Result
	}
	if later.SecondsToEffective != nil {
		first.SecondsToEffective = later.SecondsToEffective
	}
	if later.Proof != "" {
		first.Proof = later.Proof
	}
	if later.DeactivatedAt != nil {
		first.DeactivatedAt = later.DeactivatedAt
	}
	return first
}

// RecentJustifications lists up to n distinct justifications of
// activations, newest first.
func (j *Journal) RecentJustifications(n int) []string {
	r, _ := j.Entries()
	seen := map[string]bool{}
	var out []string
	for i := len(r.Entries) - 1; i >= 0 && len(out) < n; i-- {
		e := r.Entries[i]
		if e.Justification == "" || seen[e.Justification] || e.Action != "activate" {
			continue
		}
		seen[e.Justification] = true
		out = append(out, e.Justification)
	}
	return out
}
