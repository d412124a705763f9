package app

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/state"
	"github.com/pimento-cli/pimento/pim"
)

// Observer hears what a use case does while it runs: sign-ins it needs
// and its progress. Both front ends pass one with each call.
type Observer interface {
	auth.Interaction
	Progress(pim.Event)
}

func withObserver(ctx context.Context, obs Observer) (context.Context, func(pim.Event)) {
	if obs == nil {
		return ctx, nil
	}
	return auth.WithInteraction(ctx, obs), obs.Progress
}

// Load reads what the admin may activate, what is active and what waits
// for approval, puts the profile's favourites first, and writes the prompt
// state. It never prompts: a needed sign-in is an error (exit 4, or the
// TUI's sign-in screen).
func (a *App) Load(ctx context.Context) (*pim.Snapshot, error) {
	return a.load(auth.WithNoPrompt(ctx))
}

// Status reads only what `pimento status` prints (what is active, what
// waits for approval), and keeps the prompt state true. It never prompts.
func (a *App) Status(ctx context.Context) (*pim.Snapshot, error) {
	if err := a.RequireAccount(); err != nil {
		return nil, err
	}
	done := a.track()
	defer done()
	snap, err := a.pim.Status(auth.WithNoPrompt(ctx))
	if err != nil {
		a.signedOut(err)
		return nil, err
	}
	a.updateCached(func(s *pim.Snapshot) { s.Active, s.Pending = snap.Active, snap.Pending })
	a.remember(nil, false)
	if err := a.savePromptActive(snap); err != nil {
		snap.Warnings = append(snap.Warnings, err.Error())
	}
	return snap, nil
}

// LoadWithPrompt is Load for a command that may sign in (activate,
// deactivate): a needed sign-in opens the browser or shows a device code.
func (a *App) LoadWithPrompt(ctx context.Context, obs Observer) (*pim.Snapshot, error) {
	ctx, _ = withObserver(ctx, obs)
	return a.load(ctx)
}

func (a *App) load(ctx context.Context) (*pim.Snapshot, error) {
	if err := a.RequireAccount(); err != nil {
		return nil, err
	}
	done := a.track()
	defer done()
	snap, err := a.pim.Load(ctx)
	if err != nil {
		a.signedOut(err)
		return nil, err
	}
	favouritesFirst(snap, a.profile.Config.FavouriteRoles)
	a.mu.Lock()
	a.last = snap
	a.mu.Unlock()
	a.remember(snap, true)
	if err := a.savePrompt(snap); err != nil {
		snap.Warnings = append(snap.Warnings, err.Error())
	}
	return clone(snap), nil
}

// Activate sends the planned requests and, with wait, follows them until
// effective. What was sent is journaled before it is sent; the prompt
// state follows what PIM says.
func (a *App) Activate(ctx context.Context, reqs []pim.ActivateRequest, wait bool, obs Observer) []pim.Outcome {
	done := a.track()
	defer done()
	ctx, progress := withObserver(ctx, obs)
	outs := a.pim.Activate(ctx, reqs, pim.ActivateOptions{Wait: wait}, progress)
	for _, o := range outs {
		var pe *pim.RefusedError
		if errors.As(o.Err, &pe) {
			// PIM refused what the cached list allowed: it is stale.
			a.forgetCached()
		}
	}
	for _, o := range outs {
		var ie *pim.InterruptedError
		accepted := o.Err == nil && pim.IsAccepted(o.Status) || errors.As(o.Err, &ie) && ie.Accepted
		if o.Scheduled {
			// Nothing is active before its start: the schedule is noted,
			// never the prompt's countdown.
			x := pim.Scheduled{Eligibility: o.Target, RequestID: o.RequestID, Start: o.Sent.Start, End: o.End}
			a.updateLast(func(s *pim.Snapshot) { s.Scheduled = append(s.Scheduled, x) })
			continue
		}
		if accepted {
			a.noteActive(o.Target, o.Sent.Start, o.End)
			a.updateCached(func(s *pim.Snapshot) { setActive(s, o.Target, o.Sent.Start, o.End) })
		}
	}
	a.remember(nil, false)
	if err := a.savePrompt(a.lastSnapshot()); err != nil {
		for i := range outs {
			outs[i].Warnings = append(outs[i].Warnings, err.Error())
		}
	}
	return outs
}

// Deactivate ends an active elevation early, and refreshes pimento's
// token so it no longer carries the role.
func (a *App) Deactivate(ctx context.Context, act pim.Active, obs Observer) pim.DeactivateOutcome {
	return a.DeactivateWith(ctx, act, true, obs)
}

// DeactivateWith is Deactivate; without refresh (--no-wait) it returns
// once PIM answered, and pimento's token keeps the role until it expires.
func (a *App) DeactivateWith(ctx context.Context, act pim.Active, refresh bool, obs Observer) pim.DeactivateOutcome {
	done := a.track()
	defer done()
	ctx, progress := withObserver(ctx, obs)
	out := a.pim.DeactivateWith(ctx, act, pim.DeactivateOptions{RefreshToken: refresh, ClockUnconfirmed: !a.clock.Known()}, progress)
	defer a.remember(nil, false) // after the cached list learned the outcome
	if out.Err == nil {
		a.forgetActive(act.Eligibility)
		a.updateCached(func(s *pim.Snapshot) { dropActive(s, act.Eligibility) })
		if err := a.savePrompt(a.lastSnapshot()); err != nil {
			out.Warnings = append(out.Warnings, err.Error())
		}
	}
	return out
}

// Cancel withdraws a request that waits for approval, or a scheduled
// activation before its start (Scheduled.Request).
func (a *App) Cancel(ctx context.Context, p pim.Pending) error {
	done := a.track()
	defer done()
	if err := a.pim.Cancel(ctx, p); err != nil {
		return err
	}
	a.updateLast(func(s *pim.Snapshot) {
		kept := s.Scheduled[:0:0]
		for _, x := range s.Scheduled {
			if x.RequestID != p.RequestID {
				kept = append(kept, x)
			}
		}
		s.Scheduled = kept
	})
	return nil
}

// updateLast applies what this process learned to the last snapshot. The
// active list is changed on a copy, so a slice already handed out never
// changes under its reader.
func (a *App) updateLast(update func(*pim.Snapshot)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last != nil {
		a.last.Active = append([]pim.Active(nil), a.last.Active...)
		update(a.last)
	}
}

// RecentJustifications offers the profile's templates, then recent ones
// from the journal, newest first.
func (a *App) RecentJustifications(n int) []string {
	out := append([]string(nil), a.profile.Config.JustificationTemplates...)
	for _, j := range a.journal.RecentJustifications(n) {
		if !containsFold(out, j) {
			out = append(out, j)
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (a *App) lastSnapshot() *pim.Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// noteActive records a new (or renewed) activation in the last snapshot.
func (a *App) noteActive(e pim.Eligibility, start, end time.Time) {
	a.updateLast(func(s *pim.Snapshot) { setActive(s, e, start, end) })
}

func (a *App) forgetActive(e pim.Eligibility) {
	a.updateLast(func(s *pim.Snapshot) { dropActive(s, e) })
}

// savePromptActive writes the prompt state from a status read, keeping the
// eligible names (for completion) a full load wrote.
func (a *App) savePromptActive(snap *pim.Snapshot) error {
	withNames := *snap
	withNames.Eligible = nil
	for _, n := range state.CachedNames(a.profile.StateDir) {
		withNames.Eligible = append(withNames.Eligible, pim.Eligibility{Name: n})
	}
	return a.savePrompt(&withNames)
}

// savePrompt writes the PIM activations of snap for `pimento prompt`.
func (a *App) savePrompt(snap *pim.Snapshot) error {
	if snap == nil {
		return nil
	}
	var active []state.PromptEntry
	for _, x := range snap.Active {
		if x.Assigned {
			continue
		}
		active = append(active, state.PromptEntry{Name: x.Name, Kind: string(x.Kind), Access: x.Tag(), End: x.End})
	}
	var names []string
	seen := map[string]bool{}
	for _, e := range snap.Eligible {
		if !seen[e.Name] {
			seen[e.Name] = true
			names = append(names, e.Name)
		}
	}
	if err := a.prompt.Save(a.clock.Now(), a.clock.Offset(), active, names); err != nil {
		// A prompt that cannot be kept true must not keep showing an old
		// elevation.
		_ = a.prompt.Clear()
		return err
	}
	return nil
}

// favouritesFirst moves the profile's favourite roles to the top, in the
// order the config lists them.
func favouritesFirst(snap *pim.Snapshot, favourites []string) {
	if len(favourites) == 0 {
		return
	}
	rank := func(e pim.Eligibility) int {
		for i, f := range favourites {
			if strings.EqualFold(f, e.Name) || strings.EqualFold(f, e.RoleDefinitionID) {
				return i
			}
		}
		return len(favourites)
	}
	sort.SliceStable(snap.Eligible, func(i, j int) bool { return rank(snap.Eligible[i]) < rank(snap.Eligible[j]) })
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// clone copies the snapshot's lists, so the core can update its own copy
// while a front end reads theirs.
func clone(s *pim.Snapshot) *pim.Snapshot {
	c := *s
	c.Eligible = append([]pim.Eligibility(nil), s.Eligible...)
	c.Active = append([]pim.Active(nil), s.Active...)
	c.Pending = append([]pim.Pending(nil), s.Pending...)
	c.Scheduled = append([]pim.Scheduled(nil), s.Scheduled...)
	c.Approvals = append([]pim.Approval(nil), s.Approvals...)
	c.Warnings = append([]string(nil), s.Warnings...)
	return &c
}

// provisioningWindow is how long after an accepted activation its absence
// from PIM's list means "still provisioning", not "not active".
const provisioningWindow = 10 * time.Minute

// JustAccepted reports an activation of e that PIM accepted recently,
// according to the journal, though PIM may not list it yet: its start (the
// server's time it was sent for) and when deactivation becomes possible.
func (a *App) JustAccepted(e pim.Eligibility) (start time.Time, ok bool) {
	r, err := a.journal.Entries()
	if err != nil {
		return time.Time{}, false
	}
	now := a.clock.Now()
	for i := len(r.Entries) - 1; i >= 0; i-- {
		en := r.Entries[i]
		if en.Action == "deactivate" && entryKey(en) == e.Key() {
			return time.Time{}, false // ended since
		}
		if en.Action != "activate" || entryKey(en) != e.Key() || en.StartDateTime == nil {
			continue
		}
		accepted := pim.IsAccepted(en.Result) || strings.HasPrefix(en.Result, "accepted")
		if accepted && now.Sub(*en.StartDateTime) < provisioningWindow {
			return *en.StartDateTime, true
		}
		return time.Time{}, false
	}
	return time.Time{}, false
}

func entryKey(en state.Entry) string {
	return pim.Eligibility{
		Kind: pim.Kind(en.Kind), RoleDefinitionID: en.RoleDefinitionID, DirectoryScopeID: en.DirectoryScopeID,
		AppScopeID: en.AppScopeID, GroupID: en.GroupID, AccessID: en.AccessID, AzureScope: en.AzureScope,
	}.Key()
}
