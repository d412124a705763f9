package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The simulated Azure Resource Manager: the Microsoft.Authorization
// endpoints pimento uses for Azure resource roles (AZ §1.2), under
// /arm on the tenant's TLS host, so a client's ARM base URL is
// Tenant.ARMURL(). Paths are {scope}/providers/Microsoft.Authorization/
// {type}[/{name}[/{action}]]; keywords and types ignore case, as ARM's do.

const armPrefix = "/arm"

// API versions (AZ §1.1): 2020-10-01 is the only GA version of the PIM
// types; 2022-04-01 is GA for permissions, role assignments and role
// definitions. Previews exist in the real service; the sim serves the GA
// shapes only and refuses the rest, so a client stays on GA.
const (
	armPIMVersion  = "2020-10-01"
	armRBACVersion = "2022-04-01"
)

// armTypes maps the lower-cased resource types the sim serves to their
// api-version.
var armTypes = map[string]string{
	"roleeligibilityscheduleinstances": armPIMVersion,
	"roleassignmentscheduleinstances":  armPIMVersion,
	"roleassignmentschedules":          armPIMVersion,
	"roleassignmentschedulerequests":   armPIMVersion,
	"rolemanagementpolicyassignments":  armPIMVersion,
	"rolemanagementpolicies":           armPIMVersion,
	"permissions":                      armRBACVersion,
	"roleassignments":                  armRBACVersion,
	"roledefinitions":                  armRBACVersion,
	"roleassignmentapprovals":          armApprovalVersion, // arm_approvals.go
}

func isARMPath(p string) bool { return p == armPrefix || strings.HasPrefix(p, armPrefix+"/") }

// armCall is one authenticated ARM request.
type armCall struct {
	w      http.ResponseWriter
	r      *http.Request
	claims map[string]any
	userID string
	scope  armScope
	typ    string // lower-cased resource type
	name   string // item name, if any
	action string // cancel | validate | stages, if any
	sub    string // the stage of an approval (…/stages/{sub}), if any
}

// writeCloudError writes ARM's error body (AZ §2.3: CloudError).
func writeCloudError(w http.ResponseWriter, status int, code, message string) {
	writeARMJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}

func writeARMJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		// Unescaped, so a claims message reads "&claims=…" as ARM sends it.
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
	}
}

func writeARMError(w http.ResponseWriter, e *apiError) {
	writeCloudError(w, e.status, e.code, e.message)
}

// splitARMPath finds the provider part of a path after /arm: the scope
// before the last /providers/Microsoft.Authorization/, and the segments
// after it.
func splitARMPath(p string) (scope string, rest []string, ok bool) {
	const marker = "/providers/microsoft.authorization"
	p = "/" + strings.Join(splitSegments(strings.TrimPrefix(p, armPrefix)), "/")
	low := strings.ToLower(p)
	i := strings.LastIndex(low, marker+"/")
	if i < 0 {
		return "", nil, false
	}
	return p[:i], splitSegments(p[i+len(marker):]), true
}

func (t *Tenant) serveARM(w http.ResponseWriter, r *http.Request) {
	id := newGUID()
	w.Header().Set("x-ms-request-id", id)
	w.Header().Set("x-ms-correlation-request-id", id)
	claims, ok := t.authenticateARM(w, r)
	if !ok {
		return
	}
	rawScope, rest, ok := splitARMPath(r.URL.Path)
	// Four segments only for an approval's stage:
	// roleAssignmentApprovals/{guid}/stages/{stageId}.
	if !ok || len(rest) == 0 || len(rest) > 4 || (len(rest) == 4 && !strings.EqualFold(rest[0], "roleAssignmentApprovals")) {
		writeCloudError(w, http.StatusNotFound, "InvalidResourceType", "The simulated tenant serves only Microsoft.Authorization types: {scope}/providers/Microsoft.Authorization/{type}[/{name}].")
		return
	}
	c := &armCall{w: w, r: r, claims: claims, typ: strings.ToLower(rest[0])}
	c.userID, _ = claims["oid"].(string)
	if len(rest) > 1 {
		c.name = rest[1]
	}
	if len(rest) > 2 {
		c.action = strings.ToLower(rest[2])
	}
	if len(rest) > 3 {
		c.sub = rest[3]
	}
	want, known := armTypes[c.typ]
	if !known {
		writeCloudError(w, http.StatusNotFound, "InvalidResourceType", fmt.Sprintf("The resource type '%s' could not be found in the namespace 'Microsoft.Authorization' of the simulated tenant.", rest[0]))
		return
	}
	// api-version is required and checked, as ARM does for every call
	// (AZ §10.1; the codes are ARM's, the real messages UNVERIFIED).
	switch v := r.URL.Query().Get("api-version"); {
	case v == "":
		writeCloudError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	case v != want:
		writeCloudError(w, http.StatusBadRequest, "InvalidApiVersionParameter", fmt.Sprintf("The api-version '%s' is invalid. The supported versions are '%s'.", v, want))
		return
	}
	scope, err := parseARMScope(rawScope)
	if err != nil {
		writeCloudError(w, http.StatusBadRequest, "InvalidScope", err.Error())
		return
	}
	c.scope = scope
	t.mu.Lock()
	known = t.pim.topo.known(scope)
	needACRS := t.sc.ARMWriteRequiresACRS
	t.mu.Unlock()
	if !known {
		writeScopeNotFound(w, scope)
		return
	}
	if needACRS != "" && r.Method != http.MethodGet && r.Method != http.MethodHead && !hasString(claimStrings(claims, "acrs"), needACRS) {
		writeClaimsChallenge(w, needACRS)
		return
	}
	t.routeARM(c)
}

// writeScopeNotFound answers a scope the scenario does not have with the
// code ARM uses for that kind of scope.
func writeScopeNotFound(w http.ResponseWriter, s armScope) {
	switch s.Kind {
	case scopeManagementGroup:
		writeCloudError(w, http.StatusNotFound, "ManagementGroupNotFound", fmt.Sprintf("The management group '%s' was not found.", s.MG))
	case scopeSubscription:
		writeCloudError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", s.Sub))
	case scopeResourceGroup:
		writeCloudError(w, http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", s.RG))
	default:
		writeCloudError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The Resource '%s/%s' under resource group '%s' was not found.", s.RType, s.Name, s.RG))
	}
}

func (t *Tenant) routeARM(c *armCall) {
	m := c.r.Method
	item := c.name != "" && c.action == ""
	switch {
	case c.typ == "roleassignmentapprovals":
		t.armApprovals(c)
	case c.typ == "roleassignmentschedulerequests" && c.name == "" && m == http.MethodGet:
		t.armListRequests(c)
	case c.typ == "roleassignmentschedulerequests" && item && m == http.MethodPut:
		t.armCreateRequest(c, false)
	case c.typ == "roleassignmentschedulerequests" && item && m == http.MethodGet:
		t.armGetRequest(c)
	case c.typ == "roleassignmentschedulerequests" && c.action == "cancel" && m == http.MethodPost:
		t.armCancelRequest(c)
	case c.typ == "roleassignmentschedulerequests" && c.action == "validate" && m == http.MethodPost:
		t.armCreateRequest(c, true)
	case c.typ == "roleeligibilityscheduleinstances" && c.name == "" && m == http.MethodGet:
		t.armListEligibilities(c)
	case (c.typ == "roleassignmentscheduleinstances" || c.typ == "roleassignmentschedules") && c.name == "" && m == http.MethodGet:
		t.armListAssignments(c, c.typ == "roleassignmentschedules")
	case (c.typ == "roleeligibilityscheduleinstances" || c.typ == "roleassignmentscheduleinstances") && item && m == http.MethodGet:
		t.armGetInstance(c)
	case c.typ == "rolemanagementpolicyassignments" && c.action == "" && m == http.MethodGet:
		t.armPolicies(c, true)
	case c.typ == "rolemanagementpolicies" && c.action == "" && m == http.MethodGet:
		t.armPolicies(c, false)
	case c.typ == "roledefinitions" && item && m == http.MethodGet:
		t.armRoleDefinition(c)
	case c.typ == "permissions" && c.name == "" && m == http.MethodGet:
		t.armPermissions(c)
	case c.typ == "roleassignments" && c.name == "" && m == http.MethodGet:
		t.armRoleAssignments(c)
	default:
		writeCloudError(c.w, http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("The simulated tenant does not serve %s on this Microsoft.Authorization path.", m))
	}
}

// writeARMPage answers a list with server-side paging (AZ §1.6): at most
// PageSize items and an absolute nextLink on the tenant's host that keeps
// the request's query (api-version, $filter) and adds $skiptoken. The
// SDK follows nextLink verbatim and does not re-add api-version.
func (t *Tenant) writeARMPage(c *armCall, items []any) {
	t.mu.Lock()
	size := t.sc.PageSize
	t.mu.Unlock()
	if size <= 0 {
		size = 100
	}
	q := c.r.URL.Query()
	off := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			writeCloudError(c.w, http.StatusBadRequest, "InvalidSkipToken", "The $skiptoken is not valid.")
			return
		}
		off = min(n, len(items))
	}
	end := min(off+size, len(items))
	page := items[off:end]
	if page == nil {
		page = []any{}
	}
	body := map[string]any{"value": page}
	if end < len(items) {
		q.Del("$skiptoken")
		q.Set("$skiptoken", strconv.Itoa(end))
		base, path := t.baseFor(c.r), c.r.URL.EscapedPath()
		if base != t.base {
			path = strings.TrimPrefix(path, armPrefix) // the public host has no /arm
		}
		body["nextLink"] = base + path + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	writeARMJSON(c.w, http.StatusOK, body)
}

// listFilter parses the $filter of a list at c's scope; a list not limited
// to the caller's own items needs read permission at the scope, and at the
// tenant root nobody has it (AZ §1.4).
func (t *Tenant) listFilter(c *armCall, allowed ...string) (armFilter, bool) {
	f, aerr := parseARMFilter(c.r.URL.Query().Get("$filter"), allowed...)
	if aerr != nil {
		writeARMError(c.w, aerr)
		return f, false
	}
	if f.restrictsToCaller() {
		return f, true
	}
	t.mu.Lock()
	ok := c.scope.Kind != scopeRoot && t.pim.allowed(c.userID, c.scope.ID, "Microsoft.Authorization/roleAssignments/read", t.clock.Now())
	t.mu.Unlock()
	if !ok {
		writeARMError(c.w, insufficientPermissions(c.userID))
		return f, false
	}
	return f, true
}
