package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
)

// The approver's decision. It is a write, so it follows the never-resend
// ladder (style.md §6): the stages are read first and the decision goes to
// the one stage assigned to the admin and in progress (AF §1.3, §2.1);
// it is sent once (a 429, which PIM did not process, once more after
// Retry-After); an uncertain outcome, an interrupt included, re-reads the
// stage to learn what PIM recorded. A refusal (already decided, not an
// approver, expired) re-reads the stage too and says what is true.

// Decision is an approver's answer, as the write body spells it (G1).
type Decision string

// Decisions.
const (
	Approve Decision = "Approve"
	Deny    Decision = "Deny"
)

// Verb is the decision in words: "approve" or "deny".
func (d Decision) Verb() string { return strings.ToLower(string(d)) }

// ApprovalStage is one stage (a step, on beta) of an approval.
type ApprovalStage struct {
	ID   string
	Name string // displayName; often null on Graph
	// Status is InProgress, Completed, Expired, … (AF §1.3, §1.5).
	Status string
	// Result is NotReviewed, or the decision: Approve/Approved or
	// Deny/Denied (both spellings are seen, AF §1.3).
	Result       string
	AssignedToMe bool
	// ReviewerID and Reviewer say who decided (Reviewer: a name, else a UPN).
	ReviewerID    string
	Reviewer      string
	Reviewed      time.Time
	Justification string
}

// Decided is the decision a stage shows, or "" while none.
func (st ApprovalStage) Decided() Decision {
	switch strings.ToLower(st.Result) {
	case "approve", "approved":
		return Approve
	case "deny", "denied":
		return Deny
	}
	return ""
}

// Open reports whether the admin may decide the stage now: assigned to
// them, in progress and not reviewed (AF §10, peers' check).
func (st ApprovalStage) Open() bool {
	return st.AssignedToMe && strings.EqualFold(st.Status, "InProgress") && st.Decided() == ""
}

// DecisionOutcome is what became of one decision.
type DecisionOutcome struct {
	Approval Approval
	Decision Decision
	// Recorded is true only when PIM's answer, or a re-read of the stage,
	// showed the decision recorded.
	Recorded bool
	// Reconciled: the answer was lost, and the stage was read to know.
	Reconciled bool
	// Stages as last read.
	Stages   []ApprovalStage
	Warnings []string
	Err      error
}

// approverAPI is what differs between the kinds on the approver's side.
type approverAPI interface {
	// stages reads the approval's stages.
	stages(ctx context.Context, a Approval) ([]ApprovalStage, error)
	// decide sends the decision on one stage, once (retries off).
	decide(ctx context.Context, a Approval, st ApprovalStage, d Decision, justification string) error
}

func (s *Service) approver(k Kind) approverAPI {
	switch k {
	case KindGroup:
		return groupApprovals{s}
	case KindAzureRole:
		return azureApprovals{s}
	}
	return roleApprovals{s}
}

// Decide approves or denies a, with the approver's justification.
func (s *Service) Decide(ctx context.Context, a Approval, d Decision, justification string) DecisionOutcome {
	out := DecisionOutcome{Approval: a, Decision: d}
	justification = show.Clean(justification)
	switch {
	case justification == "":
		out.Err = errors.New("a justification is required: say why you " + d.Verb() + " (--justification); nothing was sent")
		return out
	case len([]rune(justification)) > MaxJustification:
		out.Err = fmt.Errorf("the justification has %d characters; PIM takes at most %d; nothing was sent", len([]rune(justification)), MaxJustification)
		return out
	}
	me, err := s.principalID(ctx)
	if err != nil {
		out.Err = err
		return out
	}
	if strings.EqualFold(a.RequesterID, me) {
		out.Err = errors.New("this is your own request: PIM does not let approvers decide their own requests; nothing was sent")
		return out
	}
	api := s.approver(a.Kind)
	stages, err := api.stages(ctx, a)
	if err != nil {
		out.Err = stagesError(a, err)
		return out
	}
	out.Stages = stages
	st, ok := openStage(stages)
	if !ok {
		out.Err = errors.New(s.explain(a, stages, me) + "; nothing was sent")
		return out
	}
	record, jerr := s.journal.deciding(a, d, justification, s.now())
	if jerr != nil {
		out.Warnings = append(out.Warnings, jerr.Error())
	}
	s.debugf("decide %s %s %s: sending on stage %s (journal record %s)", a.Kind, a.RequestID, d, st.ID, record)
	err = s.sendDecision(ctx, api, a, st, d, justification)
	out.Recorded = err == nil
	if err != nil {
		out.Err = s.afterDecision(ctx, api, &out, st, me, err)
	}
	if record != "" {
		if jerr := s.journal.decided(record, out, s.now()); jerr != nil {
			out.Warnings = append(out.Warnings, jerr.Error())
		}
	}
	return out
}

// sendDecision sends once; a throttled answer (not processed) is sent once
// more after its Retry-After.
func (s *Service) sendDecision(ctx context.Context, api approverAPI, a Approval, st ApprovalStage, d Decision, justification string) error {
	err := api.decide(ctx, a, st, d, justification)
	_, wait, ok := throttled(err)
	if !ok {
		return err
	}
	s.debugf("decide %s: throttled, sending once more in %s", a.RequestID, wait)
	if !pause(ctx, wait) {
		return fmt.Errorf("interrupted while waiting to resend a throttled decision: PIM did not process it: %w", ctx.Err())
	}
	return api.decide(ctx, a, st, d, justification)
}

// afterDecision finds out what is true after a decision that failed or
// whose answer was lost: it re-reads the stage, never resends.
func (s *Service) afterDecision(ctx context.Context, api approverAPI, out *DecisionOutcome, sent ApprovalStage, me string, err error) error {
	a := out.Approval
	lost := uncertain(err) || ctx.Err() != nil
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
	defer cancel()
	again, rerr := api.stages(rctx, a)
	s.debugf("decide %s: %s; re-read err=%v", a.RequestID, describe(err), rerr != nil)
	if rerr != nil {
		if lost {
			return fmt.Errorf("the answer was lost (%s) and the approval could not be read again (%s): run `pimento approvals` before deciding again", describe(err), describe(rerr))
		}
		return wrapf(err, "PIM refused the decision")
	}
	out.Stages = again
	var now ApprovalStage
	for _, x := range again {
		if strings.EqualFold(x.ID, sent.ID) {
			now = x
		}
	}
	switch {
	case lost && now.Decided() == out.Decision && (now.ReviewerID == "" || strings.EqualFold(now.ReviewerID, me)):
		out.Recorded, out.Reconciled = true, true
		return nil
	case lost && now.Open():
		return fmt.Errorf("the answer was lost (%s) and PIM shows the request still waiting for a decision: yours was not recorded; send it again", describe(err))
	case now.Open():
		return wrapf(err, "PIM refused the decision")
	case lost:
		return fmt.Errorf("the answer was lost (%s); %s", describe(err), s.explain(a, again, me))
	}
	return errors.New("PIM refused the decision: " + s.explain(a, again, me))
}

// openStage is the stage the admin may decide now.
func openStage(stages []ApprovalStage) (ApprovalStage, bool) {
	for _, st := range stages {
		if st.Open() {
			return st, true
		}
	}
	return ApprovalStage{}, false
}

// explain says in one line why no stage of a waits for the admin.
func (s *Service) explain(a Approval, stages []ApprovalStage, me string) string {
	now := s.now()
	for _, st := range stages {
		if d := st.Decided(); d != "" {
			who := st.Reviewer
			if strings.EqualFold(st.ReviewerID, me) {
				who = "you"
			}
			line := "already " + map[Decision]string{Approve: "approved", Deny: "denied"}[d]
			if who != "" {
				line += " by " + who
			}
			if !st.Reviewed.IsZero() {
				line += " at " + show.Clock(st.Reviewed, now)
			}
			return line
		}
	}
	switch {
	case strings.EqualFold(a.Status, "Canceled"):
		return "withdrawn by the requester"
	case strings.EqualFold(a.Status, "TimedOut"):
		return "expired: the 24-hour approval window closed at " + show.Clock(a.Expires(), now) + "; the requester must ask again"
	case a.Status != "" && !IsPending(a.Status):
		return "no longer waiting for a decision (PIM shows the request " + a.Status + ")"
	}
	for _, st := range stages {
		if strings.EqualFold(st.Status, "Expired") {
			return "expired: the 24-hour approval window closed at " + show.Clock(a.Expires(), now) + "; the requester must ask again"
		}
	}
	if !a.Created.IsZero() && !now.Before(a.Expires()) {
		return "expired: the 24-hour approval window closed at " + show.Clock(a.Expires(), now) + "; the requester must ask again"
	}
	for _, st := range stages {
		if st.AssignedToMe && strings.EqualFold(st.Status, "Completed") {
			return "no longer waiting (the requester may have withdrawn it)"
		}
	}
	return "PIM assigns no stage of this approval to you: you are not one of its approvers"
}

// Closed says in one line why a, read with FindApproval, waits for no
// decision of the admin's.
func (s *Service) Closed(ctx context.Context, a Approval) string {
	me, _ := s.principalID(ctx)
	return s.explain(a, a.Stages, me)
}

// stagesError says why an approval could not be read.
func stagesError(a Approval, err error) error {
	if errors.Is(err, errAzureOff) {
		return errors.New("azure roles are off for this profile (azure = false): an Azure role request cannot be decided here")
	}
	if g, ok := asGraphError(err); ok {
		switch g.Status {
		case 403:
			return fmt.Errorf("PIM does not let you read this approval: you are not one of its approvers (or your sign-in lacks the approver's permission: see the README); nothing was sent")
		case 404:
			return fmt.Errorf("PIM has no approval %s: it was withdrawn or is not one you may see; nothing was sent", a.ApprovalID)
		}
	}
	return wrapf(err, "read the approval of %s", a.Label())
}

// StageWords says the stages in a few words for a list, e.g. "stage 1 of
// 1 in progress, yours", "approved by Megan Bowen".
func StageWords(stages []ApprovalStage) string {
	if len(stages) == 0 {
		return ""
	}
	for i, st := range stages {
		switch {
		case st.Decided() != "":
			continue
		case strings.EqualFold(st.Status, "InProgress"):
			s := fmt.Sprintf("stage %d of %d in progress", i+1, len(stages))
			if st.AssignedToMe {
				s += ", yours"
			}
			return s
		default:
			return fmt.Sprintf("stage %d of %d %s", i+1, len(stages), strings.ToLower(st.Status))
		}
	}
	last := stages[len(stages)-1]
	s := map[Decision]string{Approve: "approved", Deny: "denied"}[last.Decided()]
	if last.Reviewer != "" {
		s += " by " + last.Reviewer
	}
	return s
}

// Requested says the activation asked for: "2h from 17:00" or "2h".
func (a Approval) Requested(now time.Time) string {
	d := "?"
	if a.Duration > 0 {
		d = duration.Human(a.Duration)
	}
	if a.Start.After(now) {
		return d + " from " + show.Clock(a.Start, now)
	}
	return d
}
