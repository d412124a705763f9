package sim

import (
	"strings"
	"time"
)

// Azure resource roles in the state machine: when an activation's role
// assignment exists in ARM and when its permissions apply. Activation and
// deactivation themselves are the kind-generic rules of pimrules.go.
//
// Propagation (AZ §5, §10.5): an activation is listed after the
// provisioning delay (like Graph's); its role assignment exists from then
// until ARM has removed it, ARMPropagationDelay after it ended; its
// permissions apply from ARMPropagationDelay after its start until
// ARMPropagationDelay after its end. So a client sees "active, propagating"
// and proves the activation with the permissions API.

// roleAssignmentAt reports whether a's ARM role assignment exists at now.
func (s *pimState) roleAssignmentAt(a *assignment, now time.Time) bool {
	return !now.Before(a.ListedAt) && now.Before(a.End.Add(s.armDelay))
}

// permissionsAt reports whether a's role grants its actions at now.
func (s *pimState) permissionsAt(a *assignment, now time.Time) bool {
	return !now.Before(a.Start.Add(s.armDelay)) && now.Before(a.End.Add(s.armDelay))
}

// effectiveRoles lists the roles that apply to principal at scope at now:
// assignments at the scope or above whose permissions have propagated,
// one entry per assignment, as the permissions API lists them (AZ §5).
func (s *pimState) effectiveRoles(principal, scope string, now time.Time) []AzureRole {
	var out []AzureRole
	for _, a := range s.assignments {
		if kindOf(a.Eligibility) != kindARM || !strings.EqualFold(a.UserID, principal) || !s.permissionsAt(a, now) {
			continue
		}
		if !s.topo.within(scope, a.Scope) {
			continue
		}
		if r, ok := s.armRoles[roleGUID(a.RoleDefinitionID)]; ok {
			out = append(out, r)
		}
	}
	return out
}

// allowed reports whether principal may perform action at scope at now:
// some applying role has it in actions and not in notActions (AZ §5,
// D16).
func (s *pimState) allowed(principal, scope, action string, now time.Time) bool {
	for _, r := range s.effectiveRoles(principal, scope, now) {
		if matchesAny(r.Actions, action) && !matchesAny(r.NotActions, action) {
			return true
		}
	}
	return false
}

func matchesAny(patterns []string, action string) bool {
	for _, p := range patterns {
		if actionMatch(p, action) {
			return true
		}
	}
	return false
}

// actionMatch matches an RBAC action pattern, where * stands for any run
// of characters (slashes included) and case is ignored.
func actionMatch(pattern, action string) bool {
	p, a := strings.ToLower(pattern), strings.ToLower(action)
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == a
	}
	if !strings.HasPrefix(a, parts[0]) {
		return false
	}
	a = a[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(a, mid)
		if i < 0 {
			return false
		}
		a = a[i+len(mid):]
	}
	return strings.HasSuffix(a, parts[len(parts)-1])
}

// armPolicyFor is the scenario's policy for an Azure role at the target's
// scope or, failing that, at the nearest scope above that has one. Whether
// ARM inherits settings is UNVERIFIED (AZ §3.1); the sim does, so a
// narrowed activation (a resource group under an approval-only
// subscription eligibility) cannot escape its policy, and the policy API
// answers the same at every scope.
func (s *pimState) armPolicyFor(e Eligibility) (Policy, bool) {
	guid := roleGUID(e.RoleDefinitionID)
	for _, scope := range append([]string{e.Scope}, s.topo.ancestors(e.Scope)...) {
		for _, p := range s.policies {
			if p.Scope != "" && strings.EqualFold(p.Scope, scope) && strings.EqualFold(p.RoleDefinitionID, guid) {
				return withPolicyDefaults(p), true
			}
		}
	}
	return Policy{}, false
}

// linkedEligibility is the eligibility an Azure assignment was activated
// from: the principal's for the same role at its scope or above.
func (s *pimState) linkedEligibility(a Eligibility) (Eligibility, bool) {
	for _, e := range s.eligibilities {
		if kindOf(e) == kindARM && strings.EqualFold(e.UserID, a.UserID) && roleGUID(e.RoleDefinitionID) == roleGUID(a.RoleDefinitionID) &&
			s.topo.within(a.Scope, e.Scope) {
			return e, true
		}
	}
	return Eligibility{}, false
}

// armRoleAssignments lists the Azure role assignments that exist at now.
func (s *pimState) armRoleAssignments(now time.Time) []*assignment {
	var out []*assignment
	for _, a := range s.assignments {
		if kindOf(a.Eligibility) == kindARM && s.roleAssignmentAt(a, now) {
			out = append(out, a)
		}
	}
	return out
}
