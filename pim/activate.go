package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
)

// ActivateOptions tunes Activate.
type ActivateOptions struct {
	// Wait until effective: the instance listed and, for tenant-scope
	// roles, the template id in a freshly minted token.
	Wait bool
}

// MaxJustification is the longest justification pimento sends: the Entra
// portal's limit (Graph documents none), so what works here works there.
const MaxJustification = 500

// Validate checks a request against its policy before anything is sent.
func Validate(r ActivateRequest) error {
	p := r.Target.Policy
	name := r.Target.Label()
	switch {
	case r.Duration <= 0:
		return &PolicyError{Name: name, Rule: "duration", Msg: "a duration is required (e.g. 1h, 90m)"}
	case p.MaxDuration > 0 && r.Duration > p.MaxDuration:
		return &PolicyError{Name: name, Rule: "maximum duration", Msg: fmt.Sprintf("duration %s is over the policy maximum of %s", duration.Human(r.Duration), duration.Human(p.MaxDuration))}
	case r.Duration < MinActiveDuration:
		return &PolicyError{Name: name, Rule: "minimum duration", Msg: "PIM activates for at least 5 minutes"}
	case len([]rune(r.Justification)) > MaxJustification:
		return &PolicyError{Name: name, Rule: "justification", Msg: fmt.Sprintf("the justification has %d characters; PIM takes at most %d", len([]rune(r.Justification)), MaxJustification)}
	case p.Justification && strings.TrimSpace(r.Justification) == "":
		return &PolicyError{Name: name, Rule: "justification", Msg: "the policy requires a justification (--justification)"}
	case p.Ticket && (strings.TrimSpace(r.TicketNumber) == "" || strings.TrimSpace(r.TicketSystem) == ""):
		return &PolicyError{Name: name, Rule: "ticket", Msg: "the policy requires a ticket number and ticket system (--ticket-number, --ticket-system)"}
	}
	return nil
}

// emitter reports progress for one target.
type emitter func(e Eligibility, st Stage, detail string)

// Activate activates the targets. Every request is checked against policy
// first: if any fails, nothing is sent. A role needing an authentication
// context gets a token carrying it before its POST (one prompt per
// context). An activation POST is never retried blindly; after an
// uncertain outcome or an interrupt the service re-reads PIM and reports
// what is true. Each request is journaled before it is sent.
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

	records := make([]string, len(reqs))
	started := make([]time.Time, len(reqs))
	for i, r := range reqs {
		if ctx.Err() != nil {
			outs[i].Err = errors.New("not sent: interrupted")
			continue
		}
		if err := s.stepUpFor(ctx, r.Target, emit); err != nil {
			outs[i].Err = err
			emit(r.Target, StageFailed, outs[i].Err.Error())
			continue
		}
		started[i] = s.now()
		outs[i], records[i] = s.submit(ctx, r, principal, emit)
	}
	if opt.Wait {
		s.waitEffective(ctx, reqs, outs, started, emit)
	}
	for i := range outs {
		if records[i] != "" {
			if err := s.journal.done(records[i], outs[i], s.now()); err != nil {
				outs[i].Warnings = append(outs[i].Warnings, err.Error())
			}
		}
	}
	return outs
}

// stepUpFor gets, before the request, the token the policy asks for in the
// API the kind talks to (Graph's or ARM's): one from a multi-factor
// sign-in when the policy wants MFA and the current token shows none, and
// one carrying the authentication context when the policy names one. MSAL
// keeps the new token as the cached one, so the request then carries it.
func (s *Service) stepUpFor(ctx context.Context, e Eligibility, emit emitter) error {
	c := e.Policy.AuthContext
	if !e.Policy.MFA && c == "" {
		return nil
	}
	tokens := s.kind(e.Kind).tokens()
	t, terr := tokens.Token(ctx)
	// A token pimento cannot read proves nothing either way: PIM answers
	// MfaRule if it must, and that steps up then.
	if e.Policy.MFA && terr == nil && t.Facts.Decoded && !t.Facts.HasMFA() {
		emit(e, StageStepUp, "signing in again with multi-factor authentication (the policy requires it)")
		s.debugf("step-up: %s requires MFA; the current token shows none", e.Key())
		var err error
		if t, err = tokens.SignInAgain(ctx); err != nil {
			return fmt.Errorf("the policy requires a multi-factor sign-in, which did not complete: %w", err)
		}
	}
	if c == "" || terr == nil && t.Facts.HasACRS(c) {
		return nil
	}
	emit(e, StageStepUp, "signing in with authentication context "+c)
	s.debugf("step-up: %s needs authentication context %s; the current token lacks it", e.Key(), c)
	if _, err := tokens.StepUp(ctx, auth.AuthContextClaims(c)); err != nil {
		s.debugf("step-up for %s failed: %s", c, describeAuth(err))
		return fmt.Errorf("step-up for authentication context %s: %w", c, err)
	}
	return nil
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

// unconfirmedLead is how far before the estimated server time a request
// starts when this process has not heard from the server yet.
const unconfirmedLead = 5 * time.Second

// sentFor is what pimento sends for r now: the start is the server's
// current second, so a PC that runs fast or slow neither delays the
// activation nor shortens it. Before the server has answered anything in
// this process, the server's time is an earlier process's estimate: the
// start then leans a few seconds into the past, because a start PIM sees
// in its future becomes a scheduled activation, not an active one.
func (s *Service) sentFor(r ActivateRequest) Sent {
	start := s.now().UTC().Truncate(time.Second)
	if !s.confirmed() {
		start = start.Add(-unconfirmedLead)
	}
	if r.Start.After(start) {
		// A scheduled activation: the start the admin chose, already in
		// the server's time (app.Plan), to the second.
		start = r.Start.UTC().Truncate(time.Second)
	}
	return Sent{
		Target: r.Target, Action: ActionActivate, Name: s.kind(r.Target.Kind).newName(), Start: start, Duration: r.Duration,
		Justification: r.Justification, TicketNumber: r.TicketNumber, TicketSystem: r.TicketSystem,
	}
}

// submit sends one activation, steps up once when PIM refuses the token
// (an authentication context, or MFA), resends once after a 429 (which PIM
// did not process), and reconciles after an uncertain outcome. A resend is
// a new request: under a new name where pimento names them. It returns the
// outcome and the journal record.
func (s *Service) submit(ctx context.Context, r ActivateRequest, principal string, emit emitter) (Outcome, string) {
	out := Outcome{Target: r.Target}
	sent := s.sentFor(r)
	record, jerr := s.journal.submitted(sent, s.now())
	if jerr != nil {
		out.Warnings = append(out.Warnings, jerr.Error())
	}
	resend := func(why string) {
		sent = s.sentFor(r)
		if err := s.journal.resent(record, sent); err != nil {
			out.Warnings = append(out.Warnings, err.Error())
		}
		emit(r.Target, StageSubmitted, why)
	}
	emit(r.Target, StageSubmitted, "request sent to PIM")
	s.debugf("activate %s: sending start %s duration %s (journal record %s)", r.Target.Key(), sent.Start.Format(time.RFC3339), duration.ISO(sent.Duration), record)
	rec, err := s.post(ctx, sent, principal)
	if g, wait, ok := throttled(err); ok {
		// A throttled request was not processed: sending it once more
		// after Retry-After is not a blind retry. Anything else is never
		// resent.
		emit(r.Target, StageSubmitted, fmt.Sprintf("%s is throttling (HTTP 429): PIM did not process the request; sending it once more in %s", apiOf(g), duration.Human(wait)))
		if !pause(ctx, wait) {
			out.Err = errors.New("interrupted while waiting to resend a throttled request: PIM did not process it, nothing was activated")
			emit(r.Target, StageFailed, out.Err.Error())
			return out, record
		}
		resend("request sent again after the throttle")
		rec, err = s.post(ctx, sent, principal)
	}
	if g, ok := asGraphError(err); ok && (g.Code == codeAcrs || g.Code == codePolicyFailed && mfaRuleOnly(g.Message)) {
		tokens := s.kind(r.Target.Kind).tokens()
		var serr error
		if g.Code == codeAcrs {
			claims, found := auth.ClaimsFromMessage(g.Message)
			if !found {
				claims = auth.AuthContextClaims(r.Target.Policy.AuthContext)
			}
			emit(r.Target, StageStepUp, "PIM asked for a stronger sign-in (authentication context)")
			if _, serr = tokens.StepUp(ctx, claims); serr != nil {
				serr = fmt.Errorf("PIM requires an authentication context sign-in, which did not complete: %w", serr)
			}
		} else {
			// MfaRule carries no claims to ask for (AZ §4 case A): only a
			// new sign-in, with MFA, gives a token PIM takes.
			emit(r.Target, StageStepUp, "PIM asked for multi-factor authentication: signing in again")
			if _, serr = tokens.SignInAgain(ctx); serr != nil {
				serr = fmt.Errorf("PIM requires a multi-factor sign-in, which did not complete: %w", serr)
			}
		}
		if serr != nil {
			out.Err = serr
			emit(r.Target, StageFailed, out.Err.Error())
			return out, record
		}
		resend("request sent again with the stepped-up token")
		rec, err = s.post(ctx, sent, principal)
	}
	out.Sent = sent
	interrupted := ctx.Err() != nil
	if err != nil && (uncertain(err) || interrupted) {
		// The request may have reached PIM. Never resend: ask PIM, also
		// when the admin interrupted us mid-request.
		emit(r.Target, StageSubmitted, "the answer was lost ("+describe(err)+"); checking what PIM did")
		s.debugf("activate %s: uncertain outcome (%s, interrupted=%v): re-reading PIM for what was sent", r.Target.Key(), describe(err), interrupted)
		found, ok, rerr := s.reconcile(ctx, sent)
		s.debugf("activate %s: re-read found=%v err=%v", r.Target.Key(), ok, rerr)
		switch {
		case rerr != nil:
			out.Err = fmt.Errorf("the activation answer was lost (%s) and %w", describe(err), rerr)
		case ok:
			rec, err = found, nil
		case interrupted:
			out.Err = &InterruptedError{Name: r.Target.Label()}
		default:
			out.Err = fmt.Errorf("the activation answer was lost (%s) and PIM has no record of it: nothing was activated", describe(err))
		}
		if out.Err != nil {
			emit(r.Target, StageFailed, out.Err.Error())
			return out, record
		}
	}
	if err != nil {
		out.Err = activationError(r.Target, err)
		s.debugf("activate %s: refused: %s", r.Target.Key(), describe(err))
		if g, ok := asGraphError(err); ok && g.Code == codePolicyFailed {
			s.forgetPolicy(r.Target)
		}
		emit(r.Target, StageFailed, out.Err.Error())
		return out, record
	}
	out.Status, out.RequestID, out.End = rec.Status, rec.ID, rec.End
	s.debugf("activate %s: PIM answered %s (request %s)", r.Target.Key(), rec.Status, rec.ID)
	if out.End.IsZero() {
		out.End = sent.Start.Add(r.Duration)
	}
	switch {
	case IsPending(rec.Status):
		emit(r.Target, StagePending, "waiting for approval: nothing is active until an approver agrees")
	case IsAccepted(rec.Status) && sent.Start.After(s.now()):
		// PIM answers Granted for a later start (AF §4.1): the schedule
		// is there, no instance will be until the start.
		out.Scheduled = true
		emit(r.Target, StageScheduled, "PIM answered "+rec.Status+": it starts at "+show.Clock(sent.Start, s.now())+"; nothing is active before then")
	case IsAccepted(rec.Status):
		emit(r.Target, StageProvisioned, "PIM answered "+rec.Status)
		if interrupted {
			out.Err = &InterruptedError{Name: r.Target.Label(), Accepted: true, Status: rec.Status}
			emit(r.Target, StageFailed, out.Err.Error())
		}
	default:
		out.Err = fmt.Errorf("PIM answered %s", rec.Status)
		emit(r.Target, StageFailed, out.Err.Error())
	}
	return out, record
}

// maxThrottleWait is the longest Retry-After a write waits for once.
const maxThrottleWait = 30 * time.Second

// defaultThrottleWait is the wait before that one resend when the answer
// gave no Retry-After.
const defaultThrottleWait = 2 * time.Second

// throttled reports whether err is a throttled answer (HTTP 429: the write
// was not processed) that pimento sends once more, and how long to wait
// first: its Retry-After, or defaultThrottleWait without one. A
// Retry-After over maxThrottleWait is not waited for.
func throttled(err error) (g *GraphError, wait time.Duration, ok bool) {
	g, ok = asGraphError(err)
	if !ok || g.Status != 429 || g.RetryAfter > maxThrottleWait {
		return nil, 0, false
	}
	if wait = g.RetryAfter; wait <= 0 {
		wait = defaultThrottleWait
	}
	return g, wait, true
}

// pause waits d; false when ctx ended first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func activationError(e Eligibility, err error) error {
	g, ok := asGraphError(err)
	if !ok {
		return wrapf(err, "%s", e.Label())
	}
	if g.Status == 429 {
		wait := "a minute"
		if g.RetryAfter > 0 {
			wait = duration.Human(g.RetryAfter)
		}
		return fmt.Errorf("%s: %s is throttling requests (HTTP 429): PIM did not process the request and nothing was activated; pimento resends a throttled activation only once, try again in %s", e.Label(), apiOf(g), wait)
	}
	if strings.Contains(strings.ToLower(g.Message), "existing pending role assignment request") {
		// Whatever the code (ARM's is UNVERIFIED, AZ §11.2), the words say it.
		return &AlreadyError{Name: e.Label(), Pending: true}
	}
	switch g.Code {
	case codeExists:
		return &AlreadyError{Name: e.Label(), Pending: false}
	case codePendingExisting, codeRequestExists:
		// On ARM, RoleAssignmentRequestExists naming another request is
		// the pending one (our own name was read back in post).
		return &AlreadyError{Name: e.Label(), Pending: true}
	case codePolicyFailed:
		return &RefusedError{Name: e.Label(), Reason: explainPolicyFailure(g.Message)}
	case codeAcrs:
		return fmt.Errorf("%s: PIM still wants a stronger sign-in (authentication context) after step-up; check the Conditional Access policy for this context", e.Label())
	}
	return wrapf(err, "%s", e.Label())
}

// apiOf names the API that answered.
func apiOf(g *GraphError) string {
	if g.API == "" {
		return "Graph"
	}
	return g.API
}

// mfaRuleOnly reports whether a policy refusal is for MFA alone: the one
// rule a new sign-in can fix (any other must be fixed by the admin first).
func mfaRuleOnly(msg string) bool {
	rules := failedRules.FindAllStringSubmatch(msg, -1)
	if len(rules) == 0 {
		return false
	}
	for _, m := range rules {
		if m[1] != "Mfa" {
			return false
		}
	}
	return true
}
