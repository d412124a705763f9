package pim

import (
	"context"
	"fmt"
	"strings"
)

// Finding is one admin-account hygiene warning.
type Finding struct {
	Check   string `json:"check"` // onPremisesSync | licensed | noAlternateEmail
	Message string `json:"message"`
}

// Hygiene checks the account against the separate-admin-account guidance.
func Hygiene(me Me) []Finding {
	var out []Finding
	if me.OnPremisesSyncEnabled {
		out = append(out, Finding{"onPremisesSync", "the account is synced from on-premises Active Directory: a breached domain can take it over; use a cloud-only admin account"})
	}
	if me.LicenseCount > 0 {
		out = append(out, Finding{"licensed", fmt.Sprintf("the account has %d licence(s): a mailbox and Teams make an admin account phishable; remove them", me.LicenseCount)})
	}
	if len(me.OtherMails) == 0 {
		hint := "name+adm@contoso.com"
		if i := strings.IndexByte(me.UserPrincipalName, '@'); i > 0 {
			hint = strings.TrimPrefix(me.UserPrincipalName[:i], "adm-") + "+adm@" + me.UserPrincipalName[i+1:]
		}
		out = append(out, Finding{"noAlternateEmail", "no alternate email (otherMails): PIM notifications reach nobody; add your daily mailbox with plus addressing, e.g. " + hint})
	}
	return out
}

// Me reads the signed-in account from Graph.
func (s *Service) Me(ctx context.Context) (Me, error) {
	u, err := s.graph.me().Get(ctx, nil)
	if err != nil {
		return Me{}, wrapf(err, "read your account from Graph")
	}
	me := Me{
		ID: deref(u.GetId()), UserPrincipalName: deref(u.GetUserPrincipalName()), DisplayName: deref(u.GetDisplayName()),
		Mail: deref(u.GetMail()), OtherMails: u.GetOtherMails(), OnPremisesSyncEnabled: deref(u.GetOnPremisesSyncEnabled()),
		LicenseCount: len(u.GetAssignedLicenses()),
	}
	s.mu.Lock()
	s.me = me
	s.mu.Unlock()
	return me, nil
}
