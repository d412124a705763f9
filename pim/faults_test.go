package pim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

func activeCount(tn *sim.Tenant, roleID string) int {
	n := 0
	for _, a := range tn.ActiveAssignments() {
		if a.RoleDefinitionID == roleID && a.UserID == sim.DemoAdminUserID {
			n++
		}
	}
	return n
}

// A 429 means Graph did not process the request: pimento sends the same
// activation once more after Retry-After, and never a third time.
func TestThrottledActivationIsResentOnceThenSucceeds(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultStatus, Status: 429, RetryAfter: 1, Times: 1})
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome = %+v, want effective after one throttled answer", out)
	}
	posts := e.activationPosts()
	if len(posts) != 2 || posts[0].Status != 429 || posts[1].Status != 201 {
		t.Fatalf("POSTs = %d, want a 429 then a 201", len(posts))
	}
	if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 1 {
		t.Errorf("User Administrator activations = %d, want exactly 1", n)
	}
}

func TestThrottledTwiceIsNotResentAgain(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultStatus, Status: 429, RetryAfter: 1, Times: 2})
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err == nil {
		t.Fatalf("outcome = %+v, want an error", out)
	}
	msg := out.Err.Error()
	for _, want := range []string{"User Administrator", "throttl", "HTTP 429", "nothing was activated", "try again in 1s"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if posts := e.activationPosts(); len(posts) != 2 {
		t.Errorf("POSTs = %d, want exactly two (one resend after Retry-After)", len(posts))
	}
	if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 0 {
		t.Errorf("User Administrator activations = %d, want 0", n)
	}
	// A 429 is a clear refusal, not an uncertain outcome: nothing re-read.
	if n := e.tn.CountRequests("GET", "roleAssignmentScheduleRequests"); n != 0 {
		t.Errorf("%d re-reads after a 429", n)
	}
	entries := e.journal()
	if last := entries[len(entries)-1]; !strings.HasPrefix(last.Result, "failed: ") {
		t.Errorf("journal result = %q", last.Result)
	}
}

func TestThrottledPollIsRetriedBySDK(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	// Outside $batch: the poll for active instances after the POST.
	e.tn.AddFault(sim.Fault{Method: "GET", Path: "roleAssignmentScheduleInstances", Kind: sim.FaultStatus, Status: 429, RetryAfter: 1, Times: 1})
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome = %+v", out)
	}
	var statuses []int
	for _, r := range e.tn.Requests() {
		if r.Method == "GET" && strings.Contains(r.Path, "roleAssignmentScheduleInstances") {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) < 2 || statuses[0] != 429 || statuses[1] != 200 {
		t.Errorf("poll statuses = %v, want 429 then 200", statuses)
	}
	// The SDK's retry handler absorbed the 429: the service never saw it.
	if strings.Contains(e.debug.String(), "poll active") {
		t.Errorf("the service saw the throttled poll: %s", e.debug.String())
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d, want 1", n)
	}
}

func TestConnectionDroppedAfterActivation(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultDropAfterWrite, Times: 1})
	e.tn.ResetLog()
	out, ev := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err != nil {
		t.Fatalf("err = %v, want the activation found by re-reading PIM", out.Err)
	}
	if out.Status != "Provisioned" || out.RequestID == "" || !out.Effective {
		t.Errorf("outcome = %+v", out)
	}
	if posts := e.activationPosts(); len(posts) != 1 {
		t.Errorf("POSTs = %d, want exactly 1 (never resent)", len(posts))
	}
	if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 1 {
		t.Errorf("User Administrator activations in the sim = %d, want 1", n)
	}
	if n := e.tn.CountRequests("GET", "roleAssignmentScheduleRequests/filterByCurrentUser"); n != 1 {
		t.Errorf("re-reads of the requests = %d, want 1", n)
	}
	var sim0 string
	for _, r := range e.tn.ScheduleRequests() {
		if r.RoleDefinitionID == sim.RoleUserAdministrator {
			sim0 = r.ID
		}
	}
	if out.RequestID != sim0 {
		t.Errorf("request id = %q, sim's = %q", out.RequestID, sim0)
	}
	found := false
	for _, e := range ev.list {
		if e.Stage == pim.StageSubmitted && strings.Contains(e.Detail, "lost") {
			found = true
		}
	}
	if !found {
		t.Errorf("no event tells the answer was lost: %v", ev.list)
	}
}

func TestConnectionDroppedBeforeProcessing(t *testing.T) {
	// A 503 without a body: the request may or may not have been
	// processed. Here it was not, and the report says nothing happened.
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultNoMessage, Status: 503, Times: 1})
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err == nil || !strings.Contains(out.Err.Error(), "nothing was activated") {
		t.Fatalf("err = %v", out.Err)
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d, want 1", n)
	}
	if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 0 {
		t.Errorf("activations = %d", n)
	}
}

func TestOddErrorBodies(t *testing.T) {
	for _, c := range []struct {
		kind   string
		status int
	}{
		{sim.FaultMalformed, 400},
		{sim.FaultMalformed, 500},
		{sim.FaultNoMessage, 400},
		{sim.FaultNoMessage, 500},
	} {
		t.Run(fmt.Sprintf("%s %d", c.kind, c.status), func(t *testing.T) {
			e := newEnv(t)
			user := elig(t, e.load(), "User Administrator")
			e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: c.kind, Status: c.status, Times: 1})
			e.tn.ResetLog()
			var out pim.Outcome
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				out, _ = e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
			}()
			if out.Err == nil {
				t.Fatalf("outcome = %+v, want an error", out)
			}
			msg := out.Err.Error()
			t.Logf("message: %s", msg)
			if !strings.Contains(msg, "User Administrator") && !strings.Contains(msg, "nothing was activated") {
				t.Errorf("message names neither the role nor the result: %q", msg)
			}
			if !strings.Contains(msg, fmt.Sprint(c.status)) {
				t.Errorf("message does not give the HTTP status %d: %q", c.status, msg)
			}
			if strings.Contains(msg, "%!") || strings.Contains(msg, "<nil>") {
				t.Errorf("message is garbled: %q", msg)
			}
			if n := len(e.activationPosts()); n != 1 {
				t.Errorf("POSTs = %d, want 1", n)
			}
			if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 0 {
				t.Errorf("activations = %d", n)
			}
			// A 5xx may have been processed: PIM is re-read, whatever the
			// body looked like. A 4xx was refused: nothing to re-read.
			want := 0
			if c.status >= 500 {
				want = 1
			}
			if n := e.tn.CountRequests("GET", "roleAssignmentScheduleRequests/filterByCurrentUser"); n != want {
				t.Errorf("re-reads after HTTP %d = %d, want %d", c.status, n, want)
			}
		})
	}
}

func TestDroppedAnswerIsMatchedToTheNewRequest(t *testing.T) {
	// An earlier request for the same role (canceled a moment ago) must not
	// be mistaken for the one whose answer was lost.
	e := newEnv(t)
	pra := elig(t, e.load(), "Privileged Role Administrator")
	first, _ := e.activate(pim.ActivateRequest{Target: pra, Duration: time.Hour, Justification: "first"}, false)
	if first.Err != nil || first.Status != "PendingApproval" {
		t.Fatalf("first = %+v", first)
	}
	p, ok := e.load().PendingFor(pra)
	if !ok {
		t.Fatal("not pending")
	}
	if err := e.svc.Cancel(e.ctx(), p); err != nil {
		t.Fatal(err)
	}
	e.tn.Clock().Advance(30 * time.Second)
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultDropAfterWrite, Times: 1})
	out, _ := e.activate(pim.ActivateRequest{Target: pra, Duration: time.Hour, Justification: "second"}, false)
	if out.Err != nil {
		t.Fatalf("err = %v", out.Err)
	}
	if out.Status != "PendingApproval" || out.RequestID == first.RequestID {
		t.Errorf("outcome = %s %s, want the new request (not %s) pending approval", out.Status, out.RequestID, first.RequestID)
	}
}

func TestDeactivationAnswerDropped(t *testing.T) {
	e := newEnv(t)
	gr := activeByName(t, e.load(), "Global Reader")
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultDropAfterWrite, Times: 1})
	e.tn.ResetLog()
	out := e.svc.Deactivate(e.ctx(), gr, nil)
	if out.Err != nil || out.Status != "Revoked" {
		t.Fatalf("outcome = %+v, want Revoked found by re-reading", out)
	}
	if n := len(e.postsWithAction("selfDeactivate")); n != 1 {
		t.Errorf("deactivation POSTs = %d, want 1", n)
	}
	if n := activeCount(e.tn, sim.RoleGlobalReader); n != 0 {
		t.Errorf("Global Reader still active: %d", n)
	}
}

func TestDroppedAnswerFoundOnALaterPage(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) { sc.PageSize = 2 }))
	snap := e.load()
	user := elig(t, snap, "User Administrator")
	// Earlier requests for the same role fill the first page of its history.
	for i := 0; i < 2; i++ {
		if out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "earlier"}, false); out.Err != nil {
			t.Fatal(out.Err)
		}
		e.tn.Clock().Advance(6 * time.Minute)
		x, _ := e.load().ActiveFor(user)
		if res := e.svc.Deactivate(e.ctx(), x, nil); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultDropAfterWrite, Times: 1})
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, false)
	if out.Err != nil || out.Status != "Provisioned" {
		t.Fatalf("outcome = %+v, want the activation found on page 2", out)
	}
	if n := e.tn.CountRequests("GET", "roleAssignmentScheduleRequests/filterByCurrentUser"); n < 2 {
		t.Errorf("pages read = %d, want the later pages too", n)
	}
	// Graph narrowed the re-read to the target: no whole history.
	for _, r := range e.tn.Requests() {
		if strings.Contains(r.Path, "roleAssignmentScheduleRequests/filterByCurrentUser") && !strings.Contains(r.Query, "roleDefinitionId") && !strings.Contains(r.Query, "skiptoken") {
			t.Errorf("unfiltered re-read: %s", r.Query)
		}
	}
	if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 1 {
		t.Errorf("activations = %d, want 1", n)
	}
}

// A CAE claims challenge (401 + WWW-Authenticate claims) on the activation:
// the SDK resends once with a token that satisfies the claims, which the
// session gets by stepping up, and exactly one activation results.
func TestClaimsChallengeOnActivationStepsUpOnce(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{
		Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultClaimsChallenge,
		Claims: `{"access_token":{"acrs":{"essential":true,"value":"c2"}}}`, Times: 1,
	})
	e.tn.ResetLog()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome = %+v", out)
	}
	posts := e.activationPosts()
	if len(posts) != 2 || posts[0].Status != 401 || posts[1].Status != 201 {
		t.Fatalf("POSTs = %d, want a 401 challenge then a 201", len(posts))
	}
	if acrs, _ := posts[1].Claims["acrs"].([]any); len(acrs) != 1 || acrs[0] != "c2" {
		t.Errorf("resent POST carries acrs %v, want c2 from the challenge", posts[1].Claims["acrs"])
	}
	if n := activeCount(e.tn, sim.RoleUserAdministrator); n != 1 {
		t.Errorf("activations = %d, want 1", n)
	}
}

// Interrupting an activation while its POST is at PIM is an uncertain
// outcome: pimento asks PIM what happened (it never resends), and says PIM
// accepted it.
func TestInterruptedActivationIsReconciled(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	// The sim processes the POST, then holds the answer back.
	e.tn.AddFault(sim.Fault{Method: "POST", Path: "roleAssignmentScheduleRequests", Kind: sim.FaultDropAfterWrite, Hold: sim.Duration(time.Minute), Times: 1})
	e.tn.ResetLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// The admin presses ctrl+c once the request reached PIM.
		for len(e.tn.ScheduleRequests()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	outs := e.svc.Activate(ctx, []pim.ActivateRequest{{Target: user, Duration: time.Hour, Justification: "j"}}, pim.ActivateOptions{Wait: true}, nil)
	var ie *pim.InterruptedError
	if !errors.As(outs[0].Err, &ie) || !ie.Accepted || outs[0].Status != "Provisioned" || outs[0].RequestID == "" {
		t.Fatalf("outcome = %+v", outs[0])
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d, want 1", n)
	}
	if n := e.tn.CountRequests("GET", "roleAssignmentScheduleRequests/filterByCurrentUser"); n != 1 {
		t.Errorf("re-reads = %d, want 1", n)
	}
	if last := e.journal(); last[len(last)-1].Result != "accepted, not verified (interrupted)" {
		t.Errorf("journal = %+v", last[len(last)-1])
	}
}

// Callers get their own copy of the snapshot: the service updating its
// state after an activation or deactivation never races with a reader.
func TestSnapshotIsNotSharedWithTheService(t *testing.T) {
	e := newEnv(t)
	snap := e.load()
	e.tn.Clock().Advance(time.Minute)
	var reader sync.WaitGroup
	reader.Add(1)
	go func() {
		defer reader.Done()
		for i := 0; i < 200; i++ {
			for _, a := range snap.Active {
				_ = a.Name
			}
		}
	}()
	gr, _ := snap.ActiveFor(elig(t, snap, "Global Reader"))
	if out := e.svc.Deactivate(context.Background(), gr, nil); out.Err != nil {
		t.Fatal(out.Err)
	}
	reader.Wait()
	if _, ok := snap.ActiveFor(gr.Eligibility); !ok {
		t.Error("the caller's snapshot changed under it")
	}
}

// A refusal while waiting for the role to be listed ends the wait at once
// and says why, instead of "may still be provisioning" minutes later.
func TestPollStopsOnAPermanentError(t *testing.T) {
	e := newEnv(t, withPoll(pim.PollConfig{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, Timeout: time.Minute}))
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{Method: "GET", Path: "roleAssignmentScheduleInstances", Kind: sim.FaultNoMessage, Status: 403})
	e.tn.ResetLog()
	start := time.Now()
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err == nil || !strings.Contains(out.Err.Error(), "403") || !strings.Contains(out.Err.Error(), "accepted") || strings.Contains(out.Err.Error(), "provisioning") {
		t.Fatalf("outcome = %v", out.Err)
	}
	if polls := e.tn.CountRequests("GET", "roleAssignmentScheduleInstances"); polls != 1 {
		t.Errorf("polled %d times after a 403, want 1", polls)
	}
	if time.Since(start) > 20*time.Second {
		t.Error("the wait went on after a permanent error")
	}
}

// A transient error while waiting (a 503) is polled through.
func TestPollGoesOnThroughATransientError(t *testing.T) {
	e := newEnv(t)
	user := elig(t, e.load(), "User Administrator")
	e.tn.AddFault(sim.Fault{Method: "GET", Path: "roleAssignmentScheduleInstances", Kind: sim.FaultStatus, Status: 503, Times: 1})
	out, _ := e.activate(pim.ActivateRequest{Target: user, Duration: time.Hour, Justification: "j"}, true)
	if out.Err != nil || !out.Effective {
		t.Fatalf("outcome = %+v", out)
	}
}

// opaqueRefresh is the session, except that a forced refresh yields a token
// pimento cannot read (Graph's tokens are opaque by contract).
type opaqueRefresh struct{ *auth.Session }

func (o opaqueRefresh) ForceRefresh(ctx context.Context) (auth.Token, error) {
	if _, err := o.Session.ForceRefresh(ctx); err != nil {
		return auth.Token{}, err
	}
	return auth.NewToken("opaque-token-pimento-cannot-read", false), nil
}

// When the token cannot be decoded, the listing is the proof, and the
// outcome says so.
func TestUnreadableTokenFallsBackToTheListing(t *testing.T) {
	e := newEnv(t)
	svc := pim.New(pim.Options{Graph: e.graph, Tokens: opaqueRefresh{e.session}, Now: e.tn.Now, Poll: fastPoll})
	snap, err := svc.Load(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	user := elig(t, snap, "User Administrator")
	ev := &events{}
	outs := svc.Activate(e.ctx(), []pim.ActivateRequest{{Target: user, Duration: time.Hour, Justification: "j"}}, pim.ActivateOptions{Wait: true}, ev.add)
	o := outs[0]
	if o.Err != nil || !o.Effective || o.Proof != pim.ProofListing {
		t.Fatalf("outcome = %+v", o)
	}
	found := false
	for _, v := range ev.list {
		found = found || v.Stage == pim.StageVerified && strings.Contains(v.Detail, "token proof unavailable")
	}
	if !found {
		t.Errorf("no event says the token proof was unavailable: %v", ev.stages(""))
	}
}

// Interrupting the wait until effective is not a timeout: the outcome says
// PIM accepted it and it is probably still provisioning, and the journal
// keeps that, not "failed".
func TestInterruptWhileWaitingSaysWhatIsKnown(t *testing.T) {
	e := newEnv(t, withScenario(func(sc *sim.Scenario) { sc.ProvisioningDelay = sim.Duration(time.Hour) }),
		withPoll(pim.PollConfig{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, Timeout: time.Minute}))
	user := elig(t, e.load(), "User Administrator")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(e.tn.ScheduleRequests()) == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // polling by now
		cancel()
	}()
	outs := e.svc.Activate(ctx, []pim.ActivateRequest{{Target: user, Duration: time.Hour, Justification: "j"}}, pim.ActivateOptions{Wait: true}, nil)
	var ie *pim.InterruptedError
	if !errors.As(outs[0].Err, &ie) || !ie.Accepted || !strings.Contains(outs[0].Err.Error(), "pimento status") {
		t.Fatalf("outcome = %v", outs[0].Err)
	}
	entries := e.journal()
	if last := entries[len(entries)-1]; last.Result != "accepted, not verified (interrupted)" || last.StartDateTime == nil || last.Justification != "j" {
		t.Errorf("journal = %+v", last)
	}
	if n := len(e.activationPosts()); n != 1 {
		t.Errorf("POSTs = %d", n)
	}
}
