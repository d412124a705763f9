package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pimento-cli/pimento/internal/state"
)

// Pin is the admin account a profile acts as, written by the first
// sign-in and removed only by logout.
type Pin struct {
	V       int    `json:"v"`
	Account string `json:"account"`
	Tenant  string `json:"tenant,omitempty"`
}

// PinPath is the pin file of the profile.
func (p *Profile) PinPath() string { return filepath.Join(p.StateDir, "account.json") }

// Pin reads the pinned account. A missing file is "not pinned yet"; a file
// that cannot be read or understood is an error naming it, never "not
// pinned" (that would let another account in).
func (p *Profile) Pin() (Pin, error) {
	b, err := os.ReadFile(p.PinPath())
	if errors.Is(err, os.ErrNotExist) {
		return Pin{}, nil
	}
	if err != nil {
		return Pin{}, fmt.Errorf("read the pinned account in %s: %w", p.PinPath(), err)
	}
	var pin Pin
	if err := json.Unmarshal(b, &pin); err != nil || !strings.Contains(pin.Account, "@") {
		return Pin{}, &DamagedPinError{Path: p.PinPath(), Profile: p.Name}
	}
	return pin, nil
}

// DamagedPinError means the pin file exists but cannot be trusted.
type DamagedPinError struct{ Path, Profile string }

func (e *DamagedPinError) Error() string {
	return fmt.Sprintf("the pinned account file %s is damaged: delete it and sign in again with `%s`, or run `%s`", e.Path, LoginCommand(e.Profile), LogoutCommand(e.Profile))
}

// SavePin pins the profile to account. It refuses to replace a different
// pin: only logout unpins.
func (p *Profile) SavePin(account, tenant string) error {
	cur, err := p.Pin()
	if err != nil {
		return err
	}
	if cur.Account != "" && !strings.EqualFold(cur.Account, account) {
		return &PinConflictError{Profile: p.Name, Pinned: cur.Account, Requested: account, Source: "the sign-in"}
	}
	b, err := json.MarshalIndent(Pin{V: 1, Account: account, Tenant: tenant}, "", "  ")
	if err != nil {
		return err
	}
	if err := state.WriteAtomic(p.PinPath(), b); err != nil {
		return fmt.Errorf("remember the pinned account in %s: %w", p.PinPath(), err)
	}
	p.Account, p.Pinned = account, true
	if p.Tenant == "" {
		p.Tenant = tenant
	}
	return nil
}

// Unpin removes the pin (logout).
func (p *Profile) Unpin() error {
	if err := os.Remove(p.PinPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the pinned account %s: %w", p.PinPath(), err)
	}
	p.Pinned = false
	p.Account = p.Requested
	return nil
}
