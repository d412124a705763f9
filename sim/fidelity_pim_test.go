package sim_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/pimento-cli/pimento/sim"
)

// The schedules lists, scheduled activations and filtered request lists as
// the real SDK sends and decodes them.

func scheduledActivation(role string, start time.Time, d time.Duration) models.UnifiedRoleAssignmentScheduleRequestable {
	req := models.NewUnifiedRoleAssignmentScheduleRequest()
	act := models.SELFACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	req.SetAction(&act)
	uid, scope, just := sim.DemoAdminUserID, "/", "planned"
	req.SetPrincipalId(&uid)
	req.SetRoleDefinitionId(&role)
	req.SetDirectoryScopeId(&scope)
	req.SetJustification(&just)
	si := models.NewRequestSchedule()
	si.SetStartDateTime(&start)
	exp := models.NewExpirationPattern()
	typ := models.AFTERDURATION_EXPIRATIONPATTERNTYPE
	exp.SetTypeEscaped(&typ)
	exp.SetDuration(serialization.FromDuration(d))
	si.SetExpiration(exp)
	req.SetScheduleInfo(si)
	return req
}

func TestSDKScheduledActivationAndSchedules(t *testing.T) {
	tn := started(t, nil)
	client, _ := sdkClient(t, tn, nil)
	ctx := context.Background()
	start := tn.Now().Add(2 * time.Hour).Truncate(time.Second)
	resp, err := client.RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, scheduledActivation(sim.RoleUserAdministrator, start, time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *resp.GetStatus() != sim.StatusGranted || !resp.GetCompletedDateTime().Equal(start) {
		t.Fatalf("status %s completed %v", *resp.GetStatus(), resp.GetCompletedDateTime())
	}

	on := "principal"
	list, err := client.RoleManagement().Directory().RoleAssignmentSchedules().FilterByCurrentUserWithOn(&on).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
		&rolemanagement.DirectoryRoleAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"roleDefinition"}},
		})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]models.UnifiedRoleAssignmentScheduleable{}
	for _, s := range list.GetValue() {
		byName[*s.GetRoleDefinition().GetDisplayName()] = s
	}
	ua, gr := byName["User Administrator"], byName["Global Reader"]
	if ua == nil || gr == nil || len(byName) != 2 {
		t.Fatalf("schedules = %v", byName)
	}
	si := ua.GetScheduleInfo()
	if *ua.GetStatus() != sim.StatusGranted || !si.GetStartDateTime().Equal(start) || !si.GetExpiration().GetEndDateTime().Equal(start.Add(time.Hour)) ||
		*ua.GetAssignmentType() != "Activated" || *ua.GetId() != *resp.GetId() || *ua.GetCreatedUsing() != *resp.GetId() || *ua.GetDirectoryScopeId() != "/" {
		t.Fatalf("scheduled: status %v start %v", *ua.GetStatus(), si.GetStartDateTime())
	}
	if *gr.GetStatus() != sim.StatusProvisioned || !gr.GetScheduleInfo().GetStartDateTime().Before(tn.Now()) {
		t.Fatalf("current: %v", *gr.GetStatus())
	}

	// Group schedules decode too.
	body := models.NewPrivilegedAccessGroupAssignmentScheduleRequest()
	act := models.SELFACTIVATE_SCHEDULEREQUESTACTIONS
	body.SetAction(&act)
	uid, gid, just := sim.DemoAdminUserID, sim.DemoGroupID, "later"
	access := models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	body.SetPrincipalId(&uid)
	body.SetGroupId(&gid)
	body.SetAccessId(&access)
	body.SetJustification(&just)
	body.SetScheduleInfo(scheduledActivation("", start, time.Hour).GetScheduleInfo())
	if _, err := client.IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().Post(ctx, body, nil); err != nil {
		t.Fatal(err)
	}
	groups, err := client.IdentityGovernance().PrivilegedAccess().Group().AssignmentSchedules().FilterByCurrentUserWithOn(&on).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentSchedulesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"group"}},
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.GetValue()) != 1 {
		t.Fatalf("group schedules = %d", len(groups.GetValue()))
	}
	g := groups.GetValue()[0]
	if *g.GetStatus() != sim.StatusGranted || *g.GetAccessId() != models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS ||
		*g.GetAssignmentType() != models.ACTIVATED_PRIVILEGEDACCESSGROUPASSIGNMENTTYPE || *g.GetMemberType() != models.DIRECT_PRIVILEGEDACCESSGROUPMEMBERTYPE ||
		*g.GetGroup().GetDisplayName() != "SG-Tier0-Break-Glass-Ops" || !g.GetScheduleInfo().GetStartDateTime().Equal(start) {
		t.Fatalf("group schedule: %v %v", *g.GetStatus(), g.GetScheduleInfo().GetStartDateTime())
	}
}

func TestSDKFilteredRequestList(t *testing.T) {
	tn := started(t, nil)
	client, _ := sdkClient(t, tn, nil)
	ctx := context.Background()
	dir := client.RoleManagement().Directory().RoleAssignmentScheduleRequests()
	if _, err := dir.Post(ctx, scheduledActivation(sim.RolePrivilegedRoleAdmin, tn.Now(), time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := dir.Post(ctx, scheduledActivation(sim.RoleSecurityAdministrator, tn.Now(), time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	on := "principal"
	get := func(filter string) (rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable, error) {
		return dir.FilterByCurrentUserWithOn(&on).GetAsFilterByCurrentUserWithOnGetResponse(ctx,
			&rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
				QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &filter},
			})
	}
	resp, err := get("status eq 'PendingApproval' and directoryScopeId eq '/' and principalId eq '" + sim.DemoAdminUserID + "'")
	if err != nil {
		t.Fatal(err)
	}
	if v := resp.GetValue(); len(v) != 1 || *v[0].GetRoleDefinitionId() != sim.RolePrivilegedRoleAdmin || *v[0].GetApprovalId() != *v[0].GetId() {
		t.Fatalf("filtered = %d", len(v))
	}

	_, err = get("status eq 'Provisioned' or status eq 'Granted'")
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 400 || !strings.Contains(*oe.GetErrorEscaped().GetMessage(), "status eq 'Provisioned' or status eq 'Granted'") {
		t.Fatalf("err = %v, want a 400 naming the clause", err)
	}
}
