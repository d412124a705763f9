package pim

import (
	"context"

	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// ---- PIM for Groups ----

type groupKind struct{ graphKind }

func (k groupKind) find(ctx context.Context, sent Sent) (requestRecord, bool, error) {
	return k.s.findSent(ctx, sent, k.requestsFor)
}

func accessOf(a *models.PrivilegedAccessGroupRelationships) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func (k groupKind) post(ctx context.Context, sent Sent, principal string) (requestRecord, error) {
	e := sent.Target
	body := models.NewPrivilegedAccessGroupAssignmentScheduleRequest()
	act := models.SELFACTIVATE_SCHEDULEREQUESTACTIONS
	if sent.Action == ActionDeactivate {
		act = models.SELFDEACTIVATE_SCHEDULEREQUESTACTIONS
	}
	body.SetAction(&act)
	body.SetPrincipalId(&principal)
	body.SetGroupId(&e.GroupID)
	access := models.MEMBER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	if e.AccessID == "owner" {
		access = models.OWNER_PRIVILEGEDACCESSGROUPRELATIONSHIPS
	}
	body.SetAccessId(&access)
	if sent.Justification != "" {
		j := sent.Justification
		body.SetJustification(&j)
	}
	if sched := schedule(sent); sched != nil {
		body.SetScheduleInfo(sched)
	}
	if t := ticket(sent); t != nil {
		body.SetTicketInfo(t)
	}
	res, err := k.s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().Post(ctx, body,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderPostRequestConfiguration{Options: noRetry()})
	if err != nil {
		return requestRecord{}, err
	}
	return groupRequestRecord(res), nil
}

func groupRequestRecord(r models.PrivilegedAccessGroupAssignmentScheduleRequestable) requestRecord {
	start, _, end := scheduleOf(r.GetScheduleInfo())
	return requestRecord{
		ID: deref(r.GetId()), Status: deref(r.GetStatus()), Action: actionOf(r.GetAction()),
		Target:  Eligibility{Kind: KindGroup, GroupID: deref(r.GetGroupId()), AccessID: accessOf(r.GetAccessId())},
		Created: deref(r.GetCreatedDateTime()), Start: start, End: end, Justification: deref(r.GetJustification()),
	}
}

func (k groupKind) requestsFor(ctx context.Context, e Eligibility, each func(requestRecord)) error {
	// groupId is the filter Graph documents for group requests; the
	// access (member or owner) is compared here.
	filter := "groupId eq " + odataString(e.GroupID)
	o := on
	b := k.s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().FilterByCurrentUserWithOn(&o)
	cfg := &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &filter},
	}
	return allPages(func(next string) (identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable, error) {
		if next != "" {
			return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}
		return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, cfg)
	}, func(res identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable) {
		for _, r := range res.GetValue() {
			each(groupRequestRecord(r))
		}
	})
}

func (k groupKind) listActive(ctx context.Context) (map[string]Active, error) {
	out := map[string]Active{}
	o := on
	b := k.s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentScheduleInstances().FilterByCurrentUserWithOn(&o)
	err := allPages(func(next string) (identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable, error) {
		if next != "" {
			return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}
		return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	}, func(res identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable) {
		for _, a := range res.GetValue() {
			e := Eligibility{Kind: KindGroup, GroupID: deref(a.GetGroupId()), AccessID: accessOf(a.GetAccessId())}
			assigned := a.GetAssignmentType() != nil && a.GetAssignmentType().String() != "activated"
			out[e.Key()] = Active{Eligibility: e, Start: deref(a.GetStartDateTime()), End: deref(a.GetEndDateTime()), Assigned: assigned}
		}
	})
	return out, err
}

func (k groupKind) cancel(ctx context.Context, p Pending) error {
	return k.s.graph.identityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().ByPrivilegedAccessGroupAssignmentScheduleRequestId(p.RequestID).Cancel().Post(ctx,
		&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsItemCancelRequestBuilderPostRequestConfiguration{Options: noRetry()})
}
