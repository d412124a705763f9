package cli

import (
	"encoding/json"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// IOStreams are the command's standard streams and what they are.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY is true when stdout is a terminal (tables get local clock
	// times only then; RFC 3339 when piped).
	OutTTY bool
	InTTY  bool
}

// System is the process's own streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: term.IsTerminal(os.Stdout.Fd()), InTTY: term.IsTerminal(os.Stdin.Fd()),
	}
}

// writeJSON writes one JSON document to stdout: exact values, no HTML
// escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
