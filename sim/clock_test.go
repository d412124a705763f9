package sim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func near(a, b time.Time, tol time.Duration) bool {
	d := a.Sub(b)
	return d <= tol && d >= -tol
}

func TestClockSetAndNegativeOffset(t *testing.T) {
	c := &Clock{}
	c.Advance(-4 * time.Minute)
	if !near(c.Now(), time.Now().Add(-4*time.Minute), time.Second) {
		t.Fatalf("behind: %v", c.Now())
	}
	at := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	c.Set(at)
	if !near(c.Now(), at, time.Second) || c.Now().Location() != time.UTC {
		t.Fatalf("set: %v", c.Now())
	}
	c.Advance(time.Hour)
	if !near(c.Now(), at.Add(time.Hour), time.Second) {
		t.Fatalf("advance after set: %v", c.Now())
	}
}

// The server's Date, error dates and token times all come from the tenant
// clock, whichever side of the client it is on.
func TestDateHeaderAndTokensFollowTheTenantClock(t *testing.T) {
	for _, skew := range []time.Duration{4 * time.Minute, -4 * time.Minute} {
		sc := DemoScenario()
		sc.Latency = 0
		tn, err := New(sc, WithClockOffset(skew))
		if err != nil {
			t.Fatal(err)
		}
		if err := tn.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tn.Close() })
		want := time.Now().Add(skew)
		date := func(h http.Header) time.Time {
			t.Helper()
			d, err := http.ParseTime(h.Get("Date"))
			if err != nil {
				t.Fatalf("Date %q: %v", h.Get("Date"), err)
			}
			return d
		}

		g := newGraphClient(t, tn, DemoAdminUPN)
		st, h, _ := g.do("GET", "/me", nil)
		if st != 200 || !near(date(h), want, 2*time.Second) {
			t.Fatalf("skew %v: /me %d Date %v, want about %v", skew, st, h.Get("Date"), want)
		}
		claims, err := tn.verify(g.token)
		if err != nil {
			t.Fatal(err)
		}
		iat := time.Unix(int64(claims["iat"].(float64)), 0)
		nbf := time.Unix(int64(claims["nbf"].(float64)), 0)
		exp := time.Unix(int64(claims["exp"].(float64)), 0)
		if !near(iat, want, 2*time.Second) || !iat.Equal(nbf) || exp.Sub(iat) != 75*time.Minute {
			t.Fatalf("skew %v: iat %v nbf %v exp %v", skew, iat, nbf, exp)
		}

		// An error: Date and innerError.date agree.
		st, h, m := g.do("GET", "/nope", nil)
		inner := m["error"].(map[string]any)["innerError"].(map[string]any)["date"].(string)
		if st != 404 || inner != date(h).UTC().Format("2006-01-02T15:04:05") {
			t.Fatalf("skew %v: error date %q vs %q", skew, inner, h.Get("Date"))
		}

		// The authority.
		resp, err := tn.HTTPClient().Get(tn.AuthorityURL() + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if !near(date(resp.Header), want, 2*time.Second) {
			t.Fatalf("skew %v: authority Date %v", skew, resp.Header.Get("Date"))
		}

		// $batch: the envelope and each item.
		st, h, m = g.do("POST", "/$batch", map[string]any{"requests": []any{map[string]any{"id": "1", "method": "GET", "url": "/me"}}})
		if st != 200 || !near(date(h), want, 2*time.Second) {
			t.Fatalf("skew %v: batch Date %v", skew, h.Get("Date"))
		}
		item := m["responses"].([]any)[0].(map[string]any)
		hdr := item["headers"].(map[string]any)
		if d, err := http.ParseTime(hdr["Date"].(string)); err != nil || !near(d, want, 2*time.Second) {
			t.Fatalf("skew %v: batch item Date %v", skew, hdr)
		}
	}
}

func TestTokenErrorsCarryTheTenantDate(t *testing.T) {
	tn := startDemo(t, nil)
	tn.Clock().Advance(-4 * time.Minute)
	resp, err := tn.HTTPClient().PostForm(tn.AuthorityURL()+"/oauth2/v2.0/token", map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil || !near(d, time.Now().Add(-4*time.Minute), 2*time.Second) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("token error Date %q (%v)", resp.Header.Get("Date"), err)
	}
}
