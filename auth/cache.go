package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	extcache "github.com/AzureAD/microsoft-authentication-extensions-for-go/cache"
	"github.com/AzureAD/microsoft-authentication-extensions-for-go/cache/accessor"
	"github.com/AzureAD/microsoft-authentication-extensions-for-go/cache/accessor/file"
	msalcache "github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// Cache modes for PIMENTO_TOKEN_CACHE.
const (
	CacheKeyring = "keyring" // encrypted by the OS (default)
	CacheFile    = "file"    // plaintext file, mode 0600, opt-in
	CacheMemory  = "memory"  // nothing persisted
)

// KeyringUnavailableError says the OS store cannot be used, and how to opt in
// to something else. pimento never falls back silently.
type KeyringUnavailableError struct{ Err error }

func (e *KeyringUnavailableError) Error() string {
	return fmt.Sprintf("the OS keyring is unavailable (%v): set PIMENTO_TOKEN_CACHE=memory to keep tokens only while pimento runs, or PIMENTO_TOKEN_CACHE=file to store them in a plaintext file readable only by you", e.Err)
}

func (e *KeyringUnavailableError) Unwrap() error { return e.Err }

// TokenCache is an MSAL cache with the description of where it keeps tokens.
type TokenCache struct {
	msalcache.ExportReplace // nil for memory
	Mode                    string
	Backend                 string // e.g. "Secret Service (AES-GCM file, key in keyring)"
	Path                    string // the cache file, if any
	accessor                accessor.Accessor
}

// Wipe deletes the persisted cache for this profile, damaged or not.
func (c *TokenCache) Wipe(ctx context.Context) error {
	if c == nil || c.accessor == nil {
		return nil
	}
	return c.accessor.Delete(ctx) // a keyring call honours ctx inside
}

// OpenCache opens the token cache for a profile in dir (one directory per
// profile) in the given mode. The keyring backend is probed with a write and
// read round trip before it is trusted.
func OpenCache(ctx context.Context, mode, dir, profile string) (*TokenCache, error) {
	if mode == "" {
		mode = CacheKeyring
	}
	switch mode {
	case CacheMemory:
		return &TokenCache{Mode: mode, Backend: "memory (nothing persisted)"}, nil
	case CacheFile, CacheKeyring:
	default:
		return nil, fmt.Errorf("PIMENTO_TOKEN_CACHE must be keyring, file or memory (got %q)", mode)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the token cache directory: %w", err)
	}
	var (
		a       accessor.Accessor
		backend string
		path    string
		err     error
	)
	if mode == CacheFile {
		path = filepath.Join(dir, "msal_cache.json")
		a, err = file.New(path)
		backend = "plaintext file (mode 0600)"
	} else {
		path = filepath.Join(dir, "msal_cache.bin")
		a, backend, err = newOSAccessor(path, "pimento:"+profile)
		if err == nil {
			err = probe(ctx, a, filepath.Join(dir, "probe.bin"), profile)
		}
		if err != nil {
			return nil, &KeyringUnavailableError{Err: err}
		}
	}
	if err != nil {
		return nil, err
	}
	a = checked{Accessor: a, path: path}
	c, err := extcache.New(a, filepath.Join(dir, "msal_cache.timestamp"))
	if err != nil {
		return nil, fmt.Errorf("open the token cache lock: %w", err)
	}
	return &TokenCache{ExportReplace: c, Mode: mode, Backend: backend, Path: path, accessor: a}, nil
}

// probe checks that the OS store really works (a locked or absent Secret
// Service often fails only on first use).
func probe(ctx context.Context, a accessor.Accessor, probePath, profile string) error {
	pa, _, err := newOSAccessor(probePath, "pimento-probe:"+profile)
	if err != nil {
		return err
	}
	want := []byte("pimento keyring probe")
	if err := pa.Write(ctx, want); err != nil {
		return err
	}
	got, err := pa.Read(ctx)
	_ = pa.Delete(ctx)
	if err != nil {
		return err
	}
	if string(got) != string(want) {
		return errors.New("the keyring returned different data than was stored")
	}
	_ = a
	return nil
}
