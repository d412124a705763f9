package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/config"
	"github.com/pimento-cli/pimento/pim"
)

// promptMain is the light start of `pimento prompt`: read local state,
// render, exit. No network, nothing printed when nothing is active.
func promptMain(out io.Writer) int {
	profile := os.Getenv("PIMENTO_PROFILE")
	if profile == "" {
		if p, err := config.Path(); err == nil {
			if f, err := config.Load(p); err == nil {
				profile = f.DefaultProfile
			}
		}
	}
	if profile == "" {
		profile = "default"
	}
	if !config.ValidProfileName(profile) {
		return exitUsage
	}
	dir, err := stateDir(profile)
	if err != nil {
		return exitFailure
	}
	if seg := pim.Segment(pim.PromptPath(dir), time.Now()); seg != "" {
		fmt.Fprint(out, seg)
	}
	return exitOK
}

func newPromptCmd(f *Factory) *cobra.Command {
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
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := f.Settings()
			if err != nil {
				return err
			}
			if seg := pim.Segment(pim.PromptPath(s.StateDir), time.Now()); seg != "" {
				fmt.Fprint(f.IO.Out, seg)
			}
			return nil
		},
	}
}

// completeRoles completes ROLE from the names cached by the last load.
func completeRoles(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		s, err := f.Settings()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, n := range pim.CachedNames(s.StateDir) {
			if strings.HasPrefix(strings.ToLower(n), strings.ToLower(prefix)) && !contains(args, n) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
