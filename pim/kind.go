package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
)

// kindAPI is what differs between the kinds of PIM: directory roles and
// groups have their own Graph endpoints and models, Azure resource roles
// live in Azure Resource Manager with tokens of their own, but all share
// one lifecycle. Everything above the kind*.go files is kind-blind.
type kindAPI interface {
	// post sends one schedule request, with the SDK's retries off.
	post(ctx context.Context, sent Sent, principal string) (requestRecord, error)
	// find reads back the request pimento sent, after its answer was
	// lost: by its name where pimento chose one, else by what was sent.
	// It never resends. Not found is (_, false, nil).
	find(ctx context.Context, sent Sent) (requestRecord, bool, error)
	// listActive lists the admin's active instances by key (all pages).
	listActive(ctx context.Context) (map[string]Active, error)
	// cancel withdraws a pending request, with the SDK's retries off.
	cancel(ctx context.Context, p Pending) error
	// tokens are the tokens the kind's API takes: a step-up must satisfy
	// the policy in them.
	tokens() Tokens
	// newName is a fresh request name where pimento names requests (an ARM
	// PUT's GUID), "" where PIM does.
	newName() string
	// effective reports whether an activation listed as active has taken
	// effect where it applies; errListingIsProof for kinds whose listing
	// is all there is to see.
	effective(ctx context.Context, e Eligibility) (bool, error)
}

// errListingIsProof: the kind has nothing to check beyond the listing.
var errListingIsProof = errors.New("the listing is the proof")

// requestRecord is a schedule request as Graph returns it.
type requestRecord struct {
	ID, Status    string
	Action        Action
	Target        Eligibility // identifying keys only
	Created       time.Time
	Start, End    time.Time
	Justification string
}

// errCapped means a list had more pages than pimento reads.
var errCapped = errors.New("more requests than pimento reads")

// post sends one schedule request; an error body the SDK cannot read
// keeps the HTTP status it came with (it decides whether the outcome is
// certain).
func (s *Service) post(ctx context.Context, sent Sent, principal string) (requestRecord, error) {
	ctx, st := withStatus(ctx)
	rec, err := s.kind(sent.Target.Kind).post(ctx, sent, principal)
	return rec, withHTTPStatus(err, int(st.Load()))
}

func (s *Service) kind(k Kind) kindAPI {
	switch k {
	case KindGroup:
		return groupKind{graphKind{s}}
	case KindAzureRole:
		return azureKind{s}
	}
	return roleKind{graphKind{s}}
}

// graphKind is what the Graph kinds share: Graph's tokens, names chosen
// by PIM, and the listing as the only proof.
type graphKind struct{ s *Service }

func (k graphKind) tokens() Tokens  { return k.s.tokens }
func (k graphKind) newName() string { return "" }

func (k graphKind) effective(context.Context, Eligibility) (bool, error) {
	return false, errListingIsProof
}

// odataString quotes v for a $filter clause.
func odataString(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// schedule is the scheduleInfo of an activation: the start in the server's
// time and exactly the duration asked for.
func schedule(sent Sent) models.RequestScheduleable {
	if sent.Action != ActionActivate {
		return nil
	}
	sched := models.NewRequestSchedule()
	start := sent.Start.UTC()
	sched.SetStartDateTime(&start)
	exp := models.NewExpirationPattern()
	typ := models.AFTERDURATION_EXPIRATIONPATTERNTYPE
	exp.SetTypeEscaped(&typ)
	// Exactly the duration asked for (internal/duration tests that the
	// SDK renders every whole-second duration back to itself).
	exp.SetDuration(serialization.FromDuration(sent.Duration))
	sched.SetExpiration(exp)
	return sched
}

func ticket(sent Sent) models.TicketInfoable {
	if sent.TicketNumber == "" && sent.TicketSystem == "" {
		return nil
	}
	t := models.NewTicketInfo()
	n, sys := sent.TicketNumber, sent.TicketSystem
	t.SetTicketNumber(&n)
	t.SetTicketSystem(&sys)
	return t
}

// scheduleOf reads a Graph scheduleInfo: its start (zero: from the
// approval), the duration asked for (as given, else end − start) and its
// end (as given, else start + duration; zero without a start).
func scheduleOf(si models.RequestScheduleable) (start time.Time, d time.Duration, end time.Time) {
	if si == nil {
		return
	}
	start = deref(si.GetStartDateTime())
	exp := si.GetExpiration()
	if exp == nil {
		return
	}
	hasD := false
	if v := exp.GetDuration(); v != nil {
		if x, err := v.ToDuration(); err == nil {
			d, hasD = x, true
		}
	}
	if start.IsZero() {
		return
	}
	switch e := exp.GetEndDateTime(); {
	case e != nil:
		end = *e
		if !hasD {
			d = end.Sub(start)
		}
	case hasD:
		end = start.Add(d)
	}
	return
}

// actionOf is a request's action. The SDK's enums have value-receiver
// String methods, so a nil *Enum inside a fmt.Stringer is not a nil
// interface and would panic: the pointer is checked itself.
func actionOf[T fmt.Stringer](a *T) Action {
	if a == nil {
		return ""
	}
	return Action((*a).String())
}

// ---- directory roles ----

type roleKind struct{ graphKind }

func (k roleKind) find(ctx context.Context, sent Sent) (requestRecord, bool, error) {
	return k.s.findSent(ctx, sent, k.requestsFor)
}

func (k roleKind) post(ctx context.Context, sent Sent, principal string) (requestRecord, error) {
	e := sent.Target
	body := models.NewUnifiedRoleAssignmentScheduleRequest()
	act := models.SELFACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	if sent.Action == ActionDeactivate {
		act = models.SELFDEACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	}
	body.SetAction(&act)
	body.SetPrincipalId(&principal)
	body.SetRoleDefinitionId(&e.RoleDefinitionID)
	// Send the scope as the eligibility gave it: an app-specific scope is
	// an appScopeId, never a directoryScopeId.
	if e.AppScopeID != "" {
		body.SetAppScopeId(&e.AppScopeID)
	} else {
		body.SetDirectoryScopeId(&e.DirectoryScopeID)
	}
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
	res, err := k.s.graph.roleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, body,
		&rolemanagement.DirectoryRoleAssignmentScheduleRequestsRequestBuilderPostRequestConfiguration{Options: noRetry()})
	if err != nil {
		return requestRecord{}, err
	}
	return roleRequestRecord(res), nil
}

func roleRequestRecord(r models.UnifiedRoleAssignmentScheduleRequestable) requestRecord {
	start, _, end := scheduleOf(r.GetScheduleInfo())
	return requestRecord{
		ID: deref(r.GetId()), Status: deref(r.GetStatus()), Action: actionOf(r.GetAction()),
		Target:  Eligibility{Kind: KindDirectoryRole, RoleDefinitionID: deref(r.GetRoleDefinitionId()), DirectoryScopeID: deref(r.GetDirectoryScopeId()), AppScopeID: deref(r.GetAppScopeId())},
		Created: deref(r.GetCreatedDateTime()), Start: start, End: end, Justification: deref(r.GetJustification()),
	}
}

func (k roleKind) requestsFor(ctx context.Context, e Eligibility, each func(requestRecord)) error {
	// Documented filter fields of roleAssignmentScheduleRequests: the
	// target is narrowed by Graph; action, start and justification are
	// compared here.
	filter := "roleDefinitionId eq " + odataString(e.RoleDefinitionID)
	if e.AppScopeID != "" {
		filter += " and appScopeId eq " + odataString(e.AppScopeID)
	} else {
		filter += " and directoryScopeId eq " + odataString(e.DirectoryScopeID)
	}
	o := on
	b := k.s.graph.roleManagement().Directory().RoleAssignmentScheduleRequests().FilterByCurrentUserWithOn(&o)
	cfg := &rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &filter},
	}
	return allPages(func(next string) (rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable, error) {
		if next != "" {
			return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}
		return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, cfg)
	}, func(res rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable) {
		for _, r := range res.GetValue() {
			each(roleRequestRecord(r))
		}
	})
}

func (k roleKind) listActive(ctx context.Context) (map[string]Active, error) {
	out := map[string]Active{}
	o := on
	b := k.s.graph.roleManagement().Directory().RoleAssignmentScheduleInstances().FilterByCurrentUserWithOn(&o)
	err := allPages(func(next string) (rolemanagement.DirectoryRoleAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable, error) {
		if next != "" {
			return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}
		return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	}, func(res rolemanagement.DirectoryRoleAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable) {
		for _, a := range res.GetValue() {
			e := Eligibility{Kind: KindDirectoryRole, RoleDefinitionID: deref(a.GetRoleDefinitionId()), DirectoryScopeID: deref(a.GetDirectoryScopeId()), AppScopeID: deref(a.GetAppScopeId())}
			out[e.Key()] = Active{Eligibility: e, Start: deref(a.GetStartDateTime()), End: deref(a.GetEndDateTime()), Assigned: !strings.EqualFold(deref(a.GetAssignmentType()), "Activated")}
		}
	})
	return out, err
}

func (k roleKind) cancel(ctx context.Context, p Pending) error {
	return k.s.graph.roleManagement().Directory().RoleAssignmentScheduleRequests().ByUnifiedRoleAssignmentScheduleRequestId(p.RequestID).Cancel().Post(ctx,
		&rolemanagement.DirectoryRoleAssignmentScheduleRequestsItemCancelRequestBuilderPostRequestConfiguration{Options: noRetry()})
}

// maxPages bounds how many pages a poll or re-read follows.
const maxPages = 50

// allPages fetches a list ("" asks for the first page) and every further
// page through its @odata.nextLink, handing each page to each. Reaching
// maxPages with more to read is errCapped, never a silent stop.
func allPages[R interface{ GetOdataNextLink() *string }](fetch func(next string) (R, error), each func(R)) error {
	next := ""
	for page := 0; page < maxPages; page++ {
		res, err := fetch(next)
		if err != nil {
			return err
		}
		if any(res) == nil {
			return nil
		}
		each(res)
		if next = deref(res.GetOdataNextLink()); next == "" {
			return nil
		}
	}
	return errCapped
}
