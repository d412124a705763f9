package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/pimento-cli/pimento/internal/config"
)

// NewCmdConfig builds `pimento config`.
func NewCmdConfig(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or edit the config file (profiles, defaults)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "path",
		Short: "Print the config file's path",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := config.Path()
			if err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out, p)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the config, validated",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := config.Path()
			if err != nil {
				return err
			}
			file, err := config.Load(p)
			if err != nil {
				return usagef("%v", err)
			}
			if len(file.Profiles) == 0 && file.DefaultProfile == "" {
				fmt.Fprintf(f.IO.ErrOut, "No config at %s; defaults apply. Create one with `pimento config edit`.\n", p)
				return nil
			}
			return toml.NewEncoder(f.IO.Out).Encode(file)
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "edit",
		Short: "Open the config in $VISUAL or $EDITOR, then validate it",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := config.Path()
			if err != nil {
				return err
			}
			if !f.IO.InTTY || !f.IO.OutTTY {
				return usagef("config edit opens an editor, which needs a terminal; edit %s yourself and check it with `pimento config show`", p)
			}
			return editConfig(cmd.Context(), f, p)
		},
	})
	return cmd
}

// editConfig opens a draft of the config in the editor and puts it in
// place only when it is valid: a mistake never leaves a config pimento
// cannot read. An invalid draft is kept beside it to edit again.
func editConfig(ctx context.Context, f *Factory, path string) error {
	draft := path + ".draft"
	_, err := os.Stat(draft)
	switch {
	case err == nil:
		fmt.Fprintf(f.IO.ErrOut, "Continuing your unfinished edit in %s.\n", draft)
	case errors.Is(err, os.ErrNotExist):
		body, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			body, err = []byte(config.Example), nil
		}
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(draft, body, 0o600); err != nil {
			return err
		}
	default:
		return err
	}
	editor := strings.TrimSpace(os.Getenv("VISUAL"))
	if editor == "" {
		editor = strings.TrimSpace(os.Getenv("EDITOR"))
	}
	if editor == "" {
		editor = "vi"
		if runtime.GOOS == "windows" {
			editor = "notepad"
		}
	}
	parts := strings.Fields(editor)
	c := exec.CommandContext(ctx, parts[0], append(parts[1:], draft)...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("editor %s: %w (your edit is in %s; the config is unchanged)", editor, err, draft)
	}
	edited, err := os.ReadFile(draft)
	if err != nil {
		return err
	}
	if _, err := config.Parse(path, edited); err != nil {
		return usagef("%v: the config is unchanged; your edit is kept in %s, run `pimento config edit` again to fix it", err, draft)
	}
	if err := os.Rename(draft, path); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "%s is valid and saved.\n", path)
	return nil
}
