package pim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
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

// metaCache keeps policies and scope names on disk between runs, so a warm
// start is one round trip.
type metaCache struct {
	mu   sync.Mutex
	path string
	now  func() time.Time
	data metaCacheFile
}

type metaCacheFile struct {
	Policies map[string]cachedPolicy `json:"policies"`
	Scopes   map[string]cachedScope  `json:"scopes"`
}

type cachedPolicy struct {
	Policy  policyJSON `json:"policy"`
	Fetched time.Time  `json:"fetched"`
}

type cachedScope struct {
	Words   string    `json:"words"`
	Fetched time.Time `json:"fetched"`
}

type policyJSON struct {
	MaxDuration   string   `json:"maxDuration"`
	Justification bool     `json:"justification,omitempty"`
	Ticket        bool     `json:"ticket,omitempty"`
	MFA           bool     `json:"mfa,omitempty"`
	Approval      bool     `json:"approval,omitempty"`
	Approvers     []string `json:"approvers,omitempty"`
	AuthContext   string   `json:"authContext,omitempty"`
}

func newMetaCache(dir string, now func() time.Time) *metaCache {
	c := &metaCache{now: now, data: metaCacheFile{Policies: map[string]cachedPolicy{}, Scopes: map[string]cachedScope{}}}
	if dir == "" {
		return c
	}
	c.path = filepath.Join(dir, "policies.json")
	if b, err := os.ReadFile(c.path); err == nil {
		var f metaCacheFile
		if json.Unmarshal(b, &f) == nil {
			if f.Policies != nil {
				c.data.Policies = f.Policies
			}
			if f.Scopes != nil {
				c.data.Scopes = f.Scopes
			}
		}
	}
	return c
}

func (c *metaCache) policy(key string) (Policy, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.data.Policies[key]
	if !ok || c.now().Sub(e.Fetched) > PolicyTTL {
		return Policy{}, false
	}
	d, _ := time.ParseDuration(e.Policy.MaxDuration)
	return Policy{
		MaxDuration: d, Justification: e.Policy.Justification, Ticket: e.Policy.Ticket, MFA: e.Policy.MFA,
		Approval: e.Policy.Approval, Approvers: e.Policy.Approvers, AuthContext: e.Policy.AuthContext,
	}, true
}

func (c *metaCache) putPolicy(key string, p Policy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data.Policies[key] = cachedPolicy{Fetched: c.now(), Policy: policyJSON{
		MaxDuration:   p.MaxDuration.String(),
		Justification: p.Justification, Ticket: p.Ticket, MFA: p.MFA, Approval: p.Approval, Approvers: p.Approvers, AuthContext: p.AuthContext,
	}}
}

func (c *metaCache) scope(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.data.Scopes[id]
	if !ok || c.now().Sub(e.Fetched) > PolicyTTL {
		return "", false
	}
	return e.Words, true
}

func (c *metaCache) putScope(id, words string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data.Scopes[id] = cachedScope{Words: words, Fetched: c.now()}
}

// forget drops a cached policy, e.g. after PIM refused what it allowed.
func (c *metaCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.data.Policies, key)
}

func (c *metaCache) save() error {
	if c.path == "" {
		return nil
	}
	c.mu.Lock()
	b, err := json.MarshalIndent(c.data, "", " ")
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, c.path)
}

// policyKey is the cache key of a role's or group access's policy. Role
// policies are per role (always looked up at scope "/"), not per scope.
func policyKey(e Eligibility) string {
	if e.Kind == KindGroup {
		return "group:" + e.GroupID + ":" + e.AccessID
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
