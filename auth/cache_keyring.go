//go:build !windows

package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"runtime"
	"sync"

	"github.com/AzureAD/microsoft-authentication-extensions-for-go/cache/accessor"
	"github.com/zalando/go-keyring"

	"github.com/pimento-cli/pimento/internal/state"
)

const keyringService = "pimento"

// keyringAccessor keeps the cache in a file encrypted with AES-256-GCM under a
// random key held in the OS keyring (Keychain through /usr/bin/security on
// macOS, Secret Service over D-Bus on Linux). No cgo: keyring items are
// small, the cache is not, so only the key goes to the keyring.
type keyringAccessor struct {
	mu   sync.Mutex
	path string
	item string
	key  []byte
}

func newOSAccessor(path, item string) (accessor.Accessor, string, error) {
	backend := "Secret Service (AES-256-GCM file, key in the keyring)"
	if runtime.GOOS == "darwin" {
		backend = "macOS Keychain (AES-256-GCM file, key in the Keychain)"
	}
	return &keyringAccessor{path: path, item: item}, backend, nil
}

func (k *keyringAccessor) loadKey(ctx context.Context, create bool) ([]byte, error) {
	if k.key != nil {
		return k.key, nil
	}
	var s string
	err := withContext(ctx, func() (err error) { s, err = keyring.Get(keyringService, k.item); return err })
	switch {
	case err == nil:
		key, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(key) != 32 {
			return nil, &DamagedCacheError{Path: k.path, Err: errors.New("its key in the keyring is damaged")}
		}
		k.key = key
		return key, nil
	case errors.Is(err, keyring.ErrNotFound) && create:
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := withContext(ctx, func() error { return keyring.Set(keyringService, k.item, base64.StdEncoding.EncodeToString(key)) }); err != nil {
			return nil, err
		}
		k.key = key
		return key, nil
	case errors.Is(err, keyring.ErrNotFound):
		return nil, nil
	default:
		return nil, err
	}
}

func (k *keyringAccessor) Read(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sealed, err := os.ReadFile(k.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := k.loadKey(ctx, false)
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, nil // key gone: the cache is unreadable, start empty
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	n := gcm.NonceSize()
	if len(sealed) < n {
		return nil, &DamagedCacheError{Path: k.path, Err: errors.New("truncated")}
	}
	plain, err := gcm.Open(nil, sealed[:n], sealed[n:], []byte(k.item))
	if err != nil {
		return nil, &DamagedCacheError{Path: k.path, Err: errors.New("it cannot be decrypted: truncated, overwritten or encrypted under another key")}
	}
	return plain, nil
}

func (k *keyringAccessor) Write(ctx context.Context, data []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	key, err := k.loadKey(ctx, true)
	if err != nil {
		return err
	}
	gcm, err := newGCM(key)
	if err != nil {
		return err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sealed := gcm.Seal(nonce, nonce, data, []byte(k.item))
	return state.WriteAtomic(k.path, sealed)
}

func (k *keyringAccessor) Delete(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.key = nil
	if err := os.Remove(k.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := withContext(ctx, func() error { return keyring.Delete(keyringService, k.item) }); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	return nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
