package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/duration"
	"github.com/pimento-cli/pimento/internal/duration/durationtest"
)

// isolate points every place the config could come from into a fresh
// temporary directory, so a developer's real config never leaks in.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	t.Setenv("APPDATA", filepath.Join(home, "appdata")) // os.UserConfigDir on Windows
	t.Setenv("PIMENTO_CONFIG", "")
	return home
}

func write(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const valid = `# two admin accounts
default_profile = "work"

[profiles.work]
account = "adm-ada@contoso.onmicrosoft.com"
tenant = "contoso.onmicrosoft.com"
cloud = "global"
client_id = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
default_duration = "1h"
favourite_roles = ["Exchange Administrator", "Security Reader"]
justification_templates = ["Change {ticket}: "]
expiry_warning = "10m"

[profiles.gov]
account = "adm-ada@fabrikam.onmicrosoft.us"
cloud = "usgov"
default_duration = "90m"
`

func TestLoadValidFile(t *testing.T) {
	dir := isolate(t)
	f, err := Load(write(t, dir, valid))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if f.DefaultProfile != "work" {
		t.Errorf("DefaultProfile = %q, want work", f.DefaultProfile)
	}
	if len(f.Profiles) != 2 {
		t.Fatalf("got %d profiles, want 2: %+v", len(f.Profiles), f.Profiles)
	}
	want := Profile{
		Account:                "adm-ada@contoso.onmicrosoft.com",
		Tenant:                 "contoso.onmicrosoft.com",
		Cloud:                  "global",
		ClientID:               "14d82eec-204b-4c2f-b7e8-296a70dab67e",
		DefaultDuration:        duration.Activation(time.Hour),
		FavouriteRoles:         []string{"Exchange Administrator", "Security Reader"},
		JustificationTemplates: []string{"Change {ticket}: "},
		ExpiryWarning:          duration.Duration(10 * time.Minute),
	}
	if got := f.Profiles["work"]; !reflect.DeepEqual(got, want) {
		t.Errorf("profiles.work =\n %+v\nwant\n %+v", got, want)
	}
	d, w := f.Profiles["work"].Durations()
	if d != time.Hour || w != 10*time.Minute {
		t.Errorf("work Durations() = %v, %v; want 1h, 10m", d, w)
	}
	gov := f.Profiles["gov"]
	if gov.Cloud != "usgov" || gov.Account != "adm-ada@fabrikam.onmicrosoft.us" {
		t.Errorf("profiles.gov = %+v", gov)
	}
	if d, w := gov.Durations(); d != 90*time.Minute || w != 0 {
		t.Errorf("gov Durations() = %v, %v; want 1h30m, 0 (unset)", d, w)
	}
}

func TestExampleParses(t *testing.T) {
	f, err := Parse("example.toml", []byte(Example))
	if err != nil {
		t.Fatalf("the example written by `config edit` does not parse: %v", err)
	}
	if f.DefaultProfile != "default" {
		t.Errorf("DefaultProfile = %q, want default", f.DefaultProfile)
	}
	if _, ok := f.Profiles["default"]; !ok {
		t.Errorf("example has no [profiles.default]: %+v", f.Profiles)
	}
}

func TestEmptyAndMissingFile(t *testing.T) {
	dir := isolate(t)

	f, err := Load(filepath.Join(dir, "does-not-exist.toml"))
	if err != nil {
		t.Fatalf("missing file: %v", err)
	}
	if f.DefaultProfile != "" || f.Profiles == nil || len(f.Profiles) != 0 {
		t.Errorf("missing file gave %+v, want an empty config with a non-nil Profiles map", f)
	}

	f, err = Load(write(t, dir, "# nothing here yet\n"))
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	if f.Profiles == nil || len(f.Profiles) != 0 {
		t.Errorf("empty file gave %+v, want an empty config with a non-nil Profiles map", f)
	}
}

func TestLoadUnreadableIsAnError(t *testing.T) {
	dir := isolate(t)
	// A directory where the file should be: not "missing", so not empty.
	if _, err := Load(dir); err == nil {
		t.Fatal("Load(a directory) succeeded, want an error")
	}
}

// TestErrorsNameTheLine: every rejected file gives "path:line: ..." with the
// line the problem is on, and says what was wrong.
func TestErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name     string
		text     string
		line     int
		contains []string
	}{
		{
			name:     "unknown top-level key",
			text:     "default_profile = \"work\"\ndefault_profle = \"x\"\n",
			line:     2,
			contains: []string{"unknown key", "default_profle"},
		},
		{
			name: "unknown key in a profile",
			text: `[profiles.work]
account = "adm-ada@contoso.onmicrosoft.com"
favorite_roles = ["Exchange Administrator"]
`,
			line:     3,
			contains: []string{"unknown key", "profiles.work.favorite_roles"},
		},
		{
			name: "unknown key mentioned in an earlier comment",
			text: `# note: favorite_roles is the American spelling
[profiles.work]
favorite_roles = ["Exchange Administrator"]
`,
			line:     3,
			contains: []string{"unknown key", "favorite_roles"},
		},
		{
			name: "misspelt table",
			text: `default_profile = "work"

[profile.work]
cloud = "global"
`,
			line:     3,
			contains: []string{"unknown key", `"profile.work"`},
		},
		{
			name: "unknown key sharing a prefix with a known one",
			text: `[profiles.work]
# account_name is not a setting
account = "adm-ada@contoso.onmicrosoft.com"
account_name = "Ada"
`,
			line:     4,
			contains: []string{"unknown key", "profiles.work.account_name"},
		},
		{
			name: "bad cloud",
			text: `[profiles.work]
account = "adm-ada@contoso.onmicrosoft.com"
cloud = "azure-mars"
`,
			line:     3,
			contains: []string{"profiles.work.cloud", "azure-mars", "global"},
		},
		{
			name: "bad cloud in the second of two profiles",
			text: `[profiles.a]
cloud = "global"

[profiles.b]
tenant = "fabrikam.onmicrosoft.com"
cloud = "Global"
`,
			line:     6,
			contains: []string{"profiles.b.cloud", `"Global"`},
		},
		{
			name: "bad cloud in a quoted profile name with a dot",
			text: `[profiles."gov.us"]
# cloud = "usgov" is what you want here
cloud = "usgovt"
`,
			line:     3,
			contains: []string{"profiles.gov.us.cloud", "usgovt"},
		},
		{
			name: "bad value set with a dotted key",
			text: `default_profile = "work"
profiles.work.cloud = "moon"
`,
			line:     2,
			contains: []string{"profiles.work.cloud", "moon"},
		},
		{
			name: "account that is not a UPN",
			text: `[profiles.work]
tenant = "contoso.onmicrosoft.com"
account = "adm-ada"
`,
			line:     3,
			contains: []string{"profiles.work.account", "adm-ada", "user principal name"},
		},
		{
			name: "unparseable default_duration",
			text: `[profiles.work]
default_duration = "an hour"
`,
			line:     2,
			contains: []string{"profiles.work.default_duration", "an hour", "duration"},
		},
		{
			name: "zero default_duration",
			text: `[profiles.work]
cloud = "china"
default_duration = "0s"
`,
			line:     3,
			contains: []string{"profiles.work.default_duration", "0s"},
		},
		{
			name: "negative expiry_warning",
			text: `[profiles.work]
default_duration = "1h"
expiry_warning = "-5m"
`,
			line:     3,
			contains: []string{"profiles.work.expiry_warning", "-5m"},
		},
		{
			name: "duration given as a number",
			text: `[profiles.work]
default_duration = 60
`,
			line:     2,
			contains: []string{"default_duration"},
		},
		{
			name: "profile name with a path separator",
			text: `[profiles.ok]
cloud = "global"
[profiles."../evil"]
cloud = "global"
`,
			line:     3,
			contains: []string{"profile name", "../evil"},
		},
		{
			name:     "bad default_profile",
			text:     "# comment\ndefault_profile = \"a/b\"\n",
			line:     2,
			contains: []string{"default_profile", "a/b"},
		},
		{
			name:     "TOML syntax error",
			text:     "[profiles.work]\naccount = \"adm-ada@contoso.onmicrosoft.com\"\ncloud = global\n",
			line:     3,
			contains: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := isolate(t)
			p := write(t, dir, tc.text)
			f, err := Load(p)
			if err == nil {
				t.Fatalf("Load succeeded with %+v, want an error", f)
			}
			msg := err.Error()
			prefix := p + ":" + strconv.Itoa(tc.line) + ":"
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q does not start with %q", msg, prefix)
			}
			for _, s := range tc.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %q", msg, s)
				}
			}
		})
	}
}

func TestValidProfileName(t *testing.T) {
	for name, want := range map[string]bool{
		"default":               true,
		"work-2":                true,
		"gov.us":                true,
		"a_b":                   true,
		"":                      false,
		"-leading":              false,
		".hidden":               false,
		"a/b":                   false,
		`a\b`:                   false,
		"has space":             false,
		"..":                    false,
		strings.Repeat("x", 64): true,
		strings.Repeat("x", 65): false,
	} {
		if got := ValidProfileName(name); got != want {
			t.Errorf("ValidProfileName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestPathHonoursPimentoConfig(t *testing.T) {
	dir := isolate(t)
	override := filepath.Join(dir, "elsewhere", "pimento.toml")
	t.Setenv("PIMENTO_CONFIG", override)
	p, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	if p != override {
		t.Errorf("Path() = %q, want the PIMENTO_CONFIG override %q", p, override)
	}

	// And Load reads it from there.
	if err := os.MkdirAll(filepath.Dir(override), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(override, []byte("default_profile = \"from-override\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.DefaultProfile != "from-override" {
		t.Errorf("DefaultProfile = %q, want from-override", f.DefaultProfile)
	}
}

func TestPathDefaultsToUserConfigDir(t *testing.T) {
	isolate(t)
	ucd, err := os.UserConfigDir()
	if err != nil {
		t.Skipf("no user config dir on this platform: %v", err)
	}
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(ucd, "pimento"); d != want {
		t.Errorf("Dir() = %q, want %q", d, want)
	}
	p, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(ucd, "pimento", "config.toml"); p != want {
		t.Errorf("Path() = %q, want %q", p, want)
	}
	// The isolated directories are in use, not the developer's own.
	if home := os.Getenv("HOME"); !strings.HasPrefix(p, home) {
		t.Errorf("Path() = %q escapes the isolated HOME %q", p, home)
	}
}

// TestConfigDurationsUseTheSharedGrammar runs the one duration table through
// the config file: what the CLI and the TUI accept, the config accepts.
func TestConfigDurationsUseTheSharedGrammar(t *testing.T) {
	for _, c := range durationtest.Activation {
		f, err := Parse("config.toml", []byte("[profiles.work]\ndefault_duration = \""+strings.ReplaceAll(c.In, `"`, `\"`)+"\"\n"))
		switch {
		case c.Want == 0 && err == nil:
			t.Errorf("default_duration = %q accepted as %v", c.In, f.Profiles["work"].DefaultDuration.D())
		case c.Want != 0 && c.Want <= MaxActivation && (err != nil || f.Profiles["work"].DefaultDuration.D() != c.Want):
			t.Errorf("default_duration = %q: %v, %v; want %v", c.In, f.Profiles["work"].DefaultDuration.D(), err, c.Want)
		}
	}
	if _, err := Parse("config.toml", []byte("[profiles.work]\ndefault_duration = \"999h\"\n")); err == nil || !strings.Contains(err.Error(), "24 hours") || !strings.Contains(err.Error(), "config.toml:2") {
		t.Errorf("999h: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("default_profile = \"work\"\n[profiles.work]\naccount = \"adm@contoso.com\"\ndefault_duration = \"PT1H\"\n"))
	f.Add([]byte("[profiles.\"../x\"]\ncloud = 1\n"))
	f.Add([]byte("[profiles.w]\ndefault_duration = \"P110000D\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("fuzz.toml", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for name, p := range file.Profiles {
			if !ValidProfileName(name) {
				t.Fatalf("profile %q accepted", name)
			}
			if d := p.DefaultDuration.D(); d != 0 && (d < 5*time.Minute || d > MaxActivation) {
				t.Fatalf("default_duration %v accepted", d)
			}
		}
	})
}

func TestAzureKey(t *testing.T) {
	f, err := Parse("c.toml", []byte("[profiles.work]\nazure = false\n[profiles.home]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Profiles["work"].AzureEnabled() || !f.Profiles["home"].AzureEnabled() {
		t.Errorf("azure = false must switch Azure off, unset must leave it on: %+v", f.Profiles)
	}
	if _, err := Parse("c.toml", []byte("[profiles.work]\nazure = \"no\"\n")); err == nil || !strings.Contains(err.Error(), "azure") {
		t.Errorf("a bad value must name the key: %v", err)
	}
}
