// Package state keeps pimento's local files: the journal of what was sent
// to PIM and what came of it, the prompt state `pimento prompt` reads, and
// the cache of policies and scope names. Every file carries a format
// version and is written atomically (a unique temp file renamed into place)
// or appended line by line, never left half-written. No file here ever
// holds a token.
package state

import (
	"fmt"
	"os"
	"path/filepath"
)

// Version is the format version written into every file.
const Version = 1

// WriteAtomic replaces path with data through a unique temp file (0600,
// in a 0700 directory), so two processes writing at once never interleave
// and a reader never sees half a file.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		if werr != nil {
			return werr
		}
		return cerr
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

// WriteError says which local file could not be written, and why.
type WriteError struct {
	What string // "the journal", "the prompt state", …
	Path string
	Err  error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("could not write %s (%s): %v", e.What, e.Path, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }
