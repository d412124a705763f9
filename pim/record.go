package pim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/state"
)

// recorder journals what is sent before it is sent, and completes the
// record once the outcome is known, so an interrupt or a crash leaves a
// true "submitted" record rather than none.
type recorder struct {
	j       *state.Journal
	account string
}

func newRecordID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (r recorder) base(e Eligibility, action string, at time.Time) state.Entry {
	return state.Entry{
		Time: at, Account: r.account, Action: action, Role: e.Name, Kind: string(e.Kind), Scope: e.Scope,
		RoleDefinitionID: e.RoleDefinitionID, DirectoryScopeID: e.DirectoryScopeID, AppScopeID: e.AppScopeID,
		GroupID: e.GroupID, AccessID: e.AccessID, AzureScope: e.AzureScope,
	}
}

// submitted writes the record of an activation about to be sent.
func (r recorder) submitted(sent Sent, at time.Time) (string, error) {
	id := newRecordID()
	e := r.base(sent.Target, "activate", at)
	start := sent.Start
	e.ID, e.StartDateTime, e.Duration, e.Result = id, &start, duration.ISO(sent.Duration), state.Submitted
	e.Justification, e.TicketNumber, e.TicketSystem = sent.Justification, sent.TicketNumber, sent.TicketSystem
	// A name pimento chose is known before sending: after a crash the
	// request is found by it.
	e.RequestID = sent.Name
	return id, r.j.Append(e)
}

// resent updates the start (and name) of a record whose request was sent
// again.
func (r recorder) resent(id string, sent Sent) error {
	e := r.base(sent.Target, "activate", sent.Start)
	start := sent.Start
	e.ID, e.StartDateTime, e.RequestID = id, &start, sent.Name
	return r.j.Append(e)
}

// done completes an activation's record with its outcome.
func (r recorder) done(id string, o Outcome, at time.Time) error {
	e := r.base(o.Target, "activate", at)
	e.ID, e.RequestID, e.Result = id, o.RequestID, resultWords(o)
	if o.Effective {
		v := o.EffectiveAfter.Seconds()
		e.SecondsToEffective = &v
		e.Proof = string(o.Proof)
	}
	return r.j.Append(e)
}

// resultWords is the journal's one-line result of an activation.
func resultWords(o Outcome) string {
	var ie *InterruptedError
	switch {
	case errors.As(o.Err, &ie) && ie.Accepted:
		return "accepted, not verified (interrupted)"
	case errors.As(o.Err, &ie):
		return "unknown (interrupted before PIM answered)"
	case o.Err != nil:
		return "failed: " + o.Err.Error()
	case o.Scheduled:
		return fmt.Sprintf("scheduled (%s)", o.Status)
	case !o.Effective && IsAccepted(o.Status):
		return fmt.Sprintf("accepted (%s), not verified", o.Status)
	}
	return o.Status
}

// event writes a one-shot record (deactivate, cancel).
func (r recorder) event(e Eligibility, action, requestID, result string, at time.Time) error {
	en := r.base(e, action, at)
	en.ID, en.RequestID, en.Result = newRecordID(), requestID, result
	if action == "deactivate" && result == "Revoked" {
		t := at
		en.DeactivatedAt = &t
	}
	return r.j.Append(en)
}

// deciding writes the record of an approver's decision about to be sent.
func (r recorder) deciding(a Approval, d Decision, justification string, at time.Time) (string, error) {
	id := newRecordID()
	e := r.base(a.Eligibility, d.Verb(), at)
	e.ID, e.RequestID, e.Result = id, a.RequestID, state.Submitted
	e.Justification, e.Requester = justification, a.RequesterLabel()
	return id, r.j.Append(e)
}

// decided completes a decision's record: recorded, or why not.
func (r recorder) decided(id string, o DecisionOutcome, at time.Time) error {
	e := r.base(o.Approval.Eligibility, o.Decision.Verb(), at)
	e.ID, e.RequestID = id, o.Approval.RequestID
	switch {
	case o.Recorded && o.Reconciled:
		e.Result = "recorded (the answer was lost; the stage shows it)"
	case o.Recorded:
		e.Result = "recorded"
	case o.Err != nil:
		e.Result = "not recorded: " + o.Err.Error()
	default:
		e.Result = "not recorded"
	}
	return r.j.Append(e)
}
