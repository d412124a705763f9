package cli

import (
	"fmt"
	"strings"

	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// selector picks eligibilities by name or id, scope and access.
type selector struct {
	scope  string
	access string
}

// validate checks the flags before anything else happens.
func (sel selector) validate() error {
	if sel.access != "" && sel.access != "member" && sel.access != "owner" {
		return usagef("--access must be member or owner")
	}
	return nil
}

// resolve finds exactly one candidate for each ROLE argument. Arguments
// that match none are reported together through missing, which says it in
// the command's own words ("not active", "no request waiting", …).
func (sel selector) resolve(candidates []pim.Eligibility, args []string, missing func(names string) error) ([]pim.Eligibility, error) {
	var out []pim.Eligibility
	var unmatched []string
	seen := map[string]bool{}
	for _, arg := range args {
		var matches []pim.Eligibility
		for _, e := range candidates {
			if !strings.EqualFold(e.Name, arg) && !strings.EqualFold(e.RoleDefinitionID, arg) && !strings.EqualFold(e.GroupID, arg) {
				continue
			}
			if sel.scope != "" && !sel.atScope(e) {
				continue
			}
			if sel.access != "" && e.Kind == pim.KindGroup && e.AccessID != sel.access {
				continue
			}
			matches = append(matches, e)
		}
		switch len(matches) {
		case 0:
			unmatched = append(unmatched, fmt.Sprintf("%q", arg))
			continue
		case 1:
		default:
			var c []string
			for _, m := range matches {
				if m.Kind == pim.KindGroup {
					c = append(c, fmt.Sprintf("--access %s", m.AccessID))
				} else {
					c = append(c, fmt.Sprintf("--scope %q (%s)", scopeID(m), show.Text(m.Scope)))
				}
			}
			return nil, usagef("%q matches %d eligibilities; choose one with %s", arg, len(matches), strings.Join(c, " or "))
		}
		if !seen[matches[0].Key()] {
			seen[matches[0].Key()] = true
			out = append(out, matches[0])
		}
	}
	if len(unmatched) > 0 {
		return nil, missing(strings.Join(unmatched, ", ") + sel.describe())
	}
	return out, nil
}

// atScope reports whether --scope names e's scope: the id (a
// directoryScopeId, an appScopeId, an ARM scope id) or the words shown.
func (sel selector) atScope(e pim.Eligibility) bool {
	want := strings.TrimSpace(sel.scope)
	for _, have := range []string{e.DirectoryScopeID, e.AppScopeID, e.Scope} {
		if have != "" && strings.EqualFold(have, want) {
			return true
		}
	}
	// ARM spells scope ids with or without a trailing slash, and its
	// keywords in any case.
	return e.AzureScope != "" && strings.EqualFold(strings.TrimRight(e.AzureScope, "/"), strings.TrimRight(want, "/"))
}

func scopeID(e pim.Eligibility) string {
	switch {
	case e.AzureScope != "":
		return e.AzureScope
	case e.AppScopeID != "":
		return e.AppScopeID
	}
	return e.DirectoryScopeID
}

func (sel selector) describe() string {
	s := ""
	if sel.scope != "" {
		s += " at scope " + sel.scope
	}
	if sel.access != "" {
		s += " with access " + sel.access
	}
	return s
}
