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

// Scheduled activations: PIM answers Granted for a later start, and the
// activation shows in the schedules (*AssignmentSchedules), not in the
// instances, until it starts (AF §0 row 9, §4.2). There is no "Scheduled"
// status: a schedule whose start lies ahead is one. cancel withdraws it
// before its start (AF §4.2 Cancel).

// Scheduled is an activation PIM accepted for a later start.
type Scheduled struct {
	Eligibility
	// RequestID is the request that created it: what cancel takes.
	RequestID  string
	Start, End time.Time
}

// Request is s as cancel takes it.
func (s Scheduled) Request() Pending {
	return Pending{Eligibility: s.Eligibility, RequestID: s.RequestID, Status: "Granted"}
}

// ScheduledFor finds a scheduled activation of e.
func (s *Snapshot) ScheduledFor(e Eligibility) (Scheduled, bool) {
	for _, x := range s.Scheduled {
		if x.Key() == e.Key() {
			return x, true
		}
	}
	return Scheduled{}, false
}

// first-screen batch keys of the schedules
const (
	keyRoleSched = "roleScheduled"
	keyGrpSched  = "groupScheduled"
)

// scheduleRequests are the batch items that list the admin's schedules,
// current and future, with names expanded.
func (s *Service) scheduleRequests(ctx context.Context) ([]batchReq, error) {
	o := on
	role, err := s.graph.roleManagement().Directory().RoleAssignmentSchedules().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
		&rolemanagement.DirectoryRoleAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"roleDefinition"}},
		})
	if err != nil {
		return nil, err
	}
	grp, err := s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentSchedules().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"group"}},
		})
	if err != nil {
		return nil, err
	}
	return []batchReq{{key: keyRoleSched, info: role}, {key: keyGrpSched, info: grp}}, nil
}

// scheduleLists decode the schedules' pages; handled is false for other keys.
type scheduleLists struct {
	role []models.UnifiedRoleAssignmentScheduleable
	grp  []models.PrivilegedAccessGroupAssignmentScheduleable
}

func (sl *scheduleLists) read(res map[string]batchRes, key, list string) (next *string, handled bool, err error) {
	switch list {
	case keyRoleSched:
		next, err = appendPage[models.UnifiedRoleAssignmentScheduleCollectionResponseable](res, key, models.CreateUnifiedRoleAssignmentScheduleCollectionResponseFromDiscriminatorValue, &sl.role)
	case keyGrpSched:
		next, err = appendPage[models.PrivilegedAccessGroupAssignmentScheduleCollectionResponseable](res, key, models.CreatePrivilegedAccessGroupAssignmentScheduleCollectionResponseFromDiscriminatorValue, &sl.grp)
	default:
		return nil, false, nil
	}
	return next, true, err
}

// scheduled are the schedules that start after now: what is only
// scheduled. The ones running are the instances' business.
func (sl *scheduleLists) scheduled(l *loader, now time.Time) []Scheduled {
	var out []Scheduled
	for _, x := range sl.role {
		start, _, end := scheduleOf(x.GetScheduleInfo())
		if !start.After(now) || !strings.EqualFold(deref(x.GetAssignmentType()), "Activated") {
			continue
		}
		roleID := deref(x.GetRoleDefinitionId())
		name, tmpl := roleDefNames(x.GetRoleDefinition(), roleID)
		el := Eligibility{Kind: KindDirectoryRole, Name: name, RoleDefinitionID: roleID, TemplateID: tmpl, DirectoryScopeID: deref(x.GetDirectoryScopeId()), AppScopeID: deref(x.GetAppScopeId())}
		el.Scope = l.scopeWordsOf(el)
		out = append(out, Scheduled{Eligibility: el, RequestID: requestOfSchedule(x.GetCreatedUsing(), x.GetId()), Start: start, End: end})
	}
	for _, x := range sl.grp {
		start, _, end := scheduleOf(x.GetScheduleInfo())
		if !start.After(now) || (x.GetAssignmentType() != nil && x.GetAssignmentType().String() != "activated") {
			continue
		}
		gid := deref(x.GetGroupId())
		name := gid
		if g := x.GetGroup(); g != nil && deref(g.GetDisplayName()) != "" {
			name = deref(g.GetDisplayName())
		}
		access := accessOf(x.GetAccessId())
		el := Eligibility{Kind: KindGroup, Name: name, GroupID: gid, AccessID: access, Scope: "group " + access}
		out = append(out, Scheduled{Eligibility: el, RequestID: requestOfSchedule(x.GetCreatedUsing(), x.GetId()), Start: start, End: end})
	}
	return out
}

// requestOfSchedule is the request that created a schedule: createdUsing,
// else the schedule's id (a role activation's schedule id is its request's
// id, AF §4.1; a group's is {groupId}_{accessId}_{requestId}, AF §1.4).
func requestOfSchedule(createdUsing, id *string) string {
	if v := deref(createdUsing); v != "" {
		return v
	}
	v := deref(id)
	if i := strings.LastIndexByte(v, '_'); i >= 0 {
		return v[i+1:]
	}
	return v
}

// eachSchedule hands every Azure role schedule of the admin (current and
// future) to each.
func (a *ARM) eachSchedule(ctx context.Context, each func(*armauthorization.RoleAssignmentSchedule)) (int, error) {
	c, err := armauthorization.NewRoleAssignmentSchedulesClient(a.cred, &a.options)
	if err != nil {
		return 0, err
	}
	return allARMPages(ctx, c.NewListForScopePager("", &armauthorization.RoleAssignmentSchedulesClientListForScopeOptions{Filter: to.Ptr(asTarget)}),
		func(p armauthorization.RoleAssignmentSchedulesClientListForScopeResponse) []*armauthorization.RoleAssignmentSchedule {
			return p.Value
		}, func(v *armauthorization.RoleAssignmentSchedule) {
			if v.Properties != nil {
				each(v)
			}
		})
}

// azureScheduled is an Azure activation that starts after now, or nothing.
func azureScheduled(v *armauthorization.RoleAssignmentSchedule, n *azureNames, now time.Time) (Scheduled, bool) {
	p := v.Properties
	start := deref(p.StartDateTime)
	if !start.After(now) || (p.AssignmentType != nil && *p.AssignmentType != armauthorization.AssignmentTypeActivated) {
		return Scheduled{}, false
	}
	req := deref(p.RoleAssignmentScheduleRequestID)
	if req == "" {
		req = deref(v.Name)
	}
	return Scheduled{
		Eligibility: n.target(p.Scope, p.RoleDefinitionID, p.ExpandedProperties),
		RequestID:   req[strings.LastIndexByte(req, '/')+1:], Start: start, End: deref(p.EndDateTime),
	}, true
}

// enrichScheduled gives scheduled activations what the eligibilities know
// (policy, template id) of the same role.
func (s *Snapshot) enrichScheduled() {
	for i, x := range s.Scheduled {
		for _, e := range s.Eligible {
			if e.Key() == x.Key() {
				s.Scheduled[i].Eligibility = e
				break
			}
		}
	}
}
