package pim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/state"
	"github.com/pimento-cli/pimento/pim"
	"github.com/pimento-cli/pimento/sim"
	"github.com/pimento-cli/pimento/sim/simtest"
)

// fastPoll keeps waits short: the sim provisions in a few hundred ms.
var fastPoll = pim.PollConfig{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, Timeout: 10 * time.Second, Propagation: 10 * time.Second}

// env is the real stack against a simulated tenant: MSAL signed in through
// the sim's authority, msgraph-sdk-go talking to the sim's Graph, and the
// service over both.
type env struct {
	tb       testing.TB
	tn       *sim.Tenant
	session  *auth.Session
	graph    *pim.Graph
	arm      *pim.ARM // nil: Azure resource roles off (withAzure turns them on)
	svc      *pim.Service
	cacheDir string
	stateDir string
	debug    *syncBuffer
	opened   atomic.Int32 // browser opens (login and interactive step-ups)
}

type envOption struct {
	poll     pim.PollConfig
	scenario []func(*sim.Scenario)
	azure    bool
	// armTransport wraps the transport the ARM client sends through.
	armTransport func(http.RoundTripper) http.RoundTripper
}

// withARMTransport puts wrap between the ARM client and the sim: for
// answers the sim does not give (it is not this package's to teach).
func withARMTransport(wrap func(http.RoundTripper) http.RoundTripper) func(*envOption) {
	return func(o *envOption) { o.armTransport = wrap }
}

// withAzure gives the service Azure Resource Manager, through the
// session's ARM credential and armauthorization against the sim's ARM,
// with permissions applied as soon as an activation is listed (a later
// withScenario may delay them).
func withAzure() func(*envOption) {
	return func(o *envOption) {
		o.azure = true
		o.scenario = append(o.scenario, func(sc *sim.Scenario) { sc.ARMPropagationDelay = 0 })
	}
}

// withScenario edits the demo scenario before the tenant starts.
func withScenario(f func(*sim.Scenario)) func(*envOption) {
	return func(o *envOption) { o.scenario = append(o.scenario, f) }
}

// withPoll replaces the fast poll configuration.
func withPoll(p pim.PollConfig) func(*envOption) {
	return func(o *envOption) { o.poll = p }
}

// newEnv starts the demo tenant (no latency, 300 ms provisioning), signs
// the pinned admin in through the simulated browser and builds the service.
func newEnv(tb testing.TB, opts ...func(*envOption)) *env {
	tb.Helper()
	simtest.Isolate(tb)
	o := envOption{poll: fastPoll}
	for _, f := range opts {
		f(&o)
	}
	tn := simtest.Start(tb, append([]func(*sim.Scenario){func(sc *sim.Scenario) {
		sc.ProvisioningDelay = sim.Duration(300 * time.Millisecond)
		sc.DeviceCodeAutoApprove = false
	}}, o.scenario...)...)

	e := &env{tb: tb, tn: tn, cacheDir: tb.TempDir(), stateDir: tb.TempDir(), debug: &syncBuffer{}}
	vars := simtest.Env(tn)
	eps, err := auth.ResolveEndpoints("global", "", func(k string) string { return vars[k] })
	if err != nil {
		tb.Fatal(err)
	}
	browser := tn.Browser()
	// One client for everything, whose idle connections are closed before
	// the tenant shuts down (which otherwise waits for them).
	hc := tn.HTTPClient()
	tb.Cleanup(hc.CloseIdleConnections)
	e.session, err = auth.New(auth.Config{
		Endpoints:     eps,
		PinnedAccount: sim.DemoAdminUPN,
		HTTPClient:    hc,
		OpenURL: func(u string) error {
			e.opened.Add(1)
			return browser(u)
		},
		InteractionTimeout: 20 * time.Second,
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.session.Login(e.ctx(), false, ""); err != nil {
		tb.Fatal(err)
	}
	e.graph, err = pim.NewGraphClient(e.session.GraphAuth(), tn.GraphURL(), hc.Transport, 0)
	if err != nil {
		tb.Fatal(err)
	}
	if o.azure {
		tr := hc.Transport
		if o.armTransport != nil {
			tr = o.armTransport(tr)
		}
		e.arm, err = pim.NewARMClient(e.session.ARM().Credential(), tn.ARMURL(), eps.ARMResource, tr, 0)
		if err != nil {
			tb.Fatal(err)
		}
	}
	e.svc = e.newService(e.cacheDir, o.poll)
	return e
}

// newService builds another service over the same session and Graph client
// (a second run of pimento, e.g. with a warm policy cache).
func (e *env) newService(cacheDir string, poll pim.PollConfig) *pim.Service {
	var armTokens pim.Tokens
	if e.arm != nil {
		armTokens = e.session.ARM()
	}
	return pim.New(pim.Options{
		Graph: e.graph, Tokens: e.session, ARM: e.arm, ARMTokens: armTokens, AzureOff: "Azure roles are off in this test",
		Account: sim.DemoAdminUPN,
		Cache:   state.OpenCache(cacheDir, "policies.json", e.tn.Now), Journal: state.NewJournal(e.stateDir),
		Now: e.tn.Now, Poll: poll, Debug: e.debug,
	})
}

// journal reads the journal the service writes.
func (e *env) journal() []state.Entry {
	e.tb.Helper()
	r, err := state.NewJournal(e.stateDir).Entries()
	if err != nil {
		e.tb.Fatal(err)
	}
	if len(r.Unreadable) > 0 {
		e.tb.Errorf("unreadable journal lines: %v", r.Unreadable)
	}
	return r.Entries
}

func (e *env) ctx() context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	e.tb.Cleanup(cancel)
	return c
}

// load reads the first screen and fails the test on error.
func (e *env) load() *pim.Snapshot {
	e.tb.Helper()
	snap, err := e.svc.Load(e.ctx())
	if err != nil {
		e.tb.Fatalf("Load: %v", err)
	}
	return snap
}

// elig finds an eligibility by name (and access, for groups).
func elig(tb testing.TB, snap *pim.Snapshot, name string, access ...string) pim.Eligibility {
	tb.Helper()
	for _, el := range snap.Eligible {
		if el.Name != name {
			continue
		}
		if len(access) > 0 && el.AccessID != access[0] {
			continue
		}
		return el
	}
	tb.Fatalf("no eligibility %q %v in %d", name, access, len(snap.Eligible))
	return pim.Eligibility{}
}

func activeByName(tb testing.TB, snap *pim.Snapshot, name string) pim.Active {
	tb.Helper()
	for _, a := range snap.Active {
		if a.Name == name {
			return a
		}
	}
	tb.Fatalf("%q is not active", name)
	return pim.Active{}
}

// activate runs one activation and returns its outcome and events.
func (e *env) activate(r pim.ActivateRequest, wait bool) (pim.Outcome, *events) {
	e.tb.Helper()
	ev := &events{}
	outs := e.svc.Activate(e.ctx(), []pim.ActivateRequest{r}, pim.ActivateOptions{Wait: wait}, ev.add)
	if len(outs) != 1 {
		e.tb.Fatalf("%d outcomes for one request", len(outs))
	}
	return outs[0], ev
}

// events records progress events.
type events struct {
	mu   sync.Mutex
	list []pim.Event
}

func (v *events) add(e pim.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, e)
}

// stages lists the stages seen, optionally for one key only.
func (v *events) stages(key string) []pim.Stage {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []pim.Stage
	for _, e := range v.list {
		if key == "" || e.Key == key {
			out = append(out, e.Stage)
		}
	}
	return out
}

func (v *events) count(st pim.Stage) int {
	n := 0
	for _, s := range v.stages("") {
		if s == st {
			n++
		}
	}
	return n
}

// ---- the sim's request log ----

const (
	roleRequestsPath  = "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests"
	groupRequestsPath = "/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests"
	batchPath         = "/v1.0/$batch"
)

// requests lists logged requests with this method and exact path.
func (e *env) requests(method, path string) []sim.Request {
	var out []sim.Request
	for _, r := range e.tn.Requests() {
		if r.Method == method && strings.EqualFold(r.Path, path) {
			out = append(out, r)
		}
	}
	return out
}

// activationPosts lists the schedule request POSTs for directory roles
// (activations and deactivations; not cancels).
func (e *env) activationPosts() []sim.Request { return e.requests("POST", roleRequestsPath) }

// posts with a given action ("selfActivate", "selfDeactivate").
func (e *env) postsWithAction(action string) []sim.Request {
	var out []sim.Request
	for _, r := range append(e.activationPosts(), e.requests("POST", groupRequestsPath)...) {
		if strings.Contains(r.Body, `"action":"`+action+`"`) {
			out = append(out, r)
		}
	}
	return out
}

// tokenGrants lists the token endpoint calls of one grant type.
func (e *env) tokenGrants(grant string) []sim.Request {
	var out []sim.Request
	for _, r := range e.tn.Requests() {
		if r.Method != "POST" || !strings.HasSuffix(r.Path, "/oauth2/v2.0/token") {
			continue
		}
		f, _ := url.ParseQuery(r.Body)
		if f.Get("grant_type") == grant {
			out = append(out, r)
		}
	}
	return out
}

// formValue reads one form field of a logged token request.
func formValue(r sim.Request, key string) string {
	f, _ := url.ParseQuery(r.Body)
	return f.Get(key)
}

// hasACRS reports whether a logged request's bearer token satisfied ctxVal.
func hasACRS(r sim.Request, ctxVal string) bool {
	list, _ := r.Claims["acrs"].([]any)
	for _, v := range list {
		if v == ctxVal {
			return true
		}
	}
	return false
}

// indexOf finds the position of a request in the log (by time, method, path).

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// editPolicyCache changes one cached policy in the service's cache file, as
// if the tenant's policy had changed since it was fetched.
func editPolicyCache(tb testing.TB, dir, key string, edit func(map[string]any)) {
	tb.Helper()
	path := filepath.Join(dir, "policies.json")
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	entries, _ := f["entries"].(map[string]any)
	entry, ok := entries["policy|"+key].(map[string]any)
	if !ok {
		tb.Fatalf("no cached policy %s", key)
	}
	p, _ := entry["value"].(map[string]any)
	edit(p)
	if b, err = json.Marshal(f); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
