package sim

import (
	"net/http/httptest"
	"testing"
)

// The request log reads the claims of a bearer token whatever the case of
// "Bearer", as the authenticators accept it.
func TestBearerClaimsIgnoreSchemeCase(t *testing.T) {
	tn, err := New(DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tn.MintToken(TokenSpec{UPN: DemoAdminUPN})
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"Bearer ", "bearer ", "BEARER  "} {
		r := httptest.NewRequest("GET", "/v1.0/me", nil)
		r.Header.Set("Authorization", scheme+tok)
		if c := tn.bearerClaims(r); c["oid"] != DemoAdminUserID {
			t.Errorf("scheme %q: claims have oid %v", scheme, c["oid"])
		}
	}
}
