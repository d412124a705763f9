// Package pim is the service layer for Privileged Identity Management: what
// the signed-in admin may activate, what is active, and the activation
// lifecycle from policy check to the proof of the new privilege (a token
// that carries it, or Azure's permissions that show it). Both the TUI and
// the CLI call it; it talks to Graph only through msgraph-sdk-go, to Azure
// Resource Manager only through armauthorization and azcore, and gets
// tokens only from package auth.
package pim

import (
	"fmt"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
)

// Kind says whether an eligibility is a directory role, a PIM group or an
// Azure resource role.
type Kind string

// Kinds, as they appear in the CLI's JSON.
const (
	KindDirectoryRole Kind = "directoryRole"
	KindGroup         Kind = "group"
	KindAzureRole     Kind = "azureRole"
)

// Requirement is one thing a policy demands of an activation.
type Requirement string

// Requirements, as they appear in the CLI's JSON.
const (
	RequireJustification Requirement = "justification"
	RequireTicket        Requirement = "ticket"
	RequireMFA           Requirement = "mfa"
	RequireApproval      Requirement = "approval"
	RequireAuthContext   Requirement = "authContext"
)

// MinActiveDuration is how long PIM keeps an activation before it may be
// deactivated (ActiveDurationTooShort).
const MinActiveDuration = 5 * time.Minute

// Policy is the end-user activation policy of a role or group access.
type Policy struct {
	MaxDuration   time.Duration
	Justification bool
	Ticket        bool
	MFA           bool
	Approval      bool
	Approvers     []string
	AuthContext   string // claim value such as "c1"; empty when none
}

// Requirements lists what the policy demands, in a stable order.
func (p Policy) Requirements() []Requirement {
	out := []Requirement{}
	if p.Justification {
		out = append(out, RequireJustification)
	}
	if p.Ticket {
		out = append(out, RequireTicket)
	}
	if p.MFA {
		out = append(out, RequireMFA)
	}
	if p.Approval {
		out = append(out, RequireApproval)
	}
	if p.AuthContext != "" {
		out = append(out, RequireAuthContext)
	}
	return out
}

// Describe says the policy in words, e.g.
// "Max 2h · justification · ticket · needs sign-in context c1 · approval by Ada".
func (p Policy) Describe() string {
	parts := []string{"Max " + HumanDuration(p.MaxDuration)}
	if p.Justification {
		parts = append(parts, "justification")
	}
	if p.Ticket {
		parts = append(parts, "ticket")
	}
	if p.MFA {
		parts = append(parts, "MFA")
	}
	if p.AuthContext != "" {
		parts = append(parts, "needs sign-in context "+p.AuthContext+" (re-authentication)")
	}
	if p.Approval {
		if len(p.Approvers) > 0 {
			parts = append(parts, "approval by "+strings.Join(p.Approvers, ", "))
		} else {
			parts = append(parts, "approval")
		}
	}
	return strings.Join(parts, " · ")
}

// Eligibility is one thing the admin may activate: a directory role at a
// scope, member/owner access to a group, or an Azure role at an Azure scope.
type Eligibility struct {
	Kind Kind
	Name string // display name exactly as Graph (or ARM) returns it
	// Scope is the scope in words: "tenant", "AU: Berlin Helpdesk", "app:
	// Payroll", "sub: Contoso Prod", "rg: rg-secrets (Contoso Prod)".
	Scope string

	RoleDefinitionID string // roles: for Azure roles the full ARM id
	TemplateID       string // directory roles: what appears in the token's wids
	DirectoryScopeID string // directory roles: exactly as the eligibility says
	AppScopeID       string // directory roles scoped to an app's own scope: sent as appScopeId

	GroupID  string // groups
	AccessID string // groups: member | owner

	// AzureScope is an Azure role's ARM scope id, exactly as ARM gives it
	// ("/subscriptions/…", "/providers/Microsoft.Management/managementGroups/…").
	AzureScope string `json:",omitempty"`
	// EligibilityScheduleID is the Azure eligibility's schedule, sent as
	// linkedRoleEligibilityScheduleId so PIM activates this one.
	EligibilityScheduleID string `json:",omitempty"`
	// Condition and ConditionVersion are an Azure eligibility's ABAC
	// condition, echoed in the activation (AZ §11.14).
	Condition        string `json:",omitempty"`
	ConditionVersion string `json:",omitempty"`

	Policy Policy
}

// Key identifies the eligibility uniquely (a role at one scope, a group access).
func (e Eligibility) Key() string {
	switch e.Kind {
	case KindGroup:
		return "group:" + e.GroupID + ":" + e.AccessID
	case KindAzureRole:
		// ARM spells one role's id per scope and one scope's keywords in
		// more than one case: the role GUID and the lower-cased scope are
		// what identify it.
		return "azure:" + azureRoleGUID(e.RoleDefinitionID) + ":" + strings.ToLower(strings.TrimRight(e.AzureScope, "/"))
	}
	if e.AppScopeID != "" {
		return "role:" + e.RoleDefinitionID + ":app:" + e.AppScopeID
	}
	return "role:" + e.RoleDefinitionID + ":" + e.DirectoryScopeID
}

// Label is the name with the scope or access when that tells it apart.
func (e Eligibility) Label() string {
	if e.Kind == KindGroup {
		return e.Name + " (" + e.AccessID + ")"
	}
	if e.Kind == KindAzureRole {
		return e.Name + " (" + e.Scope + ")"
	}
	if e.Scope != "" && e.Scope != "tenant" {
		return e.Name + " (" + e.Scope + ")"
	}
	return e.Name
}

// InTokenWIDs reports whether activation shows in the access token's wids:
// only directory roles at tenant scope do.
func (e Eligibility) InTokenWIDs() bool {
	return e.Kind == KindDirectoryRole && e.DirectoryScopeID == "/" && e.AppScopeID == ""
}

// Tag tells apart eligibilities of one name in a few characters (a shell
// prompt): a group's access, an Azure role's scope name; "" otherwise.
func (e Eligibility) Tag() string {
	switch e.Kind {
	case KindGroup:
		return e.AccessID
	case KindAzureRole:
		return azureScopeName(e.Scope)
	}
	return ""
}

// InTokens reports whether other apps learn of the elevation from the
// tokens they hold (directory roles, group membership), so a deactivation
// reaches them only with their next token. Azure roles are in no token:
// ARM looks them up per request, from a cache of up to 10 minutes (D10).
func (e Eligibility) InTokens() bool { return e.Kind != KindAzureRole }

// AzureCacheNote is the truth about an Azure role after deactivation.
const AzureCacheNote = "Azure Resource Manager may honour the role for up to 10 minutes more (it caches role assignments; longer at management groups): no token carries Azure roles, so nothing else needs refreshing."

// Active is an active elevation (or a permanent assignment).
type Active struct {
	Eligibility
	Start time.Time
	End   time.Time // zero when permanent
	// Assigned is a permanent or admin assignment, not a PIM activation.
	Assigned bool
}

// Remaining is the time left at now; zero when permanent or over.
func (a Active) Remaining(now time.Time) time.Duration {
	if a.End.IsZero() || !now.Before(a.End) {
		return 0
	}
	return a.End.Sub(now)
}

// DeactivatableAt is when PIM first allows deactivation.
func (a Active) DeactivatableAt() time.Time { return a.Start.Add(MinActiveDuration) }

// Pending is a request waiting for approval.
type Pending struct {
	Eligibility
	RequestID string
	Status    string
	Created   time.Time
}

// Me is the signed-in account as Graph describes it.
type Me struct {
	ID                    string
	UserPrincipalName     string
	DisplayName           string
	Mail                  string
	OtherMails            []string
	OnPremisesSyncEnabled bool
	LicenseCount          int
}

// Snapshot is everything the first screen shows.
type Snapshot struct {
	Me       Me
	Eligible []Eligibility
	Active   []Active
	Pending  []Pending
	// Scheduled are activations PIM accepted for a later start.
	Scheduled []Scheduled `json:",omitempty"`
	// Approvals are other admins' requests waiting for this admin's
	// decision (the first screen reads them; status does not).
	Approvals []Approval `json:",omitempty"`
	LoadedAt  time.Time
	// RoundTrips counts the sequential HTTP round trips the load took.
	RoundTrips int
	// Warnings are local troubles beside the load (the prompt state could
	// not be written, say).
	Warnings []string
	// AzureMissing says in one line why Azure resource roles are not in
	// the lists (switched off, no consent for Azure Resource Manager, ARM
	// unreachable) and how to fix it; "" when they were read.
	AzureMissing string `json:",omitempty"`
}

// ActiveFor finds the active elevation for an eligibility.
func (s *Snapshot) ActiveFor(e Eligibility) (Active, bool) {
	for _, a := range s.Active {
		if a.Key() == e.Key() {
			return a, true
		}
	}
	return Active{}, false
}

// PendingFor finds a pending request for an eligibility.
func (s *Snapshot) PendingFor(e Eligibility) (Pending, bool) {
	for _, p := range s.Pending {
		if p.Key() == e.Key() {
			return p, true
		}
	}
	return Pending{}, false
}

// ActivateRequest asks for one activation.
type ActivateRequest struct {
	Target Eligibility
	// Start is a later start in the server's time (a scheduled
	// activation); zero starts it now.
	Start         time.Time
	Duration      time.Duration
	Justification string
	TicketNumber  string
	TicketSystem  string
}

// Stage is a step of the activation or deactivation timeline.
type Stage string

// Stages, in timeline order.
const (
	StageChecked     Stage = "checked"     // checked against policy
	StageStepUp      Stage = "stepUp"      // authentication context sign-in
	StageSubmitted   Stage = "submitted"   // request sent
	StageProvisioned Stage = "provisioned" // PIM answered Provisioned
	StageListed      Stage = "listed"      // the active instance is listed
	StagePropagating Stage = "propagating" // Azure: listed, permissions not applied yet
	StageRefreshed   Stage = "refreshed"   // token refreshed
	StageVerified    Stage = "verified"    // effective: seen in token or listing
	StagePending     Stage = "pending"     // waiting for approval
	StageScheduled   Stage = "scheduled"   // accepted for a later start
	StageDeactivated Stage = "deactivated" // revoked
	StageFailed      Stage = "failed"
)

// Event reports progress of one target.
type Event struct {
	Key    string // Eligibility.Key
	Name   string
	Stage  Stage
	Detail string
	At     time.Time
}

// Outcome is the result for one target of Activate.
type Outcome struct {
	Target    Eligibility
	Status    string // the Graph request status, e.g. Provisioned, PendingApproval
	RequestID string
	End       time.Time
	// Scheduled: PIM accepted the activation for a later start (Sent.Start);
	// nothing is active before then, and nothing was waited for.
	Scheduled bool
	// Effective is true only when proven: the role's template id is in a
	// freshly minted token's wids, or (for scoped roles and groups) the
	// active instance is listed.
	Effective      bool
	EffectiveAfter time.Duration
	Proof          Proof
	// Sent is exactly what was sent (zero when nothing was).
	Sent Sent
	// Warnings are true things that went wrong beside the activation
	// (the journal could not be written, say).
	Warnings []string
	Err      error
}

// Proof is what showed an activation effective.
type Proof string

// Proofs, as they appear in the CLI's JSON.
const (
	// ProofToken: the role's template id is in a freshly minted token.
	ProofToken Proof = "token"
	// ProofListing: PIM lists the active assignment (scoped roles, groups,
	// or a token pimento could not read; for an Azure role, when its
	// permissions could not be read).
	ProofListing Proof = "listing"
	// ProofPermissions: Azure Resource Manager's permissions at the scope
	// show the Azure role's actions to the admin.
	ProofPermissions Proof = "permissions"
)

// Action is what a schedule request asks of PIM.
type Action string

// Actions pimento sends, as Graph spells them.
const (
	ActionActivate   Action = "selfActivate"
	ActionDeactivate Action = "selfDeactivate"
)

// Sent is what pimento sent to PIM, to the second: it is how a request
// whose answer was lost is found again.
type Sent struct {
	Target Eligibility
	Action Action
	// Name is the request's name where pimento chooses it (an ARM PUT's
	// GUID): the request is read back by it. "" where PIM names requests.
	Name string
	// Start is the requested start in the server's time, to the second
	// (zero for a deactivation).
	Start         time.Time
	Duration      time.Duration
	Justification string
	TicketNumber  string
	TicketSystem  string
	// After is, for a deactivation, when the activation it ends started:
	// a deactivation request created since then is the one sent.
	After time.Time
}

// DeactivateOutcome is the result of Deactivate.
type DeactivateOutcome struct {
	Target Eligibility
	Status string // Revoked
	// PreviousTokenExpiry is when pimento's token from before the
	// deactivation would have expired; other apps' tokens are unknown.
	PreviousTokenExpiry time.Time
	// Refreshed is true once pimento's own token was refreshed without
	// the role; false with --no-wait or when the refresh failed.
	Refreshed bool
	Warnings  []string
	Err       error
}

// RefusedError is PIM refusing an activation by its policy
// (RoleAssignmentRequestPolicyValidationFailed): a rule named in words. A
// cached policy that allowed it is stale.
type RefusedError struct {
	Name, Reason string
}

func (e *RefusedError) Error() string { return e.Name + ": " + e.Reason }

// AlreadyError is PIM refusing an activation that is already active
// (RoleAssignmentExists) or already waiting for approval: nothing new was
// activated, and nothing is wrong with what is there.
type AlreadyError struct {
	Name    string
	Pending bool
}

func (e *AlreadyError) Error() string {
	if e.Pending {
		return e.Name + " already has a request waiting for approval: nothing new was sent to approvers"
	}
	return e.Name + " is already active (or scheduled): PIM cannot extend a running activation; deactivate it first or wait for it to end"
}

// InterruptedError means the admin interrupted pimento (Ctrl+C, a closed
// terminal) while a request was in flight: it says what is known.
type InterruptedError struct {
	Name string
	// Accepted is true when PIM accepted the request before the interrupt.
	Accepted bool
	Status   string
}

func (e *InterruptedError) Error() string {
	if e.Accepted {
		return fmt.Sprintf("interrupted: PIM accepted %s (%s); it is probably still provisioning: run `pimento status`", e.Name, e.Status)
	}
	return fmt.Sprintf("interrupted before PIM answered for %s, and PIM shows no such request yet: run `pimento status` before trying again", e.Name)
}

// TooShortError says PIM refuses deactivation for the first five minutes.
type TooShortError struct {
	Name        string
	PossibleAt  time.Time
	Now         time.Time // server time when refused
	FromService bool
	// Provisioning: PIM does not show the assignment yet (ARM's
	// RoleAssignmentDoesNotExist just after activating), which is not
	// "not active".
	Provisioning bool
}

func (e *TooShortError) Error() string {
	if e.Provisioning {
		return fmt.Sprintf("PIM is still provisioning %s, activated moments ago: it can be deactivated at %s (5 minutes after activation)", e.Name, show.ClockSeconds(e.PossibleAt, e.Now))
	}
	return fmt.Sprintf("PIM refuses deactivation for 5 minutes after activation: %s can be deactivated at %s", e.Name, show.ClockSeconds(e.PossibleAt, e.Now))
}

// PolicyError is an activation refused before sending: it names the rule.
type PolicyError struct {
	Name string
	Rule string // e.g. "maximum duration"
	Msg  string
}

func (e *PolicyError) Error() string { return e.Name + ": " + e.Msg }

// HumanDuration renders 42m, 1h30m, 2h, 45s, rounding down.
func HumanDuration(d time.Duration) string { return duration.Human(d) }

// IsPending reports whether a request status waits for a person (approval).
// ARM's PendingApprovalProvisioning reads as pending too (AZ §9: a peer maps
// it so; the first status of an approval on ARM is UNVERIFIED).
func IsPending(status string) bool {
	return strings.EqualFold(status, "PendingApproval") || strings.EqualFold(status, "PendingAdminDecision") ||
		strings.EqualFold(status, "PendingApprovalProvisioning")
}

// IsAccepted reports whether PIM accepted an activation that will become
// active without anyone's decision (provisioned, or on its way there). ARM
// adds its own "on the way" statuses (AZ §2.2, §11.15): none of them is
// usable yet, none of them a failure.
func IsAccepted(status string) bool {
	switch status {
	case "Provisioned", "Granted", "PendingProvisioning", "PendingScheduleCreation", "ScheduleCreated",
		"Accepted", "AdminApproved", "PendingEvaluation", "ProvisioningStarted", "PendingExternalProvisioning":
		return true
	}
	return false
}
