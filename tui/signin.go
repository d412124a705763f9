package tui

import (
	"strings"
	"time"

	"github.com/pimento-cli/pimento/auth"
	"github.com/pimento-cli/pimento/internal/show"
)

// signinState is the sign-in screen.
type signinState struct {
	deviceCode bool // the method chosen last
	busy       bool
	code       *auth.DeviceCode
	browserURL string
	err        error
}

func (m *Model) signinView(w int) string {
	st, s, id := m.styles, m.signin, m.ident
	var b []string
	b = append(b, st.SignIn.Title.Render("Sign in to pimento"), "")
	if id.Pinned != "" {
		b = append(b, st.SignIn.Hint.Render("This profile accepts only ")+st.App.HeaderValue.Render(show.Text(id.Pinned))+st.SignIn.Hint.Render("."))
	}
	switch {
	case s.busy && s.code != nil:
		b = append(b, deviceCodeView(st, *s.code, m.now, false)...)
	case s.busy && s.deviceCode:
		b = append(b, st.SignIn.Hint.Render("Asking Entra for a device code…"))
	case s.busy:
		b = append(b, st.SignIn.Hint.Render("Waiting for the browser sign-in to finish…"))
		if s.browserURL != "" {
			b = append(b, st.SignIn.Hint.Render("If no browser opened, open:"), st.SignIn.URL.Render(show.Text(s.browserURL)))
		}
	default:
		b = append(b,
			"",
			"  "+st.Help.FullKey.Render("b")+"  "+st.Help.FullDesc.Render("sign in with the browser"),
			"  "+st.Help.FullKey.Render("d")+"  "+st.Help.FullDesc.Render("sign in with a device code (SSH, headless, another device)"),
		)
	}
	if s.err != nil {
		b = append(b, "", st.App.Error.Render("Sign-in refused"))
		for _, l := range wrapWords(show.Text(s.err.Error()), w) {
			b = append(b, st.App.HeaderValue.Render(l))
		}
	}
	return strings.Join(b, "\n")
}

// deviceCodeView shows the code large, the URL whole (so it can be copied)
// and a countdown to the code's expiry. compact drops the box's inner
// blank lines.
func deviceCodeView(st *Styles, dc auth.DeviceCode, now time.Time, compact bool) []string {
	spaced := strings.Join(strings.Split(show.Text(dc.UserCode), ""), " ")
	boxStyle := st.SignIn.Box
	if compact {
		boxStyle = st.SignIn.BoxCompact
	}
	box := boxStyle.Render(st.SignIn.Code.Render(spaced))
	url := show.Text(dc.VerificationURL)
	if url == "" {
		url = "https://microsoft.com/devicelogin"
	}
	out := []string{st.SignIn.Hint.Render("On any device, open"), "  " + st.SignIn.URL.Render(url), st.SignIn.Hint.Render("and enter the code")}
	out = append(out, strings.Split(box, "\n")...)
	if !dc.ExpiresAt.IsZero() {
		left := dc.ExpiresAt.Sub(now)
		if left > 0 {
			out = append(out, st.SignIn.Countdown.Render("The code expires in "+countdown(left)+" (at "+show.Clock(dc.ExpiresAt, now)+")"))
		} else {
			out = append(out, st.App.Error.Render("The code expired: esc, then sign in again."))
		}
	}
	out = append(out, st.SignIn.Hint.Render("c copies the code · u copies the URL"))
	return out
}
