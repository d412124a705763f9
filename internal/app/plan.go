package app

import (
	"fmt"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/internal/start"
	"github.com/pimento-cli/pimento/pim"
)

// PlanInput is what the admin asked for, as typed.
type PlanInput struct {
	// Duration as typed: "1h30m", "PT90M"; "" means the profile's default.
	Duration      string
	Justification string
	TicketNumber  string
	TicketSystem  string
	// Start as typed: "18:00", "2026-12-01T18:00", "+2h"; "" or "now"
	// starts now (internal/start reads it).
	Start string
}

// Plan is what will be sent, and what the core decided on the way.
type Plan struct {
	Requests []pim.ActivateRequest
	// Notes say what the admin did not ask for explicitly, e.g. a default
	// duration above a role's maximum, so the maximum is used.
	Notes []string
}

// PlanError is input that cannot become a request (exit 2, nothing sent).
type PlanError struct{ Msg string }

func (e *PlanError) Error() string { return e.Msg }

// fallbackDuration is the default when the profile names none.
const fallbackDuration = time.Hour

// DefaultDuration is what an activation of targets lasts when the admin
// names no duration: the profile's default_duration (else 1h), at most the
// smallest policy maximum among them.
func (a *App) DefaultDuration(targets []pim.Eligibility) time.Duration {
	return DefaultFor(targets, a.profile.DefaultDuration)
}

// DefaultFor is DefaultDuration with the profile's default given.
func DefaultFor(targets []pim.Eligibility, profileDefault time.Duration) time.Duration {
	d, _ := defaultFor(targets, profileDefault)
	return d
}

func defaultFor(targets []pim.Eligibility, profileDefault time.Duration) (time.Duration, *pim.Eligibility) {
	d := profileDefault
	if d <= 0 {
		d = fallbackDuration
	}
	var capped *pim.Eligibility
	for i, t := range targets {
		if m := t.Policy.MaxDuration; m > 0 && m < d {
			d, capped = m, &targets[i]
		}
	}
	return d, capped
}

// Plan turns what the admin typed into requests: the one place that reads
// a duration, applies the profile's default, caps a default at the policy
// maximum (and says so), cleans the justification of control characters,
// and checks every request against its policy. An explicit duration above
// a policy maximum is refused, never shortened.
func (a *App) Plan(targets []pim.Eligibility, in PlanInput) (Plan, error) {
	return MakePlan(targets, in, a.profile.DefaultDuration, a.clock.Now())
}

// MakePlan is Plan with the profile's default duration and the server's
// time given. A start is read against the server's time in the PC's zone
// ("18:00" is the admin's 18:00) and sent in the server's time.
func MakePlan(targets []pim.Eligibility, in PlanInput, profileDefault time.Duration, now time.Time) (Plan, error) {
	var plan Plan
	if len(targets) == 0 {
		return plan, &PlanError{Msg: "nothing to activate"}
	}
	at, err := start.Parse(in.Start, now, time.Local)
	if err != nil {
		return plan, &PlanError{Msg: err.Error()}
	}
	var d time.Duration
	if in.Duration != "" {
		v, err := duration.ParseActivation(in.Duration)
		if err != nil {
			return plan, &PlanError{Msg: err.Error()}
		}
		d = v
	} else {
		var capped *pim.Eligibility
		d, capped = defaultFor(targets, profileDefault)
		if capped != nil {
			plan.Notes = append(plan.Notes, fmt.Sprintf("%s: %s, the policy maximum (your default is longer)", capped.Label(), duration.Human(d)))
		}
	}
	just := show.Clean(in.Justification)
	for _, t := range targets {
		r := pim.ActivateRequest{
			Target: t, Start: at, Duration: d, Justification: just,
			TicketNumber: show.Clean(in.TicketNumber), TicketSystem: show.Clean(in.TicketSystem),
		}
		if err := pim.Validate(r); err != nil {
			return Plan{}, err
		}
		plan.Requests = append(plan.Requests, r)
	}
	if !at.IsZero() {
		plan.Notes = append(plan.Notes, startNotes(targets, at, d, now)...)
	}
	return plan, nil
}

// startNotes say when a scheduled activation runs, in the admin's time
// with the date, and warn where approvers may run out of time: they have
// 24 hours, and whether from the request or from its start is UNVERIFIED
// (AF §9.11), so a start beyond that is the risky side.
func startNotes(targets []pim.Eligibility, at time.Time, d time.Duration, now time.Time) []string {
	notes := []string{fmt.Sprintf("scheduled: starts %s, ends %s (your time; sent as %s)",
		show.DateTime(at), show.DateTime(at.Add(d)), at.UTC().Format(time.RFC3339))}
	if at.Sub(now) <= pim.ApprovalWindow {
		return notes
	}
	for _, t := range targets {
		if t.Policy.Approval {
			notes = append(notes, t.Label()+" needs approval, and approvers have 24 hours from the request: a start more than 24 hours ahead may expire before it is approved")
		}
	}
	return notes
}
