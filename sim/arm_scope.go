package sim

import (
	"fmt"
	"regexp"
	"strings"
)

// ARM scopes: parsing the forms a client may send, one canonical spelling
// for ids and comparisons, and the hierarchy (tenant root, management
// groups, subscriptions, resource groups, resources) that decides what
// lies above what. Sources: azure-pim-facts (AZ) §1.2 "Scope forms".

// Scope kinds, as expandedProperties.scope.type spells them (AZ §1.5:
// subscription, managementgroup and resourcegroup are observed; the value
// for a resource is UNVERIFIED, so the sim says "resource").
const (
	scopeRoot            = "root"
	scopeManagementGroup = "managementgroup"
	scopeSubscription    = "subscription"
	scopeResourceGroup   = "resourcegroup"
	scopeResource        = "resource"
)

// armScope is a parsed scope. ID is canonical: a leading slash, the
// keywords spelled as ARM returns them (resourceGroups, not resourcegroups),
// names as given; "/" for the tenant root.
type armScope struct {
	ID    string
	Kind  string
	Sub   string // subscription id (subscription and below)
	RG    string // resource group name (resource group and below)
	MG    string // management group id
	Name  string // the last segment: what a resource is called
	RType string // resource type, e.g. Microsoft.KeyVault/vaults
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidRE.MatchString(s) }

// splitSegments splits a path on slashes, dropping empty segments, so
// "//providers" (the SDK's empty scope, AZ §1.2) reads as "/providers".
func splitSegments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseARMScope parses a scope in any accepted form: "", "/", a management
// group, /subscriptions/{id} (or its alias
// /providers/Microsoft.Subscription/subscriptions/{id}), a resource group,
// or a resource id. Keywords ignore case, as ARM's do.
func parseARMScope(raw string) (armScope, error) {
	segs := splitSegments(raw)
	bad := func() (armScope, error) {
		return armScope{}, fmt.Errorf("the scope '%s' is not a valid ARM scope: use /, /providers/Microsoft.Management/managementGroups/{id}, /subscriptions/{id}, /subscriptions/{id}/resourceGroups/{name} or a resource id", raw)
	}
	eq := strings.EqualFold
	switch {
	case len(segs) == 0:
		return armScope{ID: "/", Kind: scopeRoot}, nil
	case len(segs) == 3 && eq(segs[0], "providers") && eq(segs[1], "Microsoft.Management") && eq(segs[2], "managementGroups"):
		return bad()
	case len(segs) == 4 && eq(segs[0], "providers") && eq(segs[1], "Microsoft.Management") && eq(segs[2], "managementGroups"):
		return armScope{ID: "/providers/Microsoft.Management/managementGroups/" + segs[3], Kind: scopeManagementGroup, MG: segs[3], Name: segs[3]}, nil
	case len(segs) >= 4 && eq(segs[0], "providers") && eq(segs[1], "Microsoft.Subscription") && eq(segs[2], "subscriptions"):
		segs = segs[2:] // the alias names the same subscription (AZ §1.2)
	}
	if !eq(segs[0], "subscriptions") || len(segs) < 2 || !isGUID(segs[1]) {
		return bad()
	}
	s := armScope{ID: "/subscriptions/" + strings.ToLower(segs[1]), Kind: scopeSubscription, Sub: strings.ToLower(segs[1]), Name: segs[1]}
	if len(segs) == 2 {
		return s, nil
	}
	if len(segs) < 4 || !eq(segs[2], "resourceGroups") {
		return bad()
	}
	s.ID += "/resourceGroups/" + segs[3]
	s.Kind, s.RG, s.Name = scopeResourceGroup, segs[3], segs[3]
	if len(segs) == 4 {
		return s, nil
	}
	// A resource: providers/{namespace}/{type}/{name}[/{type}/{name}]…
	rest := segs[4:]
	if len(rest) < 4 || len(rest)%2 != 0 || !eq(rest[0], "providers") {
		return bad()
	}
	types := []string{rest[1]}
	for i := 2; i < len(rest); i += 2 {
		types = append(types, rest[i])
	}
	s.ID += "/providers/" + strings.Join(rest[1:], "/")
	s.Kind, s.Name, s.RType = scopeResource, rest[len(rest)-1], strings.Join(types, "/")
	return s, nil
}

// canonicalScope is the canonical id of a scope, or raw when it does not
// parse (scenario validation reports those).
func canonicalScope(raw string) string {
	s, err := parseARMScope(raw)
	if err != nil {
		return raw
	}
	return s.ID
}

// roleDefinitionPath is where role definitions live under a scope.
const roleDefinitionPath = "/providers/Microsoft.Authorization/roleDefinitions/"

// roleGUID is the GUID of a role definition given as a bare GUID or a full
// id ("…/providers/Microsoft.Authorization/roleDefinitions/{guid}"); ""
// when it is neither. Peers match roles on this GUID (AZ §3.1 "Role id
// forms"), and so does the sim.
func roleGUID(id string) string {
	id = strings.TrimSpace(id)
	if i := strings.LastIndex(strings.ToLower(id), strings.ToLower(roleDefinitionPath)); i >= 0 {
		id = id[i+len(roleDefinitionPath):]
	} else if strings.Contains(id, "/") {
		return ""
	}
	if !isGUID(id) {
		return ""
	}
	return strings.ToLower(id)
}

// roleDefinitionID is the full id ARM shows for a role at a scope:
// subscription-prefixed at a subscription and below, tenant-level
// otherwise (AZ §3.1: eligibility ids are subscription-prefixed; at MG
// scope peers build /providers/…).
func roleDefinitionID(scope, guid string) string {
	s, err := parseARMScope(scope)
	if err == nil && s.Sub != "" {
		return "/subscriptions/" + s.Sub + roleDefinitionPath + guid
	}
	return roleDefinitionPath + guid
}

// armTopology is the scenario's Azure hierarchy.
type armTopology struct {
	mgParent map[string]string // management group → parent ("" under the root group)
	subMG    map[string]string // subscription → management group
	mgs      map[string]ManagementGroup
	subs     map[string]Subscription
	rgs      map[string]bool // "sub/rg" lower case
	res      map[string]Resource
}

func newARMTopology(sc Scenario) *armTopology {
	t := &armTopology{
		mgParent: map[string]string{}, subMG: map[string]string{}, mgs: map[string]ManagementGroup{},
		subs: map[string]Subscription{}, rgs: map[string]bool{}, res: map[string]Resource{},
	}
	for _, m := range sc.ManagementGroups {
		k := strings.ToLower(m.ID)
		t.mgs[k], t.mgParent[k] = m, strings.ToLower(m.Parent)
	}
	for _, s := range sc.Subscriptions {
		k := strings.ToLower(s.ID)
		t.subs[k], t.subMG[k] = s, strings.ToLower(s.ManagementGroup)
	}
	for _, g := range sc.ResourceGroups {
		t.rgs[strings.ToLower(g.Subscription+"/"+g.Name)] = true
	}
	for _, r := range sc.Resources {
		t.res[strings.ToLower(canonicalScope(r.ID))] = r
	}
	return t
}

// known reports whether a scope exists in the scenario ("/" always does).
func (t *armTopology) known(s armScope) bool {
	switch s.Kind {
	case scopeRoot:
		return true
	case scopeManagementGroup:
		_, ok := t.mgs[strings.ToLower(s.MG)]
		return ok
	case scopeSubscription:
		_, ok := t.subs[s.Sub]
		return ok
	case scopeResourceGroup:
		return t.rgs[strings.ToLower(s.Sub+"/"+s.RG)]
	default:
		_, ok := t.res[strings.ToLower(s.ID)]
		return ok
	}
}

// ancestors lists the canonical ids above scope, nearest first, ending
// with "/": a resource's group, subscription, the subscription's
// management groups up the chain, then the tenant root.
func (t *armTopology) ancestors(scope string) []string {
	s, err := parseARMScope(scope)
	if err != nil || s.Kind == scopeRoot {
		return nil
	}
	var out []string
	if s.Kind == scopeResource {
		out = append(out, "/subscriptions/"+s.Sub+"/resourceGroups/"+s.RG)
	}
	if s.Kind == scopeResource || s.Kind == scopeResourceGroup {
		out = append(out, "/subscriptions/"+s.Sub)
	}
	mg := strings.ToLower(s.MG)
	if s.Kind != scopeManagementGroup {
		mg = t.subMG[s.Sub]
	} else {
		mg = t.mgParent[mg]
	}
	for seen := map[string]bool{}; mg != "" && !seen[mg]; mg = t.mgParent[mg] {
		seen[mg] = true
		name := mg
		if m, ok := t.mgs[mg]; ok {
			name = m.ID
		}
		out = append(out, "/providers/Microsoft.Management/managementGroups/"+name)
	}
	return append(out, "/")
}

// within reports whether scope is at or below parent.
func (t *armTopology) within(scope, parent string) bool {
	if strings.EqualFold(scope, parent) {
		return true
	}
	for _, a := range t.ancestors(scope) {
		if strings.EqualFold(a, parent) {
			return true
		}
	}
	return false
}

// displayName and type of a scope for expandedProperties. A management
// group's display name falls back to its id (AZ §1.5: it may be the id).
func (t *armTopology) describe(scope string) (name, kind string) {
	s, err := parseARMScope(scope)
	if err != nil {
		return scope, ""
	}
	switch s.Kind {
	case scopeRoot:
		return "Root", "root"
	case scopeManagementGroup:
		if m, ok := t.mgs[strings.ToLower(s.MG)]; ok && m.DisplayName != "" {
			return m.DisplayName, s.Kind
		}
	case scopeSubscription:
		if sub, ok := t.subs[s.Sub]; ok && sub.DisplayName != "" {
			return sub.DisplayName, s.Kind
		}
	case scopeResource:
		if r, ok := t.res[strings.ToLower(s.ID)]; ok && r.DisplayName != "" {
			return r.DisplayName, s.Kind
		}
	}
	return s.Name, s.Kind
}
