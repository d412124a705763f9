package pim_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
)

// armRefusal answers GETs that match with ARM's 403 AuthorizationFailed,
// as ARM answers a read at a scope where the caller has no role (yet):
// the first left of them, or all when left is negative. The sim answers
// such reads with an empty list instead.
type armRefusal struct {
	next  http.RoundTripper
	match func(*http.Request) bool
	left  atomic.Int32
	fired atomic.Int32
}

func refuseARM(match func(*http.Request) bool, times int32) (*armRefusal, func(*envOption)) {
	a := &armRefusal{match: match}
	a.left.Store(times)
	return a, withARMTransport(func(next http.RoundTripper) http.RoundTripper { a.next = next; return a })
}

func (a *armRefusal) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet || !a.match(r) || a.left.Load() == 0 {
		return a.next.RoundTrip(r)
	}
	a.left.Add(-1)
	a.fired.Add(1)
	body := `{"error":{"code":"AuthorizationFailed","message":"The client 'alex@contoso.com' with object id '` + sim.DemoAdminUserID +
		`' does not have authorization to perform action 'Microsoft.Authorization/permissions/read' over scope '` + sim.DemoManagementGroupScope +
		`' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`
	return &http.Response{
		StatusCode: http.StatusForbidden, Status: "403 Forbidden", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Ms-Error-Code": {"AuthorizationFailed"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}, nil
}

func permissionsRead(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/providers/Microsoft.Authorization/permissions")
}

// ARM refusing the permissions at the scope while the role propagates is
// "not applied yet": the wait goes on until the permissions show the
// role, and the listing is not called the proof.
func TestAzureRefusedPermissionsAreStillPropagating(t *testing.T) {
	refusal, opt := refuseARM(permissionsRead, 3)
	e := newEnv(t, withAzure(), opt)
	out, ev := e.activate(reader(t, e), true)
	if out.Err != nil || !out.Effective || out.Proof != pim.ProofPermissions {
		t.Fatalf("outcome: %+v", out)
	}
	if n := refusal.fired.Load(); n != 3 {
		t.Errorf("%d refusals answered, want 3", n)
	}
	if ev.count(pim.StagePropagating) == 0 {
		t.Error("no propagating stage while ARM refused")
	}
}

// Refused until the propagation wait ends: bounded, and it says that ARM
// refused, never that the role is usable or that the listing proves it.
func TestAzurePermissionsRefusedThroughoutEndTheWait(t *testing.T) {
	p := fastPoll
	p.Propagation = time.Second
	_, opt := refuseARM(permissionsRead, -1)
	e := newEnv(t, withAzure(), withPoll(p), opt)
	start := time.Now()
	out, _ := e.activate(reader(t, e), true)
	if out.Effective || out.Err == nil || !strings.Contains(out.Err.Error(), "AuthorizationFailed") || !strings.Contains(out.Err.Error(), "lists") {
		t.Fatalf("outcome: %+v", out)
	}
	if time.Since(start) > 15*time.Second {
		t.Error("the wait was not bounded")
	}
}

// The role definition refused at the eligibility's scope (no role there
// yet) is read at the tenant root, where built-in roles are.
func TestAzureRoleDefinitionRefusedAtTheScopeIsReadAtTheRoot(t *testing.T) {
	refusal, opt := refuseARM(func(r *http.Request) bool {
		return strings.Contains(r.URL.Path, "/roleDefinitions/") && strings.Contains(r.URL.Path, "managementGroups")
	}, -1)
	e := newEnv(t, withAzure(), opt)
	out, _ := e.activate(reader(t, e), true)
	if out.Err != nil || !out.Effective || out.Proof != pim.ProofPermissions {
		t.Fatalf("outcome: %+v", out)
	}
	if refusal.fired.Load() == 0 {
		t.Fatal("the role definition was never read at the scope")
	}
	root := 0
	for _, r := range e.armRequests("GET", "/roleDefinitions/") {
		if !strings.Contains(r.Path, "managementGroups") {
			root++
		}
	}
	if root != 1 {
		t.Errorf("%d role definition reads at the root, want 1", root)
	}
}
