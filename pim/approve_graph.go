package pim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// ---- directory roles: beta steps ----
//
// roleAssignmentApprovals exist only on Graph beta (AF §0 row 1) and
// msgraph-sdk-go has no builder for them. The calls go through the SDK's
// own request adapter (its auth, middleware and error mapping) with an
// absolute beta URI set on the RequestInformation: a {+baseurl} template
// would be rewritten to the adapter's v1.0 base at send time (AF §3.1 B,
// C), which is how a shared-adapter beta client silently ends up on v1.0.

type roleApprovals struct{ s *Service }

// errMappings read Graph's error body for requests pimento builds itself.
var errMappings = abstractions.ErrorMappings{
	"4XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	"5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
}

// betaURL is path under Graph beta on the adapter's host: the base URL
// with its /v1.0 replaced.
func (s *Service) betaURL(path string) (*url.URL, error) {
	base := strings.TrimRight(s.adapter.GetBaseUrl(), "/")
	base = strings.TrimSuffix(base, "/v1.0") + "/beta"
	return url.Parse(base + path)
}

func approvalPath(id string) string {
	return "/roleManagement/directory/roleAssignmentApprovals/" + url.PathEscape(id)
}

// betaStep is an approvalStep as beta returns it (AF §1.3). reviewedBy is
// documented as a collection and generated as one identity: it is read
// raw and either shape accepted (AF §9.3).
type betaStep struct {
	ID               string          `json:"id"`
	DisplayName      *string         `json:"displayName"`
	Status           string          `json:"status"`
	ReviewResult     string          `json:"reviewResult"`
	AssignedToMe     *bool           `json:"assignedToMe"`
	Justification    *string         `json:"justification"`
	ReviewedBy       json.RawMessage `json:"reviewedBy"`
	ReviewedDateTime *time.Time      `json:"reviewedDateTime"`
}

type identityJSON struct {
	ID                string  `json:"id"`
	DisplayName       *string `json:"displayName"`
	UserPrincipalName *string `json:"userPrincipalName"`
}

// reviewer reads reviewedBy: null, one identity, or a list of them.
func reviewer(raw json.RawMessage) (id, name string) {
	var one identityJSON
	var many []identityJSON
	switch {
	case json.Unmarshal(raw, &many) == nil && len(many) > 0:
		one = many[0]
	case json.Unmarshal(raw, &one) == nil:
	default:
		return "", ""
	}
	name = deref(one.DisplayName)
	if name == "" {
		name = deref(one.UserPrincipalName)
	}
	return one.ID, name
}

func (k roleApprovals) stages(ctx context.Context, a Approval) ([]ApprovalStage, error) {
	u, err := k.s.betaURL(approvalPath(a.ApprovalID))
	if err != nil {
		return nil, err
	}
	ri := abstractions.NewRequestInformation()
	ri.Method = abstractions.GET
	ri.SetUri(*u)
	ri.Headers.Add("Accept", "application/json")
	ctx, st := withStatus(ctx)
	body, err := k.s.adapter.SendPrimitive(ctx, ri, "[]byte", errMappings)
	if err != nil {
		return nil, withHTTPStatus(err, int(st.Load()))
	}
	raw, _ := body.([]byte)
	var v struct {
		Steps []betaStep `json:"steps"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("Graph's approval %s could not be read: %w", a.ApprovalID, err)
	}
	out := make([]ApprovalStage, 0, len(v.Steps))
	for _, x := range v.Steps {
		st := ApprovalStage{
			ID: x.ID, Name: deref(x.DisplayName), Status: x.Status, Result: x.ReviewResult,
			AssignedToMe: x.AssignedToMe != nil && *x.AssignedToMe, Justification: deref(x.Justification),
		}
		st.ReviewerID, st.Reviewer = reviewer(x.ReviewedBy)
		if x.ReviewedDateTime != nil {
			st.Reviewed = *x.ReviewedDateTime
		}
		out = append(out, st)
	}
	return out, nil
}

func (k roleApprovals) decide(ctx context.Context, a Approval, st ApprovalStage, d Decision, justification string) error {
	u, err := k.s.betaURL(approvalPath(a.ApprovalID) + "/steps/" + url.PathEscape(st.ID))
	if err != nil {
		return err
	}
	ri := abstractions.NewRequestInformation()
	ri.Method = abstractions.PATCH
	ri.SetUri(*u)
	ri.AddRequestOptions(noRetry())
	if err := ri.SetContentFromParsable(ctx, k.s.adapter, "application/json", decisionBody(d, justification)); err != nil {
		return err
	}
	ctx, status := withStatus(ctx)
	err = k.s.adapter.SendNoContent(ctx, ri, errMappings)
	return withHTTPStatus(err, int(status.Load()))
}

// decisionBody is {"reviewResult", "justification"}: the SDK serializes
// only the fields set (AF §2.1).
func decisionBody(d Decision, justification string) models.ApprovalStageable {
	body := models.NewApprovalStage()
	r := string(d)
	body.SetReviewResult(&r)
	body.SetJustification(&justification)
	return body
}

// ---- PIM for Groups: v1.0 stages, through the SDK's builders ----

type groupApprovals struct{ s *Service }

func (k groupApprovals) stages(ctx context.Context, a Approval) ([]ApprovalStage, error) {
	ctx, status := withStatus(ctx)
	v, err := k.s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentApprovals().ByApprovalId(a.ApprovalID).Get(ctx, nil)
	if err != nil {
		return nil, withHTTPStatus(err, int(status.Load()))
	}
	var out []ApprovalStage
	for _, x := range v.GetStages() {
		st := ApprovalStage{
			ID: deref(x.GetId()), Name: deref(x.GetDisplayName()), Status: deref(x.GetStatus()), Result: deref(x.GetReviewResult()),
			AssignedToMe: deref(x.GetAssignedToMe()), Justification: deref(x.GetJustification()), Reviewed: deref(x.GetReviewedDateTime()),
		}
		if who := x.GetReviewedBy(); who != nil {
			st.ReviewerID, st.Reviewer = deref(who.GetId()), deref(who.GetDisplayName())
			if upn, ok := who.GetAdditionalData()["userPrincipalName"].(*string); ok && st.Reviewer == "" {
				st.Reviewer = deref(upn)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

func (k groupApprovals) decide(ctx context.Context, a Approval, st ApprovalStage, d Decision, justification string) error {
	ctx, status := withStatus(ctx)
	_, err := k.s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentApprovals().ByApprovalId(a.ApprovalID).Stages().ByApprovalStageId(st.ID).Patch(ctx,
		decisionBody(d, justification),
		&identitygovernance.PrivilegedAccessGroupAssignmentApprovalsItemStagesApprovalStageItemRequestBuilderPatchRequestConfiguration{Options: noRetry()})
	return withHTTPStatus(err, int(status.Load()))
}
