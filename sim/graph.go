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

// The simulated Microsoft Graph v1.0. Everything under /v1.0/ goes through
// one handler that authenticates the bearer token and routes on the
// unescaped path, so percent-encoded quotes and parentheses in
// filterByCurrentUser(on='principal') match the same as literal ones.
// Path segments match case-insensitively, as in Graph.

// routeGraph registers the Graph handlers on t.mux.
func (t *Tenant) routeGraph() {
	t.mux.HandleFunc("/v1.0/", t.serveGraph)
	t.mux.HandleFunc("/v1.0", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found.")
	})
}

// graphCall is one authenticated Graph request.
type graphCall struct {
	w      http.ResponseWriter
	r      *http.Request
	claims map[string]any
	userID string
	segs   []string // unescaped path segments after /v1.0
	lower  []string // lower-cased segs for matching
}

func (c *graphCall) acrs() []string {
	var out []string
	if v, ok := c.claims["acrs"].([]any); ok {
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// match reports whether the lower-cased path equals pattern, where "*"
// matches any single segment. Segments in pattern are lower case.
func (c *graphCall) match(pattern ...string) bool {
	if len(pattern) != len(c.lower) {
		return false
	}
	for i, p := range pattern {
		if p == "*" {
			continue
		}
		if p == "filterbycurrentuser" {
			if !isFilterByCurrentUser(c.segs[i]) {
				return false
			}
			continue
		}
		if p != c.lower[i] {
			return false
		}
	}
	return true
}

var filterByCurrentUserRE = regexp.MustCompile(`(?i)^filterByCurrentUser\(on=['"]?([^'")]*)['"]?\)$`)

func isFilterByCurrentUser(seg string) bool {
	return filterByCurrentUserRE.MatchString(seg)
}

// onValue is the on= parameter of a filterByCurrentUser segment.
func onValue(seg string) string {
	m := filterByCurrentUserRE.FindStringSubmatch(seg)
	if m == nil {
		return ""
	}
	return m[1]
}

func (t *Tenant) serveGraph(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("request-id", newGUID())
	w.Header().Set("client-request-id", r.Header.Get("client-request-id"))
	claims, ok := t.authenticate(w, r)
	if !ok {
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/v1.0")
	rest = strings.Trim(rest, "/")
	var segs []string
	if rest != "" {
		segs = strings.Split(rest, "/")
	}
	c := &graphCall{w: w, r: r, claims: claims, segs: segs}
	c.userID, _ = claims["oid"].(string)
	for _, s := range segs {
		c.lower = append(c.lower, strings.ToLower(s))
	}
	if !t.routeGraphCall(c) {
		seg := ""
		if len(segs) > 0 {
			seg = segs[len(segs)-1]
		}
		writeError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource not found for the segment '%s'.", seg))
	}
}

// routeGraphCall dispatches c; false means no route matched.
func (t *Tenant) routeGraphCall(c *graphCall) bool {
	const (
		rm  = "rolemanagement"
		dir = "directory"
		fbu = "filterbycurrentuser"
		ig  = "identitygovernance"
		pa  = "privilegedaccess"
		grp = "group"
	)
	m := c.r.Method
	switch {
	case c.match("$batch"):
		if !requireMethod(c, m, http.MethodPost) {
			return true
		}
		t.serveBatch(c)
	case c.match("me"):
		if !requireMethod(c, m, http.MethodGet) {
			return true
		}
		t.serveMe(c)

	// Directory roles.
	case c.match(rm, dir, "roleeligibilityscheduleinstances", fbu):
		if requireMethod(c, m, http.MethodGet) && requirePrincipal(c) {
			t.serveEligibilityInstances(c, kindRole)
		}
	case c.match(rm, dir, "roleassignmentscheduleinstances", fbu):
		if requireMethod(c, m, http.MethodGet) && requirePrincipal(c) {
			t.serveAssignmentInstances(c, kindRole)
		}
	case c.match(rm, dir, "roleassignmentschedules", fbu):
		if requireMethod(c, m, http.MethodGet) && requirePrincipal(c) {
			t.serveAssignmentSchedules(c, kindRole)
		}
	case c.match(rm, dir, "roleassignmentschedulerequests", fbu):
		if requireMethod(c, m, http.MethodGet) {
			if on, ok := requireOn(c, "principal", "approver"); ok {
				t.serveListRequests(c, kindRole, on)
			}
		}
	case c.match(rm, dir, "roleassignmentschedulerequests"):
		if requireMethod(c, m, http.MethodPost) {
			t.serveCreateRequest(c, kindRole)
		}
	case c.match(rm, dir, "roleassignmentschedulerequests", "*", "cancel"):
		if requireMethod(c, m, http.MethodPost) {
			t.serveCancelRequest(c, kindRole, c.segs[3])
		}
	case c.match(rm, dir, "roleassignmentschedulerequests", "*"):
		if requireMethod(c, m, http.MethodGet) {
			t.serveGetRequest(c, kindRole, c.segs[3])
		}
	case c.match(rm, dir, "roledefinitions", "*"):
		if requireMethod(c, m, http.MethodGet) {
			t.serveRoleDefinition(c, c.segs[3])
		}

	// PIM for Groups.
	case c.match(ig, pa, grp, "eligibilityscheduleinstances", fbu):
		if requireMethod(c, m, http.MethodGet) && requirePrincipal(c) {
			t.serveEligibilityInstances(c, kindGroup)
		}
	case c.match(ig, pa, grp, "assignmentscheduleinstances", fbu):
		if requireMethod(c, m, http.MethodGet) && requirePrincipal(c) {
			t.serveAssignmentInstances(c, kindGroup)
		}
	case c.match(ig, pa, grp, "assignmentschedules", fbu):
		if requireMethod(c, m, http.MethodGet) && requirePrincipal(c) {
			t.serveAssignmentSchedules(c, kindGroup)
		}
	case c.match(ig, pa, grp, "assignmentschedulerequests", fbu):
		if requireMethod(c, m, http.MethodGet) {
			if on, ok := requireOn(c, "principal", "approver"); ok {
				t.serveListRequests(c, kindGroup, on)
			}
		}
	case c.match(ig, pa, grp, "assignmentschedulerequests"):
		if requireMethod(c, m, http.MethodPost) {
			t.serveCreateRequest(c, kindGroup)
		}
	case c.match(ig, pa, grp, "assignmentschedulerequests", "*", "cancel"):
		if requireMethod(c, m, http.MethodPost) {
			t.serveCancelRequest(c, kindGroup, c.segs[4])
		}
	case c.match(ig, pa, grp, "assignmentschedulerequests", "*"):
		if requireMethod(c, m, http.MethodGet) {
			t.serveGetRequest(c, kindGroup, c.segs[4])
		}

	// Policies.
	case c.match("policies", "rolemanagementpolicyassignments"):
		if requireMethod(c, m, http.MethodGet) {
			t.servePolicyAssignments(c)
		}

	// Directory objects.
	case c.match(dir, "administrativeunits", "*"):
		if requireMethod(c, m, http.MethodGet) {
			t.serveAdministrativeUnit(c, c.segs[2])
		}
	case c.match("directoryobjects", "*"):
		if requireMethod(c, m, http.MethodGet) {
			t.serveDirectoryObject(c, c.segs[1])
		}
	case c.match("groups", "*"):
		if requireMethod(c, m, http.MethodGet) {
			t.serveGroup(c, c.segs[1])
		}
	default:
		return false
	}
	return true
}

func requireMethod(c *graphCall, got, want string) bool {
	if got == want {
		return true
	}
	writeError(c.w, http.StatusMethodNotAllowed, "Request_BadRequest", fmt.Sprintf("The HTTP method '%s' is not allowed for this resource.", got))
	return false
}

// requirePrincipal checks that filterByCurrentUser has on='principal'.
func requirePrincipal(c *graphCall) bool {
	_, ok := requireOn(c, "principal")
	return ok
}

// requireOn checks the on= argument of filterByCurrentUser against the
// values the endpoint supports; anything else is 400 (AF §8.1, UNVERIFIED
// exact error). On the request lists that is principal and approver:
// "Only principal and approver are currently supported" (AF §0 row 6, G9).
func requireOn(c *graphCall, allowed ...string) (string, bool) {
	on := onValue(c.segs[len(c.segs)-1])
	for _, a := range allowed {
		if on == a {
			return on, true
		}
	}
	writeError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The value '%s' is not valid for the parameter 'on'.", on))
	return "", false
}

// authenticate validates the bearer token; on failure it answers 401.
func (t *Tenant) authenticate(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	fail := func(msg string) (map[string]any, bool) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return nil, false
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return fail("Access token is empty.")
	}
	tok, ok := cutPrefixFold(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return fail("Access token is empty.")
	}
	claims, err := t.verify(strings.TrimSpace(tok))
	if err != nil {
		if claims != nil {
			return fail("Lifetime validation failed, the token is expired.")
		}
		return fail("IDX14100: JWT is not well formed, there are no dots (.).")
	}
	if oid, _ := claims["oid"].(string); oid == "" {
		return fail("Access token validation failure. The token has no oid claim.")
	}
	return claims, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// ---- /me and directory objects ----

func (t *Tenant) serveMe(c *graphCall) {
	t.mu.Lock()
	u, ok := t.sc.userByID(c.userID)
	t.mu.Unlock()
	if !ok {
		writeError(c.w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", c.userID))
		return
	}
	obj := userJSON(u)
	if sel := c.r.URL.Query().Get("$select"); sel != "" {
		keep := map[string]bool{}
		for _, f := range strings.Split(sel, ",") {
			keep[strings.ToLower(strings.TrimSpace(f))] = true
		}
		for k := range obj {
			if !keep[strings.ToLower(k)] {
				delete(obj, k)
			}
		}
	}
	obj["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#users/$entity"
	writeJSON(c.w, http.StatusOK, obj)
}

func userJSON(u User) map[string]any {
	lic := []any{}
	for _, sku := range u.AssignedLicenses {
		lic = append(lic, map[string]any{"skuId": sku, "disabledPlans": []string{}})
	}
	other := u.OtherMails
	if other == nil {
		other = []string{}
	}
	return map[string]any{
		"id":                    u.ID,
		"userPrincipalName":     u.UserPrincipalName,
		"displayName":           u.DisplayName,
		"mail":                  nullIfEmpty(u.Mail),
		"otherMails":            other,
		"onPremisesSyncEnabled": u.OnPremisesSyncEnabled,
		"assignedLicenses":      lic,
		"businessPhones":        []string{},
		"givenName":             nil,
		"surname":               nil,
		"jobTitle":              nil,
		"mobilePhone":           nil,
		"officeLocation":        nil,
		"preferredLanguage":     nil,
	}
}

// directoryObject returns the directory object with id as Graph JSON
// (with @odata.type). Caller holds t.mu.
func (t *Tenant) directoryObject(id string) (map[string]any, bool) {
	for _, a := range t.sc.Apps {
		if strings.EqualFold(a.ID, id) {
			return map[string]any{"@odata.type": "#microsoft.graph.application", "id": a.ID, "displayName": a.DisplayName, "appId": stableGUID("appId", a.ID)}, true
		}
	}
	for _, au := range t.sc.AdministrativeUnits {
		if strings.EqualFold(au.ID, id) {
			return map[string]any{"@odata.type": "#microsoft.graph.administrativeUnit", "id": au.ID, "displayName": au.DisplayName, "description": nil, "visibility": nil}, true
		}
	}
	for _, g := range t.sc.Groups {
		if strings.EqualFold(g.ID, id) {
			o := groupJSON(g)
			o["@odata.type"] = "#microsoft.graph.group"
			return o, true
		}
	}
	for _, u := range t.sc.Users {
		if strings.EqualFold(u.ID, id) {
			o := userJSON(u)
			o["@odata.type"] = "#microsoft.graph.user"
			return o, true
		}
	}
	return nil, false
}

// scopeObject resolves a directoryScopeId ("/administrativeUnits/{id}" or
// "/{objectId}") to its object, for $expand=directoryScope. Caller holds t.mu.
func (t *Tenant) scopeObject(scope string) any {
	id := strings.TrimPrefix(scope, "/")
	if id == "" {
		return nil
	}
	if rest, ok := cutPrefixFold(id, "administrativeUnits/"); ok {
		id = rest
	}
	if o, ok := t.directoryObject(id); ok {
		return o
	}
	return nil
}

func groupJSON(g Group) map[string]any {
	return map[string]any{
		"id":                 g.ID,
		"displayName":        g.DisplayName,
		"description":        nil,
		"securityEnabled":    true,
		"mailEnabled":        false,
		"isAssignableToRole": true,
		"groupTypes":         []string{},
	}
}

func notFound(c *graphCall, id string) {
	writeError(c.w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

func (t *Tenant) serveAdministrativeUnit(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, au := range t.sc.AdministrativeUnits {
		if strings.EqualFold(au.ID, id) {
			writeJSON(c.w, http.StatusOK, map[string]any{
				"@odata.context": t.graphBase(c.r) + "/v1.0/$metadata#directory/administrativeUnits/$entity",
				"id":             au.ID, "displayName": au.DisplayName, "description": nil, "visibility": nil,
			})
			return
		}
	}
	notFound(c, id)
}

func (t *Tenant) serveDirectoryObject(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o, ok := t.directoryObject(id)
	if !ok {
		notFound(c, id)
		return
	}
	o["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(c.w, http.StatusOK, o)
}

func (t *Tenant) serveGroup(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, g := range t.sc.Groups {
		if strings.EqualFold(g.ID, id) {
			o := groupJSON(g)
			o["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#groups/$entity"
			writeJSON(c.w, http.StatusOK, o)
			return
		}
	}
	notFound(c, id)
}

func (t *Tenant) serveRoleDefinition(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, rd := range t.sc.Roles {
		if strings.EqualFold(rd.ID, id) || strings.EqualFold(rd.TemplateID, id) {
			o := roleDefinitionJSON(rd)
			o["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#roleManagement/directory/roleDefinitions/$entity"
			writeJSON(c.w, http.StatusOK, o)
			return
		}
	}
	notFound(c, id)
}

// ---- helpers shared by the Graph handlers ----

// graphBase is the scheme and host nextLinks and contexts point at.
func (t *Tenant) graphBase(r *http.Request) string {
	if t.base != "" {
		return t.base
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
