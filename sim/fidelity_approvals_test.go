package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/pimento-cli/pimento/sim"
)

// Approvals as the real msgraph-sdk-go sends and decodes them: the v1.0
// inboxes and group stages through its builders, the beta steps of a
// directory role through the same adapter with an absolute beta URI
// (approvals-facts §3, §10). The demo admin approves Megan's seeded
// requests.

var graphErrors = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

func TestSDKApproverInboxes(t *testing.T) {
	tn := started(t, nil)
	client, _ := sdkClient(t, tn, nil)
	ctx := context.Background()
	on, filter := "approver", "status eq 'PendingApproval'"
	roles, err := client.RoleManagement().Directory().RoleAssignmentScheduleRequests().FilterByCurrentUserWithOn(&on).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
		&rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &filter, Expand: []string{"principal", "roleDefinition"}},
		})
	if err != nil || len(roles.GetValue()) != 1 {
		t.Fatalf("role inbox: %v", err)
	}
	r := roles.GetValue()[0]
	u, ok := r.GetPrincipal().(models.Userable)
	if !ok || *u.GetUserPrincipalName() != sim.DemoApproverUPN || *u.GetDisplayName() != "Megan Bowen" || *r.GetRoleDefinition().GetDisplayName() != "Billing Administrator" ||
		*r.GetApprovalId() != sim.DemoPendingRoleRequestID || *r.GetStatus() != sim.StatusPendingApproval || r.GetCreatedDateTime() == nil {
		t.Fatalf("role item: %T %v", r.GetPrincipal(), r.GetId())
	}
	groups, err := client.IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().FilterByCurrentUserWithOn(&on).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &filter, Expand: []string{"group", "principal"}},
		})
	if err != nil || len(groups.GetValue()) != 1 {
		t.Fatalf("group inbox: %v", err)
	}
	g := groups.GetValue()[0]
	if *g.GetGroup().GetDisplayName() != "SG-Finance-Payroll-Admins" || *g.GetAccessId() != models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS ||
		*g.GetJustification() == "" || g.GetScheduleInfo().GetStartDateTime() == nil {
		t.Fatalf("group item: %v", g.GetId())
	}
}

func TestSDKGroupApprovalStagePatch(t *testing.T) {
	tn := started(t, nil)
	client, _ := sdkClient(t, tn, nil)
	ctx := context.Background()
	approval := client.IdentityGovernance().PrivilegedAccess().Group().AssignmentApprovals().ByApprovalId(sim.DemoPendingGroupRequestID)
	got, err := approval.Get(ctx, nil)
	if err != nil || len(got.GetStages()) != 1 {
		t.Fatalf("approval: %v", err)
	}
	st := got.GetStages()[0]
	if *st.GetStatus() != "InProgress" || !*st.GetAssignedToMe() || *st.GetReviewResult() != "NotReviewed" || st.GetReviewedBy() != nil {
		t.Fatalf("stage %s: %s", *st.GetId(), *st.GetStatus())
	}
	body := models.NewApprovalStage()
	result, why := "Approve", "payroll window checked"
	body.SetReviewResult(&result)
	body.SetJustification(&why)
	stage := approval.Stages().ByApprovalStageId(*st.GetId())
	if _, err := stage.Patch(ctx, body, nil); err != nil {
		t.Fatal(err)
	}
	after, err := stage.Get(ctx, nil)
	if err != nil || *after.GetReviewResult() != "Approve" || *after.GetStatus() != "Completed" || *after.GetJustification() != why ||
		after.GetReviewedBy() == nil || *after.GetReviewedBy().GetDisplayName() != "Alex Wilber (Admin)" || after.GetReviewedDateTime() == nil {
		t.Fatalf("after: %v", err)
	}
	// Decided: the second PATCH is the documented 409.
	_, err = stage.Patch(ctx, body, nil)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 409 {
		t.Fatalf("twice: %v", err)
	}
	var patches []sim.Request
	for _, r := range tn.Requests() {
		if r.Method == "PATCH" {
			patches = append(patches, r)
		}
	}
	if len(patches) != 2 || !strings.HasSuffix(patches[0].Path, "/assignmentApprovals/"+sim.DemoPendingGroupRequestID+"/stages/"+*st.GetId()) ||
		!strings.Contains(patches[0].Body, `"reviewResult":"Approve"`) || !strings.Contains(patches[0].Body, `"justification":"payroll window checked"`) {
		t.Fatalf("PATCHes: %+v", patches)
	}
	if r, _ := tn.Request(sim.DemoPendingGroupRequestID); r.Status != sim.StatusGranted || r.ReviewJustification != why {
		t.Fatalf("request: %+v", r)
	}
}

// The beta decision goes through the v1.0 adapter with an absolute URI
// (SetUri) and the Graph token; a template's baseurl would be overwritten
// with v1.0, where the sim answers 400 (approvals-facts §3.1 B and C).
func TestSDKBetaStepThroughTheSameAdapter(t *testing.T) {
	tn := started(t, nil)
	_, adapter := sdkClient(t, tn, nil)
	ctx := context.Background()
	betaRoot := strings.TrimSuffix(adapter.GetBaseUrl(), "/v1.0") + "/beta"
	request := func(method abstractions.HttpMethod, path string) *abstractions.RequestInformation {
		ri := abstractions.NewRequestInformation()
		ri.Method = method
		u, err := url.Parse(betaRoot + path)
		if err != nil {
			t.Fatal(err)
		}
		ri.SetUri(*u)
		ri.Headers.TryAdd("Accept", "application/json")
		return ri
	}
	approvalPath := "/roleManagement/directory/roleAssignmentApprovals/" + sim.DemoPendingRoleRequestID
	raw, err := adapter.SendPrimitive(ctx, request(abstractions.GET, approvalPath), "[]byte", graphErrors)
	if err != nil {
		t.Fatal(err)
	}
	var approval struct {
		ID    string `json:"id"`
		Steps []struct {
			ID           string          `json:"id"`
			Status       string          `json:"status"`
			ReviewResult string          `json:"reviewResult"`
			AssignedToMe bool            `json:"assignedToMe"`
			ReviewedBy   json.RawMessage `json:"reviewedBy"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(raw.([]byte), &approval); err != nil || approval.ID != sim.DemoPendingRoleRequestID || len(approval.Steps) != 1 {
		t.Fatalf("approval: %v %s", err, raw)
	}
	step := approval.Steps[0]
	if !step.AssignedToMe || step.Status != "InProgress" || step.ReviewResult != "NotReviewed" || string(step.ReviewedBy) != "null" {
		t.Fatalf("step: %+v", step)
	}
	patch := request(abstractions.PATCH, approvalPath+"/steps/"+step.ID)
	body := models.NewApprovalStage() // the v1.0 model serialises the beta step's writable fields
	result, why := "Deny", "licences renewed already"
	body.SetReviewResult(&result)
	body.SetJustification(&why)
	if err := patch.SetContentFromParsable(ctx, adapter, "application/json", body); err != nil {
		t.Fatal(err)
	}
	if err := adapter.SendNoContent(ctx, patch, graphErrors); err != nil {
		t.Fatal(err)
	}
	if r, _ := tn.Request(sim.DemoPendingRoleRequestID); r.Status != sim.StatusDenied || r.ReviewJustification != why || r.ReviewedBy != sim.DemoAdminUserID {
		t.Fatalf("request: %+v", r)
	}

	// pimctl's trap: a template with a beta baseurl is sent to v1.0.
	trap := abstractions.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abstractions.GET,
		"{+baseurl}/roleManagement/directory/roleAssignmentApprovals/{id}", map[string]string{"baseurl": betaRoot, "id": sim.DemoPendingRoleRequestID})
	_, err = adapter.SendPrimitive(ctx, trap, "[]byte", graphErrors)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 400 {
		t.Fatalf("template with a beta baseurl: %v", err)
	}

	var betaCalls, v1Approvals int
	for _, r := range tn.Requests() {
		switch {
		case strings.HasPrefix(r.Path, "/beta/roleManagement/directory/roleAssignmentApprovals/"):
			betaCalls++
			if r.Audience != "https://graph.microsoft.com" || r.Status >= 300 {
				t.Errorf("%s %s: audience %q status %d", r.Method, r.Path, r.Audience, r.Status)
			}
		case strings.HasPrefix(r.Path, "/v1.0/roleManagement/directory/roleAssignmentApprovals/"):
			v1Approvals++
		}
	}
	if betaCalls != 2 || v1Approvals != 1 {
		t.Fatalf("beta calls %d, v1.0 calls %d", betaCalls, v1Approvals)
	}
}

// ARM approvals as a client makes them: the inbox with armauthorization
// v2.2.0 (asApprover), the approval and its decision over azcore's ARM
// pipeline, since armauthorization has no approvals client
// (approvals-facts §0 row 4).

// armStage is a stage as the preview API returns it.
type armStage struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		AssignedToMe bool   `json:"assignedToMe"`
		Status       string `json:"status"`
		ReviewResult string `json:"reviewResult"`
		ReviewedBy   *struct {
			PrincipalID   string `json:"principalId"`
			PrincipalName string `json:"principalName"`
		} `json:"reviewedBy"`
	} `json:"properties"`
}

// previewCall sends method to path on the pipeline with the approvals'
// api-version and body (if any) as JSON.
func previewCall(ctx context.Context, t *testing.T, c *arm.Client, method, path string, body any) *http.Response {
	t.Helper()
	req, err := runtime.NewRequest(ctx, method, runtime.JoinPaths(c.Endpoint(), path))
	if err != nil {
		t.Fatal(err)
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", "2021-01-01-preview")
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	if body != nil {
		if err := runtime.MarshalAsJSON(req, body); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := c.Pipeline().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSDKARMApprovalOverThePipeline(t *testing.T) {
	tn := started(t, nil)
	f, cred := armFactory(t, tn)
	ctx := context.Background()

	// The inbox: every request the admin approves (the status filter is
	// the client's, approvals-facts §9.5).
	pager := f.NewRoleAssignmentScheduleRequestsClient().NewListForScopePager("", &armauthorization.RoleAssignmentScheduleRequestsClientListForScopeOptions{Filter: to.Ptr("asApprover()")})
	var pending []*armauthorization.RoleAssignmentScheduleRequest
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Value {
			if *r.Properties.Status == armauthorization.StatusPendingApproval {
				pending = append(pending, r)
			}
		}
	}
	if len(pending) != 1 || *pending[0].Name != sim.DemoPendingAzureRequestID || *pending[0].Properties.PrincipalID != sim.DemoApproverUserID ||
		*pending[0].Properties.ExpandedProperties.RoleDefinition.DisplayName != "User Access Administrator" || *pending[0].Properties.TicketInfo.TicketNumber != "INC-4711" {
		t.Fatalf("inbox: %+v", pending)
	}
	approvalID := *pending[0].Properties.ApprovalID

	client, err := arm.NewClient("pimento-sim-test", "v0.0.0", cred, armOptions(tn))
	if err != nil {
		t.Fatal(err)
	}
	resp := previewCall(ctx, t, client, http.MethodGet, approvalID+"/stages", nil)
	var stages struct{ Value []armStage }
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		t.Fatalf("stages: %v", runtime.NewResponseError(resp))
	}
	if err := runtime.UnmarshalAsJSON(resp, &stages); err != nil || len(stages.Value) != 1 {
		t.Fatalf("stages: %v %+v", err, stages)
	}
	st := stages.Value[0]
	if !st.Properties.AssignedToMe || st.Properties.Status != "InProgress" || st.Properties.ReviewResult != "NotReviewed" || st.Properties.ReviewedBy != nil {
		t.Fatalf("stage: %+v", st)
	}

	// Decide by PUT on the stage's own id (EasyPIM's way), body wrapped.
	decision := map[string]any{"properties": map[string]any{"reviewResult": "Approve", "justification": "backup restore INC-4711"}}
	resp = previewCall(ctx, t, client, http.MethodPut, st.ID, decision)
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		t.Fatalf("decide: %v", runtime.NewResponseError(resp))
	}
	var after armStage
	if err := runtime.UnmarshalAsJSON(resp, &after); err != nil || after.Properties.ReviewResult != "Approve" || after.Properties.Status != "Completed" ||
		after.Properties.ReviewedBy == nil || after.Properties.ReviewedBy.PrincipalID != sim.DemoAdminUserID {
		t.Fatalf("decided stage: %v %+v", err, after)
	}
	resp = previewCall(ctx, t, client, http.MethodPut, st.ID, decision)
	var re *azcore.ResponseError
	if err := runtime.NewResponseError(resp); !errors.As(err, &re) || re.StatusCode != http.StatusConflict {
		t.Fatalf("twice: %v", err)
	}
	if r, _ := tn.Request(sim.DemoPendingAzureRequestID); r.Status != sim.StatusProvisioned || r.ReviewJustification != "backup restore INC-4711" {
		t.Fatalf("request: %+v", r)
	}
	for _, r := range tn.Requests() {
		if strings.HasPrefix(r.Path, "/arm/") && r.Audience != sim.ARMResource {
			t.Errorf("%s %s sent with audience %q", r.Method, r.Path, r.Audience)
		}
	}
	for _, s := range cred.scopes {
		if len(s) != 1 || s[0] != sim.ARMScope {
			t.Errorf("token scopes %v", s)
		}
	}
}
