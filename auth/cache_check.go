package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/AzureAD/microsoft-authentication-extensions-for-go/cache/accessor"
)

// DamagedCacheError means the token cache file cannot be read (truncated,
// not JSON, not decryptable). It is reported at once, naming the file:
// MSAL's cache layer would otherwise retry the parse until the command's
// deadline. `pimento logout` deletes it and `pimento login` replaces it.
type DamagedCacheError struct {
	Path string
	Err  error
}

func (e *DamagedCacheError) Error() string {
	return fmt.Sprintf("the token cache %s cannot be read (%v)", e.Path, e.Err)
}

func (e *DamagedCacheError) Unwrap() error { return e.Err }

// checked wraps an accessor so that data which is not a JSON object fails
// fast as a DamagedCacheError. A read can race a plaintext write (the
// extensions' file accessor truncates before it writes), so a bad read is
// tried again briefly before the file is called damaged.
type checked struct {
	accessor.Accessor
	path string
}

func (c checked) Read(ctx context.Context) ([]byte, error) {
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		b, err := c.Accessor.Read(ctx)
		switch {
		case err == nil && (len(b) == 0 || json.Valid(b)):
			return b, nil
		case err == nil:
			last = errors.New("not JSON: the file is truncated or overwritten")
		default:
			var d *DamagedCacheError
			if errors.As(err, &d) && d.Path == "" {
				d.Path = c.path
			}
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	return nil, &DamagedCacheError{Path: c.path, Err: last}
}

// withContext runs f, a call that takes no context (go-keyring's), and
// stops waiting when ctx ends: a keyring that never answers (a locked
// Secret Service waiting for an unlock prompt nobody sees) cannot hang a
// command past its deadline or an interrupt.
func withContext(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("the keyring did not answer: %w", ctx.Err())
	}
}
