package tui

import (
	"sort"
	"strings"

	"github.com/pimento-cli/pimento/pim"
)

// row is one line of the main list: an eligibility, with what is active or
// pending for it, or an active assignment nothing makes eligible.
type row struct {
	elig    pim.Eligibility
	key     string
	active  *pim.Active
	pending *pim.Pending
	// scheduled is an activation PIM accepted for a later start.
	scheduled *pim.Scheduled
	eligible  bool
	hay       string // lower-cased text the filter searches
}

// list holds the rows, the filtered view of them and the cursor (an
// index into visible).
type list struct {
	rows    []row
	visible []int // indexes into rows that match the filter
	scroll
}

// scroll is a cursor over a list on screen, the roles' and the approver's.
type scroll struct {
	cursor int // the item under the cursor
	offset int // the first item on screen
}

// moveBy moves the cursor by delta over n items and keeps it on screen.
func (s *scroll) moveBy(delta, n, height int) {
	s.cursor += delta
	s.clampTo(n, height)
}

// clampTo keeps the cursor on one of n items, and on a screen of height
// rows.
func (s *scroll) clampTo(n, height int) {
	s.cursor = max(0, min(s.cursor, n-1))
	if height <= 0 {
		return
	}
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+height {
		s.offset = s.cursor - height + 1
	}
	s.offset = max(0, min(s.offset, n-height))
}

// buildRows turns a snapshot into rows, in the service's order; active
// assignments without an eligibility come last.
func buildRows(s *pim.Snapshot) []row {
	if s == nil {
		return nil
	}
	rows := make([]row, 0, len(s.Eligible)+len(s.Active))
	seen := make(map[string]bool, len(s.Eligible))
	for _, e := range s.Eligible {
		r := row{elig: e, key: e.Key(), eligible: true}
		if a, ok := s.ActiveFor(e); ok {
			r.active = &a
		}
		if p, ok := s.PendingFor(e); ok {
			r.pending = &p
		}
		if x, ok := s.ScheduledFor(e); ok {
			r.scheduled = &x
		}
		seen[r.key] = true
		rows = append(rows, r)
	}
	var extra []row
	for _, a := range s.Active {
		if seen[a.Key()] {
			continue
		}
		a := a
		seen[a.Key()] = true
		extra = append(extra, row{elig: a.Eligibility, key: a.Key(), active: &a})
	}
	sort.SliceStable(extra, func(i, j int) bool { return extra[i].elig.Name < extra[j].elig.Name })
	rows = append(rows, extra...)
	for i := range rows {
		rows[i].hay = haystack(rows[i].elig)
	}
	return rows
}

// haystack is what the filter searches: name, scope and kind in words
// ("azure" finds Azure roles, "rg-secrets" or "sub:" their scopes).
func haystack(e pim.Eligibility) string {
	kind := "role directory"
	switch e.Kind {
	case pim.KindGroup:
		kind = "group " + e.AccessID
	case pim.KindAzureRole:
		kind = "azure role"
	}
	return strings.ToLower(e.Name + " " + e.Scope + " " + kind)
}

// hasAzure reports whether any row is an Azure role: then the list marks
// each row's kind.
func hasAzure(rows []row) bool {
	for i := range rows {
		if rows[i].elig.Kind == pim.KindAzureRole {
			return true
		}
	}
	return false
}

// setRows replaces the rows, keeping the cursor on the same key if it is
// still there.
func (l *list) setRows(rows []row, query string) {
	cur := l.current()
	l.rows = rows
	l.applyFilter(query, cur)
}

// applyFilter keeps the rows whose text holds every word of query.
func (l *list) applyFilter(query string, keep string) {
	terms := strings.Fields(strings.ToLower(query))
	l.visible = l.visible[:0]
	l.cursor = 0
	for i := range l.rows {
		if matches(l.rows[i].hay, terms) {
			if l.rows[i].key == keep {
				l.cursor = len(l.visible)
			}
			l.visible = append(l.visible, i)
		}
	}
}

func matches(hay string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(hay, t) {
			return false
		}
	}
	return true
}

// current is the key under the cursor, or "".
func (l *list) current() string {
	if r := l.currentRow(); r != nil {
		return r.key
	}
	return ""
}

func (l *list) currentRow() *row {
	if l.cursor < 0 || l.cursor >= len(l.visible) {
		return nil
	}
	return &l.rows[l.visible[l.cursor]]
}

func (l *list) byKey(k string) *row {
	for i := range l.rows {
		if l.rows[i].key == k {
			return &l.rows[i]
		}
	}
	return nil
}

// move moves the cursor by delta and keeps it on screen.
func (l *list) move(delta, height int) { l.moveBy(delta, len(l.visible), height) }

func (l *list) clamp(height int) { l.clampTo(len(l.visible), height) }
