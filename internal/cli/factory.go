package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/pim"
)

// globalFlags are the flags every command shares.
type globalFlags struct {
	profile    string
	account    string
	tenant     string
	cloud      string
	clientID   string
	noPrompt   bool
	deviceCode bool
	debug      string
}

// Factory builds each dependency lazily, once, in dependency order
// (profile, then the core). Tests set the seams.
type Factory struct {
	IO    *IOStreams
	flags globalFlags
	// quiet: the TUI owns the terminal, so the core's default observer
	// says nothing and forbids prompts nobody would see.
	quiet bool
	// unpinning: logout, which must work on a damaged or conflicting pin.
	unpinning bool

	// Getenv reads the environment (tests isolate it); nil: os.Getenv.
	Getenv func(string) string
	// Transport carries sign-in and Graph traffic; nil: the system's.
	Transport http.RoundTripper
	// OpenURL opens the browser; nil: $BROWSER or the platform opener.
	OpenURL func(string) error
	// LocalNow is the PC's clock; nil: time.Now.
	LocalNow func() time.Time
	// NetworkTimeout bounds each request (0: the core's default).
	NetworkTimeout time.Duration
	// Poll bounds the wait until effective (zero: the core's default).
	Poll pim.PollConfig

	profOnce sync.Once
	prof     *profile.Profile
	profErr  error

	appOnce sync.Once
	app     *app.App
	appErr  error

	debugOnce sync.Once
	debugW    io.Writer
	debugErr  error
}

func (f *Factory) getenv(k string) string {
	if f.Getenv != nil {
		return f.Getenv(k)
	}
	return os.Getenv(k)
}

// Profile resolves the profile (flags over environment over config).
func (f *Factory) Profile() (*profile.Profile, error) {
	f.profOnce.Do(func() {
		f.prof, f.profErr = profile.Resolve(profile.Inputs{
			Profile: f.flags.profile, Account: f.flags.account, Tenant: f.flags.tenant,
			Cloud: f.flags.cloud, ClientID: f.flags.clientID, Getenv: f.getenv,
			Unpinning: f.unpinning,
		})
	})
	return f.prof, f.profErr
}

// App composes the core for the profile.
func (f *Factory) App(ctx context.Context) (*app.App, error) {
	f.appOnce.Do(func() {
		p, err := f.Profile()
		if err != nil {
			f.appErr = err
			return
		}
		debug, err := f.Debug()
		if err != nil {
			f.appErr = err
			return
		}
		var interaction auth.Interaction = &stderrObserver{w: f.IO.ErrOut, account: p.Account}
		if f.quiet {
			interaction = quietObserver{}
		}
		f.app, f.appErr = app.New(ctx, app.Config{
			Profile: p, Getenv: f.getenv, Transport: f.Transport, OpenURL: f.OpenURL,
			DeviceCode: f.flags.deviceCode, NoPrompt: f.flags.noPrompt,
			Interaction: interaction,
			LocalNow:    f.LocalNow, Debug: debug, NetworkTimeout: f.NetworkTimeout, Poll: f.Poll,
		})
		if f.appErr == nil && f.app.TokenCache().Mode == "file" {
			fmt.Fprintf(f.IO.ErrOut, "warning: tokens are stored unencrypted in %s (PIMENTO_TOKEN_CACHE=file)\n", show.Text(f.app.TokenCache().Path))
		}
	})
	return f.app, f.appErr
}

// Debug is the --debug file (nil when not asked for). A path that cannot
// be opened is an error, not a silent nothing.
func (f *Factory) Debug() (io.Writer, error) {
	f.debugOnce.Do(func() {
		if f.flags.debug == "" {
			return
		}
		fh, err := os.OpenFile(f.flags.debug, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			f.debugErr = usagef("--debug %s: %v", f.flags.debug, err)
			return
		}
		f.debugW = fh
	})
	return f.debugW, f.debugErr
}

// finishWait bounds how long the process waits at its end for requests in
// flight to be reconciled and journaled.
const finishWait = 25 * time.Second

// finish lets the core finish writing what it knows before the process
// ends (an interrupt arrives while a request is reconciled).
func (f *Factory) finish() {
	if f.app != nil && !f.app.Wait(finishWait) {
		fmt.Fprintln(f.IO.ErrOut, "pimento: a request was still in flight when pimento stopped: run `pimento status` to see what PIM did")
	}
	if c, ok := f.debugW.(io.Closer); ok {
		_ = c.Close()
	}
}
