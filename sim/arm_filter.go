package sim

import (
	"fmt"
	"net/http"
	"strings"
)

// $filter on the ARM lists, as the 2020-10-01 spec and the role assignment
// docs describe it (AZ §1.3, §1.4, §3.1, §5), and no more: clauses joined
// by "and", each one of
//
//	asTarget / asTarget()          the caller's own items
//	asRequestor() / asApprover()   requests the caller made / may approve
//	atScope / atScope()            at or above the scope, no subscopes
//	principalId eq '{id}'          one principal's items
//	roleDefinitionId eq '{id}'     one role (full id or GUID; matched on the GUID)
//	assignedTo('{id}')             a principal's items (groups aside: the sim has none)
//
// Which clauses an endpoint takes is per endpoint (armFilterClauses). The
// SDK sends the filter percent-encoded (asTarget%28%29); Go's query parser
// has already decoded it. Anything else is 400 InvalidFilter (the code is
// the sim's own: the real one is not recorded).

// armFilter is a parsed $filter.
type armFilter struct {
	asTarget, asRequestor, asApprover, atScope bool
	principalID, roleGUID, assignedTo          string
}

// restrictsToCaller reports whether the filter limits the list to the
// caller's own items, which needs no read permission at the scope (AZ §1.4).
func (f armFilter) restrictsToCaller() bool { return f.asTarget || f.asRequestor || f.asApprover }

// Filter clause names, lower case.
const (
	fAsTarget    = "astarget"
	fAsRequestor = "asrequestor"
	fAsApprover  = "asapprover"
	fAtScope     = "atscope"
	fPrincipalID = "principalid"
	fRoleDef     = "roledefinitionid"
	fAssignedTo  = "assignedto"
)

func filterError(raw, why string) *apiError {
	return badRequest("InvalidFilter", fmt.Sprintf("The $filter '%s' is not supported: %s.", raw, why))
}

// parseARMFilter parses raw, allowing only the clauses in allowed.
func parseARMFilter(raw string, allowed ...string) (armFilter, *apiError) {
	var f armFilter
	if strings.TrimSpace(raw) == "" {
		return f, nil
	}
	toks, aerr := tokenizeFilter(raw)
	if aerr != nil {
		return f, badRequest("InvalidFilter", aerr.message)
	}
	// ARM: "and" in any case, as its other keywords.
	for _, cl := range splitAnd(toks, func(w string) bool { return strings.EqualFold(w, "and") }) {
		if aerr := f.addClause(raw, cl, allowed); aerr != nil {
			return armFilter{}, aerr
		}
	}
	return f, nil
}

func (f *armFilter) addClause(raw string, cl []filterToken, allowed []string) *apiError {
	if len(cl) == 0 || cl[0].literal {
		return filterError(raw, "expected a clause next to 'and'")
	}
	name := strings.ToLower(cl[0].text)
	if !hasString(allowed, name) {
		return filterError(raw, fmt.Sprintf("'%s' cannot be used on this list (it takes %s)", cl[0].text, strings.Join(allowed, ", ")))
	}
	texts := make([]string, len(cl))
	for i, tk := range cl {
		texts[i] = tk.text
		if tk.literal {
			texts[i] = "'"
		}
	}
	shape := strings.Join(texts[1:], " ")
	switch name {
	case fAsTarget, fAsRequestor, fAsApprover, fAtScope:
		if shape != "" && shape != "( )" {
			return filterError(raw, fmt.Sprintf("%s takes no argument", cl[0].text))
		}
		switch name {
		case fAsTarget:
			f.asTarget = true
		case fAsRequestor:
			f.asRequestor = true
		case fAsApprover:
			f.asApprover = true
		default:
			f.atScope = true
		}
	case fAssignedTo:
		if shape != "( ' )" {
			return filterError(raw, "expected assignedTo('{objectId}')")
		}
		f.assignedTo = cl[2].text
	default: // principalId, roleDefinitionId
		if len(cl) != 3 || cl[1].literal || cl[1].text != "eq" || !cl[2].literal {
			return filterError(raw, fmt.Sprintf("expected %s eq '{value}'", cl[0].text))
		}
		if name == fPrincipalID {
			f.principalID = cl[2].text
		} else if f.roleGUID = roleGUID(cl[2].text); f.roleGUID == "" {
			return filterError(raw, "the roleDefinitionId is neither a GUID nor a role definition id")
		}
	}
	return nil
}

// Clauses each list takes.
var (
	instanceFilterClauses = []string{fAsTarget, fAtScope, fPrincipalID, fRoleDef, fAssignedTo}
	requestFilterClauses  = []string{fAsTarget, fAsRequestor, fAsApprover, fAtScope, fPrincipalID}
	policyFilterClauses   = []string{fRoleDef}
	roleAssignmentClauses = []string{fAtScope, fAssignedTo, fPrincipalID}
)

// matchTarget reports whether an item for e, owned by principal, passes
// the filter for a caller listing at scope. Without atScope an item at,
// above or below the scope qualifies (AZ §1.3: principalId "at, above or
// below"); with it, only at or above.
func (f armFilter) matchTarget(topo *armTopology, scope, caller string, e Eligibility) bool {
	if f.asTarget && !strings.EqualFold(e.UserID, caller) {
		return false
	}
	if f.principalID != "" && !strings.EqualFold(e.UserID, f.principalID) {
		return false
	}
	if f.assignedTo != "" && !strings.EqualFold(e.UserID, f.assignedTo) {
		return false
	}
	if f.roleGUID != "" && roleGUID(e.RoleDefinitionID) != f.roleGUID {
		return false
	}
	above := topo.within(scope, e.Scope)
	if f.atScope {
		return above
	}
	return above || topo.within(e.Scope, scope)
}

// insufficientPermissions answers a read the caller may not make: a list
// whose filter does not restrict it to the caller's own items needs
// Microsoft.Authorization/roleAssignments/read at the scope, which nobody
// has at the tenant root (AZ §1.4: 400 InsufficientPermissions; the status
// comes from a peer note).
func insufficientPermissions(caller string) *apiError {
	return &apiError{
		status: http.StatusBadRequest, code: "InsufficientPermissions",
		message: fmt.Sprintf("The requestor %s does not have permissions for this request. Please use $filter=asTarget to filter on the requestor's assignments.", caller),
	}
}
