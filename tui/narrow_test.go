package tui

import (
	"strings"
	"testing"
)

// withOwnerRow adds owner access to the group beside its member access.
func withOwnerRow(f *fakeService) {
	g := f.snap.Eligible[5]
	g.AccessID = "owner"
	f.snap.Eligible = append(f.snap.Eligible, g)
}

// At 50 columns NAME keeps its width (the other columns give way first)
// and a group's member and owner rows stay apart by the access shown.
func TestNarrowListKeepsNamesAndAccess(t *testing.T) {
	f := newFake()
	withOwnerRow(f)
	h := newHarness(t, f, Options{}, 50, 20)
	var group []string
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, "SG-Prod-Break-Glass ") {
			group = append(group, l)
		}
	}
	if len(group) != 2 || !strings.Contains(group[0], "member") || !strings.Contains(group[1], "owner") {
		t.Fatalf("group rows at 50 columns:\n%s", strings.Join(group, "\n"))
	}
	h.mustShow("Global Administrator", "Helpdesk Administrator", "Privileged Role Adm")
	if c := layout(50, false); c.name < nameWidth {
		t.Fatalf("NAME is %d wide at 50 columns: %+v", c.name, c)
	}
	// Wide enough, nothing gives way.
	for w, want := range map[int]int{80: 25, 120: 39} {
		if c := layout(w, false); c.name != want || c.needs == 0 || c.max == 0 {
			t.Errorf("layout(%d, false) = %+v", w, c)
		}
	}
}

// The help explains the badges as the list shows them at this width:
// words when wide, letters when not, and where the policy went when the
// NEEDS column gave way.
func TestHelpDescribesTheBadgesTheListShows(t *testing.T) {
	cases := []struct {
		w, h      int
		list      string // Global Administrator's NEEDS cell
		help      []string
		helpLacks []string
	}{
		{120, 40, "justify ticket MFA context", []string{"justify = justification required", "context = sign-in context (step-up)"}, []string{"J = ", "J justification"}},
		{80, 24, "J T M C", []string{"J = justification required", "C = sign-in context (step-up)"}, []string{"justify ="}},
		{50, 20, "", []string{"NEEDS is hidden at this width"}, []string{"J = ", "justify ="}},
	}
	for _, c := range cases {
		h := newHarness(t, newFake(), Options{}, c.w, c.h)
		if c.list != "" {
			h.mustShow("NEEDS", c.list)
		} else {
			h.mustNotShow("NEEDS", "J T M C")
		}
		h.key("?")
		h.mustShow(c.help...)
		h.mustNotShow(c.helpLacks...)
	}
}
