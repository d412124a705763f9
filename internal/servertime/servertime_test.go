package servertime_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/internal/servertime"
)

func TestClockFollowsTheServersDateHeader(t *testing.T) {
	for _, skew := range []time.Duration{4 * time.Minute, -4 * time.Minute, 0, 37 * time.Second} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		}))
		c := servertime.New(nil)
		hc := &http.Client{Transport: c.Transport(nil)}
		for i := 0; i < 3; i++ {
			resp, err := hc.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
		}
		srv.Close()
		if !c.Known() {
			t.Fatal("no Date observed")
		}
		// One second of Date resolution, plus scheduling noise.
		if diff := c.Now().Sub(time.Now().Add(skew)); diff < -1500*time.Millisecond || diff > 1500*time.Millisecond {
			t.Errorf("skew %v: clock is %v off the server", skew, diff)
		}
	}
}

func TestClockStartsLocalAndIgnoresBadDates(t *testing.T) {
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := servertime.New(func() time.Time { return base })
	if !c.Now().Equal(base) || c.Known() {
		t.Fatalf("before any Date: %v known=%v", c.Now(), c.Known())
	}
	c.Observe("not a date", base, base)
	if c.Known() {
		t.Fatal("a bad Date was taken")
	}
	c.Observe(base.Add(10*time.Minute).Format(http.TimeFormat), base, base)
	if got := c.Now().Sub(base); got < 10*time.Minute || got > 10*time.Minute+time.Second {
		t.Fatalf("offset %v, want 10m..10m1s", got)
	}
	// The server's clock jumps back: start over rather than keep a stale bound.
	c.Observe(base.Add(-time.Hour).Format(http.TimeFormat), base, base)
	if got := c.Now().Sub(base); got > -59*time.Minute {
		t.Fatalf("offset %v after the server's clock moved back an hour", got)
	}
}

func TestAssumedOffsetUntilTheServerSpeaks(t *testing.T) {
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := servertime.New(func() time.Time { return base })
	c.Assume(4 * time.Minute)
	if got := c.Now().Sub(base); got != 4*time.Minute || c.Known() {
		t.Fatalf("assumed: %v known=%v", got, c.Known())
	}
	c.Observe(base.Add(-time.Minute).Format(http.TimeFormat), base, base)
	if got := c.Now().Sub(base); got < -time.Minute || got > -59*time.Second || !c.Known() {
		t.Fatalf("observed: %v", got)
	}
	c.Assume(time.Hour) // an observation wins over any assumption
	if got := c.Now().Sub(base); got > 0 {
		t.Fatalf("assumption overrode an observation: %v", got)
	}
}
