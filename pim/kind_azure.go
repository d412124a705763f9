package pim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"github.com/pimento-cli/pimento/internal/duration"
)

// ---- Azure resource roles ----
//
// Azure resource roles live in Azure Resource Manager: requests are PUT
// under a GUID pimento chooses (so a lost answer is read back by that name,
// exactly), lists are asked for at the tenant root with $filter=asTarget()
// (AZ §1.4), and an activation takes effect when ARM's permissions at the
// scope show the role's actions, not when PIM lists it (AZ §5).

type azureKind struct{ s *Service }

// errAzureOff: Azure resource roles are not available in this service.
var errAzureOff = errors.New("no Azure Resource Manager here: Azure roles are off")

func (k azureKind) tokens() Tokens { return k.s.armTokens }

// newName is a random (version 4) GUID: "The name must be unique and
// different for each role assignment" (S1).
func (k azureKind) newName() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func (k azureKind) client() (*armauthorization.RoleAssignmentScheduleRequestsClient, error) {
	if k.s.arm == nil {
		return nil, errAzureOff
	}
	return k.s.arm.requests()
}

func (k azureKind) post(ctx context.Context, sent Sent, principal string) (requestRecord, error) {
	c, err := k.client()
	if err != nil {
		return requestRecord{}, err
	}
	e := sent.Target
	props := &armauthorization.RoleAssignmentScheduleRequestProperties{
		PrincipalID:      to.Ptr(principal),
		RoleDefinitionID: to.Ptr(e.RoleDefinitionID),
		RequestType:      to.Ptr(armauthorization.RequestTypeSelfDeactivate),
	}
	if sent.Justification != "" {
		props.Justification = to.Ptr(sent.Justification)
	}
	if sent.Action == ActionActivate {
		props.RequestType = to.Ptr(armauthorization.RequestTypeSelfActivate)
		start := sent.Start.UTC()
		props.ScheduleInfo = &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo{
			StartDateTime: &start,
			Expiration: &armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfoExpiration{
				Type:     to.Ptr(armauthorization.TypeAfterDuration),
				Duration: to.Ptr(duration.ISO(sent.Duration)),
			},
		}
		if e.EligibilityScheduleID != "" {
			props.LinkedRoleEligibilityScheduleID = to.Ptr(e.EligibilityScheduleID)
		}
		if sent.TicketNumber != "" || sent.TicketSystem != "" {
			props.TicketInfo = &armauthorization.RoleAssignmentScheduleRequestPropertiesTicketInfo{
				TicketNumber: to.Ptr(sent.TicketNumber), TicketSystem: to.Ptr(sent.TicketSystem),
			}
		}
		if e.Condition != "" {
			props.Condition, props.ConditionVersion = to.Ptr(e.Condition), to.Ptr(e.ConditionVersion)
		}
	}
	res, err := c.Create(noRetryARM(ctx), scopePath(e.AzureScope), sent.Name,
		armauthorization.RoleAssignmentScheduleRequest{Properties: props}, nil)
	if err != nil {
		err = armError(err)
		if g, ok := asGraphError(err); ok && g.Code == codeRequestExists && strings.Contains(strings.ToLower(g.Message), strings.ToLower(sent.Name)) {
			// Our own name: this PUT (or one the network repeated) was
			// processed. Read it back rather than guess.
			if rec, found, ferr := k.find(ctx, sent); ferr == nil && found {
				return rec, nil
			}
		}
		return requestRecord{}, err
	}
	return azureRequestRecord(&res.RoleAssignmentScheduleRequest), nil
}

// find GETs the request by the name it was sent under. Whether an
// unprivileged caller may GET its own request by name is UNVERIFIED (AZ
// §11.10): a refusal falls back to the caller's requests at the scope.
func (k azureKind) find(ctx context.Context, sent Sent) (requestRecord, bool, error) {
	c, err := k.client()
	if err != nil {
		return requestRecord{}, false, err
	}
	scope := scopePath(sent.Target.AzureScope)
	res, err := c.Get(ctx, scope, sent.Name, nil)
	if err == nil {
		return azureRequestRecord(&res.RoleAssignmentScheduleRequest), true, nil
	}
	g, ok := asGraphError(armError(err))
	switch {
	case ok && g.Status == http.StatusNotFound:
		return requestRecord{}, false, nil
	case !ok || (g.Status != http.StatusBadRequest && g.Status != http.StatusForbidden):
		return requestRecord{}, false, armError(err)
	}
	k.s.debugf("azure: GET of request %s refused (%s); listing the caller's requests at the scope", sent.Name, describe(g))
	var found *armauthorization.RoleAssignmentScheduleRequest
	_, err = armPagesUntil(ctx, c.NewListForScopePager(scope, &armauthorization.RoleAssignmentScheduleRequestsClientListForScopeOptions{Filter: to.Ptr(asTarget)}),
		func(p armauthorization.RoleAssignmentScheduleRequestsClientListForScopeResponse) []*armauthorization.RoleAssignmentScheduleRequest {
			return p.Value
		}, func(r *armauthorization.RoleAssignmentScheduleRequest) bool {
			if strings.EqualFold(deref(r.Name), sent.Name) {
				found = r
			}
			return found == nil
		})
	switch {
	case found != nil:
		return azureRequestRecord(found), true, nil
	case errors.Is(err, errCapped):
		// More requests than pimento reads, and not among those read:
		// not known, never "not found".
		return requestRecord{}, false, errNotConfirmed
	case err != nil:
		return requestRecord{}, false, err
	}
	return requestRecord{}, false, nil
}

func azureRequestRecord(r *armauthorization.RoleAssignmentScheduleRequest) requestRecord {
	rec := requestRecord{ID: deref(r.Name)}
	p := r.Properties
	if p == nil {
		return rec
	}
	rec.Status, rec.Justification, rec.Created = statusOf(p.Status), deref(p.Justification), deref(p.CreatedOn)
	rec.Action = ActionActivate
	if p.RequestType != nil && *p.RequestType == armauthorization.RequestTypeSelfDeactivate {
		rec.Action = ActionDeactivate
	}
	rec.Target = Eligibility{Kind: KindAzureRole, RoleDefinitionID: deref(p.RoleDefinitionID), AzureScope: deref(p.Scope)}
	rec.Start, _, rec.End = armScheduleOf(p.ScheduleInfo)
	return rec
}

// armScheduleOf reads an ARM request's scheduleInfo: its start, the
// duration asked for (as given, else end − start) and its end (as given,
// else start + duration).
func armScheduleOf(si *armauthorization.RoleAssignmentScheduleRequestPropertiesScheduleInfo) (start time.Time, d time.Duration, end time.Time) {
	if si == nil {
		return
	}
	start = deref(si.StartDateTime)
	x := si.Expiration
	if x == nil {
		return
	}
	hasD := false
	if x.Duration != nil {
		if v, err := duration.Parse(*x.Duration); err == nil {
			d, hasD = v, true
		}
	}
	switch {
	case x.EndDateTime != nil:
		end = *x.EndDateTime
		if !hasD && !start.IsZero() {
			d = end.Sub(start)
		}
	case hasD && !start.IsZero():
		end = start.Add(d)
	}
	return
}

func statusOf(s *armauthorization.Status) string {
	if s == nil {
		return ""
	}
	return string(*s)
}

func (k azureKind) listActive(ctx context.Context) (map[string]Active, error) {
	if k.s.arm == nil {
		return nil, errAzureOff
	}
	out := map[string]Active{}
	_, err := k.s.arm.eachActive(ctx, func(a *armauthorization.RoleAssignmentScheduleInstance) {
		x := azureActive(a, nil)
		out[x.Key()] = x
	})
	return out, err
}

func (k azureKind) cancel(ctx context.Context, p Pending) error {
	c, err := k.client()
	if err != nil {
		return err
	}
	_, err = c.Cancel(noRetryARM(ctx), scopePath(p.AzureScope), p.RequestID, nil)
	return armError(err)
}

// effective reports whether ARM's permissions at e's scope grant the
// admin every action of e's role: the role is usable there, not only
// listed (ARM caches role assignments for minutes, D10).
func (k azureKind) effective(ctx context.Context, e Eligibility) (bool, error) {
	if k.s.arm == nil {
		return false, errAzureOff
	}
	role, err := k.s.azureRolePermissions(ctx, e)
	if err != nil {
		return false, err
	}
	have, err := k.s.arm.permissions(ctx, e.AzureScope)
	if err != nil {
		return false, err
	}
	return grants(have, role), nil
}

// provisioningGrace is how long after an activation's start ARM may still
// answer RoleAssignmentDoesNotExist for it (AZ §2.3: 44 s in a live run):
// "still provisioning", not "not active".
const provisioningGrace = MinActiveDuration + time.Minute
