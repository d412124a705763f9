package pim

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// When is an Azure role usable? ARM caches role assignments for up to 10
// minutes (D10), so PIM listing an activation does not mean ARM lets the
// admin act. The proof is ARM's own answer: the permissions API at the
// scope (api-version 2022-04-01) lists one entry per role that applies,
// and the role is effective when those entries grant every one of its
// actions and data actions (AZ §5).

// permissionSet is a role's (or a permissions entry's) four lists.
type permissionSet struct {
	Actions        []string `json:"actions,omitempty"`
	NotActions     []string `json:"notActions,omitempty"`
	DataActions    []string `json:"dataActions,omitempty"`
	NotDataActions []string `json:"notDataActions,omitempty"`
}

func permissionSetOf(p *armauthorization.Permission) permissionSet {
	strs := func(v []*string) []string {
		out := make([]string, 0, len(v))
		for _, s := range v {
			if s != nil {
				out = append(out, *s)
			}
		}
		return out
	}
	return permissionSet{Actions: strs(p.Actions), NotActions: strs(p.NotActions), DataActions: strs(p.DataActions), NotDataActions: strs(p.NotDataActions)}
}

// azureRolePermissions is what e's role allows, from its definition
// (cached: built-in roles do not change, custom ones rarely).
func (s *Service) azureRolePermissions(ctx context.Context, e Eligibility) (permissionSet, error) {
	guid := azureRoleGUID(e.RoleDefinitionID)
	var set permissionSet
	if s.meta.Get("azrole|"+guid, PolicyTTL, &set) {
		return set, nil
	}
	c, err := s.arm.roleDefinitions()
	if err != nil {
		return set, err
	}
	res, err := c.Get(ctx, scopePath(e.AzureScope), guid, nil)
	if err != nil {
		err = armError(err)
		if !notYetApplied(err) || scopePath(e.AzureScope) == "" {
			return set, err
		}
		// No role at the scope yet (the activation still propagating): a
		// built-in role's definition is readable at the tenant root too.
		root, rerr := c.Get(ctx, "", guid, nil)
		if rerr != nil {
			s.debugf("azure: role definition %s unreadable at %s (%s) and at the tenant root (%s)", guid, e.AzureScope, describe(err), describe(armError(rerr)))
			return set, err
		}
		res = root
	}
	if p := res.Properties; p != nil {
		for _, perm := range p.Permissions {
			if perm != nil {
				x := permissionSetOf(perm)
				set.Actions = append(set.Actions, x.Actions...)
				set.NotActions = append(set.NotActions, x.NotActions...)
				set.DataActions = append(set.DataActions, x.DataActions...)
				set.NotDataActions = append(set.NotDataActions, x.NotDataActions...)
			}
		}
	}
	s.meta.Put("azrole|"+guid, set)
	return set, nil
}

// codeAuthorizationFailed is ARM's refusal of an action the caller has no
// role for at a scope (AZ §2.3: "… does not have authorization to perform
// action … If access was recently granted, please refresh your
// credentials.").
const codeAuthorizationFailed = "AuthorizationFailed"

// notYetApplied reports whether err is ARM refusing a read at a scope for
// want of a role there (403 AuthorizationFailed). While an activation
// propagates the admin may have no role at its scope yet, so the refusal
// means "not applied yet", not "the permissions cannot be read".
func notYetApplied(err error) bool {
	g, ok := asGraphError(err)
	return ok && g.Status == http.StatusForbidden && strings.EqualFold(g.Code, codeAuthorizationFailed)
}

// permissions are the entries ARM lists for the caller at scope. v2 has
// this call only for resource groups and resources; the path is the same
// at a subscription or management group, so it goes through the pipeline.
func (a *ARM) permissions(ctx context.Context, scope string) ([]permissionSet, error) {
	var out []permissionSet
	next := ""
	for page := 0; page < maxPages; page++ {
		var res armauthorization.PermissionGetResult
		if err := a.get(ctx, scope, "permissions", url.Values{"api-version": {armRBACVersion}}, next, &res); err != nil {
			return nil, err
		}
		for _, p := range res.Value {
			if p != nil {
				out = append(out, permissionSetOf(p))
			}
		}
		if next = deref(res.NextLink); next == "" {
			return out, nil
		}
	}
	return out, errCapped
}

// grants reports whether the entries allow every action and data action
// of role: each is matched by an entry's actions and not by the same
// entry's notActions. A role with no actions at all needs some entry.
func grants(have []permissionSet, role permissionSet) bool {
	if len(role.Actions) == 0 && len(role.DataActions) == 0 {
		return len(have) > 0
	}
	allowed := func(action string, data bool) bool {
		for _, h := range have {
			yes, no := h.Actions, h.NotActions
			if data {
				yes, no = h.DataActions, h.NotDataActions
			}
			if matchesAction(yes, action) && !matchesAction(no, action) {
				return true
			}
		}
		return false
	}
	for _, a := range role.Actions {
		if !allowed(a, false) {
			return false
		}
	}
	for _, a := range role.DataActions {
		if !allowed(a, true) {
			return false
		}
	}
	return true
}

// matchesAction reports whether one of the patterns covers action. A
// pattern's * stands for any run of characters; the action, itself maybe
// a pattern, is taken as text ("*/read" is covered by "*", not by
// "Microsoft.Compute/*/read"). Case is ignored, as RBAC ignores it.
func matchesAction(patterns []string, action string) bool {
	a := strings.ToLower(action)
	for _, p := range patterns {
		if wildcard(strings.ToLower(p), a) {
			return true
		}
	}
	return false
}

func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
