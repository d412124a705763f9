package auth

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

var claimsInMessage = regexp.MustCompile(`claims=([^"&\s]+)`)

// ClaimsFromMessage extracts the claims request PIM puts, URL-encoded, in
// the message of RoleAssignmentRequestAcrsValidationFailed (a 400, not a
// 401 challenge, so no SDK reads it). Anything but a JSON object is no
// claims request.
func ClaimsFromMessage(msg string) (string, bool) {
	m := claimsInMessage.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	c, err := url.QueryUnescape(m[1])
	if err != nil || !strings.HasPrefix(strings.TrimSpace(c), "{") || !json.Valid([]byte(c)) {
		return "", false
	}
	return c, true
}
