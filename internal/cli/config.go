package cli

import (
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
			if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					return err
				}
				if err := os.WriteFile(p, []byte(config.Example), 0o600); err != nil {
					return err
				}
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
			c := exec.CommandContext(cmd.Context(), parts[0], append(parts[1:], p)...)
			c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
			if err := c.Run(); err != nil {
				return fmt.Errorf("editor %s: %w", editor, err)
			}
			if _, err := config.Load(p); err != nil {
				return usagef("%v (run `pimento config edit` again to fix it)", err)
			}
			fmt.Fprintf(f.IO.ErrOut, "%s is valid.\n", p)
			return nil
		},
	})
	return cmd
}
