package pim

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// The admin's Azure resource roles across the whole tenant: one list each
// at the root scope with $filter=asTarget() (every management group,
// subscription, resource group and resource, without any Azure role
// needed to read them: AZ §1.4), every page, names from expandedProperties.

// asTarget limits a list to the caller's own items; the SDK sends it
// percent-encoded (asTarget%28%29).
const asTarget = "asTarget()"

// eachEligible hands every eligibility instance of the admin to each and
// returns how many pages it read.
func (a *ARM) eachEligible(ctx context.Context, each func(*armauthorization.RoleEligibilityScheduleInstance)) (int, error) {
	c, err := a.eligibilities()
	if err != nil {
		return 0, err
	}
	return allARMPages(ctx, c.NewListForScopePager("", &armauthorization.RoleEligibilityScheduleInstancesClientListForScopeOptions{Filter: to.Ptr(asTarget)}),
		func(p armauthorization.RoleEligibilityScheduleInstancesClientListForScopeResponse) []*armauthorization.RoleEligibilityScheduleInstance {
			return p.Value
		}, func(v *armauthorization.RoleEligibilityScheduleInstance) {
			if v.Properties != nil {
				each(v)
			}
		})
}

// eachActive hands every active instance (activated or standing) to each.
func (a *ARM) eachActive(ctx context.Context, each func(*armauthorization.RoleAssignmentScheduleInstance)) (int, error) {
	c, err := a.instances()
	if err != nil {
		return 0, err
	}
	return allARMPages(ctx, c.NewListForScopePager("", &armauthorization.RoleAssignmentScheduleInstancesClientListForScopeOptions{Filter: to.Ptr(asTarget)}),
		func(p armauthorization.RoleAssignmentScheduleInstancesClientListForScopeResponse) []*armauthorization.RoleAssignmentScheduleInstance {
			return p.Value
		}, func(v *armauthorization.RoleAssignmentScheduleInstance) {
			if v.Properties != nil {
				each(v)
			}
		})
}

// eachRequest hands every request of the admin to each (PIM keeps them
// all, so the pending ones are picked here: ARM filters requests by whom
// they are for, not by status).
func (a *ARM) eachRequest(ctx context.Context, each func(*armauthorization.RoleAssignmentScheduleRequest)) (int, error) {
	c, err := a.requests()
	if err != nil {
		return 0, err
	}
	return allARMPages(ctx, c.NewListForScopePager("", &armauthorization.RoleAssignmentScheduleRequestsClientListForScopeOptions{Filter: to.Ptr(asTarget)}),
		func(p armauthorization.RoleAssignmentScheduleRequestsClientListForScopeResponse) []*armauthorization.RoleAssignmentScheduleRequest {
			return p.Value
		}, func(v *armauthorization.RoleAssignmentScheduleRequest) {
			if v.Properties != nil {
				each(v)
			}
		})
}

// allARMPages reads every page of an SDK pager (up to maxPages: more is
// errCapped, never a silent stop), handing each item to each, and returns
// how many pages it read.
func allARMPages[P, V any](ctx context.Context, p *runtime.Pager[P], values func(P) []*V, each func(*V)) (int, error) {
	return armPagesUntil(ctx, p, values, func(v *V) bool { each(v); return true })
}

// armPagesUntil is allARMPages that stops, without error, at the first
// item each answers false for.
func armPagesUntil[P, V any](ctx context.Context, p *runtime.Pager[P], values func(P) []*V, each func(*V) bool) (int, error) {
	pages := 0
	for ; p.More(); pages++ {
		if pages == maxPages {
			return pages, errCapped
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return pages, armError(err)
		}
		for _, v := range values(page) {
			if v != nil && !each(v) {
				return pages + 1, nil
			}
		}
	}
	return pages, nil
}

// azureNames says scopes in words from what the lists carry: each item's
// expandedProperties, and the subscriptions' names seen anywhere in this
// load (or an earlier one) for the resource groups inside them.
type azureNames struct {
	s    *Service
	subs map[string]string // lower-cased subscription scope → display name
}

func newAzureNames(s *Service) *azureNames { return &azureNames{s: s, subs: map[string]string{}} }

// see notes a scope's display name when it is a subscription's.
func (n *azureNames) see(exp *armauthorization.ExpandedProperties) {
	if exp == nil || exp.Scope == nil {
		return
	}
	id, name := deref(exp.Scope.ID), deref(exp.Scope.DisplayName)
	if name == "" || parseAzureScope(id).kind != "sub" {
		return
	}
	key := strings.ToLower(id)
	if n.subs[key] != name {
		n.subs[key] = name
		if n.s != nil {
			n.s.meta.Put("azsub|"+key, name)
		}
	}
}

func (n *azureNames) subscription(scope string) string {
	key := strings.ToLower(subscriptionScope(scope))
	if key == "" {
		return ""
	}
	if name, ok := n.subs[key]; ok {
		return name
	}
	var name string
	if n.s != nil && n.s.meta.Get("azsub|"+key, PolicyTTL, &name) {
		return name
	}
	return ""
}

// target is the eligibility an ARM item names.
func (n *azureNames) target(scope, roleID *string, exp *armauthorization.ExpandedProperties) Eligibility {
	e := Eligibility{Kind: KindAzureRole, AzureScope: deref(scope), RoleDefinitionID: deref(roleID)}
	scopeName := ""
	if exp != nil {
		if r := exp.RoleDefinition; r != nil {
			e.Name = deref(r.DisplayName)
		}
		if sc := exp.Scope; sc != nil {
			scopeName = deref(sc.DisplayName)
			if e.AzureScope == "" {
				e.AzureScope = deref(sc.ID)
			}
		}
	}
	if e.Name == "" {
		e.Name = azureRoleGUID(e.RoleDefinitionID)
	}
	e.Scope = azureScopeWords(e.AzureScope, scopeName, n.subscription(e.AzureScope))
	return e
}

func (n *azureNames) eligibility(v *armauthorization.RoleEligibilityScheduleInstance) Eligibility {
	p := v.Properties
	e := n.target(p.Scope, p.RoleDefinitionID, p.ExpandedProperties)
	e.EligibilityScheduleID = deref(p.RoleEligibilityScheduleID)
	e.Condition, e.ConditionVersion = deref(p.Condition), deref(p.ConditionVersion)
	return e
}

// azureActive is an active instance: a PIM activation (assignmentType
// Activated) or a standing assignment (Assigned).
func azureActive(v *armauthorization.RoleAssignmentScheduleInstance, n *azureNames) Active {
	if n == nil {
		n = newAzureNames(nil)
	}
	p := v.Properties
	return Active{
		Eligibility: n.target(p.Scope, p.RoleDefinitionID, p.ExpandedProperties),
		Start:       deref(p.StartDateTime), End: deref(p.EndDateTime),
		Assigned: p.AssignmentType == nil || *p.AssignmentType != armauthorization.AssignmentTypeActivated,
	}
}

// azurePending is a request waiting for an approver, or nothing.
func azurePending(v *armauthorization.RoleAssignmentScheduleRequest, n *azureNames) (Pending, bool) {
	p := v.Properties
	if !IsPending(statusOf(p.Status)) || (p.RequestType != nil && *p.RequestType != armauthorization.RequestTypeSelfActivate) {
		return Pending{}, false
	}
	return Pending{
		Eligibility: n.target(p.Scope, p.RoleDefinitionID, p.ExpandedProperties),
		RequestID:   deref(v.Name), Status: statusOf(p.Status), Created: deref(p.CreatedOn),
	}, true
}
