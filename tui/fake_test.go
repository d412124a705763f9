package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

// t0 is the fake clock's fixed time: goldens never move.
var t0 = time.Date(2026, 3, 2, 14, 2, 0, 0, time.UTC)

// fakeService is the TUI's boundary in tests: canned data, recorded calls.
type fakeService struct {
	mu     sync.Mutex
	id     Identity
	snap   pim.Snapshot
	now    time.Time
	offset time.Duration // the server's clock minus the PC's
	recent []string
	// profileDefault is the profile's default_duration (0: none).
	profileDefault time.Duration

	signInAcct auth.Account
	signInErr  error
	signInCode *auth.DeviceCode
	release    chan struct{} // when set, SignIn and Activate wait on it after interacting

	// activate answers one request; nil: verified in token after 4.2s.
	activate   func(req pim.ActivateRequest, in auth.Interaction, progress func(pim.Event)) pim.Outcome
	deactivate func(a pim.Active, progress func(pim.Event)) pim.DeactivateOutcome
	cancelErr  error // Cancel's answer; nil: the request is withdrawn
	// decide answers one decision; nil: recorded, and the request leaves
	// the inbox.
	decide func(a pim.Approval, d pim.Decision, justification string) pim.DecisionOutcome
	// renewInput is what the journal knows of earlier activations.
	renewInput map[string]app.PlanInput
	// renewInputReads counts RenewInput calls (the core reads the journal).
	renewInputReads int

	loads         int
	activations   [][]pim.ActivateRequest
	deactivated   []pim.Active
	cancelled     []pim.Pending
	decisions     []pim.DecisionOutcome
	renewals      []pim.Active
	approvalReads int
}

func newFake() *fakeService {
	f := &fakeService{
		id: Identity{
			Account: auth.Account{Username: "adm-alex@contoso.onmicrosoft.com", Name: "Alex Admin"},
			Pinned:  "adm-alex@contoso.onmicrosoft.com",
			Tenant:  "contoso.onmicrosoft.com", Cloud: "Global", Profile: "work",
		},
		now:    t0,
		recent: []string{"INC-4411 restore mailbox", "Weekly patching"},
	}
	f.snap = pim.Snapshot{
		Me:       pim.Me{UserPrincipalName: f.id.Account.Username},
		Eligible: sampleEligible(),
		LoadedAt: t0,
	}
	return f
}

func role(name, id, scopeID, scope string, p pim.Policy) pim.Eligibility {
	return pim.Eligibility{
		Kind: pim.KindDirectoryRole, Name: name, Scope: scope,
		RoleDefinitionID: id, TemplateID: id, DirectoryScopeID: scopeID, Policy: p,
	}
}

func sampleEligible() []pim.Eligibility {
	return []pim.Eligibility{
		role("Global Administrator", "62e90394", "/", "tenant",
			pim.Policy{MaxDuration: 2 * time.Hour, Justification: true, Ticket: true, MFA: true, AuthContext: "c1"}),
		role("Global Reader", "f2ef992c", "/", "tenant",
			pim.Policy{MaxDuration: 8 * time.Hour, Justification: true}),
		role("Helpdesk Administrator", "729827e3", "/administrativeUnits/berlin", "AU: Berlin Helpdesk",
			pim.Policy{MaxDuration: 4 * time.Hour, Justification: true, MFA: true}),
		role("Privileged Role Administrator", "e8611ab8", "/", "tenant",
			pim.Policy{MaxDuration: time.Hour, Justification: true, Approval: true, Approvers: []string{"Ada Lovelace"}}),
		role("Application Administrator", "9b895d92", "/apps/payroll", "app: Payroll",
			pim.Policy{MaxDuration: 8 * time.Hour}),
		{
			Kind: pim.KindGroup, Name: "SG-Prod-Break-Glass", Scope: "group", GroupID: "g-1", AccessID: "member",
			Policy: pim.Policy{MaxDuration: 90 * time.Minute, Justification: true, Approval: true},
		},
	}
}

func (f *fakeService) at(e pim.Eligibility, start time.Time, d time.Duration) pim.Active {
	return pim.Active{Eligibility: e, Start: start, End: start.Add(d)}
}

func (f *fakeService) setNow(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

// Identity falls back to the signed-in account's tenant, as the core does
// for a profile that names none.
func (f *fakeService) Identity() Identity {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.id
	if id.Tenant == "" {
		id.Tenant = id.Account.TenantID
	}
	return id
}

func (f *fakeService) SignIn(ctx context.Context, deviceCode bool, in auth.Interaction) (auth.Account, error) {
	if deviceCode && f.signInCode != nil {
		in.DeviceCodeShown(*f.signInCode, "")
	} else if !deviceCode {
		in.BrowserOpened("https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize?…", "")
	}
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return auth.Account{}, ctx.Err()
		}
	}
	if f.signInErr != nil {
		return auth.Account{}, f.signInErr
	}
	f.mu.Lock()
	f.id.Account = f.signInAcct
	f.mu.Unlock()
	return f.signInAcct, nil
}

func (f *fakeService) Load(ctx context.Context) (*pim.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads++
	s := f.snap
	s.Eligible = append([]pim.Eligibility(nil), f.snap.Eligible...)
	s.Active = append([]pim.Active(nil), f.snap.Active...)
	s.Pending = append([]pim.Pending(nil), f.snap.Pending...)
	s.Scheduled = append([]pim.Scheduled(nil), f.snap.Scheduled...)
	s.Approvals = append([]pim.Approval(nil), f.snap.Approvals...)
	s.LoadedAt = f.now
	return &s, nil
}

func (f *fakeService) Plan(targets []pim.Eligibility, in app.PlanInput) (app.Plan, error) {
	return app.MakePlan(targets, in, f.profileDefault, f.Now())
}

func (f *fakeService) DefaultDuration(targets []pim.Eligibility) time.Duration {
	return app.DefaultFor(targets, f.profileDefault)
}

func (f *fakeService) Activate(ctx context.Context, reqs []pim.ActivateRequest, _ bool, obs app.Observer) []pim.Outcome {
	var in auth.Interaction = obs
	progress := obs.Progress
	f.mu.Lock()
	f.activations = append(f.activations, reqs)
	answer := f.activate
	f.mu.Unlock()
	if answer == nil {
		answer = f.verifyInToken
	}
	out := make([]pim.Outcome, len(reqs))
	for i, r := range reqs {
		out[i] = answer(r, in, progress)
	}
	if f.release != nil {
		<-f.release
	}
	return out
}

// verifyInToken is the happy path: every stage in the core's order, then
// proven in the token.
func (f *fakeService) verifyInToken(r pim.ActivateRequest, _ auth.Interaction, progress func(pim.Event)) pim.Outcome {
	e := r.Target
	ev := func(s pim.Stage, after time.Duration, detail string) {
		progress(pim.Event{Key: e.Key(), Name: e.Name, Stage: s, Detail: detail, At: t0.Add(after)})
	}
	ev(pim.StageChecked, 0, "")
	ev(pim.StageSubmitted, 1200*time.Millisecond, "request 7f3a")
	ev(pim.StageProvisioned, 2100*time.Millisecond, "")
	ev(pim.StageListed, 3100*time.Millisecond, "")
	ev(pim.StageRefreshed, 4*time.Second, "")
	ev(pim.StageVerified, 4200*time.Millisecond, "")
	f.mu.Lock()
	f.snap.Active = append(f.snap.Active, f.at(e, t0, r.Duration))
	f.mu.Unlock()
	return pim.Outcome{
		Target: e, Status: "Provisioned", RequestID: "7f3a", End: t0.Add(r.Duration),
		Effective: true, EffectiveAfter: 4200 * time.Millisecond, Proof: "token",
	}
}

func (f *fakeService) Deactivate(ctx context.Context, a pim.Active, obs app.Observer) pim.DeactivateOutcome {
	progress := obs.Progress
	f.mu.Lock()
	f.deactivated = append(f.deactivated, a)
	answer := f.deactivate
	f.mu.Unlock()
	if answer != nil {
		return answer(a, progress)
	}
	progress(pim.Event{Key: a.Key(), Name: a.Name, Stage: pim.StageSubmitted, At: f.Now()})
	progress(pim.Event{Key: a.Key(), Name: a.Name, Stage: pim.StageDeactivated, At: f.Now().Add(time.Second)})
	progress(pim.Event{Key: a.Key(), Name: a.Name, Stage: pim.StageRefreshed, At: f.Now().Add(2 * time.Second)})
	f.mu.Lock()
	var keep []pim.Active
	for _, x := range f.snap.Active {
		if x.Key() != a.Key() {
			keep = append(keep, x)
		}
	}
	f.snap.Active = keep
	f.mu.Unlock()
	return pim.DeactivateOutcome{Target: a.Eligibility, Status: "Revoked", PreviousTokenExpiry: t0.Add(70 * time.Minute)}
}

func (f *fakeService) Cancel(ctx context.Context, p pim.Pending) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, p)
	if f.cancelErr != nil {
		return f.cancelErr
	}
	var keep []pim.Pending
	for _, x := range f.snap.Pending {
		if x.RequestID != p.RequestID {
			keep = append(keep, x)
		}
	}
	f.snap.Pending = keep
	return nil
}

func (f *fakeService) RecentJustifications(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.recent) > n {
		return f.recent[:n]
	}
	return f.recent
}

func (f *fakeService) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeService) ServerOffset() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.offset
}

var errWrongAccount = errors.New("signed in as alex@contoso.com, but profile work only accepts adm-alex@contoso.onmicrosoft.com; the token was discarded. Sign in again and pick adm-alex@contoso.onmicrosoft.com")

// manyEligible returns n distinct roles for benchmarks.
func manyEligible(n int) []pim.Eligibility {
	base := sampleEligible()
	out := make([]pim.Eligibility, n)
	for i := range out {
		e := base[i%len(base)]
		e.Name = fmt.Sprintf("%s %04d", e.Name, i)
		e.RoleDefinitionID = fmt.Sprintf("%s-%d", e.RoleDefinitionID, i)
		e.GroupID = fmt.Sprintf("g-%d", i)
		out[i] = e
	}
	return out
}

// Approvals is the inbox with its stages, as the core reads it.
func (f *fakeService) Approvals(ctx context.Context, _ app.Observer) (*pim.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.approvalReads++
	list := append([]pim.Approval(nil), f.snap.Approvals...)
	for i := range list {
		list[i].Stages = []pim.ApprovalStage{{ID: "s1", Status: "InProgress", Result: "NotReviewed", AssignedToMe: true}}
	}
	return &pim.Snapshot{Approvals: list, LoadedAt: f.now}, nil
}

func (f *fakeService) Decide(ctx context.Context, a pim.Approval, d pim.Decision, justification string, _ app.Observer) pim.DecisionOutcome {
	f.mu.Lock()
	answer := f.decide
	f.mu.Unlock()
	out := pim.DecisionOutcome{Approval: a, Decision: d, Recorded: true}
	if answer != nil {
		out = answer(a, d, justification)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.decisions = append(f.decisions, out)
	if out.Recorded {
		var keep []pim.Approval
		for _, x := range f.snap.Approvals {
			if x.RequestID != a.RequestID {
				keep = append(keep, x)
			}
		}
		f.snap.Approvals = keep
	}
	return out
}

func (f *fakeService) CanRenew(a pim.Active) error { return pim.RenewRefusal(a, f.Now()) }

func (f *fakeService) RenewInput(e pim.Eligibility) (app.PlanInput, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renewInputReads++
	in, ok := f.renewInput[e.Key()]
	return in, ok
}

// Renew deactivates and activates again, reporting both, as the core does.
func (f *fakeService) Renew(ctx context.Context, a pim.Active, in app.PlanInput, obs app.Observer) pim.RenewOutcome {
	f.mu.Lock()
	f.renewals = append(f.renewals, a)
	f.mu.Unlock()
	plan, err := f.Plan([]pim.Eligibility{a.Eligibility}, in)
	if err != nil {
		return pim.RenewOutcome{Target: a.Eligibility, Err: err}
	}
	d := f.Deactivate(ctx, a, obs)
	o := f.Activate(ctx, plan.Requests, true, obs)[0]
	return pim.RenewOutcome{Target: a.Eligibility, Deactivation: d, Activation: o, Activated: true, Err: o.Err}
}

// sampleApprovals are three requests waiting for the admin, one per kind.
func sampleApprovals() []pim.Approval {
	megan := func(a pim.Approval) pim.Approval {
		a.RequesterID, a.Requester, a.RequesterUPN, a.Status = "u-megan", "Megan Bowen", "megan.bowen@contoso.onmicrosoft.com", "PendingApproval"
		return a
	}
	return []pim.Approval{
		megan(pim.Approval{
			Eligibility: role("Billing Administrator", "b0f54661", "/", "tenant", pim.Policy{}),
			RequestID:   "5f0b7e2c-9a14-4d6e-8c3b-1e7a2d9f4b60", ApprovalID: "5f0b7e2c-9a14-4d6e-8c3b-1e7a2d9f4b60",
			Justification: "Renew the E5 licences before the quarter closes", Duration: 2 * time.Hour, Created: t0.Add(-12 * time.Minute),
		}),
		megan(pim.Approval{
			Eligibility: pim.Eligibility{Kind: pim.KindGroup, Name: "SG-Finance-Payroll-Admins", Scope: "group member", GroupID: "g-fin", AccessID: "member"},
			RequestID:   "c2d8a6f1-3b5e-4a97-9d0c-7f1e4b2a8c35", ApprovalID: "c2d8a6f1-3b5e-4a97-9d0c-7f1e4b2a8c35",
			Justification: "March payroll run in tonight's window", Duration: 4 * time.Hour, Start: t0.Add(3 * time.Hour), Created: t0.Add(-35 * time.Minute),
		}),
		megan(pim.Approval{
			Eligibility: pim.Eligibility{Kind: pim.KindAzureRole, Name: "User Access Administrator", Scope: "sub: Contoso Prod", RoleDefinitionID: "/subscriptions/6f1d/providers/Microsoft.Authorization/roleDefinitions/18d7d88d", AzureScope: "/subscriptions/6f1d"},
			RequestID:   "7e4a1c9d-2f6b-4b38-a5e0-9d3c8f1b6a24", ApprovalID: "3a9f5d2e-8c1b-4e67-b4a0-6d2f7c9e1b58",
			Justification: "Grant the backup operator access to kv-prod", TicketNumber: "INC-4711", TicketSystem: "ServiceNow", Duration: time.Hour, Created: t0.Add(-4 * time.Minute),
		}),
	}
}
