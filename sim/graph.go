package sim

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// The simulated Microsoft Graph v1.0, and the few beta paths pimento needs
// (graph_approvals.go). Everything under /v1.0/ (or /beta/) goes through
// one handler that authenticates the bearer token and routes on the
// unescaped path, so percent-encoded quotes and parentheses in
// filterByCurrentUser(on='principal') match the same as literal ones.
// Path segments match case-insensitively, as in Graph.

// routeGraph registers the Graph handlers on t.mux.
func (t *Tenant) routeGraph() {
	root := func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found.")
	}
	t.mux.HandleFunc("/v1.0/", func(w http.ResponseWriter, r *http.Request) { t.serveGraph(w, r, graphV1, t.routeGraphCall) })
	t.mux.HandleFunc("/v1.0", root)
	t.mux.HandleFunc("/beta/", func(w http.ResponseWriter, r *http.Request) { t.serveGraph(w, r, graphBeta, t.routeBetaCall) })
	t.mux.HandleFunc("/beta", root)
}

// Graph versions: the first path segment.
const (
	graphV1   = "v1.0"
	graphBeta = "beta"
)

// graphCall is one authenticated Graph request.
type graphCall struct {
	w       http.ResponseWriter
	r       *http.Request
	claims  map[string]any
	userID  string
	version string   // graphV1 or graphBeta
	segs    []string // unescaped path segments after /v1.0 (or /beta)
	lower   []string // lower-cased segs for matching
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

// serveGraph authenticates a call to one Graph version and routes it.
func (t *Tenant) serveGraph(w http.ResponseWriter, r *http.Request, version string, route func(*graphCall) bool) {
	w.Header().Set("request-id", newGUID())
	w.Header().Set("client-request-id", r.Header.Get("client-request-id"))
	claims, ok := t.authenticate(w, r)
	if !ok {
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/"+version)
	rest = strings.Trim(rest, "/")
	var segs []string
	if rest != "" {
		segs = strings.Split(rest, "/")
	}
	c := &graphCall{w: w, r: r, claims: claims, version: version, segs: segs}
	c.userID, _ = claims["oid"].(string)
	for _, s := range segs {
		c.lower = append(c.lower, strings.ToLower(s))
	}
	if !route(c) {
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
		return t.routeApprovals(c) // graph_approvals.go
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
	// Graph takes only tokens for Graph: an ARM token is refused as the
	// real Graph refuses a token for another resource.
	if aud, _ := claims["aud"].(string); !t.isGraphAudience(aud) {
		return fail("Access token validation failure. Invalid audience.")
	}
	return claims, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
