// Package profile answers "who am I" for pimento: which profile is in use,
// its settings (flags over environment over config file), where its files
// live, and the admin account it is pinned to. Once a profile is pinned it
// refuses any other account; nothing can quietly re-pin it.
//
// It imports nothing heavy, so `pimento prompt` can find its state without
// loading the sign-in and Graph stacks.
package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/config"
)

// Inputs are the sources a profile is resolved from.
type Inputs struct {
	// Flags as given on the command line ("" when not given).
	Profile, Account, Tenant, Cloud, ClientID string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Unpinning resolves the profile for logout, the way out of a damaged
	// pin or a pin conflict: neither is an error then.
	Unpinning bool
}

// Profile is one admin account's settings and files.
type Profile struct {
	Name       string
	ConfigPath string
	Config     config.Profile

	StateDir string // journal, prompt state, pinned account
	CacheDir string // token cache, policy cache

	// Account is the pinned admin account, or before the first sign-in the
	// account asked for (flag, environment, config), or "".
	Account string
	// Pinned is true once a sign-in pinned the profile to Account.
	Pinned bool
	// Requested is the account named by flag, environment or config.
	Requested string

	Tenant, Cloud, ClientID string
	CacheMode               string // keyring | file | memory

	DefaultDuration time.Duration // 0: 1h, capped by each role's maximum
	ExpiryWarning   time.Duration
}

// UsageError is a bad setting: exit 2, with the fix in the message.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Resolve reads the config file and applies environment and flags.
func Resolve(in Inputs) (*Profile, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	path, err := config.Path()
	if err != nil {
		return nil, err
	}
	file, err := config.Load(path)
	if err != nil {
		return nil, usagef("%v (fix it with `pimento config edit`)", err)
	}
	p := &Profile{ConfigPath: path}
	p.Name = firstNonEmpty(in.Profile, getenv("PIMENTO_PROFILE"), file.DefaultProfile, "default")
	if !config.ValidProfileName(p.Name) {
		return nil, usagef("profile name %q: use letters, digits, '.', '_' or '-'", p.Name)
	}
	c := file.Profiles[p.Name]
	p.Config = c
	p.DefaultDuration, p.ExpiryWarning = c.Durations()
	if p.ExpiryWarning == 0 {
		p.ExpiryWarning = 10 * time.Minute
	}
	if p.StateDir, err = StateDir(p.Name); err != nil {
		return nil, err
	}
	cacheRoot, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("find the cache directory: %w", err)
	}
	p.CacheDir = filepath.Join(cacheRoot, "pimento", p.Name)

	pin, err := p.Pin()
	// For logout a damaged pin is what is to be removed, not an error.
	var damaged *DamagedPinError
	if err != nil && (!in.Unpinning || !errors.As(err, &damaged)) {
		return nil, err
	}
	p.Requested = firstNonEmpty(in.Account, getenv("PIMENTO_ACCOUNT"), c.Account)
	switch {
	case pin.Account != "" && in.Unpinning:
		p.Account, p.Pinned = pin.Account, true
	case pin.Account != "":
		p.Account, p.Pinned = pin.Account, true
		if p.Requested != "" && !strings.EqualFold(p.Requested, pin.Account) {
			return nil, &PinConflictError{Profile: p.Name, Pinned: pin.Account, Requested: p.Requested, Source: accountSource(in, getenv)}
		}
	default:
		p.Account = p.Requested
	}
	p.Tenant = firstNonEmpty(in.Tenant, getenv("PIMENTO_TENANT"), c.Tenant, pin.Tenant)
	p.Cloud = firstNonEmpty(in.Cloud, getenv("PIMENTO_CLOUD"), c.Cloud, "global")
	p.ClientID = firstNonEmpty(in.ClientID, getenv("PIMENTO_CLIENT_ID"), c.ClientID)
	if p.ClientID != "" && !config.ValidGUID(p.ClientID) {
		return nil, usagef("client id %q is not an application (client) id: expected a GUID like 14d82eec-204b-4c2f-b7e8-296a70dab67e", p.ClientID)
	}
	p.CacheMode = firstNonEmpty(getenv("PIMENTO_TOKEN_CACHE"), "keyring")
	switch p.CacheMode {
	case "keyring", "file", "memory":
	default:
		return nil, usagef("PIMENTO_TOKEN_CACHE must be keyring, file or memory (got %q)", p.CacheMode)
	}
	return p, nil
}

func accountSource(in Inputs, getenv func(string) string) string {
	switch {
	case strings.TrimSpace(in.Account) != "":
		return "--account"
	case strings.TrimSpace(getenv("PIMENTO_ACCOUNT")) != "":
		return "PIMENTO_ACCOUNT"
	default:
		return "the config's account"
	}
}

// PinConflictError means another account was asked for than the one the
// profile is pinned to: exit 4, nothing done.
type PinConflictError struct {
	Profile, Pinned, Requested, Source string
}

func (e *PinConflictError) Error() string {
	return fmt.Sprintf("profile %s is pinned to %s, but %s names %s: pimento acts only as the pinned account; run `%s` to unpin it, or use another --profile",
		e.Profile, e.Pinned, e.Source, e.Requested, LogoutCommand(e.Profile))
}

// LoginCommand is the command that signs in to profile name.
func LoginCommand(name string) string { return withProfile("pimento login", name) }

// LogoutCommand is the command that unpins profile name.
func LogoutCommand(name string) string { return withProfile("pimento logout", name) }

func withProfile(cmd, name string) string {
	if name != "" && name != "default" {
		cmd += " --profile " + name
	}
	return cmd
}

// StateDir is where a profile's journal, prompt state and pinned account
// live: $XDG_STATE_HOME/pimento/NAME (~/.local/state on Unix), the local
// app data folder on Windows, Application Support on macOS.
func StateDir(name string) (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pimento", name), nil
	}
	if runtime.GOOS == "windows" {
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "pimento", "state", name), nil
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home directory: %w", err)
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Application Support", "pimento", "state", name), nil
	}
	return filepath.Join(home, ".local", "state", "pimento", name), nil
}

// Name is the profile `pimento prompt` uses: PIMENTO_PROFILE, else the
// config's default_profile, else "default". A config it cannot read is
// the default profile: a prompt never fails loudly.
func Name() string {
	if n := os.Getenv("PIMENTO_PROFILE"); n != "" {
		return n
	}
	if p, err := config.Path(); err == nil {
		if f, err := config.Load(p); err == nil && f.DefaultProfile != "" {
			return f.DefaultProfile
		}
	}
	return "default"
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if s := strings.TrimSpace(v); s != "" {
			return s
		}
	}
	return ""
}
