package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// Scenario is a simulated tenant as data: who exists, what they may activate,
// what is active, and how the service misbehaves. It loads from JSON files and
// is built as Go values in tests.
type Scenario struct {
	TenantID   string `json:"tenantId"`
	TenantName string `json:"tenantName"` // primary domain, e.g. contoso.onmicrosoft.com

	Users               []User               `json:"users"`
	Roles               []RoleDefinition     `json:"roles"`
	Groups              []Group              `json:"groups"`
	AdministrativeUnits []AdministrativeUnit `json:"administrativeUnits"`
	Apps                []App                `json:"apps"`
	Policies            []Policy             `json:"policies"`
	Eligibilities       []Eligibility        `json:"eligibilities"`
	Active              []Activation         `json:"active"`
	// Pending are other users' requests waiting for approval at the
	// start (PendingRequest).
	Pending []PendingRequest `json:"pending,omitempty"`

	// Azure resources for the ARM side (arm_scenario.go). Azure role
	// eligibilities, policies and activations are in the lists above,
	// with Scope set.
	ManagementGroups []ManagementGroup `json:"managementGroups,omitempty"`
	Subscriptions    []Subscription    `json:"subscriptions,omitempty"`
	ResourceGroups   []ResourceGroup   `json:"resourceGroups,omitempty"`
	Resources        []Resource        `json:"resources,omitempty"`
	AzureRoles       []AzureRole       `json:"azureRoles,omitempty"`

	// SignInUser is the UPN that completes a browser or device code sign-in
	// when the request carries no login hint. Defaults to the first user.
	SignInUser string `json:"signInUser,omitempty"`
	// StepUpNeedsInteraction makes a refresh-token grant that asks for an
	// acrs claim fail with invalid_grant, as Entra does when fresh MFA is due.
	StepUpNeedsInteraction bool `json:"stepUpNeedsInteraction,omitempty"`
	// DeviceCodeAutoApprove approves device codes on their first poll (demo).
	DeviceCodeAutoApprove bool `json:"deviceCodeAutoApprove,omitempty"`
	// SignInWithoutMFA makes sign-ins complete with a password only: the
	// session's tokens carry amr ["pwd"], so a policy requiring MFA fails
	// with MfaRule. A sign-in made after it is switched off carries mfa.
	SignInWithoutMFA bool `json:"signInWithoutMfa,omitempty"`
	// ARMConsentMissing makes token requests for Azure Resource Manager
	// fail with AADSTS65001 (no consent), while Graph keeps working.
	ARMConsentMissing bool `json:"armConsentMissing,omitempty"`
	// ARMWriteRequiresACRS makes every ARM write whose token lacks this
	// acrs value answer 401 with an insufficient_claims challenge, as
	// mandatory MFA or a Conditional Access policy on ARM does.
	ARMWriteRequiresACRS string `json:"armWriteRequiresAcrs,omitempty"`

	Latency           Duration `json:"latency,omitempty"`           // added to every request
	ProvisioningDelay Duration `json:"provisioningDelay,omitempty"` // activation → listed instance
	// ARMPropagationDelay is how long an Azure role activation takes to
	// show in the permissions API (and a deactivation to leave it).
	ARMPropagationDelay Duration `json:"armPropagationDelay,omitempty"`
	TokenLifetime       Duration `json:"tokenLifetime,omitempty"` // default 75m
	PageSize            int      `json:"pageSize,omitempty"`      // default 100
	Faults              []Fault  `json:"faults,omitempty"`
}

// User is a directory user.
type User struct {
	ID                    string   `json:"id"`
	UserPrincipalName     string   `json:"userPrincipalName"`
	DisplayName           string   `json:"displayName"`
	Mail                  string   `json:"mail,omitempty"`
	OtherMails            []string `json:"otherMails,omitempty"`
	OnPremisesSyncEnabled bool     `json:"onPremisesSyncEnabled,omitempty"`
	AssignedLicenses      []string `json:"assignedLicenses,omitempty"` // SKU ids
}

// RoleDefinition is a directory role; built-in roles have ID == TemplateID.
type RoleDefinition struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	TemplateID  string `json:"templateId,omitempty"`
}

// Group is a PIM-managed (role-assignable or not) security group.
type Group struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// AdministrativeUnit scopes a role to part of the directory.
type AdministrativeUnit struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// App is an application object a role can be scoped to ("/{objectId}").
type App struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// Policy is the end-user activation policy of one role, or of one group
// access (member or owner), or of one Azure role at one scope.
type Policy struct {
	RoleDefinitionID string `json:"roleDefinitionId,omitempty"`
	Scope            string `json:"scope,omitempty"` // ARM scope: an Azure role's policy there
	GroupID          string `json:"groupId,omitempty"`
	AccessID         string `json:"accessId,omitempty"` // member | owner

	MaxDuration   Duration `json:"maxDuration"`
	Justification bool     `json:"justification,omitempty"`
	Ticket        bool     `json:"ticket,omitempty"`
	MFA           bool     `json:"mfa,omitempty"`
	Approval      bool     `json:"approval,omitempty"`
	Approvers     []string `json:"approvers,omitempty"`   // user ids, UPNs or display names
	AuthContext   string   `json:"authContext,omitempty"` // claim value, e.g. c1
}

// Eligibility lets a user activate a role at a scope, or a group access.
type Eligibility struct {
	UserID           string `json:"userId"`
	RoleDefinitionID string `json:"roleDefinitionId,omitempty"`
	DirectoryScopeID string `json:"directoryScopeId,omitempty"` // "/", "/administrativeUnits/{id}", "/{appObjectId}"
	// AppScopeID is an app-specific scope: such an eligibility has no
	// directoryScopeId, and a request must name the appScopeId.
	AppScopeID string `json:"appScopeId,omitempty"`
	GroupID    string `json:"groupId,omitempty"`
	AccessID   string `json:"accessId,omitempty"`
	// Scope is the ARM scope of an Azure resource role; RoleDefinitionID
	// is then the Azure role (its GUID or full id).
	Scope string `json:"scope,omitempty"`
}

// Activation is an active assignment present when the scenario starts.
// StartedAgo and Remaining are relative to the tenant clock at start.
type Activation struct {
	Eligibility
	StartedAgo Duration `json:"startedAgo"`
	Remaining  Duration `json:"remaining"`
	Assigned   bool     `json:"assigned,omitempty"` // permanent assignment, not a PIM activation
}

// PendingRequest is a self-activation waiting for approval when the
// scenario starts: another user's request an approver finds in their
// inbox. CreatedAgo is relative to the tenant clock at start; after 24
// hours the approval expires (approvals.go), so a few minutes ago leaves
// the window almost whole.
type PendingRequest struct {
	// ID is the request's id (on ARM its name, a GUID); empty: a new GUID.
	ID string `json:"id,omitempty"`
	// Eligibility is the requester (UserID) and what they asked for; they
	// must be eligible for it, and its policy must require approval.
	Eligibility
	CreatedAgo Duration `json:"createdAgo"`
	// Duration is the activation's length (default 1h, at most the
	// policy's maximum).
	Duration Duration `json:"duration,omitempty"`
	// StartIn puts the requested start this long after the tenant starts
	// (a scheduled activation); zero: the start is the request's creation.
	StartIn       Duration `json:"startIn,omitempty"`
	Justification string   `json:"justification,omitempty"`
	TicketNumber  string   `json:"ticketNumber,omitempty"`
	TicketSystem  string   `json:"ticketSystem,omitempty"`
	// ApprovalID is, for an Azure role, the roleAssignmentApprovals GUID;
	// empty: derived from ID. Graph approvals take the request's id
	// (AF §1.1), so it is refused for directory roles and groups.
	ApprovalID string `json:"approvalId,omitempty"`
}

// Fault makes matching requests misbehave. A request matches when its method
// equals Method (if set) and its path contains Path, both ignoring case.
// Latency applies to a $batch item it matches too. Times counts how often
// the fault fires; 0 means always. The tenant counts fires (ArmedFaults).
type Fault struct {
	Method     string   `json:"method,omitempty"`
	Path       string   `json:"path"`
	Kind       string   `json:"kind"` // status | drop-after-write | malformed | no-message
	Status     int      `json:"status,omitempty"`
	RetryAfter int      `json:"retryAfter,omitempty"` // seconds
	Times      int      `json:"times,omitempty"`
	Latency    Duration `json:"latency,omitempty"`
	// Hold keeps a drop-after-write answer back this long after the
	// request was processed (until the client gives up).
	Hold    Duration `json:"hold,omitempty"`
	InBatch bool     `json:"inBatch,omitempty"` // only match items inside $batch
	// Claims is the claims request of a claims-challenge fault (JSON).
	Claims string `json:"claims,omitempty"`
	// Optional marks a fault that may rightly never fire (a race the test
	// tolerates either way); simtest does not fail the test for it.
	Optional bool `json:"optional,omitempty"`
}

// Fault kinds.
const (
	FaultStatus         = "status"           // answer Status (429/503/504 with Retry-After)
	FaultDropAfterWrite = "drop-after-write" // process the request, then drop the connection
	FaultMalformed      = "malformed"        // answer Status with a body that is not JSON
	FaultNoMessage      = "no-message"       // answer Status with {"error":{"code":"..."}} and no message
	// FaultClaimsChallenge answers 401 with a CAE claims challenge in
	// WWW-Authenticate, as Graph does for clients that declare cp1.
	FaultClaimsChallenge = "claims-challenge"
)

// Duration is a time.Duration that reads and writes as "1h30m" in JSON.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON accepts "1h30m" strings and plain numbers of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("duration must be a string like \"1h30m\": %s", string(b))
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// LoadScenario reads a scenario from a JSON file.
func LoadScenario(path string) (Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, err
	}
	var sc Scenario
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", path, err)
	}
	return sc, sc.Validate()
}

// Validate checks references between the scenario's parts.
var tenantIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$`)

func (sc *Scenario) Validate() error {
	if sc.TenantID == "" {
		return fmt.Errorf("scenario: tenantId is required")
	}
	// The tenant id is a path segment of the authority: a GUID or a domain.
	if !tenantIDPattern.MatchString(sc.TenantID) || strings.Contains(sc.TenantID, "..") {
		return fmt.Errorf("scenario: tenantId %q is not a GUID or a domain name", sc.TenantID)
	}
	if len(sc.Users) == 0 {
		return fmt.Errorf("scenario: at least one user is required")
	}
	users := map[string]bool{}
	for _, u := range sc.Users {
		users[u.ID] = true
	}
	roles := map[string]bool{}
	for _, r := range sc.Roles {
		roles[r.ID] = true
	}
	groups := map[string]bool{}
	for _, g := range sc.Groups {
		groups[g.ID] = true
	}
	check := func(e Eligibility, what string) error {
		if !users[e.UserID] {
			return fmt.Errorf("scenario: %s names unknown user %q", what, e.UserID)
		}
		switch {
		case e.Scope != "":
			return nil // validateAzure checks it
		case e.RoleDefinitionID != "":
			if !roles[e.RoleDefinitionID] {
				return fmt.Errorf("scenario: %s names unknown role %q", what, e.RoleDefinitionID)
			}
		case e.GroupID != "":
			if !groups[e.GroupID] {
				return fmt.Errorf("scenario: %s names unknown group %q", what, e.GroupID)
			}
			if e.AccessID != "member" && e.AccessID != "owner" {
				return fmt.Errorf("scenario: %s: accessId must be member or owner", what)
			}
		default:
			return fmt.Errorf("scenario: %s needs a roleDefinitionId or a groupId", what)
		}
		return nil
	}
	for i, e := range sc.Eligibilities {
		if err := check(e, fmt.Sprintf("eligibility %d", i)); err != nil {
			return err
		}
	}
	for i, a := range sc.Active {
		if err := check(a.Eligibility, fmt.Sprintf("active %d", i)); err != nil {
			return err
		}
	}
	if err := sc.validateAzure(); err != nil {
		return err
	}
	return sc.validatePending()
}

func (sc *Scenario) userByID(id string) (User, bool) {
	for _, u := range sc.Users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

func (sc *Scenario) userByUPN(upn string) (User, bool) {
	for _, u := range sc.Users {
		if strings.EqualFold(u.UserPrincipalName, upn) {
			return u, true
		}
	}
	return User{}, false
}

// validatePending checks the scenario's pending requests by seeding them
// into a throwaway state: what New will do, and fail on, for real.
func (sc *Scenario) validatePending() error {
	if len(sc.Pending) == 0 {
		return nil
	}
	s := newPIMState(*sc, newGUID)
	now := time.Now().UTC()
	for i, p := range sc.Pending {
		if err := s.seed(p, now); err != nil {
			return fmt.Errorf("scenario: pending request %d: %w", i, err)
		}
	}
	return nil
}
