package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

type screen int

const (
	screenSignIn screen = iota
	screenMain
	screenForm
	screenProgress
	screenApprovals // the requests to approve
	screenDecide    // the approver's justification
)

// Model is the root model: the only one that returns a tea.View.
type Model struct {
	svc    Service
	opts   Options
	keys   KeyMap
	styles *Styles
	help   help.Model

	ctx    context.Context
	cancel context.CancelFunc
	// schedule is tea.Tick; tests swap it to keep timers out of the way.
	schedule func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	width, height int
	screen        screen
	showHelp      bool

	ident   Identity
	now     time.Time
	snap    *pim.Snapshot
	loadSeq int // id of the newest load; older replies are dropped
	loading bool
	recent  []string
	renew   map[string]app.PlanInput // the journal's last activation, by key (RenewInput)

	list      list
	filter    textinput.Model
	filtering bool
	selected  map[string]bool

	confirm       *pim.Active     // waiting for y/n to deactivate
	confirmCancel *pim.Pending    // waiting for y/n to cancel a pending request
	cancelling    map[string]bool // keys whose pending request is being cancelled
	tooShort      *pim.Active     // deactivation refused for now: countdown shown

	form     *form
	inbox    inboxState
	decision *decisionForm
	signin   signinState
	op       *operation
	opSeq    int
	timeline *timeline

	// What r may send, per row key: lastSent fills the form, only lastGood
	// (the last request PIM accepted) is resent without one, and armed is
	// sent when the elevation ends.
	lastSent map[string]pim.ActivateRequest
	lastGood map[string]pim.ActivateRequest
	armed    map[string]pim.ActivateRequest
	warned   map[string]bool // key@end: banner and bell done
	ended    map[string]bool // key@end: refetch after the end done

	status    string // a success; clears itself
	statusSeq int
	notice    string   // a plain-words refusal or hint; clears on move or esc
	warnings  []string // troubles the core reported beside a result; esc clears
	err       error    // the one error path; esc dismisses

	// finishing is set when the admin quit with a request in flight: the
	// request is interrupted, and the TUI waits (bounded) for the truth
	// before it ends. exitLine is that truth, printed on stderr after.
	finishing bool
	exitLine  string
	// cutShort is set when quitting left a request without its outcome
	// (interrupted, or still waiting): the process exits 130.
	cutShort bool

	// titlePushed: the terminal's title is on its stack; titleRestored:
	// quitting popped it (title.go).
	titlePushed, titleRestored bool
}

var _ tea.Model = (*Model)(nil)

// New builds the root model. It does no I/O: Init starts loading.
func New(svc Service, opts Options) *Model {
	return newModel(context.Background(), svc, opts)
}

// newModel builds the root model under ctx: when ctx ends (SIGTERM, a
// closed terminal), every operation in flight is interrupted, so the core
// reconciles and journals it before the process ends.
func newModel(parent context.Context, svc Service, opts Options) *Model {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(parent)
	m := &Model{
		svc:        svc,
		opts:       opts,
		keys:       DefaultKeyMap(),
		help:       help.New(),
		ctx:        ctx,
		cancel:     cancel,
		schedule:   tea.Tick,
		width:      80,
		height:     24,
		ident:      svc.Identity(),
		now:        svc.Now(),
		selected:   map[string]bool{},
		cancelling: map[string]bool{},
		lastSent:   map[string]pim.ActivateRequest{},
		lastGood:   map[string]pim.ActivateRequest{},
		armed:      map[string]pim.ActivateRequest{},
		warned:     map[string]bool{},
		ended:      map[string]bool{},
	}
	m.filter = textinput.New()
	m.filter.Prompt = "/ "
	m.filter.Placeholder = "filter by name, scope or kind"
	m.filter.KeyMap.NextSuggestion.SetEnabled(false)
	m.filter.KeyMap.PrevSuggestion.SetEnabled(false)
	m.setDark(true)
	if m.ident.SignedIn() {
		m.screen = screenMain
		m.loading = true
	}
	return m
}

// Result is how the TUI ended.
type Result struct {
	// Line is one line for stderr when a request was in flight at the end
	// (what became of it), or "".
	Line string
	// CutShort is true when quitting interrupted a request before its
	// outcome was known.
	CutShort bool
}

// Run runs the TUI in the alternate screen until the admin quits or ctx
// ends.
func Run(ctx context.Context, svc Service, opts Options) (Result, error) {
	return run(ctx, svc, opts, nil, os.Stdout)
}

// run is Run on the given terminal; in nil is Bubble Tea's default (stdin,
// or the TTY).
func run(ctx context.Context, svc Service, opts Options, in io.Reader, out io.Writer) (Result, error) {
	m := newModel(ctx, svc, opts)
	defer m.cancel()
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(out)}
	if in != nil {
		popts = append(popts, tea.WithInput(in))
	}
	p := tea.NewProgram(m, popts...)
	_, err := p.Run()
	if m.titlePushed && !m.titleRestored {
		// Killed (a signal, a closed terminal): the model had no turn to
		// pop the title, so it is popped on the same output, now that
		// Bubble Tea has let go of the terminal.
		_, _ = io.WriteString(out, titleLeave)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil // a signal ended it: the caller says what is known
	}
	return Result{Line: m.exitLine, CutShort: m.cutShort}, err
}

// Init asks for the background colour, starts the clock and the first load.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{setTitleCmd(), tea.RequestBackgroundColor, m.tickCmd(), m.refreshTickCmd()}
	if m.ident.SignedIn() {
		cmds = append(cmds, m.loadCmd())
	}
	return tea.Batch(cmds...)
}

// Update routes a message to the handler of its family.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.opts.Debug != nil {
		fmt.Fprintf(m.opts.Debug, "%s %T\n", time.Now().Format("15:04:05.000"), msg)
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return m, nil
	case tea.BackgroundColorMsg:
		m.setDark(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m, m.updateKey(msg)
	case tea.PasteMsg:
		return m, m.updatePaste(msg)
	}
	return m, m.updateData(msg)
}

func (m *Model) setSize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w)
	m.filter.SetWidth(max(10, min(40, w/2)))
	if m.form != nil {
		m.form.setWidth(w)
	}
	m.list.clamp(m.listHeight())
}

func (m *Model) setDark(isDark bool) {
	m.styles = NewStyles(isDark)
	m.help.Styles = m.styles.Help
	m.filter.SetStyles(m.styles.Input)
	if m.form != nil {
		m.form.setStyles(m.styles)
	}
}

// quit cancels every operation in flight and ends the program.
func (m *Model) quit() tea.Cmd {
	if m.op != nil && m.op.kind != opSignIn && m.exitLine == "" {
		m.exitLine = "quit while a request was in flight: run `pimento status` to see what PIM did"
		m.cutShort = true
	}
	m.cancel()
	return tea.Sequence(m.restoreTitle(), tea.Quit)
}

// finishQuit is q (or the first ctrl+c) with a request in flight: the
// request is interrupted, which makes the core find out what PIM did and
// journal it, and the TUI ends once it knows, or after FinishTimeout.
func (m *Model) finishQuit() tea.Cmd {
	if m.op == nil || m.op.kind == opSignIn {
		return m.quit()
	}
	if m.finishing {
		return m.quit() // asked twice: stop waiting
	}
	m.finishing = true
	m.op.cancel()
	return m.schedule(m.opts.FinishTimeout, func(time.Time) tea.Msg { return finishTimeoutMsg{} })
}
