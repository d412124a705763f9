package app

import (
	"time"

	"github.com/pimento-cli/pimento/pim"
)

// What the core keeps between processes so that a command can go straight
// to its one request: the last list of eligibilities with their policies
// (PIM re-checks everything it is sent, so a stale list costs a refused
// request, never a false report) and the server's clock offset.

// snapshotTTL is how long the cached list serves as the targets of a
// command that does not load first.
const snapshotTTL = pim.PolicyTTL

// offsetTTL is how long an earlier process's view of the server's clock is
// assumed before this process hears from the server.
const offsetTTL = 24 * time.Hour

type offsetRecord struct {
	Offset time.Duration `json:"offset"`
}

// assumeOffset starts the clock from the last offset observed.
func (a *App) assumeOffset() {
	var r offsetRecord
	if a.local.Get("serverOffset", offsetTTL, &r) {
		a.clock.Assume(r.Offset)
	}
}

// remember keeps snap (when a full load) and the clock's offset for the
// next process. Failing to keep them only costs that process a round trip.
func (a *App) remember(snap *pim.Snapshot, full bool) {
	if snap != nil && full {
		a.local.Put("snapshot", snap)
	}
	if a.clock.Known() {
		a.local.Put("serverOffset", offsetRecord{Offset: a.clock.Offset()})
	}
	if err := a.local.Save(); err != nil {
		a.debug.printf("local cache not saved: %v", err)
	}
}

// Cached is the list of eligibilities (with their policies) a recent load
// kept, for a command that goes straight to its request. Its active and
// pending entries are as of that load: never report from them.
func (a *App) Cached() (*pim.Snapshot, bool) {
	var snap pim.Snapshot
	if !a.local.Get("snapshot", snapshotTTL, &snap) || len(snap.Eligible) == 0 {
		return nil, false
	}
	favouritesFirst(&snap, a.profile.Config.FavouriteRoles)
	return &snap, true
}

// forgetCached drops the cached list (PIM refused what it allowed); the
// use case's remember writes it.
func (a *App) forgetCached() {
	a.local.Forget("snapshot")
}

// updateCached applies what this process learned (an activation PIM
// accepted, a deactivation, a status read) to the cached list, so the next
// command that goes straight to its request finds it. The use case's
// remember writes it, once.
func (a *App) updateCached(update func(*pim.Snapshot)) {
	var snap pim.Snapshot
	if !a.local.Get("snapshot", snapshotTTL, &snap) {
		return
	}
	update(&snap)
	a.local.Put("snapshot", &snap)
}

func setActive(snap *pim.Snapshot, e pim.Eligibility, start, end time.Time) {
	for i, x := range snap.Active {
		if x.Key() == e.Key() {
			snap.Active[i].Start, snap.Active[i].End = start, end
			return
		}
	}
	snap.Active = append(snap.Active, pim.Active{Eligibility: e, Start: start, End: end})
}

func dropActive(snap *pim.Snapshot, e pim.Eligibility) {
	kept := snap.Active[:0]
	for _, x := range snap.Active {
		if x.Key() != e.Key() {
			kept = append(kept, x)
		}
	}
	snap.Active = kept
}
