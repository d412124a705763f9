package sim_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// Fidelity: the real msgraph-sdk-go, unchanged but for base URL, allowed
// hosts and TLS trust, works against the simulated Graph. (The MSAL side is
// exercised with the real client in package auth's tests.)

type fixedToken struct{ tok string }

func (p fixedToken) GetAuthorizationToken(context.Context, *url.URL, map[string]any) (string, error) {
	return p.tok, nil
}

func (p fixedToken) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	v, err := authentication.NewAllowedHostsValidatorErrorCheck([]string{"127.0.0.1"})
	if err != nil {
		panic(err) // a constant host list; only a typo here gets this far
	}
	return v
}

// sdkRoot hands out the SDK's request builders from its own constructors,
// as pimento does (pim.Graph), without the root client.
type sdkRoot struct{ adapter abstractions.RequestAdapter }

func (r sdkRoot) params() map[string]string {
	return map[string]string{"baseurl": r.adapter.GetBaseUrl()}
}

func (r sdkRoot) RoleManagement() *rolemanagement.RoleManagementRequestBuilder {
	return rolemanagement.NewRoleManagementRequestBuilderInternal(r.params(), r.adapter)
}

func (r sdkRoot) IdentityGovernance() *identitygovernance.IdentityGovernanceRequestBuilder {
	return identitygovernance.NewIdentityGovernanceRequestBuilderInternal(r.params(), r.adapter)
}

func (r sdkRoot) Me() *users.UserItemRequestBuilder {
	p := r.params()
	p["user%2Did"] = "me-token-to-replace"
	return users.NewUserItemRequestBuilderInternal(p, r.adapter)
}

func sdkClient(t *testing.T, tn *sim.Tenant, acrs []string) (sdkRoot, abstractions.RequestAdapter) {
	t.Helper()
	tok, err := tn.MintAccessToken(sim.DemoAdminUPN, acrs)
	if err != nil {
		t.Fatal(err)
	}
	adapter, err := pim.NewGraphAdapter(authentication.NewBaseBearerTokenAuthenticationProvider(fixedToken{tok}), tn.GraphURL(), tn.HTTPClient().Transport, 0)
	if err != nil {
		t.Fatal(err)
	}
	return sdkRoot{adapter}, adapter
}

func started(t *testing.T, mutate func(*sim.Scenario)) *sim.Tenant {
	t.Helper()
	if mutate == nil {
		return simtest.Start(t)
	}
	return simtest.Start(t, mutate)
}

func TestSDKPagesThroughEligibilities(t *testing.T) {
	tn := started(t, func(sc *sim.Scenario) { sc.PageSize = 2 })
	client, adapter := sdkClient(t, tn, nil)
	on := "principal"
	ctx := context.Background()
	resp, err := client.RoleManagement().Directory().RoleEligibilityScheduleInstances().FilterByCurrentUserWithOn(&on).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
		&rolemanagement.DirectoryRoleEligibilityScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleEligibilityScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"roleDefinition"}},
		})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetOdataNextLink() == nil || !strings.HasPrefix(*resp.GetOdataNextLink(), tn.GraphURL()) {
		t.Fatalf("nextLink must be absolute on the sim: %v", resp.GetOdataNextLink())
	}
	it, err := msgraphcore.NewPageIterator[models.UnifiedRoleEligibilityScheduleInstanceable](resp, adapter,
		models.CreateUnifiedRoleEligibilityScheduleInstanceCollectionResponseFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	if err := it.Iterate(ctx, func(i models.UnifiedRoleEligibilityScheduleInstanceable) bool {
		names[*i.GetRoleDefinition().GetDisplayName()] = true
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(names) != 9 || !names["Helpdesk Administrator"] {
		t.Fatalf("paged eligibilities = %v", names)
	}
}

func TestSDKSurfacesTheAcrsChallengeAsODataError(t *testing.T) {
	tn := started(t, nil)
	client, _ := sdkClient(t, tn, nil)
	req := models.NewUnifiedRoleAssignmentScheduleRequest()
	act := models.SELFACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	req.SetAction(&act)
	uid, role, scope, just := sim.DemoAdminUserID, sim.RoleGlobalAdministrator, "/", "fidelity"
	req.SetPrincipalId(&uid)
	req.SetRoleDefinitionId(&role)
	req.SetDirectoryScopeId(&scope)
	req.SetJustification(&just)
	si := models.NewRequestSchedule()
	now := time.Now().UTC()
	si.SetStartDateTime(&now)
	exp := models.NewExpirationPattern()
	typ := models.AFTERDURATION_EXPIRATIONPATTERNTYPE
	exp.SetTypeEscaped(&typ)
	exp.SetDuration(serialization.FromDuration(time.Hour))
	si.SetExpiration(exp)
	req.SetScheduleInfo(si)
	_, err := client.RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(context.Background(), req, nil)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 400 {
		t.Fatalf("err = %T %v, want a 400 ODataError", err, err)
	}
	main := oe.GetErrorEscaped()
	if main == nil || main.GetCode() == nil || *main.GetCode() != "RoleAssignmentRequestAcrsValidationFailed" || main.GetMessage() == nil {
		t.Fatal("code or message missing")
	}
	msg := *main.GetMessage()
	i := strings.Index(msg, "claims=")
	if i < 0 {
		t.Fatalf("message has no claims: %q", msg)
	}
	claims, err := url.QueryUnescape(msg[i+len("claims="):])
	if err != nil || claims != `{"access_token":{"acrs":{"essential":true, "value":"c1"}}}` {
		t.Fatalf("claims = %q (%v)", claims, err)
	}
	// The gzip-compressed body arrived intact (the sim decoded it).
	var logged sim.Request
	for _, r := range tn.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "roleAssignmentScheduleRequests") {
			logged = r
		}
	}
	if !strings.Contains(logged.Body, `"afterDuration"`) || !strings.Contains(logged.Body, `"PT1H"`) {
		t.Errorf("logged body = %s", logged.Body)
	}
}

func TestSDKBatchWithOneThrottledItem(t *testing.T) {
	tn := started(t, nil)
	client, adapter := sdkClient(t, tn, nil)
	ctx := context.Background()
	// An error only means the mappings are registered already (by an earlier
	// test); they are the same ones.
	_ = msgraphcore.RegisterError(msgraphcore.BatchRequestErrorRegistryKey, abstractions.ErrorMappings{
		"4XX": odataerrors.CreateODataErrorFromDiscriminatorValue, "5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	})
	tn.AddFault(sim.Fault{Path: "roleEligibilityScheduleInstances", Kind: sim.FaultStatus, Status: 429, RetryAfter: 3, InBatch: true, Times: 1})
	on := "principal"
	b := msgraphcore.NewBatchRequest(adapter)
	meInfo, _ := client.Me().ToGetRequestInformation(ctx, nil)
	eligInfo, _ := client.RoleManagement().Directory().RoleEligibilityScheduleInstances().FilterByCurrentUserWithOn(&on).ToGetRequestInformation(ctx, nil)
	mi, err := b.AddBatchRequestStep(*meInfo)
	if err != nil {
		t.Fatal(err)
	}
	ei, _ := b.AddBatchRequestStep(*eligInfo)
	if strings.HasPrefix(*ei.GetUrl(), "https://") {
		t.Fatalf("batch item URL must be relative: %s", *ei.GetUrl())
	}
	resp, err := b.Send(ctx, adapter)
	if err != nil {
		t.Fatal(err)
	}
	me, err := msgraphcore.GetBatchResponseById[models.Userable](resp, *mi.GetId(), models.CreateUserFromDiscriminatorValue)
	if err != nil || *me.GetUserPrincipalName() != sim.DemoAdminUPN {
		t.Fatalf("me item: %v", err)
	}
	item := resp.GetResponseById(*ei.GetId())
	if *item.GetStatus() != 429 || item.GetHeaders()["Retry-After"] != "3" {
		t.Fatalf("throttled item: status %d headers %v", *item.GetStatus(), item.GetHeaders())
	}
}
