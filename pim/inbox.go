package pim

import (
	"context"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
)

// The approver's inbox: other admins' requests that wait for the signed-in
// admin's decision. Directory roles and groups through Graph v1.0's
// filterByCurrentUser(on='approver') with the documented status filter and
// names expanded (AF §1.1, §1.2, §1.4); Azure roles through ARM's
// asApprover(), filtered here on PendingApproval because whether ARM
// returns decided requests too is UNVERIFIED (AF §9.5). The admin's own
// requests are never offered: PIM refuses self-approval (AF §2.2).

// ApprovalWindow is how long approvers have: 24 hours from the request, not
// configurable; then the requester must ask again (AF §0 row 5).
const ApprovalWindow = 24 * time.Hour

// Approval is a request waiting for the admin's decision.
type Approval struct {
	// Eligibility is what the requester asked for: kind, role or group,
	// scope in words and ids. Its Policy is not read (it is not the
	// admin's own eligibility).
	Eligibility
	RequestID string
	// ApprovalID is what the decision is sent to: the request's id on Graph
	// (AF §1.1), a roleAssignmentApprovals GUID of its own on ARM.
	ApprovalID    string
	RequesterID   string
	Requester     string // display name ("" when Graph did not say)
	RequesterUPN  string
	Justification string
	TicketNumber  string
	TicketSystem  string
	// Duration is the activation asked for; Start its start (zero: from
	// the approval).
	Duration time.Duration
	Start    time.Time
	Created  time.Time
	// Status is the request's (PendingApproval in the inbox).
	Status string
	// Stages are the approval's stages when they were read (nil before).
	Stages []ApprovalStage `json:",omitempty"`
}

// Expires is when the 24-hour window closes.
func (a Approval) Expires() time.Time { return a.Created.Add(ApprovalWindow) }

// Matches reports whether id names the request or its approval.
func (a Approval) Matches(id string) bool {
	id = strings.TrimSpace(id)
	return id != "" && (strings.EqualFold(a.RequestID, id) || strings.EqualFold(a.ApprovalID, id))
}

// RequesterLabel is the requester as people read them: name and UPN.
func (a Approval) RequesterLabel() string {
	switch {
	case a.Requester != "" && a.RequesterUPN != "":
		return a.Requester + " <" + a.RequesterUPN + ">"
	case a.Requester != "":
		return a.Requester
	case a.RequesterUPN != "":
		return a.RequesterUPN
	}
	return a.RequesterID
}

// first-screen batch keys of the inbox
const (
	keyRoleApprove = "roleToApprove"
	keyGrpApprove  = "groupToApprove"
)

// pendingFilter is the documented clause the inbox is read with.
const pendingFilter = "status eq 'PendingApproval'"

// inboxRequests are the batch items that list requests for the admin to
// decide, filtered by Graph on filter.
func (s *Service) inboxRequests(ctx context.Context, filter string) ([]batchReq, error) {
	o := "approver"
	role, err := s.graph.roleManagement().Directory().RoleAssignmentScheduleRequests().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
		&rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{
				Filter: &filter, Expand: []string{"principal", "roleDefinition"},
			},
		})
	if err != nil {
		return nil, err
	}
	grp, err := s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{
				Filter: &filter, Expand: []string{"principal", "group"},
			},
		})
	if err != nil {
		return nil, err
	}
	return []batchReq{{key: keyRoleApprove, info: role}, {key: keyGrpApprove, info: grp}}, nil
}

// inboxLists decode the inbox's pages.
type inboxLists struct {
	role []models.UnifiedRoleAssignmentScheduleRequestable
	grp  []models.PrivilegedAccessGroupAssignmentScheduleRequestable
}

func (il *inboxLists) read(res map[string]batchRes, key, list string) (next *string, handled bool, err error) {
	switch list {
	case keyRoleApprove:
		next, err = appendPage[models.UnifiedRoleAssignmentScheduleRequestCollectionResponseable](res, key, models.CreateUnifiedRoleAssignmentScheduleRequestCollectionResponseFromDiscriminatorValue, &il.role)
	case keyGrpApprove:
		next, err = appendPage[models.PrivilegedAccessGroupAssignmentScheduleRequestCollectionResponseable](res, key, models.CreatePrivilegedAccessGroupAssignmentScheduleRequestCollectionResponseFromDiscriminatorValue, &il.grp)
	default:
		return nil, false, nil
	}
	return next, true, err
}

// requesterIDs are the requesters whose names Graph did not expand.
func (il *inboxLists) unnamed() []string {
	var out []string
	for _, r := range il.role {
		if name, upn := principalNames(r.GetPrincipal()); name == "" && upn == "" {
			out = append(out, deref(r.GetPrincipalId()))
		}
	}
	for _, r := range il.grp {
		if name, upn := principalNames(r.GetPrincipal()); name == "" && upn == "" {
			out = append(out, deref(r.GetPrincipalId()))
		}
	}
	return out
}

// approvals are the requests in the lists, in the order read.
func (il *inboxLists) approvals(l *loader) []Approval {
	var out []Approval
	for _, r := range il.role {
		roleID := deref(r.GetRoleDefinitionId())
		name, tmpl := roleDefNames(r.GetRoleDefinition(), roleID)
		el := Eligibility{Kind: KindDirectoryRole, Name: name, RoleDefinitionID: roleID, TemplateID: tmpl, DirectoryScopeID: deref(r.GetDirectoryScopeId()), AppScopeID: deref(r.GetAppScopeId())}
		el.Scope = l.scopeWordsOf(el)
		a := graphApproval(el, deref(r.GetId()), deref(r.GetApprovalId()), deref(r.GetPrincipalId()), r.GetPrincipal(), r.GetScheduleInfo(), r.GetTicketInfo())
		a.Justification, a.Created, a.Status = deref(r.GetJustification()), deref(r.GetCreatedDateTime()), deref(r.GetStatus())
		out = append(out, l.named(a))
	}
	for _, r := range il.grp {
		gid := deref(r.GetGroupId())
		name := gid
		if g := r.GetGroup(); g != nil && deref(g.GetDisplayName()) != "" {
			name = deref(g.GetDisplayName())
		}
		access := accessOf(r.GetAccessId())
		el := Eligibility{Kind: KindGroup, Name: name, GroupID: gid, AccessID: access, Scope: "group " + access}
		a := graphApproval(el, deref(r.GetId()), deref(r.GetApprovalId()), deref(r.GetPrincipalId()), r.GetPrincipal(), r.GetScheduleInfo(), r.GetTicketInfo())
		a.Justification, a.Created, a.Status = deref(r.GetJustification()), deref(r.GetCreatedDateTime()), deref(r.GetStatus())
		out = append(out, l.named(a))
	}
	return out
}

func graphApproval(el Eligibility, id, approvalID, principal string, p models.DirectoryObjectable, si models.RequestScheduleable, ti models.TicketInfoable) Approval {
	if approvalID == "" {
		approvalID = id // the approval's id is the request's (AF §1.1, G6)
	}
	a := Approval{Eligibility: el, RequestID: id, ApprovalID: approvalID, RequesterID: principal}
	a.Requester, a.RequesterUPN = principalNames(p)
	a.Start, a.Duration, _ = scheduleOf(si)
	if ti != nil {
		a.TicketNumber, a.TicketSystem = deref(ti.GetTicketNumber()), deref(ti.GetTicketSystem())
	}
	return a
}

// principalNames reads an expanded principal. Whether Graph fills more
// than its id is UNVERIFIED (AF §9.19): the loader looks the rest up.
func principalNames(p models.DirectoryObjectable) (name, upn string) {
	if p == nil {
		return "", ""
	}
	if u, ok := p.(models.Userable); ok {
		return deref(u.GetDisplayName()), deref(u.GetUserPrincipalName())
	}
	if v, ok := p.GetAdditionalData()["displayName"].(*string); ok {
		name = deref(v)
	}
	if v, ok := p.GetAdditionalData()["userPrincipalName"].(*string); ok {
		upn = deref(v)
	}
	return name, upn
}

// waiting keeps the approvals that wait for a decision and are not the
// admin's own (me): the server's filter is trusted for neither.
func waiting(list []Approval, me string) []Approval {
	var out []Approval
	for _, a := range list {
		if IsPending(a.Status) && (me == "" || !strings.EqualFold(a.RequesterID, me)) {
			out = append(out, a)
		}
	}
	return out
}

// asApprover limits ARM's request list to requests the caller approves.
const asApprover = "asApprover()"

// eachToApprove hands every Azure role request the admin approves, whatever
// its status, to each.
func (a *ARM) eachToApprove(ctx context.Context, each func(*armauthorization.RoleAssignmentScheduleRequest)) (int, error) {
	c, err := a.requests()
	if err != nil {
		return 0, err
	}
	return allARMPages(ctx, c.NewListForScopePager("", &armauthorization.RoleAssignmentScheduleRequestsClientListForScopeOptions{Filter: to.Ptr(asApprover)}),
		func(p armauthorization.RoleAssignmentScheduleRequestsClientListForScopeResponse) []*armauthorization.RoleAssignmentScheduleRequest {
			return p.Value
		}, func(v *armauthorization.RoleAssignmentScheduleRequest) {
			if v.Properties != nil {
				each(v)
			}
		})
}

// azureApproval is an Azure role request the admin approves.
func azureApproval(v *armauthorization.RoleAssignmentScheduleRequest, n *azureNames) Approval {
	p := v.Properties
	a := Approval{
		Eligibility: n.target(p.Scope, p.RoleDefinitionID, p.ExpandedProperties),
		RequestID:   deref(v.Name), Status: statusOf(p.Status), Created: deref(p.CreatedOn),
		RequesterID: deref(p.PrincipalID), Justification: deref(p.Justification),
	}
	// properties.approvalId is a path ending in the approval's GUID (AF §1.1).
	if id := deref(p.ApprovalID); id != "" {
		a.ApprovalID = id[strings.LastIndexByte(id, '/')+1:]
	}
	if exp := p.ExpandedProperties; exp != nil && exp.Principal != nil {
		a.Requester, a.RequesterUPN = deref(exp.Principal.DisplayName), deref(exp.Principal.Email)
	}
	if a.RequesterID == "" {
		a.RequesterID = deref(p.RequestorID)
	}
	a.Start, a.Duration, _ = armScheduleOf(p.ScheduleInfo)
	if t := p.TicketInfo; t != nil {
		a.TicketNumber, a.TicketSystem = deref(t.TicketNumber), deref(t.TicketSystem)
	}
	return a
}
