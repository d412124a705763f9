package pim

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/directory"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/state"
)

// Tokens is what the service needs from package auth for one API (a
// *auth.Session for Graph, its *auth.Tokens for ARM).
type Tokens interface {
	Token(ctx context.Context) (auth.Token, error)
	StepUp(ctx context.Context, claims string) (auth.Token, error)
	ForceRefresh(ctx context.Context) (auth.Token, error)
	// SignInAgain signs in interactively whatever the cache holds: the way
	// to a fresh multi-factor sign-in.
	SignInAgain(ctx context.Context) (auth.Token, error)
	LastToken() (auth.Token, bool)
}

// Options configures a Service.
type Options struct {
	Graph  *Graph
	Tokens Tokens
	// ARM and ARMTokens reach Azure Resource Manager for Azure resource
	// roles; nil leaves them out, and AzureOff says why in one line.
	ARM       *ARM
	ARMTokens Tokens
	AzureOff  string
	// Account is the pinned admin UPN, recorded in the journal.
	Account string
	// Cache keeps policies and scope names (nil: in memory only).
	Cache *state.Cache
	// Journal records what is sent and what came of it (nil: none).
	Journal *state.Journal
	// Now is the server's clock (servertime); nil is the local clock.
	Now func() time.Time
	// ClockConfirmed reports whether Now has heard from the server in this
	// process (nil: always).
	ClockConfirmed func() bool
	// Poll bounds the wait for an activation to be listed.
	Poll PollConfig
	// Debug receives diagnostics (never tokens); nil discards them.
	Debug io.Writer
}

// PollConfig is the adaptive, bounded wait for a new active instance.
type PollConfig struct {
	Initial time.Duration // first interval (default 250ms)
	Max     time.Duration // interval cap (default 2s)
	Timeout time.Duration // give up after (default 3m)
	// Propagation bounds the wait, after an Azure role is listed, until
	// ARM applies its permissions (default 10m: ARM caches role
	// assignments for up to 10 minutes, D10).
	Propagation time.Duration
	// Renew is how long a renewal waits, after PIM refused the new
	// activation with RoleAssignmentExists (the old one still being
	// removed), before it sends it the one more time (default 30s).
	Renew time.Duration
}

// Service is the PIM service layer. It keeps no state between calls but
// who the admin is; snapshots belong to its caller.
type Service struct {
	graph     *Graph
	adapter   abstractions.RequestAdapter
	tokens    Tokens
	arm       *ARM
	armTokens Tokens
	azureOff  string
	now       func() time.Time
	confirmed func() bool
	poll      PollConfig
	meta      *state.Cache
	journal   recorder
	debug     io.Writer

	mu sync.Mutex
	me Me
}

// New builds the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Poll.Initial == 0 {
		o.Poll.Initial = 250 * time.Millisecond
	}
	if o.Poll.Max == 0 {
		o.Poll.Max = 2 * time.Second
	}
	if o.Poll.Timeout == 0 {
		o.Poll.Timeout = 3 * time.Minute
	}
	if o.Poll.Propagation == 0 {
		o.Poll.Propagation = 10 * time.Minute
	}
	if o.Poll.Renew == 0 {
		o.Poll.Renew = 30 * time.Second
	}
	if o.Debug == nil {
		o.Debug = io.Discard
	}
	if o.Cache == nil {
		o.Cache = state.OpenCache("", "", o.Now)
	}
	if o.ClockConfirmed == nil {
		o.ClockConfirmed = func() bool { return true }
	}
	return &Service{
		graph: o.Graph, adapter: o.Graph.GetAdapter(), tokens: o.Tokens, arm: o.ARM, armTokens: o.ARMTokens, azureOff: o.AzureOff, now: o.Now, confirmed: o.ClockConfirmed, poll: o.Poll,
		meta: o.Cache, journal: recorder{j: o.Journal, account: o.Account}, debug: o.Debug,
	}
}

func (s *Service) debugf(format string, args ...any) {
	_, _ = fmt.Fprintf(s.debug, format+"\n", args...)
}

const on = "principal"

// first-screen batch keys
const (
	keyMe          = "me"
	keyRoleElig    = "roleEligible"
	keyRoleActive  = "roleActive"
	keyRolePending = "rolePending"
	keyGrpElig     = "groupEligible"
	keyGrpActive   = "groupActive"
	keyGrpPending  = "groupPending"
)

// loadPlan says what a load reads: the first screen reads everything;
// `status` only what it prints (what is active, pending or scheduled);
// the inbox only the requests that wait for the admin's decision.
type loadPlan struct {
	me, eligible bool
	mine         bool // active, pending and scheduled
	approvals    bool // the approver's inbox
	// approvalID reads, instead of the inbox, the one request (or
	// approval) of that id the admin approves, whatever its status.
	approvalID string
}

func (s *Service) firstWave(ctx context.Context, plan loadPlan) ([]batchReq, error) {
	dir := s.graph.roleManagement().Directory()
	grp := s.graph.identityGovernance().PrivilegedAccess().Group()
	o := on
	pending := "status eq 'PendingApproval'"
	var reqs []batchReq
	add := func(key string, info *abstractions.RequestInformation, err error) error {
		if err != nil {
			return fmt.Errorf("build request %s: %w", key, err)
		}
		switch key {
		case keyMe:
			if !plan.me {
				return nil
			}
		case keyRoleElig, keyGrpElig:
			if !plan.eligible {
				return nil
			}
		default:
			if !plan.mine {
				return nil
			}
		}
		reqs = append(reqs, batchReq{key: key, info: info})
		return nil
	}
	steps := []func() error{
		func() error { i, err := s.graph.me().ToGetRequestInformation(ctx, nil); return add(keyMe, i, err) },
		func() error {
			i, err := dir.RoleEligibilityScheduleInstances().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
				&rolemanagement.DirectoryRoleEligibilityScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
					QueryParameters: &rolemanagement.DirectoryRoleEligibilityScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"roleDefinition"}},
				})
			return add(keyRoleElig, i, err)
		},
		func() error {
			i, err := dir.RoleAssignmentScheduleInstances().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
				&rolemanagement.DirectoryRoleAssignmentScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
					QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"roleDefinition"}},
				})
			return add(keyRoleActive, i, err)
		},
		func() error {
			i, err := dir.RoleAssignmentScheduleRequests().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
				&rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
					QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &pending, Expand: []string{"roleDefinition"}},
				})
			return add(keyRolePending, i, err)
		},
		func() error {
			i, err := grp.EligibilityScheduleInstances().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
				&identitygovernance.PrivilegedAccessGroupEligibilityScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
					QueryParameters: &identitygovernance.PrivilegedAccessGroupEligibilityScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"group"}},
				})
			return add(keyGrpElig, i, err)
		},
		func() error {
			i, err := grp.AssignmentScheduleInstances().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
				&identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
					QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleInstancesFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Expand: []string{"group"}},
				})
			return add(keyGrpActive, i, err)
		},
		func() error {
			i, err := grp.AssignmentScheduleRequests().FilterByCurrentUserWithOn(&o).ToGetRequestInformation(ctx,
				&identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetRequestConfiguration{
					QueryParameters: &identitygovernance.PrivilegedAccessGroupAssignmentScheduleRequestsFilterByCurrentUserWithOnRequestBuilderGetQueryParameters{Filter: &pending, Expand: []string{"group"}},
				})
			return add(keyGrpPending, i, err)
		},
	}
	for _, st := range steps {
		if err := st(); err != nil {
			return nil, err
		}
	}
	if plan.mine {
		more, err := s.scheduleRequests(ctx)
		if err != nil {
			return nil, fmt.Errorf("build request %s: %w", keyRoleSched, err)
		}
		reqs = append(reqs, more...)
	}
	if plan.approvals {
		filter := pendingFilter
		if plan.approvalID != "" {
			// id is a documented filter field of the requests (AF §6.3).
			filter = "id eq " + odataString(plan.approvalID)
		}
		more, err := s.inboxRequests(ctx, filter)
		if err != nil {
			return nil, fmt.Errorf("build request %s: %w", keyRoleApprove, err)
		}
		reqs = append(reqs, more...)
	}
	return reqs, nil
}

// pageRequest turns an absolute @odata.nextLink into a batch item (the SDK
// makes it relative to the base URL).
func pageRequest(key, next string) (batchReq, error) {
	u, err := url.Parse(next)
	if err != nil {
		return batchReq{}, fmt.Errorf("bad nextLink: %w", err)
	}
	info := abstractions.NewRequestInformation()
	info.Method = abstractions.GET
	info.SetUri(*u)
	info.Headers.Add("Accept", "application/json")
	return batchReq{key: key, info: info}, nil
}

func (s *Service) policyRequest(ctx context.Context, e Eligibility) (batchReq, error) {
	var filter string
	if e.Kind == KindGroup {
		filter = fmt.Sprintf("scopeId eq '%s' and scopeType eq 'Group' and roleDefinitionId eq '%s'", e.GroupID, e.AccessID)
	} else {
		// Policies are per role: always at scope "/", also for an
		// eligibility scoped to an administrative unit or an app.
		filter = fmt.Sprintf("scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '%s'", e.RoleDefinitionID)
	}
	info, err := s.graph.policies().RoleManagementPolicyAssignments().ToGetRequestInformation(ctx,
		&policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{
				Filter: &filter, Expand: []string{"policy($expand=rules)"},
			},
		})
	return batchReq{key: "policy|" + policyKey(e), info: info}, err
}

func (s *Service) scopeRequest(ctx context.Context, scopeID string) (batchReq, error) {
	id := strings.TrimPrefix(scopeID, "/")
	if au, ok := strings.CutPrefix(scopeID, "/administrativeUnits/"); ok {
		info, err := s.graph.directory().AdministrativeUnits().ByAdministrativeUnitId(au).ToGetRequestInformation(ctx,
			&directory.AdministrativeUnitsAdministrativeUnitItemRequestBuilderGetRequestConfiguration{
				QueryParameters: &directory.AdministrativeUnitsAdministrativeUnitItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}},
			})
		return batchReq{key: "scope|" + scopeID, info: info}, err
	}
	info, err := s.graph.directoryObjects().ByDirectoryObjectId(id).ToGetRequestInformation(ctx, nil)
	return batchReq{key: "scope|" + scopeID, info: info}, err
}

// Load reads everything the first screen needs: one batch for /me and the
// eligible, active and pending lists, then one for policies and scope names
// not in the cache together with any further pages; beside it, at the same
// time, the Azure lists and the Azure policies not in the cache. With a
// warm cache and lists that fit one page, it is one round trip.
func (s *Service) Load(ctx context.Context) (*Snapshot, error) {
	return s.load(ctx, loadPlan{me: true, eligible: true, mine: true, approvals: true})
}

// Status reads only what `pimento status` prints: active instances and
// pending requests, names expanded in the same answers, scope names from
// the cache. With warm caches and one page each, it is one round trip.
func (s *Service) Status(ctx context.Context) (*Snapshot, error) {
	return s.load(ctx, loadPlan{mine: true})
}

func (s *Service) load(ctx context.Context, plan loadPlan) (*Snapshot, error) {
	first, err := s.firstWave(ctx, plan)
	if err != nil {
		return nil, err
	}
	// Azure Resource Manager is read at the same time as Graph: the first
	// screen waits for the slower of the two, not for both in turn.
	azure := make(chan azureLoad, 1)
	actx, stopAzure := context.WithCancel(ctx)
	defer stopAzure()
	go func() { azure <- s.loadAzure(actx, plan) }()
	res, trips, err := s.runBatch(ctx, first)
	if err != nil {
		return nil, wrapf(err, "load from Graph")
	}
	l := &loader{s: s, res: res}
	if err := l.readFirst(plan, first); err != nil {
		return nil, err
	}
	// Further waves: pages, policies, scope names, until nothing is missing.
	for wave := 0; wave < maxWaves; wave++ {
		next, err := l.missing(ctx)
		if err != nil {
			return nil, err
		}
		if len(next) == 0 {
			break
		}
		res, n, err := s.runBatch(ctx, next)
		trips += n
		if err != nil {
			return nil, wrapf(err, "load from Graph")
		}
		if err := l.readMore(res, next); err != nil {
			return nil, err
		}
	}
	az := <-azure
	if err := s.meta.Save(); err != nil {
		s.debugf("policy cache not saved: %v", err)
	}
	snap := l.snapshot()
	snap.Warnings = append(snap.Warnings, l.unread()...)
	now := s.now()
	snap.Scheduled = l.sched.scheduled(l, now)
	if plan.approvals {
		snap.Approvals = l.inbox.approvals(l)
		if plan.approvalID == "" {
			me, _ := s.principalID(ctx)
			if plan.me {
				me = l.me.ID
			}
			snap.Approvals, az.approvals = waiting(snap.Approvals, me), waiting(az.approvals, me)
		}
	}
	snap.enrichScheduled()
	snap.addAzure(az)
	snap.RoundTrips = max(trips, az.trips)
	snap.LoadedAt = s.now()
	if plan.me {
		s.mu.Lock()
		s.me = snap.Me
		s.mu.Unlock()
	}
	return snap, nil
}

// maxWaves bounds the batches a load sends after the first.
const maxWaves = 10

// unread says which lists still had pages when the load stopped at
// maxWaves: they may be incomplete, and the snapshot says so.
func (l *loader) unread() []string {
	var out []string
	for list := range l.nextLinks {
		out = append(out, "the list of "+listWords[list]+" has more pages than pimento reads in one load: it may be incomplete")
	}
	sort.Strings(out)
	return out
}

// loader assembles a snapshot from batch answers.
type loader struct {
	s   *Service
	res map[string]batchRes

	me        Me
	roleElig  []models.UnifiedRoleEligibilityScheduleInstanceable
	roleAct   []models.UnifiedRoleAssignmentScheduleInstanceable
	rolePend  []models.UnifiedRoleAssignmentScheduleRequestable
	grpElig   []models.PrivilegedAccessGroupEligibilityScheduleInstanceable
	grpAct    []models.PrivilegedAccessGroupAssignmentScheduleInstanceable
	grpPend   []models.PrivilegedAccessGroupAssignmentScheduleRequestable
	sched     scheduleLists
	inbox     inboxLists
	users     map[string][2]string // requester id → display name, UPN (looked up)
	nextLinks map[string]string    // list key → nextLink still to fetch
	asked     map[string]bool      // policy/scope/user keys already requested
}

func (l *loader) readFirst(plan loadPlan, first []batchReq) error {
	l.nextLinks = map[string]string{}
	l.asked = map[string]bool{}
	if plan.me {
		u, err := decodeItem[models.Userable](l.res, keyMe, models.CreateUserFromDiscriminatorValue)
		if err != nil {
			return wrapf(err, "read your account from Graph")
		}
		l.me = Me{
			ID: deref(u.GetId()), UserPrincipalName: deref(u.GetUserPrincipalName()), DisplayName: deref(u.GetDisplayName()),
			Mail: deref(u.GetMail()), OtherMails: u.GetOtherMails(), OnPremisesSyncEnabled: deref(u.GetOnPremisesSyncEnabled()),
			LicenseCount: len(u.GetAssignedLicenses()),
		}
	}
	lists := map[string]bool{}
	for _, r := range first {
		if r.key != keyMe {
			lists[r.key] = true
		}
	}
	return l.readLists(l.res, lists)
}

// readLists decodes list answers (first pages or later pages) by list key.
func (l *loader) readLists(res map[string]batchRes, keys map[string]bool) error {
	for key := range keys {
		list := strings.TrimPrefix(key, "page|")
		var next *string
		var err error
		switch list {
		case keyRoleElig:
			next, err = appendPage[models.UnifiedRoleEligibilityScheduleInstanceCollectionResponseable](res, key, models.CreateUnifiedRoleEligibilityScheduleInstanceCollectionResponseFromDiscriminatorValue, &l.roleElig)
		case keyRoleActive:
			next, err = appendPage[models.UnifiedRoleAssignmentScheduleInstanceCollectionResponseable](res, key, models.CreateUnifiedRoleAssignmentScheduleInstanceCollectionResponseFromDiscriminatorValue, &l.roleAct)
		case keyRolePending:
			next, err = appendPage[models.UnifiedRoleAssignmentScheduleRequestCollectionResponseable](res, key, models.CreateUnifiedRoleAssignmentScheduleRequestCollectionResponseFromDiscriminatorValue, &l.rolePend)
		case keyGrpElig:
			next, err = appendPage[models.PrivilegedAccessGroupEligibilityScheduleInstanceCollectionResponseable](res, key, models.CreatePrivilegedAccessGroupEligibilityScheduleInstanceCollectionResponseFromDiscriminatorValue, &l.grpElig)
		case keyGrpActive:
			next, err = appendPage[models.PrivilegedAccessGroupAssignmentScheduleInstanceCollectionResponseable](res, key, models.CreatePrivilegedAccessGroupAssignmentScheduleInstanceCollectionResponseFromDiscriminatorValue, &l.grpAct)
		case keyGrpPending:
			next, err = appendPage[models.PrivilegedAccessGroupAssignmentScheduleRequestCollectionResponseable](res, key, models.CreatePrivilegedAccessGroupAssignmentScheduleRequestCollectionResponseFromDiscriminatorValue, &l.grpPend)
		default:
			var handled bool
			if next, handled, err = l.sched.read(res, key, list); !handled {
				if next, handled, err = l.inbox.read(res, key, list); !handled {
					continue
				}
			}
		}
		if err != nil {
			return wrapf(err, "read %s from Graph", listWords[list])
		}
		delete(l.nextLinks, list)
		if n := deref(next); n != "" {
			l.nextLinks[list] = n
		}
	}
	return nil
}

var listWords = map[string]string{
	keyRoleElig: "eligible roles", keyRoleActive: "active roles", keyRolePending: "pending role requests",
	keyGrpElig: "eligible groups", keyGrpActive: "active groups", keyGrpPending: "pending group requests",
	keyRoleSched: "scheduled roles", keyGrpSched: "scheduled groups",
	keyRoleApprove: "role requests to approve", keyGrpApprove: "group requests to approve",
}

// missing lists the requests for what is not known yet.
func (l *loader) missing(ctx context.Context) ([]batchReq, error) {
	var reqs []batchReq
	for list, next := range l.nextLinks {
		r, err := pageRequest("page|"+list, next)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	scopes := map[string]bool{}
	for _, e := range l.eligibilities() {
		pk := "policy|" + policyKey(e)
		if _, ok := l.s.cachedPolicy(e); !ok && !l.asked[pk] {
			r, err := l.s.policyRequest(ctx, e)
			if err != nil {
				return nil, err
			}
			l.asked[pk] = true
			reqs = append(reqs, r)
		}
		if e.Kind == KindDirectoryRole {
			scopes[e.DirectoryScopeID] = true
		}
	}
	// What is active or pending is named too, also when no eligibility
	// was read (status).
	for _, a := range l.roleAct {
		scopes[deref(a.GetDirectoryScopeId())] = true
	}
	for _, p := range l.rolePend {
		scopes[deref(p.GetDirectoryScopeId())] = true
	}
	for _, x := range l.sched.role {
		scopes[deref(x.GetDirectoryScopeId())] = true
	}
	for _, p := range l.inbox.role {
		scopes[deref(p.GetDirectoryScopeId())] = true
	}
	users, err := l.userRequests(ctx)
	if err != nil {
		return nil, err
	}
	reqs = append(reqs, users...)
	for scope := range scopes {
		sk := "scope|" + scope
		if scope == "/" || scope == "" || l.asked[sk] {
			continue
		}
		if _, ok := l.s.cachedScope(scope); ok {
			continue
		}
		r, err := l.s.scopeRequest(ctx, scope)
		if err != nil {
			return nil, err
		}
		l.asked[sk] = true
		reqs = append(reqs, r)
	}
	return reqs, nil
}

func (l *loader) readMore(res map[string]batchRes, reqs []batchReq) error {
	pages := map[string]bool{}
	for _, r := range reqs {
		switch {
		case strings.HasPrefix(r.key, "page|"):
			pages[r.key] = true
		case strings.HasPrefix(r.key, "policy|"):
			v, err := decodeItem[models.UnifiedRoleManagementPolicyAssignmentCollectionResponseable](res, r.key, models.CreateUnifiedRoleManagementPolicyAssignmentCollectionResponseFromDiscriminatorValue)
			if err != nil {
				return wrapf(err, "read the activation policy (%s) from Graph", strings.TrimPrefix(r.key, "policy|"))
			}
			p, ok := policyFromAssignments(v.GetValue())
			if !ok {
				return fmt.Errorf("Graph has no activation policy for %s", strings.TrimPrefix(r.key, "policy|"))
			}
			l.s.putPolicy(strings.TrimPrefix(r.key, "policy|"), p)
		case strings.HasPrefix(r.key, "user|"):
			l.readUser(res, r.key)
		case strings.HasPrefix(r.key, "scope|"):
			scopeID := strings.TrimPrefix(r.key, "scope|")
			name := ""
			if v, err := decodeItem[models.DirectoryObjectable](res, r.key, models.CreateDirectoryObjectFromDiscriminatorValue); err == nil {
				name = displayNameOf(v)
			} else {
				// Scope names are a courtesy: without the permission to
				// read them, show the id rather than fail.
				l.s.debugf("scope name of %s: %s", scopeID, describe(err))
			}
			if name != "" {
				l.s.putScope(scopeID, scopeWords(scopeID, name))
			}
		}
	}
	return l.readLists(res, pages)
}

func displayNameOf(o models.DirectoryObjectable) string {
	switch v := o.(type) {
	case models.AdministrativeUnitable:
		return deref(v.GetDisplayName())
	case models.Applicationable:
		return deref(v.GetDisplayName())
	case models.ServicePrincipalable:
		return deref(v.GetDisplayName())
	case models.Groupable:
		return deref(v.GetDisplayName())
	}
	if n, ok := o.GetAdditionalData()["displayName"].(*string); ok {
		return deref(n)
	}
	return ""
}

// scopeWordsOf says where a role applies, in words.
func (l *loader) scopeWordsOf(e Eligibility) string {
	if e.AppScopeID != "" {
		return "app scope: " + e.AppScopeID
	}
	return l.scopeName(e.DirectoryScopeID)
}

func (l *loader) scopeName(scopeID string) string {
	if w, ok := l.s.cachedScope(scopeID); ok {
		return w
	}
	return scopeWords(scopeID, "")
}

func roleDefNames(d models.UnifiedRoleDefinitionable, roleID string) (name, template string) {
	if d != nil {
		name, template = deref(d.GetDisplayName()), deref(d.GetTemplateId())
	}
	if template == "" {
		template = roleID
	}
	if name == "" {
		name = roleID
	}
	return name, template
}

func (l *loader) eligibilities() []Eligibility {
	var out []Eligibility
	for _, e := range l.roleElig {
		roleID := deref(e.GetRoleDefinitionId())
		name, tmpl := roleDefNames(e.GetRoleDefinition(), roleID)
		el := Eligibility{
			Kind: KindDirectoryRole, Name: name, RoleDefinitionID: roleID, TemplateID: tmpl,
			DirectoryScopeID: deref(e.GetDirectoryScopeId()), AppScopeID: deref(e.GetAppScopeId()),
		}
		el.Scope = l.scopeWordsOf(el)
		out = append(out, el)
	}
	for _, e := range l.grpElig {
		gid := deref(e.GetGroupId())
		name := gid
		if g := e.GetGroup(); g != nil && deref(g.GetDisplayName()) != "" {
			name = deref(g.GetDisplayName())
		}
		access := ""
		if a := e.GetAccessId(); a != nil {
			access = a.String()
		}
		out = append(out, Eligibility{Kind: KindGroup, Name: name, GroupID: gid, AccessID: access, Scope: "group " + access})
	}
	for i := range out {
		if p, ok := l.s.cachedPolicy(out[i]); ok {
			out[i].Policy = p
		}
	}
	return out
}

func (l *loader) snapshot() *Snapshot {
	snap := &Snapshot{Me: l.me, Eligible: l.eligibilities()}
	sort.SliceStable(snap.Eligible, func(i, j int) bool {
		a, b := snap.Eligible[i], snap.Eligible[j]
		if a.Kind != b.Kind {
			return a.Kind == KindDirectoryRole
		}
		if !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.Key() < b.Key()
	})
	byKey := map[string]Eligibility{}
	for _, e := range snap.Eligible {
		byKey[e.Key()] = e
	}
	enrich := func(e Eligibility) Eligibility {
		if known, ok := byKey[e.Key()]; ok {
			return known
		}
		return e
	}
	for _, a := range l.roleAct {
		roleID := deref(a.GetRoleDefinitionId())
		name, tmpl := roleDefNames(a.GetRoleDefinition(), roleID)
		el := Eligibility{Kind: KindDirectoryRole, Name: name, RoleDefinitionID: roleID, TemplateID: tmpl, DirectoryScopeID: deref(a.GetDirectoryScopeId()), AppScopeID: deref(a.GetAppScopeId())}
		el.Scope = l.scopeWordsOf(el)
		snap.Active = append(snap.Active, Active{
			Eligibility: enrich(el), Start: deref(a.GetStartDateTime()), End: deref(a.GetEndDateTime()),
			Assigned: !strings.EqualFold(deref(a.GetAssignmentType()), "Activated"),
		})
	}
	for _, a := range l.grpAct {
		access := ""
		if x := a.GetAccessId(); x != nil {
			access = x.String()
		}
		gid := deref(a.GetGroupId())
		name := gid
		if g := a.GetGroup(); g != nil && deref(g.GetDisplayName()) != "" {
			name = deref(g.GetDisplayName())
		}
		e := enrich(Eligibility{Kind: KindGroup, Name: name, GroupID: gid, AccessID: access, Scope: "group " + access})
		assigned := false
		if t := a.GetAssignmentType(); t != nil {
			assigned = t.String() != "activated"
		}
		snap.Active = append(snap.Active, Active{Eligibility: e, Start: deref(a.GetStartDateTime()), End: deref(a.GetEndDateTime()), Assigned: assigned})
	}
	for _, p := range l.rolePend {
		roleID := deref(p.GetRoleDefinitionId())
		name, tmpl := roleDefNames(p.GetRoleDefinition(), roleID)
		el := Eligibility{Kind: KindDirectoryRole, Name: name, RoleDefinitionID: roleID, TemplateID: tmpl, DirectoryScopeID: deref(p.GetDirectoryScopeId()), AppScopeID: deref(p.GetAppScopeId())}
		el.Scope = l.scopeWordsOf(el)
		e := enrich(el)
		snap.Pending = append(snap.Pending, Pending{Eligibility: e, RequestID: deref(p.GetId()), Status: deref(p.GetStatus()), Created: deref(p.GetCreatedDateTime())})
	}
	for _, p := range l.grpPend {
		access := ""
		if x := p.GetAccessId(); x != nil {
			access = x.String()
		}
		gid := deref(p.GetGroupId())
		name := gid
		if g := p.GetGroup(); g != nil && deref(g.GetDisplayName()) != "" {
			name = deref(g.GetDisplayName())
		}
		e := enrich(Eligibility{Kind: KindGroup, Name: name, GroupID: gid, AccessID: access, Scope: "group " + access})
		snap.Pending = append(snap.Pending, Pending{Eligibility: e, RequestID: deref(p.GetId()), Status: deref(p.GetStatus()), Created: deref(p.GetCreatedDateTime())})
	}
	return snap
}
