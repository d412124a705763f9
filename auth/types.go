package auth

import "time"

// Account is the signed-in admin account.
type Account struct {
	Username      string // UPN, e.g. adm-alex@contoso.onmicrosoft.com
	Name          string
	TenantID      string
	HomeAccountID string
}

// DeviceCode is what the admin needs to complete a device code sign-in.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	Message         string
	ExpiresAt       time.Time
}

// Interaction is told when a sign-in or step-up needs the admin: a browser
// was opened, or a device code must be entered. Calls come from the goroutine
// that is acquiring the token.
type Interaction interface {
	BrowserOpened(url string, claims string)
	DeviceCodeShown(dc DeviceCode, claims string)
}
