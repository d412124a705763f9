package pim

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// ---- Azure roles: ARM roleAssignmentApprovals stages ----
//
// Only the preview api-version 2021-01-01-preview has them, and
// armauthorization has no client (AF §0 row 4), so the calls go through
// the Azure SDK's own pipeline (its bearer policy with the ARM token, the
// base guard, its error type). The stages are read and the returned id is
// used (AF §1.5: stage id and approval id need not match); the decision is
// a PUT with the body wrapped in properties, the safer side of AF §9.6/§9.7.

const armApprovalVersion = "2021-01-01-preview"

type azureApprovals struct{ s *Service }

// armStage is a stage as ARM returns it (AF §1.5).
type armStage struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		DisplayName      *string    `json:"displayName"`
		AssignedToMe     *bool      `json:"assignedToMe"`
		Status           string     `json:"status"`
		ReviewResult     string     `json:"reviewResult"`
		Justification    *string    `json:"justification"`
		ReviewedDateTime *time.Time `json:"reviewedDateTime"`
		ReviewedBy       *struct {
			PrincipalID       *string `json:"principalId"`
			PrincipalName     *string `json:"principalName"`
			UserPrincipalName *string `json:"userPrincipalName"`
		} `json:"reviewedBy"`
	} `json:"properties"`
}

func (k azureApprovals) stages(ctx context.Context, a Approval) ([]ApprovalStage, error) {
	if k.s.arm == nil {
		return nil, errAzureOff
	}
	var res struct {
		Value []armStage `json:"value"`
	}
	path := "roleAssignmentApprovals/" + url.PathEscape(a.ApprovalID) + "/stages"
	if err := k.s.arm.get(ctx, "", path, url.Values{"api-version": {armApprovalVersion}}, "", &res); err != nil {
		return nil, err
	}
	out := make([]ApprovalStage, 0, len(res.Value))
	for _, x := range res.Value {
		p := x.Properties
		id := x.ID
		if id == "" {
			id = x.Name
		}
		st := ApprovalStage{
			ID: id, Name: deref(p.DisplayName), Status: p.Status, Result: p.ReviewResult,
			AssignedToMe: p.AssignedToMe != nil && *p.AssignedToMe, Justification: deref(p.Justification),
		}
		if p.ReviewedDateTime != nil {
			st.Reviewed = *p.ReviewedDateTime
		}
		if r := p.ReviewedBy; r != nil {
			st.ReviewerID, st.Reviewer = deref(r.PrincipalID), deref(r.PrincipalName)
			if st.Reviewer == "" {
				st.Reviewer = deref(r.UserPrincipalName)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func (k azureApprovals) decide(ctx context.Context, a Approval, st ApprovalStage, d Decision, justification string) error {
	if k.s.arm == nil {
		return errAzureOff
	}
	// The stage's id is its path under the ARM endpoint; a bare name is
	// put under the approval.
	path := st.ID
	if !strings.HasPrefix(path, "/") {
		path = "/providers/Microsoft.Authorization/roleAssignmentApprovals/" + url.PathEscape(a.ApprovalID) + "/stages/" + url.PathEscape(st.ID)
	}
	body := map[string]any{"properties": map[string]string{"reviewResult": string(d), "justification": justification}}
	return k.s.arm.put(noRetryARM(ctx), path+"?api-version="+armApprovalVersion, body)
}

// put sends PUT {base}{pathAndQuery} with a JSON body through an SDK
// pipeline. Any 2xx is success: the spec says 200 with the stage, peers
// see 204 (AF §2.1).
func (a *ARM) put(ctx context.Context, pathAndQuery string, body any) error {
	c, err := arm.NewClient(armModule, "v1", a.cred, &a.options)
	if err != nil {
		return err
	}
	req, err := runtime.NewRequest(ctx, http.MethodPut, a.base+pathAndQuery)
	if err != nil {
		return err
	}
	req.Raw().Header.Set("Accept", "application/json")
	if err := runtime.MarshalAsJSON(req, body); err != nil {
		return err
	}
	resp, err := c.Pipeline().Do(req)
	if err != nil {
		return armError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return armError(runtime.NewResponseError(resp))
	}
	return nil
}
