package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/config"
	"github.com/pimento-cli/pimento/internal/profile"
	"github.com/pimento-cli/pimento/internal/show"
	"github.com/pimento-cli/pimento/internal/state"
)

// Prompt is the light start of `pimento prompt`: read the local state,
// render, exit. No network, no sign-in stack, nothing printed when nothing
// is active.
func Prompt(out io.Writer) int {
	name := profile.Name()
	if !config.ValidProfileName(name) {
		return exitUsage
	}
	dir, err := profile.StateDir(name)
	if err != nil {
		return exitFailure
	}
	if seg := state.Segment(state.PromptPath(dir), time.Now()); seg != "" {
		fmt.Fprint(out, seg)
	}
	return exitOK
}

// NewCmdPrompt builds `pimento prompt`.
func NewCmdPrompt(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "prompt",
		Short: "Print a compact segment of active elevations for your shell prompt",
		Long: `Print active elevations compactly (e.g. "⚡ExchAdmin 42m") from the state the
last status or activation wrote. It never touches the network and prints
nothing when nothing is active, so it is safe in a shell prompt.`,
		Example: `  # bash (~/.bashrc)
  PS1='$(pimento prompt) '"$PS1"
  # zsh (~/.zshrc)
  setopt PROMPT_SUBST; PROMPT='$(pimento prompt) '$PROMPT
  # PowerShell ($PROFILE)
  function prompt { "$(pimento prompt) PS $($executionContext.SessionState.Path.CurrentLocation)> " }`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := f.Profile()
			if err != nil {
				return err
			}
			if seg := state.Segment(state.PromptPath(p.StateDir), time.Now()); seg != "" {
				fmt.Fprint(f.IO.Out, seg)
			}
			return nil
		},
	}
}

// completeRoles completes ROLE from the names cached by the last load.
func completeRoles(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		p, err := f.Profile()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range state.CachedNames(p.StateDir) {
			if show.Text(n) != n {
				continue // a name with control characters is not offered to the shell
			}
			if strings.HasPrefix(strings.ToLower(n), strings.ToLower(prefix)) && !containsFold(args, n) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
