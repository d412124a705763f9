package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/pimento-cli/pimento/sim"
)

// Fidelity: armauthorization v2.2.0 on azcore's ARM pipeline, unchanged
// but for the endpoint, audience and TLS trust, works against the
// simulated ARM (azure-pim-facts §6.3 gives the setup).

// simCredential mints ARM tokens for the demo admin; asked with claims
// (azcore's answer to a claims challenge) it satisfies their acrs.
type simCredential struct {
	tn     *sim.Tenant
	mu     sync.Mutex
	scopes [][]string
	claims []string
}

func (c *simCredential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	c.scopes = append(c.scopes, opts.Scopes)
	c.claims = append(c.claims, opts.Claims)
	c.mu.Unlock()
	var acrs []string
	if opts.Claims != "" {
		var req struct {
			AccessToken struct {
				Acrs struct {
					Values []string `json:"values"`
				} `json:"acrs"`
			} `json:"access_token"`
		}
		if err := json.Unmarshal([]byte(opts.Claims), &req); err != nil {
			return azcore.AccessToken{}, err
		}
		acrs = req.AccessToken.Acrs.Values
	}
	tok, err := c.tn.MintToken(sim.TokenSpec{UPN: sim.DemoAdminUPN, Resource: sim.ARMResource, ACRS: acrs})
	return azcore.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, err
}

func armOptions(tn *sim.Tenant) *arm.ClientOptions {
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: cloud.Configuration{
				ActiveDirectoryAuthorityHost: tn.BaseURL() + "/",
				Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
					cloud.ResourceManager: {Endpoint: tn.ARMURL(), Audience: sim.ARMResource},
				},
			},
			Transport: tn.HTTPClient(),
		},
		DisableRPRegistration: true,
	}
}

func armFactory(t *testing.T, tn *sim.Tenant) (*armauthorization.ClientFactory, *simCredential) {
	t.Helper()
	cred := &simCredential{tn: tn}
	f, err := armauthorization.NewClientFactory(sim.DemoSubscriptionID, cred, armOptions(tn))
	if err != nil {
		t.Fatal(err)
	}
	return f, cred
}

func activation(role, scope, duration string) armauthorization.RoleAssignmentScheduleRequest {
	return armauthorization.RoleAssignmentScheduleRequest{Properties: &armauthorization.RoleAssignmentScheduleRequestProperties{
		PrincipalID:      to.Ptr(sim.DemoAdminUserID),
		RoleDefinitionID: to.Ptr(scope + "/providers/Microsoft.Authorization/roleDefinitions/" + role),
		RequestType:      to.Ptr(armauthorization.RequestTypeSelfActivate),
		Justification:    to.Ptr("fidelity"),
		ScheduleInfo: &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo{
			StartDateTime: to.Ptr(time.Now().UTC()),
			Expiration: &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfoExpiration{
				Type: to.Ptr(armauthorization.TypeAfterDuration), Duration: to.Ptr(duration),
			},
		},
	}}
}

func TestSDKListsEligibilityAtRootWithAsTarget(t *testing.T) {
	tn := started(t, func(sc *sim.Scenario) { sc.PageSize = 2 })
	f, cred := armFactory(t, tn)
	pager := f.NewRoleEligibilityScheduleInstancesClient().NewListForScopePager("", &armauthorization.RoleEligibilityScheduleInstancesClientListForScopeOptions{Filter: to.Ptr("asTarget()")})
	ctx := context.Background()
	got, pages := map[string]*armauthorization.RoleEligibilityScheduleInstance{}, 0
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.Value {
			got[*e.Properties.ExpandedProperties.RoleDefinition.DisplayName+" @ "+*e.Properties.ExpandedProperties.Scope.DisplayName] = e
		}
	}
	if pages != 3 || len(got) != 5 {
		t.Fatalf("pages %d, eligibilities %v", pages, len(got))
	}
	c := got["Contributor @ Contoso Prod"]
	if c == nil || *c.Properties.Scope != sim.DemoSubscriptionScope || *c.Properties.MemberType != armauthorization.MemberTypeDirect ||
		*c.Properties.PrincipalType != armauthorization.PrincipalTypeUser || *c.Properties.Status != armauthorization.StatusProvisioned ||
		c.Properties.StartDateTime == nil || c.Properties.EndDateTime != nil || *c.Properties.ExpandedProperties.Scope.Type != "subscription" {
		t.Fatalf("Contributor: %+v", c)
	}
	if got["Reader @ Tier0"] == nil || got["Owner @ kv-prod"] == nil || got["Key Vault Administrator @ rg-secrets"] == nil {
		t.Fatalf("eligibilities: %v", got)
	}
	if len(cred.scopes) == 0 || len(cred.scopes[0]) != 1 || cred.scopes[0][0] != sim.ARMScope {
		t.Fatalf("token scopes %v", cred.scopes)
	}
	for _, r := range tn.Requests() {
		if strings.HasPrefix(r.Path, "/arm/") && r.Audience != sim.ARMResource {
			t.Errorf("%s sent with audience %q", r.Path, r.Audience)
		}
	}
}

func TestSDKCreateGetConflictAndAcrs(t *testing.T) {
	tn := started(t, nil)
	f, _ := armFactory(t, tn)
	reqs := f.NewRoleAssignmentScheduleRequestsClient()
	ctx := context.Background()
	scope := strings.TrimPrefix(sim.DemoSubscriptionScope, "/")
	name := "3f2b8c1d-7e4a-4b9f-a1c2-5d6e7f8a9b0c"
	created, err := reqs.Create(ctx, scope, name, activation(sim.AzureRoleContributor, sim.DemoSubscriptionScope, "PT1H"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := created.Properties
	if *created.Name != name || *p.Status != armauthorization.StatusProvisioned || *p.RequestType != armauthorization.RequestTypeSelfActivate ||
		*p.ScheduleInfo.Expiration.Type != armauthorization.TypeAfterDuration || *p.ScheduleInfo.Expiration.Duration != "PT1H" ||
		p.CreatedOn == nil || *p.ExpandedProperties.RoleDefinition.DisplayName != "Contributor" || *p.RequestorID != sim.DemoAdminUserID {
		t.Fatalf("created: %+v", p)
	}
	got, err := reqs.Get(ctx, scope, name, nil)
	if err != nil || *got.ID != *created.ID || *got.Properties.Status != armauthorization.StatusProvisioned {
		t.Fatalf("get: %v %+v", err, got)
	}
	var re *azcore.ResponseError
	_, err = reqs.Create(ctx, scope, name, activation(sim.AzureRoleContributor, sim.DemoSubscriptionScope, "PT1H"), nil)
	if !errors.As(err, &re) || re.StatusCode != 409 || re.ErrorCode != "RoleAssignmentRequestExists" {
		t.Fatalf("same name: %v", err)
	}
	kv := strings.TrimPrefix(sim.DemoKeyVaultScope, "/")
	_, err = reqs.Create(ctx, kv, "8d1c2b3a-4e5f-4a6b-9c7d-0e1f2a3b4c5d", activation(sim.AzureRoleOwner, sim.DemoKeyVaultScope, "PT30M"), nil)
	if !errors.As(err, &re) || re.StatusCode != 400 || re.ErrorCode != "RoleAssignmentRequestAcrsValidationFailed" || !strings.Contains(err.Error(), "&claims=%7B") {
		t.Fatalf("acrs: %v", err)
	}

	// Listed after the provisioning delay, as Activated.
	tn.Clock().Advance(3 * time.Second)
	pager := f.NewRoleAssignmentScheduleInstancesClient().NewListForScopePager("", &armauthorization.RoleAssignmentScheduleInstancesClientListForScopeOptions{Filter: to.Ptr("asTarget()")})
	page, err := pager.NextPage(ctx)
	if err != nil || len(page.Value) != 1 || *page.Value[0].Properties.AssignmentType != armauthorization.AssignmentTypeActivated {
		t.Fatalf("active: %v %+v", err, page.Value)
	}
}

func TestSDKPermissionsAndPolicies(t *testing.T) {
	tn := started(t, nil)
	f, _ := armFactory(t, tn)
	ctx := context.Background()
	rg := strings.TrimPrefix(sim.DemoResourceGroupScope, "/")
	body := activation(sim.AzureRoleKeyVaultAdmin, sim.DemoResourceGroupScope, "PT1H")
	body.Properties.TicketInfo = &armauthorization.RoleAssignmentScheduleRequestPropertiesTicketInfo{TicketNumber: to.Ptr("CHG-7"), TicketSystem: to.Ptr("ServiceNow")}
	if _, err := f.NewRoleAssignmentScheduleRequestsClient().Create(ctx, rg, "0a1b2c3d-4e5f-4061-8728-394a5b6c7d8e", body, nil); err != nil {
		t.Fatal(err)
	}
	perms := func() []*armauthorization.Permission {
		page, err := f.NewPermissionsClient().NewListForResourceGroupPager(sim.DemoResourceGroup, nil).NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return page.Value
	}
	if p := perms(); len(p) != 0 {
		t.Fatalf("permissions before propagation: %v", p)
	}
	tn.Clock().Advance(10 * time.Second) // the demo's ARM delay is 8s
	p := perms()
	if len(p) != 1 || len(p[0].DataActions) != 1 || *p[0].DataActions[0] != "Microsoft.KeyVault/vaults/*" {
		t.Fatalf("permissions: %+v", p)
	}

	pager := f.NewRoleManagementPolicyAssignmentsClient().NewListForScopePager(strings.TrimPrefix(sim.DemoKeyVaultScope, "/"), nil)
	var owner *armauthorization.RoleManagementPolicyAssignment
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Value {
			if strings.HasSuffix(*a.Properties.RoleDefinitionID, sim.AzureRoleOwner) {
				owner = a
			}
		}
	}
	if owner == nil || *owner.Properties.PolicyAssignmentProperties.Scope.DisplayName != "kv-prod" {
		t.Fatalf("no Owner policy on the vault: %+v", owner)
	}
	var claim, maxDur string
	var enabled []armauthorization.EnablementRules
	for _, r := range owner.Properties.EffectiveRules {
		switch rule := r.(type) {
		case *armauthorization.RoleManagementPolicyAuthenticationContextRule:
			if *rule.ID == "AuthenticationContext_EndUser_Assignment" && *rule.IsEnabled {
				claim = *rule.ClaimValue
			}
		case *armauthorization.RoleManagementPolicyExpirationRule:
			if *rule.ID == "Expiration_EndUser_Assignment" {
				maxDur = *rule.MaximumDuration
			}
		case *armauthorization.RoleManagementPolicyEnablementRule:
			if *rule.Target.Caller == "EndUser" {
				for _, e := range rule.EnabledRules {
					enabled = append(enabled, *e)
				}
			}
		}
	}
	if claim != "c2" || maxDur != "PT1H" || len(enabled) != 2 || enabled[0] != armauthorization.EnablementRulesMultiFactorAuthentication {
		t.Fatalf("rules: claim %q max %q enabled %v", claim, maxDur, enabled)
	}
}

// Mandatory MFA style: a 401 claims challenge on the PUT, which azcore
// answers with a claims token and one replay of the same request.
func TestSDKReplaysTheWriteClaimsChallenge(t *testing.T) {
	tn := started(t, func(sc *sim.Scenario) { sc.ARMWriteRequiresACRS = "p1" })
	f, cred := armFactory(t, tn)
	ctx := context.Background()
	reqs := f.NewRoleAssignmentScheduleRequestsClient()
	mg := strings.TrimPrefix(sim.DemoManagementGroupScope, "/")
	body := activation(sim.AzureRoleReader, sim.DemoManagementGroupScope, "PT2H")
	res, err := reqs.Create(ctx, mg, "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", body, nil)
	if err != nil || *res.Properties.Status != armauthorization.StatusProvisioned {
		t.Fatalf("create: %v", err)
	}
	if n := len(cred.claims); n < 2 || !strings.Contains(cred.claims[n-1], `"p1"`) {
		t.Fatalf("credential asked with claims %q", cred.claims)
	}
	var statuses []int
	for _, r := range tn.Requests() {
		if r.Method == "PUT" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != 401 || statuses[1] != 201 {
		t.Fatalf("PUT statuses %v", statuses)
	}
	// Cancel is a write too; a pending approval is cancelable.
	sub := strings.TrimPrefix(sim.DemoSubscriptionScope, "/")
	name := "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	pending, err := reqs.Create(ctx, sub, name, activation(sim.AzureRoleOwner, sim.DemoSubscriptionScope, "PT1H"), nil)
	if err != nil || *pending.Properties.Status != armauthorization.StatusPendingApproval || !strings.HasPrefix(*pending.Properties.ApprovalID, "/providers/Microsoft.Authorization/roleAssignmentApprovals/") {
		t.Fatalf("pending: %v %+v", err, pending)
	}
	if _, err := reqs.Cancel(ctx, sub, name, nil); err != nil {
		t.Fatal(err)
	}
	got, err := reqs.Get(ctx, sub, name, nil)
	if err != nil || *got.Properties.Status != armauthorization.StatusCanceled {
		t.Fatalf("after cancel: %v %+v", err, got)
	}
}
