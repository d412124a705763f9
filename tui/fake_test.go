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

	loads       int
	activations [][]pim.ActivateRequest
	deactivated []pim.Active
	cancelled   []pim.Pending
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
