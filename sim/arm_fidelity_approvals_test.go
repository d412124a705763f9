package sim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/pimento-cli/pimento/sim"
)

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
