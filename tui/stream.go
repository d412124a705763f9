package tui

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/app"
	"github.com/pimento-cli/pimento/pim"
)

// An operation is a long service call (sign-in, activation, deactivation)
// whose callbacks stream into Bubble Tea through a channel: the call runs in
// one tea.Cmd, and waitFor relays the channel one message at a time, so
// events arrive in order and the final message comes last.
type operation struct {
	id     int
	kind   opKind
	ch     chan tea.Msg
	cancel context.CancelFunc
}

type opKind int

const (
	opSignIn opKind = iota
	opActivate
	opDeactivate
	opRenew // deactivate, then activate again
)

// Messages streamed by an operation. op ties each to its operation so that
// replies of a cancelled one are dropped.
type (
	deviceCodeMsg struct {
		op     int
		code   auth.DeviceCode
		claims string
	}
	browserOpenedMsg struct {
		op          int
		url, claims string
	}
	progressMsg struct {
		op int
		ev pim.Event
	}
	signedInMsg struct {
		op   int
		acct auth.Account
		err  error
	}
	activatedMsg struct {
		op       int
		outcomes []pim.Outcome
	}
	deactivatedMsg struct {
		op      int
		outcome pim.DeactivateOutcome
	}
	renewedMsg struct {
		op      int
		outcome pim.RenewOutcome
	}
)

// bridge is the auth.Interaction and progress sink handed to the service.
type bridge struct {
	ctx context.Context
	op  int
	ch  chan<- tea.Msg
	g   *sendGuard
}

// sendGuard lets a callback that arrives after its operation ended (a
// late sign-in prompt, say) be dropped instead of sending on a closed channel.
type sendGuard struct {
	mu     sync.Mutex
	closed bool
}

var _ app.Observer = bridge{}

func (b bridge) send(msg tea.Msg) {
	b.g.mu.Lock()
	defer b.g.mu.Unlock()
	if b.g.closed || b.ctx.Err() != nil {
		return
	}
	select {
	case b.ch <- msg:
	case <-b.ctx.Done():
	}
}

// sendFinal delivers the operation's result. The model reads it as long as
// the operation is current; a superseded one gives up after a while.
func (b bridge) sendFinal(msg tea.Msg) {
	b.g.mu.Lock()
	defer b.g.mu.Unlock()
	if b.g.closed {
		return
	}
	select {
	case b.ch <- msg:
	case <-time.After(time.Minute):
	}
}

// close ends the operation's stream; later sends are dropped.
func (b bridge) close() {
	b.g.mu.Lock()
	defer b.g.mu.Unlock()
	if !b.g.closed {
		b.g.closed = true
		close(b.ch)
	}
}

func (b bridge) BrowserOpened(url, claims string) {
	b.send(browserOpenedMsg{op: b.op, url: url, claims: claims})
}

func (b bridge) DeviceCodeShown(dc auth.DeviceCode, claims string) {
	b.send(deviceCodeMsg{op: b.op, code: dc, claims: claims})
}

func (b bridge) Progress(ev pim.Event) { b.send(progressMsg{op: b.op, ev: ev}) }

// startOp starts run as the one operation in flight. run's result is the
// operation's final message.
func (m *Model) startOp(kind opKind, run func(ctx context.Context, b bridge) tea.Msg) tea.Cmd {
	if m.op != nil {
		m.op.cancel()
	}
	m.opSeq++
	ctx, cancel := context.WithCancel(m.ctx)
	ch := make(chan tea.Msg, 8)
	m.op = &operation{id: m.opSeq, kind: kind, ch: ch, cancel: cancel}
	b := bridge{ctx: ctx, op: m.opSeq, ch: ch, g: &sendGuard{}}
	call := func() tea.Msg {
		defer b.close()
		// The final message goes through even when the operation was
		// interrupted: it is what the admin waits for when quitting.
		b.sendFinal(run(ctx, b))
		return nil
	}
	return tea.Batch(call, waitFor(ch))
}

// waitFor relays the next message of an operation.
func waitFor(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// current reports whether a streamed message belongs to the operation in
// flight, and if so returns the command that waits for the next one.
func (m *Model) current(op int) (bool, tea.Cmd) {
	if m.op == nil || m.op.id != op {
		return false, nil
	}
	return true, waitFor(m.op.ch)
}

// inFlight reports whether key is a target of the request in flight: the
// operation's timeline names them, and nothing is in flight once it ended.
func (m *Model) inFlight(key string) bool {
	if m.op == nil || m.op.kind == opSignIn || m.timeline == nil {
		return false
	}
	for _, tr := range m.timeline.tracks {
		if tr.target.Key() == key {
			return true
		}
	}
	return false
}

// stillRunning is the notice esc leaves on the list while a request runs.
const stillRunning = "Still running: p shows the progress."

// endOp forgets the operation once its final message arrived, and the
// notice that said it was still running.
func (m *Model) endOp(op int) {
	if m.op != nil && m.op.id == op {
		m.op.cancel()
		m.op = nil
		if m.notice == stillRunning {
			m.notice = ""
		}
	}
}
