// Package config reads pimento's config file: named profiles, each with its
// pinned admin account, tenant, cloud, client id and activation defaults.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/pimento-cli/pimento/internal/duration"
)

// File is the whole config file.
type File struct {
	DefaultProfile string             `toml:"default_profile"`
	Profiles       map[string]Profile `toml:"profiles"`
}

// Profile is one admin account or tenant.
type Profile struct {
	Account                string              `toml:"account"`
	Tenant                 string              `toml:"tenant"`
	Cloud                  string              `toml:"cloud"`
	ClientID               string              `toml:"client_id"`
	DefaultDuration        duration.Activation `toml:"default_duration"`
	FavouriteRoles         []string            `toml:"favourite_roles"`
	JustificationTemplates []string            `toml:"justification_templates"`
	ExpiryWarning          duration.Duration   `toml:"expiry_warning"`
	// Azure lists Azure resource roles beside directory roles and groups;
	// unset means yes. false skips Azure Resource Manager entirely.
	Azure *bool `toml:"azure,omitempty"`
}

// AzureEnabled reports whether the profile lists Azure resource roles.
func (p Profile) AzureEnabled() bool { return p.Azure == nil || *p.Azure }

// MaxActivation is the longest activation PIM grants for any role.
const MaxActivation = 24 * time.Hour

// Durations are the profile's duration settings (0 when unset).
func (p Profile) Durations() (defaultDuration, expiryWarning time.Duration) {
	return p.DefaultDuration.D(), p.ExpiryWarning.D()
}

// Dir is pimento's config directory (os.UserConfigDir()/pimento).
func Dir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory: %w", err)
	}
	return filepath.Join(d, "pimento"), nil
}

// Path is the config file's path; PIMENTO_CONFIG overrides it.
func Path() (string, error) {
	if p := os.Getenv("PIMENTO_CONFIG"); p != "" {
		return p, nil
	}
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "config.toml"), nil
}

var validClouds = map[string]bool{"global": true, "usgov": true, "usgovdod": true, "china": true}

var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidGUID reports whether s is a GUID, as application (client) ids are.
func ValidGUID(s string) bool { return guid.MatchString(s) }

// ValidProfileName reports whether name can be a profile (it names a
// directory, so no separators).
func ValidProfileName(name string) bool { return profileName.MatchString(name) }

// Load reads the file at path; a missing file is an empty config. Unknown
// keys and bad values are errors that name the line.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return File{Profiles: map[string]Profile{}}, nil
	}
	if err != nil {
		return File{}, err
	}
	return Parse(path, b)
}

// Parse decodes and validates config text.
func Parse(path string, b []byte) (File, error) {
	var f File
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			if pe.LastKey != "" {
				return File{}, fmt.Errorf("%s:%d: %s: %s", path, pe.Position.Line, pe.LastKey, pe.Message)
			}
			return File{}, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		// Type mismatches (`default_duration = 60`) are plain errors of the
		// form "toml: line N (last key "k"): message".
		if m := tomlTypeErr.FindStringSubmatch(err.Error()); m != nil {
			return File{}, fmt.Errorf("%s:%s: %s: %s", path, m[1], m[2], m[3])
		}
		return File{}, fmt.Errorf("%s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return File{}, fmt.Errorf("%s:%d: unknown key %q", path, lineOfKey(b, und[0]...), und[0].String())
	}
	if f.Profiles == nil {
		f.Profiles = map[string]Profile{}
	}
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := f.Profiles[n]
		at := func(key string) int { return lineOfKey(b, "profiles", n, key) }
		if !ValidProfileName(n) {
			return File{}, fmt.Errorf("%s:%d: profile name %q: use letters, digits, '.', '_' or '-'", path, lineOfKey(b, "profiles", n), n)
		}
		if p.Cloud != "" && !validClouds[p.Cloud] {
			return File{}, fmt.Errorf("%s:%d: profiles.%s.cloud = %q: use global, usgov, usgovdod or china", path, at("cloud"), n, p.Cloud)
		}
		if p.ClientID != "" && !ValidGUID(p.ClientID) {
			return File{}, fmt.Errorf("%s:%d: profiles.%s.client_id = %q: expected a GUID like 14d82eec-204b-4c2f-b7e8-296a70dab67e", path, at("client_id"), n, p.ClientID)
		}
		if p.Account != "" && !strings.Contains(p.Account, "@") {
			return File{}, fmt.Errorf("%s:%d: profiles.%s.account = %q: expected a user principal name like adm-ada@contoso.onmicrosoft.com", path, at("account"), n, p.Account)
		}
		if d := p.DefaultDuration.D(); d > MaxActivation {
			return File{}, fmt.Errorf("%s:%d: profiles.%s.default_duration = %q: PIM activates for at most 24 hours", path, at("default_duration"), n, duration.GoForm(d))
		}
	}
	if f.DefaultProfile != "" && !ValidProfileName(f.DefaultProfile) {
		return File{}, fmt.Errorf("%s:%d: default_profile = %q is not a valid profile name", path, lineOfKey(b, "default_profile"), f.DefaultProfile)
	}
	return f, nil
}

var tomlTypeErr = regexp.MustCompile(`^toml: line (\d+) \(last key "(.*)"\): (.*)$`)

// lineOfKey finds the line (1-based; 0 if none) that sets the dotted key
// path, or opens it as a [table]: it follows [table] headers and skips
// comments, so a key mentioned in a comment or set in another profile is not
// taken for it. Keys it cannot place (inline tables, say) fall back to the
// first non-comment line mentioning the last part.
func lineOfKey(b []byte, path ...string) int {
	want := strings.Join(path, ".")
	table := ""
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
			continue
		case strings.HasPrefix(t, "["):
			if end := strings.LastIndex(t, "]"); end > 0 {
				table = normKey(strings.Trim(t[:end+1], "[]"))
			}
			if table == want || strings.HasPrefix(table, want+".") {
				return i + 1
			}
		default:
			k, _, ok := strings.Cut(t, "=")
			if !ok {
				continue
			}
			full := normKey(k)
			if table != "" {
				full = table + "." + full
			}
			if full == want || strings.HasPrefix(want, full+".") {
				return i + 1
			}
		}
	}
	last := path[len(path)-1]
	for i, l := range lines {
		if t := strings.TrimSpace(l); !strings.HasPrefix(t, "#") && strings.Contains(t, last) {
			return i + 1
		}
	}
	return 0
}

// normKey turns `profiles . "work"` into profiles.work.
func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// Example is written by `pimento config edit` when no file exists.
const Example = `# pimento configuration. Profiles keep several admin accounts or tenants apart.
# Choose one with --profile NAME or PIMENTO_PROFILE.
default_profile = "default"

[profiles.default]
# account = "adm-ada@contoso.onmicrosoft.com"   # the pinned admin account
# tenant = "contoso.onmicrosoft.com"            # tenant id or domain
# cloud = "global"                              # global | usgov | usgovdod | china
# client_id = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
# default_duration = "1h"
# favourite_roles = ["Exchange Administrator"]
# justification_templates = ["Change {ticket}: "]
# expiry_warning = "10m"
# azure = true                                  # false: no Azure resource roles (no Azure Resource Manager calls)
`
