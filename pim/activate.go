package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/pimento-cli/pimento/auth"
)

// ActivateOptions tunes Activate.
type ActivateOptions struct {
	// Wait until effective: the instance listed and, for tenant-scope
	// roles, the template id in a freshly minted token.
	Wait bool
}

// Validate checks a request against its policy before anything is sent.
func Validate(r ActivateRequest) error {
	p := r.Target.Policy
	name := r.Target.Label()
	switch {
	case r.Duration <= 0:
		return &PolicyError{Name: name, Rule: "duration", Msg: "a duration is required (e.g. 1h, 90m)"}
	case p.MaxDuration > 0 && r.Duration > p.MaxDuration:
		return &PolicyError{Name: name, Rule: "maximum duration", Msg: fmt.Sprintf("duration %s is over the policy maximum of %s", HumanDuration(r.Duration), HumanDuration(p.MaxDuration))}
	case r.Duration < MinActiveDuration:
		return &PolicyError{Name: name, Rule: "minimum duration", Msg: "PIM activates for at least 5 minutes"}
	case p.Justification && strings.TrimSpace(r.Justification) == "":
		return &PolicyError{Name: name, Rule: "justification", Msg: "the policy requires a justification (--justification)"}
	case p.Ticket && (strings.TrimSpace(r.TicketNumber) == "" || strings.TrimSpace(r.TicketSystem) == ""):
		return &PolicyError{Name: name, Rule: "ticket", Msg: "the policy requires a ticket number and ticket system (--ticket-number, --ticket-system)"}
	}
	return nil
}

// Activate activates the targets. Every request is checked against policy
// first: if any fails, nothing is sent. Roles needing an authentication
// context get a token carrying it before the POST (one prompt per context).
// An activation POST is never retried blindly; after an uncertain outcome
// the service re-reads PIM and reports what is true.
func (s *Service) Activate(ctx context.Context, reqs []ActivateRequest, opt ActivateOptions, progress func(Event)) []Outcome {
	if progress == nil {
		progress = func(Event) {}
	}
	emit := func(e Eligibility, st Stage, detail string) {
		progress(Event{Key: e.Key(), Name: e.Label(), Stage: st, Detail: detail, At: s.now()})
	}
	outs := make([]Outcome, len(reqs))
	bad := false
	for i, r := range reqs {
		outs[i].Target = r.Target
		if err := Validate(r); err != nil {
			outs[i].Err = err
			emit(r.Target, StageFailed, err.Error())
			bad = true
		}
	}
	if bad {
		for i := range outs {
			if outs[i].Err == nil {
				outs[i].Err = errors.New("not sent: another role in this request failed its policy check")
			}
		}
		return outs
	}
	for _, r := range reqs {
		emit(r.Target, StageChecked, r.Target.Policy.Describe())
	}

	principal, err := s.principalID(ctx)
	if err != nil {
		for i := range outs {
			outs[i].Err = err
			emit(reqs[i].Target, StageFailed, err.Error())
		}
		return outs
	}

	// Proactive step-up: one token per authentication context.
	stepped := map[string]auth.Token{}
	stepErr := map[string]error{}
	for _, r := range reqs {
		c := r.Target.Policy.AuthContext
		if c == "" {
			continue
		}
		if _, done := stepped[c]; done || stepErr[c] != nil {
			continue
		}
		emit(r.Target, StageStepUp, "signing in with authentication context "+c)
		t, err := s.tokens.StepUp(ctx, auth.AuthContextClaims(c))
		if err != nil {
			stepErr[c] = err
			continue
		}
		stepped[c] = t
	}

	started := make([]time.Time, len(reqs))
	for i, r := range reqs {
		if err := stepErr[r.Target.Policy.AuthContext]; err != nil {
			outs[i].Err = fmt.Errorf("step-up for authentication context %s: %w", r.Target.Policy.AuthContext, err)
			emit(r.Target, StageFailed, outs[i].Err.Error())
			continue
		}
		var tok *auth.Token
		if t, ok := stepped[r.Target.Policy.AuthContext]; ok {
			tok = &t
		}
		started[i] = s.now()
		outs[i] = s.submit(ctx, r, principal, tok, emit)
	}

	if opt.Wait {
		s.waitEffective(ctx, reqs, outs, started, emit)
	}
	for i := range outs {
		if !started[i].IsZero() {
			s.journalActivation(reqs[i], outs[i])
		}
	}
	return outs
}

func (s *Service) principalID(ctx context.Context) (string, error) {
	s.mu.Lock()
	id := s.me.ID
	s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	t, err := s.tokens.Token(ctx)
	if err != nil {
		return "", err
	}
	if t.Facts.ObjectID == "" {
		return "", errors.New("the access token does not say who you are (no oid claim)")
	}
	return t.Facts.ObjectID, nil
}

// submit sends one activation, steps up once on an ACRS 400, and
// reconciles after an uncertain outcome.
func (s *Service) submit(ctx context.Context, r ActivateRequest, principal string, tok *auth.Token, emit func(Eligibility, Stage, string)) Outcome {
	out := Outcome{Target: r.Target}
	sent := s.now()
	emit(r.Target, StageSubmitted, "request sent to PIM")
	status, id, end, err := s.post(ctx, r, principal, tok, "selfActivate")
	if g, ok := asGraphError(err); ok && g.Status == 429 && g.RetryAfter <= maxThrottleWait {
		// A throttled request was not processed: resending it once after
		// Retry-After is not a blind retry. Anything else is never resent.
		wait := g.RetryAfter
		if wait <= 0 {
			wait = 2 * time.Second
		}
		emit(r.Target, StageSubmitted, fmt.Sprintf("Graph is throttling (HTTP 429): PIM did not process the request; sending it once more in %s", HumanDuration(wait)))
		select {
		case <-ctx.Done():
			out.Err = ctx.Err()
			emit(r.Target, StageFailed, out.Err.Error())
			return out
		case <-time.After(wait):
		}
		status, id, end, err = s.post(ctx, r, principal, tok, "selfActivate")
	}
	if g, ok := asGraphError(err); ok && g.Code == codeAcrs {
		claims, found := claimsFromMessage(g.Message)
		if !found {
			claims = auth.AuthContextClaims(r.Target.Policy.AuthContext)
		}
		emit(r.Target, StageStepUp, "PIM asked for a stronger sign-in (authentication context)")
		t, serr := s.tokens.StepUp(ctx, claims)
		if serr != nil {
			out.Err = fmt.Errorf("PIM requires an authentication context sign-in, which did not complete: %w", serr)
			emit(r.Target, StageFailed, out.Err.Error())
			return out
		}
		emit(r.Target, StageSubmitted, "request sent again with the stepped-up token")
		status, id, end, err = s.post(ctx, r, principal, &t, "selfActivate")
	}
	if err != nil && (uncertain(err) || ctx.Err() != nil) {
		// The request may have reached PIM. Never resend: ask PIM, also
		// when the admin interrupted us mid-request.
		emit(r.Target, StageSubmitted, "the answer was lost ("+describe(err)+"); checking what PIM did")
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		st, rid, rend, found, rerr := s.findRequest(rctx, r.Target, "selfActivate", sent)
		cancel()
		switch {
		case rerr != nil:
			out.Err = fmt.Errorf("the activation answer was lost and PIM could not be re-read (%s): run `pimento status` before trying again", describe(rerr))
		case found:
			status, id, end, err = st, rid, rend, nil
		case ctx.Err() != nil:
			// Interrupted: PIM may still be processing what it received.
			out.Err = fmt.Errorf("interrupted before PIM answered, and PIM shows no such request yet: run `pimento status` before trying again")
		default:
			out.Err = fmt.Errorf("the activation answer was lost (%s) and PIM has no record of it: nothing was activated", describe(err))
		}
		if out.Err != nil {
			emit(r.Target, StageFailed, out.Err.Error())
			return out
		}
	}
	if err != nil {
		out.Err = activationError(r.Target, err)
		if g, ok := asGraphError(err); ok && g.Code == codePolicyFailed {
			s.meta.forget(policyKey(r.Target))
			_ = s.meta.save()
		}
		emit(r.Target, StageFailed, out.Err.Error())
		return out
	}
	out.Status, out.RequestID = status, id
	out.End = end
	if out.End.IsZero() {
		out.End = sent.Add(r.Duration)
	}
	switch {
	case IsPending(status):
		emit(r.Target, StagePending, "waiting for approval: nothing is active until an approver agrees")
	case IsAccepted(status):
		emit(r.Target, StageProvisioned, "PIM answered "+status)
	default:
		out.Err = fmt.Errorf("PIM answered %s", status)
		emit(r.Target, StageFailed, out.Err.Error())
	}
	return out
}

// maxThrottleWait is the longest Retry-After an activation waits for once.
const maxThrottleWait = 30 * time.Second

func activationError(e Eligibility, err error) error {
	g, ok := asGraphError(err)
	if !ok {
		return wrapf(err, "%s", e.Label())
	}
	if g.Status == 429 {
		wait := "a minute"
		if g.RetryAfter > 0 {
			wait = HumanDuration(g.RetryAfter)
		}
		return fmt.Errorf("%s: Graph is throttling requests (HTTP 429): PIM did not process the request and nothing was activated; pimento resends a throttled activation only once, try again in %s", e.Label(), wait)
	}
	switch g.Code {
	case codeExists:
		return fmt.Errorf("%s is already active (or already requested): PIM cannot extend a running activation; deactivate it first or wait for it to end", e.Label())
	case codePendingExisting:
		return fmt.Errorf("%s already has a request waiting for approval", e.Label())
	case codePolicyFailed:
		return fmt.Errorf("%s: %s", e.Label(), explainPolicyFailure(g.Message))
	case codeAcrs:
		return fmt.Errorf("%s: PIM still wants a stronger sign-in (authentication context) after step-up; check the Conditional Access policy for this context", e.Label())
	}
	return fmt.Errorf("%s: %s", e.Label(), g.Error())
}

// post sends one schedule request (role or group) with retries off.
func (s *Service) post(ctx context.Context, r ActivateRequest, principal string, tok *auth.Token, action string) (status, id string, end time.Time, err error) {
	if tok != nil {
		ctx = auth.WithToken(ctx, *tok)
	}
	ctx, httpStatus := withStatus(ctx)
	defer func() { err = withHTTPStatus(err, int(httpStatus.Load())) }()
	just := r.Justification
	var sched models.RequestScheduleable
	if action == "selfActivate" {
		sched = models.NewRequestSchedule()
		start := s.now().UTC().Truncate(time.Second)
		sched.SetStartDateTime(&start)
		exp := models.NewExpirationPattern()
		typ := models.AFTERDURATION_EXPIRATIONPATTERNTYPE
		exp.SetTypeEscaped(&typ)
		exp.SetDuration(serialization.FromDuration(r.Duration))
		sched.SetExpiration(exp)
	}
	var ticket models.TicketInfoable
	if r.TicketNumber != "" || r.TicketSystem != "" {
		ticket = models.NewTicketInfo()
		ticket.SetTicketNumber(&r.TicketNumber)
		ticket.SetTicketSystem(&r.TicketSystem)
	}
	e := r.Target
	if e.Kind == KindGroup {
		body := models.NewPrivilegedAccessGroupAssignmentScheduleRequest()
		act := models.SELFACTIVATE_SCHEDULEREQUESTACTIONS
		if action == "selfDeactivate" {
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
		if just != "" {
			body.SetJustification(&just)
		}
		if sched != nil {
			body.SetScheduleInfo(sched)
		}
		if ticket != nil {
			body.SetTicketInfo(ticket)
		}
		res, err := s.graph.IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().Post(ctx, body,
			&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsRequestBuilderPostRequestConfiguration{Options: noRetry()})
		if err != nil {
			return "", "", time.Time{}, err
		}
		return deref(res.GetStatus()), deref(res.GetId()), scheduleEnd(res.GetScheduleInfo()), nil
	}
	body := models.NewUnifiedRoleAssignmentScheduleRequest()
	act := models.SELFACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	if action == "selfDeactivate" {
		act = models.SELFDEACTIVATE_UNIFIEDROLESCHEDULEREQUESTACTIONS
	}
	body.SetAction(&act)
	body.SetPrincipalId(&principal)
	body.SetRoleDefinitionId(&e.RoleDefinitionID)
	body.SetDirectoryScopeId(&e.DirectoryScopeID)
	if just != "" {
		body.SetJustification(&just)
	}
	if sched != nil {
		body.SetScheduleInfo(sched)
	}
	if ticket != nil {
		body.SetTicketInfo(ticket)
	}
	res, err := s.graph.RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, body,
		&rolemanagement.DirectoryRoleAssignmentScheduleRequestsRequestBuilderPostRequestConfiguration{Options: noRetry()})
	if err != nil {
		return "", "", time.Time{}, err
	}
	return deref(res.GetStatus()), deref(res.GetId()), scheduleEnd(res.GetScheduleInfo()), nil
}

func scheduleEnd(si models.RequestScheduleable) time.Time {
	if si == nil || si.GetStartDateTime() == nil {
		return time.Time{}
	}
	exp := si.GetExpiration()
	if exp == nil {
		return time.Time{}
	}
	if e := exp.GetEndDateTime(); e != nil {
		return *e
	}
	if d := exp.GetDuration(); d != nil {
		if v, err := d.ToDuration(); err == nil {
			return si.GetStartDateTime().Add(v)
		}
	}
	return time.Time{}
}

// findRequest looks for the admin's own request for a target created since
// sent (with some clock skew), to learn what happened to a lost answer. It
// reads every page and takes the newest match: an older request for the
// same target (say, one canceled a minute ago) is not the lost one.
func (s *Service) findRequest(ctx context.Context, e Eligibility, action string, sent time.Time) (status, id string, end time.Time, found bool, err error) {
	since := sent.Add(-2 * time.Minute)
	var newest time.Time
	consider := func(act fmt.Stringer, created *time.Time, st, rid *string, si models.RequestScheduleable) {
		if act == nil || act.String() != action || deref(created).Before(since) || (found && !deref(created).After(newest)) {
			return
		}
		newest, found = deref(created), true
		status, id, end = deref(st), deref(rid), scheduleEnd(si)
	}
	o := on
	if e.Kind == KindGroup {
		b := s.graph.IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleRequests().FilterByCurrentUserWithOn(&o)
		err = allPages(func(next string) (identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable, error) {
			if next != "" {
				return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
			}
			return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}, func(res identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable) {
			for _, r := range res.GetValue() {
				if deref(r.GetGroupId()) != e.GroupID || r.GetAccessId() == nil || r.GetAccessId().String() != e.AccessID || r.GetAction() == nil {
					continue
				}
				consider(r.GetAction(), r.GetCreatedDateTime(), r.GetStatus(), r.GetId(), r.GetScheduleInfo())
			}
		})
		if err != nil {
			return "", "", time.Time{}, false, err
		}
		return status, id, end, found, nil
	}
	b := s.graph.RoleManagement().Directory().RoleAssignmentScheduleRequests().FilterByCurrentUserWithOn(&o)
	err = allPages(func(next string) (rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable, error) {
		if next != "" {
			return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}
		return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	}, func(res rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnGetResponseable) {
		for _, r := range res.GetValue() {
			if deref(r.GetRoleDefinitionId()) != e.RoleDefinitionID || deref(r.GetDirectoryScopeId()) != e.DirectoryScopeID || r.GetAction() == nil {
				continue
			}
			consider(r.GetAction(), r.GetCreatedDateTime(), r.GetStatus(), r.GetId(), r.GetScheduleInfo())
		}
	})
	if err != nil {
		return "", "", time.Time{}, false, err
	}
	return status, id, end, found, nil
}

// listActive lists active instances of one kind by key (all pages).
func (s *Service) listActive(ctx context.Context, kind Kind) (map[string]Active, error) {
	out := map[string]Active{}
	o := on
	if kind == KindGroup {
		b := s.graph.IdentityGovernance().PrivilegedAccess().Group().AssignmentScheduleInstances().FilterByCurrentUserWithOn(&o)
		err := allPages(func(next string) (identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable, error) {
			if next != "" {
				return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
			}
			return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}, func(res identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable) {
			for _, a := range res.GetValue() {
				access := ""
				if x := a.GetAccessId(); x != nil {
					access = x.String()
				}
				e := Eligibility{Kind: KindGroup, GroupID: deref(a.GetGroupId()), AccessID: access}
				out[e.Key()] = Active{Eligibility: e, Start: deref(a.GetStartDateTime()), End: deref(a.GetEndDateTime())}
			}
		})
		return out, err
	}
	b := s.graph.RoleManagement().Directory().RoleAssignmentScheduleInstances().FilterByCurrentUserWithOn(&o)
	err := allPages(func(next string) (rolemanagement.DirectoryRoleAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable, error) {
		if next != "" {
			return b.WithUrl(next).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
		}
		return b.GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	}, func(res rolemanagement.DirectoryRoleAssignmentScheduleInstancesFilterByCurrentUserWithOnGetResponseable) {
		for _, a := range res.GetValue() {
			e := Eligibility{Kind: KindDirectoryRole, RoleDefinitionID: deref(a.GetRoleDefinitionId()), DirectoryScopeID: deref(a.GetDirectoryScopeId())}
			out[e.Key()] = Active{Eligibility: e, Start: deref(a.GetStartDateTime()), End: deref(a.GetEndDateTime())}
		}
	})
	return out, err
}

// maxPages bounds how many pages a poll or re-read follows.
const maxPages = 50

// allPages fetches a list ("" asks for the first page) and every further
// page through its @odata.nextLink, handing each page to each.
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
	return nil
}

// waitEffective polls, with an adaptive bounded interval, until every
// provisioned target is listed, then forces a token refresh and checks wids
// for tenant-scope roles. Only what was seen is called effective.
func (s *Service) waitEffective(ctx context.Context, reqs []ActivateRequest, outs []Outcome, started []time.Time, emit func(Eligibility, Stage, string)) {
	waiting := map[int]bool{}
	for i, o := range outs {
		if o.Err == nil && IsAccepted(o.Status) {
			waiting[i] = true
		}
	}
	if len(waiting) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, s.poll.Timeout)
	defer cancel()
	interval := s.poll.Initial
	listedAt := map[int]time.Time{}
	for len(listedAt) < len(waiting) {
		kinds := map[Kind]bool{}
		for i := range waiting {
			if _, ok := listedAt[i]; !ok {
				kinds[reqs[i].Target.Kind] = true
			}
		}
		for kind := range kinds {
			active, err := s.listActive(ctx, kind)
			if err != nil {
				s.debugf("poll active %s: %s", kind, describe(err))
				continue
			}
			for i := range waiting {
				if _, ok := listedAt[i]; ok || reqs[i].Target.Kind != kind {
					continue
				}
				if a, ok := active[reqs[i].Target.Key()]; ok {
					listedAt[i] = s.now()
					if !a.End.IsZero() {
						outs[i].End = a.End
					}
					emit(reqs[i].Target, StageListed, "the active assignment is listed")
					s.noteActive(reqs[i].Target, a.Start, outs[i].End)
				}
			}
		}
		if len(listedAt) == len(waiting) {
			break
		}
		select {
		case <-ctx.Done():
			for i := range waiting {
				if _, ok := listedAt[i]; !ok {
					outs[i].Err = fmt.Errorf("PIM accepted the activation (%s) but it was not listed within %s: it may still be provisioning; check `pimento status`", outs[i].Status, s.poll.Timeout)
					emit(reqs[i].Target, StageFailed, outs[i].Err.Error())
				}
			}
			return
		case <-time.After(interval):
		}
		interval = min(time.Duration(float64(interval)*1.5), s.poll.Max)
	}

	needWID := map[int]bool{}
	for i := range listedAt {
		if reqs[i].Target.InTokenWIDs() {
			needWID[i] = true
			continue
		}
		outs[i].Effective = true
		outs[i].Proof = "listing"
		outs[i].EffectiveAfter = listedAt[i].Sub(started[i])
		note := "scoped roles never appear in the token's wids: the listed assignment is the proof"
		if reqs[i].Target.Kind == KindGroup {
			note = "group membership reaches other apps only in the tokens they get from now on"
		}
		emit(reqs[i].Target, StageVerified, fmt.Sprintf("active after %.1fs (%s)", outs[i].EffectiveAfter.Seconds(), note))
	}
	if len(needWID) == 0 {
		return
	}
	// Force a refresh so the new role is in the token, and prove it. wids
	// can lag the listing briefly: refresh again a few times, bounded.
	backoff := 500 * time.Millisecond
	for attempt := 0; attempt < 5 && len(needWID) > 0; attempt++ {
		tok, err := s.tokens.ForceRefresh(ctx)
		if err != nil {
			for i := range needWID {
				outs[i].Err = fmt.Errorf("activated, but the token refresh failed: %w", err)
				emit(reqs[i].Target, StageFailed, outs[i].Err.Error())
			}
			return
		}
		for i := range needWID {
			emit(reqs[i].Target, StageRefreshed, "token refreshed")
			if tok.Facts.HasWID(reqs[i].Target.TemplateID) {
				outs[i].Effective = true
				outs[i].Proof = "token"
				outs[i].EffectiveAfter = s.now().Sub(started[i])
				emit(reqs[i].Target, StageVerified, fmt.Sprintf("verified in token after %.1fs", outs[i].EffectiveAfter.Seconds()))
				delete(needWID, i)
			}
		}
		if len(needWID) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			attempt = 5
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	for i := range needWID {
		outs[i].Err = errors.New("activated and listed, but a fresh token does not carry the role yet: run `pimento status` again in a minute")
		emit(reqs[i].Target, StageFailed, outs[i].Err.Error())
	}
}

// noteActive records a new activation in the last snapshot and the prompt state.
func (s *Service) noteActive(e Eligibility, start, end time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return
	}
	active := append([]Active(nil), s.last.Active...)
	for i, a := range active {
		if a.Key() == e.Key() {
			active[i].Start, active[i].End = start, end
			s.last.Active = active
			s.state.Save(s.last, s.now())
			return
		}
	}
	s.last.Active = append(active, Active{Eligibility: e, Start: start, End: end})
	s.state.Save(s.last, s.now())
}

func (s *Service) journalActivation(r ActivateRequest, o Outcome) {
	result := o.Status
	if o.Err != nil {
		result = "failed: " + o.Err.Error()
	}
	var secs *float64
	if o.Effective {
		v := o.EffectiveAfter.Seconds()
		secs = &v
	}
	err := s.journal.Append(Entry{
		Time: s.now(), Account: s.account, Action: "activate", Role: r.Target.Name, Kind: r.Target.Kind, Scope: r.Target.Scope,
		DirectoryScopeID: r.Target.DirectoryScopeID, GroupID: r.Target.GroupID, AccessID: r.Target.AccessID,
		Duration: serialization.FromDuration(r.Duration).String(), Justification: r.Justification,
		TicketNumber: r.TicketNumber, TicketSystem: r.TicketSystem, RequestID: o.RequestID, Result: result,
		SecondsToEffective: secs,
	})
	if err != nil {
		s.debugf("journal: %v", err)
	}
}
