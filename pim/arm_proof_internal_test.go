package pim

import (
	"errors"
	"fmt"
	"testing"
)

// Only ARM's 403 AuthorizationFailed (no role at the scope yet) is "not
// applied yet"; other failures of the check are not.
func TestNotYetAppliedIsTheScopeRefusal(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&GraphError{API: "Azure Resource Manager", Status: 403, Code: "AuthorizationFailed"}, true},
		{fmt.Errorf("check: %w", &GraphError{Status: 403, Code: "authorizationfailed"}), true},
		{&GraphError{Status: 403, Code: "ServiceUnavailable"}, false},
		{&GraphError{Status: 403}, false},
		{&GraphError{Status: 400, Code: "InvalidScope"}, false},
		{&GraphError{Status: 401, Code: "AuthorizationFailed"}, false},
		{errors.New("connection reset"), false},
		{nil, false},
	} {
		if got := notYetApplied(c.err); got != c.want {
			t.Errorf("notYetApplied(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
