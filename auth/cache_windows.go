//go:build windows

package auth

import (
	"github.com/AzureAD/microsoft-authentication-extensions-for-go/cache/accessor"
)

// newOSAccessor uses the extensions module's DPAPI-encrypted file (no cgo).
func newOSAccessor(path, _ string) (accessor.Accessor, string, error) {
	a, err := accessor.New(path)
	if err != nil {
		return nil, "", err
	}
	return a, "Windows DPAPI (encrypted file)", nil
}
