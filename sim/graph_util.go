package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Helpers shared by the Graph handlers: paging, $expand, times, GUIDs and
// ISO 8601 durations.

// graphBase is the scheme and host nextLinks and contexts point at.
func (t *Tenant) graphBase(r *http.Request) string {
	if b := t.baseFor(r); b != "" {
		return b
	}
	return "https://" + r.Host
}

// expands parses $expand into lower-cased top-level names, so
// "roleDefinition,policy($expand=rules)" gives roledefinition and policy.
func expands(r *http.Request) map[string]bool {
	out := map[string]bool{}
	v := r.URL.Query().Get("$expand")
	depth, start := 0, 0
	add := func(s string) {
		s = strings.TrimSpace(s)
		if i := strings.IndexByte(s, '('); i >= 0 {
			s = s[:i]
		}
		if s != "" {
			out[strings.ToLower(strings.TrimSpace(s))] = true
		}
	}
	for i, ch := range v {
		switch ch {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				add(v[start:i])
				start = i + 1
			}
		}
	}
	add(v[start:])
	return out
}

// writePage answers a collection with server-side paging: at most
// PageSize items (or $top), and an absolute @odata.nextLink carrying the
// same query plus $skiptoken.
func (t *Tenant) writePage(c *graphCall, items []any, entity string) {
	t.mu.Lock()
	size := t.sc.PageSize
	t.mu.Unlock()
	if size <= 0 {
		size = 100
	}
	q := c.r.URL.Query()
	if top := q.Get("$top"); top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 0 {
			writeError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid $top value '%s'.", top))
			return
		}
		if n > 0 && n < size {
			size = n
		}
	}
	off := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			writeError(c.w, http.StatusBadRequest, "BadRequest", "Invalid $skiptoken.")
			return
		}
		off = n
	}
	if off > len(items) {
		off = len(items)
	}
	end := min(off+size, len(items))
	page := items[off:end]
	if page == nil {
		page = []any{}
	}
	base := t.graphBase(c.r)
	body := map[string]any{
		"@odata.context": base + "/v1.0/$metadata#Collection(" + entity + ")",
		"value":          page,
	}
	if strings.EqualFold(q.Get("$count"), "true") {
		body["@odata.count"] = len(items)
	}
	if end < len(items) {
		var keep []string
		for _, p := range strings.Split(c.r.URL.RawQuery, "&") {
			if p == "" {
				continue
			}
			k, _, _ := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(uk, "$skiptoken") {
				continue
			}
			keep = append(keep, p)
		}
		keep = append(keep, "$skiptoken="+strconv.Itoa(end))
		body["@odata.nextLink"] = base + c.r.URL.EscapedPath() + "?" + strings.Join(keep, "&")
	}
	writeJSON(c.w, http.StatusOK, body)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// graphTime formats a time as Graph does (UTC, RFC 3339).
func graphTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func timeOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return graphTime(t)
}

// newGUID is a random version 4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatGUID(b)
}

// stableGUID derives a GUID from parts, so the same object gets the same id
// on every call.
func stableGUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	var b [16]byte
	copy(b[:], sum[:16])
	return formatGUID(b)
}

func formatGUID(b [16]byte) string {
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isoDuration formats d as an ISO 8601 duration: PT8H, PT1H30M, PT30M,
// P1DT2H, PT0S.
func isoDuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if d == 0 {
		return b.String()
	}
	b.WriteString("T")
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if d > 0 {
		s := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
		fmt.Fprintf(&b, "%sS", s)
	}
	return b.String()
}

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// parseISODuration parses PnW, PnDTnHnMnS (fractions allowed). Years and
// months are rejected: their length depends on the calendar.
func parseISODuration(s string) (time.Duration, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("invalid ISO 8601 duration %q", s)
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(m[i+1], ",", "."), 64)
		if err != nil {
			return 0, fmt.Errorf("invalid ISO 8601 duration %q", s)
		}
		total += time.Duration(f * float64(u))
	}
	return total, nil
}
