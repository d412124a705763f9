package pim

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/pimento-cli/pimento/internal/duration"
)

// Azure role policies (AZ §3): every role has one at every scope. pimento
// reads the policy assignment for the eligibility's role at its scope, whose
// effectiveRules are the rules computed for it, and caches it like a
// directory role's. v2's policy assignment list takes no $filter, so the
// request goes through the SDK pipeline with one; whether ARM honours it is
// UNVERIFIED (§11.8), so the role is matched here too.

// azurePolicyKey is the cache key of an Azure role's policy at a scope.
func azurePolicyKey(e Eligibility) string {
	return "azure:" + azureRoleGUID(e.RoleDefinitionID) + ":" + strings.ToLower(e.AzureScope)
}

// azurePolicy reads e's policy: at its scope, else at the scopes above it
// that its id names (inheritance is UNVERIFIED, §11.9; PIM's answer to the
// request is what counts).
func (s *Service) azurePolicy(ctx context.Context, e Eligibility) (Policy, error) {
	guid := azureRoleGUID(e.RoleDefinitionID)
	for _, scope := range append([]string{e.AzureScope}, parentScopes(e.AzureScope)...) {
		q := url.Values{"api-version": {armPIMVersion}, "$filter": {"roleDefinitionId eq '" + e.RoleDefinitionID + "'"}}
		next := ""
		for page := 0; page < maxPages; page++ {
			var res armauthorization.RoleManagementPolicyAssignmentListResult
			if err := s.arm.get(ctx, scope, "roleManagementPolicyAssignments", q, next, &res); err != nil {
				return Policy{}, err
			}
			for _, a := range res.Value {
				if a == nil || a.Properties == nil || azureRoleGUID(deref(a.Properties.RoleDefinitionID)) != guid {
					continue
				}
				return policyFromARMRules(a.Properties.EffectiveRules), nil
			}
			if next = deref(res.NextLink); next == "" {
				break
			}
		}
		s.debugf("azure: no policy assignment for role %s at %s; trying the scope above", guid, scope)
	}
	return Policy{}, fmt.Errorf("ARM has no activation policy for %s at %s", e.Name, e.AzureScope)
}

// policyFromARMRules reads the end-user activation rules; admin and
// notification rules do not govern self-activation.
func policyFromARMRules(rules []armauthorization.RoleManagementPolicyRuleClassification) Policy {
	var p Policy
	for _, r := range rules {
		switch rule := r.(type) {
		case *armauthorization.RoleManagementPolicyExpirationRule:
			if deref(rule.ID) != "Expiration_EndUser_Assignment" {
				continue
			}
			if d, err := duration.Parse(deref(rule.MaximumDuration)); err == nil {
				p.MaxDuration = d
			}
		case *armauthorization.RoleManagementPolicyEnablementRule:
			if deref(rule.ID) != "Enablement_EndUser_Assignment" {
				continue
			}
			for _, e := range rule.EnabledRules {
				switch deref(e) {
				case armauthorization.EnablementRulesJustification:
					p.Justification = true
				case armauthorization.EnablementRulesTicketing:
					p.Ticket = true
				case armauthorization.EnablementRulesMultiFactorAuthentication:
					p.MFA = true
				}
			}
		case *armauthorization.RoleManagementPolicyAuthenticationContextRule:
			if deref(rule.ID) == "AuthenticationContext_EndUser_Assignment" && deref(rule.IsEnabled) {
				p.AuthContext = deref(rule.ClaimValue)
			}
		case *armauthorization.RoleManagementPolicyApprovalRule:
			set := rule.Setting
			if deref(rule.ID) != "Approval_EndUser_Assignment" || set == nil || !deref(set.IsApprovalRequired) {
				continue
			}
			p.Approval = true
			// Approvers read the requestor's justification when it asks.
			p.Justification = p.Justification || deref(set.IsRequestorJustificationRequired)
			for _, stage := range set.ApprovalStages {
				if stage == nil {
					continue
				}
				for _, who := range stage.PrimaryApprovers {
					if who == nil {
						continue
					}
					if d := deref(who.Description); d != "" {
						p.Approvers = append(p.Approvers, d)
					} else if id := deref(who.ID); id != "" {
						p.Approvers = append(p.Approvers, id)
					}
				}
			}
		}
	}
	return p
}
