package pim_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

func TestJournalAndPromptState(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	user, sec := elig(t, snap, "User Administrator"), elig(t, snap, "Security Administrator")
	for _, r := range []pim.ActivateRequest{
		{Target: user, Duration: time.Hour, Justification: "onboarding batch 7"},
		{Target: sec, Duration: 90 * time.Minute, Justification: "INC-42 triage"},
	} {
		if out, _ := e.activate(r, true); out.Err != nil {
			t.Fatal(out.Err)
		}
	}
	// A failed attempt is journaled too (Global Reader is already active).
	if out, _ := e.activate(pim.ActivateRequest{Target: elig(t, snap, "Global Reader"), Duration: time.Hour, Justification: "INC-42 triage"}, false); out.Err == nil {
		t.Fatal("activating an active role succeeded")
	}
	entries, err := e.svc.Journal().Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("journal entries = %d, want 3", len(entries))
	}
	first := entries[0]
	if first.Action != "activate" || first.Role != "User Administrator" || first.Account != sim.DemoAdminUPN || first.Kind != pim.KindDirectoryRole ||
		first.DirectoryScopeID != "/" || first.Duration != "PT1H" || first.Result != "Provisioned" || first.RequestID == "" ||
		first.SecondsToEffective == nil || *first.SecondsToEffective <= 0 {
		t.Errorf("first entry = %+v", first)
	}
	if entries[1].Duration != "PT1H30M" {
		t.Errorf("second duration = %q", entries[1].Duration)
	}
	if !strings.HasPrefix(entries[2].Result, "failed: ") || entries[2].SecondsToEffective != nil {
		t.Errorf("failed entry = %+v", entries[2])
	}
	if got := e.svc.Journal().RecentJustifications(5); !reflect.DeepEqual(got, []string{"INC-42 triage", "onboarding batch 7"}) {
		t.Errorf("recent justifications = %q", got)
	}
	if got := e.svc.Journal().RecentJustifications(1); len(got) != 1 {
		t.Errorf("RecentJustifications(1) = %q", got)
	}

	// No file pimento wrote holds a token.
	var tokens []string
	if tok, ok := e.session.LastToken(); ok {
		tokens = append(tokens, tok.Bearer())
	}
	tok, err := e.session.Token(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	tokens = append(tokens, tok.Bearer())
	for _, dir := range []string{e.stateDir, e.cacheDir} {
		for _, tk := range tokens {
			assertNoTokenInFiles(t, dir, tk)
		}
	}
	if fi, err := os.Stat(e.svc.Journal().Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal file: %v %v", fi, err)
	}

	// The prompt state: soonest to end first.
	now := e.tn.Now()
	seg := pim.Segment(pim.PromptPath(e.stateDir), now)
	if seg != "⚡GlobalReader 20m ⚡UserAdmin 1h ⚡SecAdmin 1h30m" {
		t.Errorf("segment = %q", seg)
	}
	if seg := pim.Segment(pim.PromptPath(e.stateDir), now.Add(30*time.Minute)); seg != "⚡UserAdmin 30m ⚡SecAdmin 1h" {
		t.Errorf("segment in 30 minutes = %q", seg)
	}
	if seg := pim.Segment(filepath.Join(e.stateDir, "missing.json"), now); seg != "" {
		t.Errorf("segment without a state file = %q", seg)
	}
}

func TestPromptSegmentAndAbbreviations(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ps := pim.NewPromptState(dir)
	ps.Save(&pim.Snapshot{Active: []pim.Active{
		{Eligibility: pim.Eligibility{Name: "Exchange Administrator"}, End: now.Add(42 * time.Minute)},
		{Eligibility: pim.Eligibility{Name: "Global Reader"}, End: now.Add(5 * time.Minute)},
		{Eligibility: pim.Eligibility{Name: "SharePoint Administrator"}, Assigned: true},
	}}, now)
	if got := pim.Segment(pim.PromptPath(dir), now); got != "⚡GlobalReader 5m ⚡ExchAdmin 42m" {
		t.Errorf("segment = %q", got)
	}
	if err := os.WriteFile(pim.PromptPath(dir), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := pim.Segment(pim.PromptPath(dir), now); got != "" {
		t.Errorf("segment of a damaged file = %q", got)
	}
	for in, want := range map[string]string{
		"Privileged Role Administrator":    "PrivRoleAdmin",
		"Security Administrator":           "SecAdmin",
		"Application Administrator":        "AppAdmin",
		"Authentication Policy Reader":     "AuthPolicyReader",
		"SG-Tier0-Break-Glass-Ops":         "SG-Tier0-Break-Glass-Ops",
		"Exchange Recipient Administrator": "ExchRecipientAdmin",
	} {
		if got := pim.Abbreviate(in); got != want {
			t.Errorf("Abbreviate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJournalSkipsDamagedLines(t *testing.T) {
	dir := t.TempDir()
	j := pim.NewJournal(dir)
	if err := j.Append(pim.Entry{Action: "activate", Role: "A", Justification: "one"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("{truncated\n")
	_ = f.Close()
	if err := j.Append(pim.Entry{Action: "activate", Role: "B", Justification: "two"}); err != nil {
		t.Fatal(err)
	}
	_ = j.Append(pim.Entry{Action: "deactivate", Role: "B", Justification: "not an activation"})
	entries, err := j.Entries()
	if err != nil || len(entries) != 3 {
		t.Fatalf("entries = %d, %v", len(entries), err)
	}
	if got := j.RecentJustifications(3); !reflect.DeepEqual(got, []string{"two", "one"}) {
		t.Errorf("recent = %q", got)
	}
	if none := pim.NewJournal(""); none.Append(pim.Entry{}) != nil || none.Path() != "" {
		t.Error("a journal without a directory should be a no-op")
	}
}

func assertNoTokenInFiles(t *testing.T, root, token string) {
	t.Helper()
	if token == "" {
		t.Fatal("empty token")
	}
	sig := token[strings.LastIndex(token, ".")+1:]
	payload := strings.Split(token, ".")[1]
	n := 0
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		n++
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), sig) || strings.Contains(string(b), payload) {
			t.Errorf("%s contains token text", p)
		}
		return nil
	})
	if n == 0 {
		t.Errorf("no files under %s to check", root)
	}
}
