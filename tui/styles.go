package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// palette is the handful of semantic colours every style derives from.
type palette struct {
	Text, Subtle, Muted    color.Color
	Primary, Accent        color.Color
	Success, Warning, Fail color.Color
	Border, SelectedBg     color.Color
	BannerBg, BannerFg     color.Color
}

func newPalette(isDark bool) palette {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	return palette{
		Text:       ld(c("#1F2328"), c("#E6EDF3")),
		Subtle:     ld(c("#57606A"), c("#9DA7B3")),
		Muted:      ld(c("#8C959F"), c("#6E7681")),
		Primary:    ld(c("#5A32A3"), c("#B392F0")),
		Accent:     ld(c("#0969DA"), c("#58A6FF")),
		Success:    ld(c("#1A7F37"), c("#3FB950")),
		Warning:    ld(c("#9A6700"), c("#D29922")),
		Fail:       ld(c("#CF222E"), c("#F85149")),
		Border:     ld(c("#D0D7DE"), c("#30363D")),
		SelectedBg: ld(c("#EAEEF2"), c("#21262D")),
		BannerBg:   ld(c("#FFF8C5"), c("#3B2E00")),
		BannerFg:   ld(c("#4D2D00"), c("#F2CC60")),
	}
}

// Styles is the one style sheet of the TUI. Components take what they need
// from it and never build colours themselves.
type Styles struct {
	App struct {
		Title, HeaderKey, HeaderValue, HeaderWarn lipgloss.Style
		SimBanner, ExpiryBanner                   lipgloss.Style
		Status, Error, Notice                     lipgloss.Style
	}
	List struct {
		Name, Scope, Max, Badge, Muted       lipgloss.Style
		Selected, Cursor, Mark               lipgloss.Style
		Active, Expiring, Pending, Busy, Dim lipgloss.Style
		Header, Empty                        lipgloss.Style
	}
	Detail struct {
		Rule, Title, Label, Value, Hint lipgloss.Style
	}
	Form struct {
		Title, Label, FocusedLabel, Hint, Error, Preset, PresetOn lipgloss.Style
		OK                                                        lipgloss.Style
	}
	Progress struct {
		Title, Done, Current, Todo, Fail, Pending, Verified, Time, Detail, Next lipgloss.Style
	}
	SignIn struct {
		Box, Code, URL, Countdown, Title, Hint lipgloss.Style
		BoxCompact                             lipgloss.Style // Box without its inner blank lines
	}
	Confirm lipgloss.Style
	Help    help.Styles
	Input   textinput.Styles
}

// NewStyles builds the style sheet for a dark or light background.
func NewStyles(isDark bool) *Styles {
	p := newPalette(isDark)
	n := lipgloss.NewStyle
	s := &Styles{}

	s.App.Title = n().Foreground(p.Primary).Bold(true)
	s.App.HeaderKey = n().Foreground(p.Muted)
	s.App.HeaderValue = n().Foreground(p.Text)
	s.App.HeaderWarn = n().Foreground(p.Warning).Bold(true)
	s.App.SimBanner = n().Foreground(p.BannerFg).Background(p.BannerBg).Bold(true)
	s.App.ExpiryBanner = n().Foreground(p.BannerFg).Background(p.BannerBg)
	s.App.Status = n().Foreground(p.Success)
	s.App.Error = n().Foreground(p.Fail).Bold(true)
	s.App.Notice = n().Foreground(p.Warning)

	s.List.Name = n().Foreground(p.Text)
	s.List.Scope = n().Foreground(p.Subtle)
	s.List.Max = n().Foreground(p.Subtle)
	s.List.Badge = n().Foreground(p.Accent)
	s.List.Muted = n().Foreground(p.Muted)
	s.List.Selected = n().Background(p.SelectedBg)
	s.List.Cursor = n().Foreground(p.Primary).Bold(true)
	s.List.Mark = n().Foreground(p.Primary).Bold(true)
	s.List.Active = n().Foreground(p.Success).Bold(true)
	s.List.Expiring = n().Foreground(p.Warning).Bold(true)
	s.List.Pending = n().Foreground(p.Warning)
	s.List.Busy = n().Foreground(p.Accent)
	s.List.Dim = n().Foreground(p.Muted)
	s.List.Header = n().Foreground(p.Muted).Bold(true)
	s.List.Empty = n().Foreground(p.Muted).Italic(true)

	s.Detail.Rule = n().Foreground(p.Border)
	s.Detail.Title = n().Foreground(p.Text).Bold(true)
	s.Detail.Label = n().Foreground(p.Muted)
	s.Detail.Value = n().Foreground(p.Text)
	s.Detail.Hint = n().Foreground(p.Subtle)

	s.Form.Title = n().Foreground(p.Primary).Bold(true)
	s.Form.Label = n().Foreground(p.Subtle)
	s.Form.FocusedLabel = n().Foreground(p.Primary).Bold(true)
	s.Form.Hint = n().Foreground(p.Muted)
	s.Form.Error = n().Foreground(p.Fail)
	s.Form.Preset = n().Foreground(p.Subtle).Padding(0, 1)
	s.Form.PresetOn = n().Foreground(p.Primary).Background(p.SelectedBg).Bold(true).Padding(0, 1)
	s.Form.OK = n().Foreground(p.Success)

	s.Progress.Title = n().Foreground(p.Text).Bold(true)
	s.Progress.Done = n().Foreground(p.Success)
	s.Progress.Current = n().Foreground(p.Accent)
	s.Progress.Todo = n().Foreground(p.Muted)
	s.Progress.Fail = n().Foreground(p.Fail).Bold(true)
	s.Progress.Pending = n().Foreground(p.Warning).Bold(true)
	s.Progress.Verified = n().Foreground(p.Success).Bold(true)
	s.Progress.Time = n().Foreground(p.Muted)
	s.Progress.Detail = n().Foreground(p.Subtle)
	s.Progress.Next = n().Foreground(p.Text)

	s.SignIn.Box = n().Border(lipgloss.DoubleBorder()).BorderForeground(p.Primary).Padding(1, 4)
	s.SignIn.BoxCompact = s.SignIn.Box.Padding(0, 4)
	s.SignIn.Code = n().Foreground(p.Primary).Bold(true)
	s.SignIn.URL = n().Foreground(p.Accent).Underline(true)
	s.SignIn.Countdown = n().Foreground(p.Warning)
	s.SignIn.Title = n().Foreground(p.Text).Bold(true)
	s.SignIn.Hint = n().Foreground(p.Subtle)

	s.Confirm = n().Foreground(p.Warning).Bold(true)

	s.Help = help.DefaultStyles(isDark)
	s.Help.ShortKey = n().Foreground(p.Subtle)
	s.Help.ShortDesc = n().Foreground(p.Muted)
	s.Help.ShortSeparator = n().Foreground(p.Border)
	s.Help.FullKey = n().Foreground(p.Primary)
	s.Help.FullDesc = n().Foreground(p.Subtle)
	s.Help.FullSeparator = n().Foreground(p.Border)
	s.Help.Ellipsis = n().Foreground(p.Muted)

	s.Input = textinput.DefaultStyles(isDark)
	s.Input.Focused.Text = n().Foreground(p.Text)
	s.Input.Focused.Prompt = n().Foreground(p.Primary)
	s.Input.Focused.Placeholder = n().Foreground(p.Muted)
	s.Input.Blurred.Text = n().Foreground(p.Subtle)
	s.Input.Blurred.Prompt = n().Foreground(p.Muted)
	s.Input.Blurred.Placeholder = n().Foreground(p.Muted)
	s.Input.Cursor.Color = p.Primary
	s.Input.Cursor.Blink = false // a static cursor: no blink ticks, stable frames
	return s
}
