package pim

import (
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/pimento-cli/pimento/internal/duration"
)

// policyFromAssignments reads the end-user activation rules of the first
// policy assignment. Rules come as typed models; only *_EndUser_Assignment
// rules govern self-activation.
func policyFromAssignments(list []models.UnifiedRoleManagementPolicyAssignmentable) (Policy, bool) {
	var p Policy
	for _, a := range list {
		pol := a.GetPolicy()
		if pol == nil {
			continue
		}
		for _, r := range pol.GetRules() {
			id := deref(r.GetId())
			switch rule := r.(type) {
			case models.UnifiedRoleManagementPolicyExpirationRuleable:
				if id != "Expiration_EndUser_Assignment" {
					continue
				}
				if d := rule.GetMaximumDuration(); d != nil {
					if v, err := d.ToDuration(); err == nil {
						p.MaxDuration = v
					}
				}
			case models.UnifiedRoleManagementPolicyEnablementRuleable:
				if id != "Enablement_EndUser_Assignment" {
					continue
				}
				for _, e := range rule.GetEnabledRules() {
					switch e {
					case "Justification":
						p.Justification = true
					case "Ticketing":
						p.Ticket = true
					case "MultiFactorAuthentication":
						p.MFA = true
					}
				}
			case models.UnifiedRoleManagementPolicyAuthenticationContextRuleable:
				if id != "AuthenticationContext_EndUser_Assignment" {
					continue
				}
				if deref(rule.GetIsEnabled()) {
					p.AuthContext = deref(rule.GetClaimValue())
				}
			case models.UnifiedRoleManagementPolicyApprovalRuleable:
				if id != "Approval_EndUser_Assignment" {
					continue
				}
				s := rule.GetSetting()
				if s == nil || !deref(s.GetIsApprovalRequired()) {
					continue
				}
				p.Approval = true
				for _, stage := range s.GetApprovalStages() {
					for _, who := range stage.GetPrimaryApprovers() {
						if name := approverName(who); name != "" {
							p.Approvers = append(p.Approvers, name)
						}
					}
				}
			}
		}
		return p, true
	}
	return p, false
}

func approverName(s models.SubjectSetable) string {
	switch v := s.(type) {
	case models.SingleUserable:
		if d := deref(v.GetDescription()); d != "" {
			return d
		}
		return deref(v.GetUserId())
	case models.GroupMembersable:
		if d := deref(v.GetDescription()); d != "" {
			return d
		}
		return "members of " + deref(v.GetGroupId())
	}
	return ""
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// PolicyTTL is how long cached policies and scope names are trusted.
// Policies are not secret and change rarely; a day-old policy only risks a
// refused request, which pimento reports and then refetches.
const PolicyTTL = 12 * time.Hour

type policyJSON struct {
	MaxDuration   string   `json:"maxDuration"` // ISO 8601
	Justification bool     `json:"justification,omitempty"`
	Ticket        bool     `json:"ticket,omitempty"`
	MFA           bool     `json:"mfa,omitempty"`
	Approval      bool     `json:"approval,omitempty"`
	Approvers     []string `json:"approvers,omitempty"`
	AuthContext   string   `json:"authContext,omitempty"`
}

// cachedPolicy is a role's or group access's policy from the cache.
func (s *Service) cachedPolicy(e Eligibility) (Policy, bool) {
	var pj policyJSON
	if !s.meta.Get("policy|"+policyKey(e), PolicyTTL, &pj) {
		return Policy{}, false
	}
	d, err := duration.Parse(pj.MaxDuration)
	if err != nil {
		return Policy{}, false
	}
	return Policy{
		MaxDuration: d, Justification: pj.Justification, Ticket: pj.Ticket, MFA: pj.MFA,
		Approval: pj.Approval, Approvers: pj.Approvers, AuthContext: pj.AuthContext,
	}, true
}

func (s *Service) putPolicy(key string, p Policy) {
	s.meta.Put("policy|"+key, policyJSON{
		MaxDuration: duration.ISO(p.MaxDuration), Justification: p.Justification, Ticket: p.Ticket, MFA: p.MFA,
		Approval: p.Approval, Approvers: p.Approvers, AuthContext: p.AuthContext,
	})
}

// forgetPolicy drops a cached policy after PIM refused what it allowed.
func (s *Service) forgetPolicy(e Eligibility) {
	s.meta.Forget("policy|" + policyKey(e))
	if err := s.meta.Save(); err != nil {
		s.debugf("policy cache not saved: %v", err)
	}
}

func (s *Service) cachedScope(id string) (string, bool) {
	var words string
	ok := s.meta.Get("scope|"+id, PolicyTTL, &words)
	return words, ok
}

func (s *Service) putScope(id, words string) { s.meta.Put("scope|"+id, words) }

// policyKey is the cache key of a role's or group access's policy. Role
// policies are per role (always looked up at scope "/"), not per scope.
func policyKey(e Eligibility) string {
	switch e.Kind {
	case KindGroup:
		return "group:" + e.GroupID + ":" + e.AccessID
	case KindAzureRole:
		// Azure policies are per role and scope.
		return azurePolicyKey(e)
	}
	return "role:" + e.RoleDefinitionID
}

// scopeWords says a directoryScopeId in words ("tenant", "AU: …", "app: …").
func scopeWords(scopeID, name string) string {
	switch {
	case scopeID == "/" || scopeID == "":
		return "tenant"
	case strings.HasPrefix(scopeID, "/administrativeUnits/"):
		if name == "" {
			name = strings.TrimPrefix(scopeID, "/administrativeUnits/")
		}
		return "AU: " + name
	default:
		if name == "" {
			name = strings.TrimPrefix(scopeID, "/")
		}
		return "app: " + name
	}
}
