package profile_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/sim/simtest"
)

func resolve(t *testing.T, in profile.Inputs, env map[string]string) (*profile.Profile, error) {
	t.Helper()
	in.Getenv = func(k string) string { return env[k] }
	return profile.Resolve(in)
}

func TestPinIsRememberedAndEnforced(t *testing.T) {
	simtest.Isolate(t)
	t.Setenv("PIMENTO_CONFIG", "")
	p, err := resolve(t, profile.Inputs{}, nil)
	if err != nil || p.Pinned || p.Account != "" {
		t.Fatalf("fresh profile: %+v %v", p, err)
	}
	if err := p.SavePin("adm-a@contoso.com", "contoso.com"); err != nil {
		t.Fatal(err)
	}
	// A new process sees the pin.
	p, err = resolve(t, profile.Inputs{}, nil)
	if err != nil || !p.Pinned || p.Account != "adm-a@contoso.com" || p.Tenant != "contoso.com" {
		t.Fatalf("after pinning: %+v %v", p, err)
	}
	// Flag, environment and config name another account: refused, naming both and the way out.
	for _, tc := range []struct {
		in  profile.Inputs
		env map[string]string
		src string
	}{
		{profile.Inputs{Account: "adm-b@contoso.com"}, nil, "--account"},
		{profile.Inputs{}, map[string]string{"PIMENTO_ACCOUNT": "adm-b@contoso.com"}, "PIMENTO_ACCOUNT"},
	} {
		_, err := resolve(t, tc.in, tc.env)
		var pc *profile.PinConflictError
		if !errors.As(err, &pc) {
			t.Fatalf("%s: err = %v", tc.src, err)
		}
		msg := err.Error()
		for _, want := range []string{"adm-a@contoso.com", "adm-b@contoso.com", tc.src, "pimento logout", "--profile"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q lacks %q", tc.src, msg, want)
			}
		}
	}
	// The same account, in another case, is fine.
	if _, err := resolve(t, profile.Inputs{Account: "ADM-A@contoso.com"}, nil); err != nil {
		t.Errorf("same account: %v", err)
	}
	// A pin is never replaced by another account, only by logout.
	if err := p.SavePin("adm-b@contoso.com", ""); err == nil {
		t.Error("SavePin replaced the pin with another account")
	}
	if err := p.Unpin(); err != nil {
		t.Fatal(err)
	}
	if p, err := resolve(t, profile.Inputs{Account: "adm-b@contoso.com"}, nil); err != nil || p.Pinned || p.Account != "adm-b@contoso.com" {
		t.Errorf("after logout: %+v %v", p, err)
	}
}

func TestDamagedPinIsAnErrorNamingTheFile(t *testing.T) {
	simtest.Isolate(t)
	t.Setenv("PIMENTO_CONFIG", "")
	p, err := resolve(t, profile.Inputs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(p.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"account": "adm-a@contoso`, `{}`, "\x00\x01"} {
		if err := os.WriteFile(p.PinPath(), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := resolve(t, profile.Inputs{}, nil)
		if err == nil || !strings.Contains(err.Error(), p.PinPath()) {
			t.Errorf("pin %q: err = %v", body, err)
		}
	}
}

func TestBadTokenCacheModeIsUsage(t *testing.T) {
	simtest.Isolate(t)
	t.Setenv("PIMENTO_CONFIG", "")
	_, err := resolve(t, profile.Inputs{}, map[string]string{"PIMENTO_TOKEN_CACHE": "plaintext"})
	var ue *profile.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "keyring, file or memory") {
		t.Errorf("err = %v", err)
	}
}
