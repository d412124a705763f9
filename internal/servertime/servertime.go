// Package servertime is pimento's answer to "what time is it": the server's
// time, learned from the Date header of every answer from Graph and from the
// identity provider, not the PC's clock. PIM schedules, the five-minute rule
// and every countdown run on the server's clock; a PC a few minutes off must
// not shift an activation's start or make a lost request unfindable.
package servertime

import (
	"net/http"
	"sync"
	"time"
)

// Clock is the server's clock as seen from this process. It starts as the
// local clock and is corrected by every Date header it observes.
type Clock struct {
	local func() time.Time

	mu sync.Mutex
	// The offset (server − local) lies in [lo, hi]: a Date header has one
	// second of resolution and the answer took time to arrive, so each one
	// bounds the offset rather than giving it.
	lo, hi time.Duration
	known  bool
	// assumed: lo = hi is an earlier process's offset, not yet confirmed.
	assumed bool
}

// New is a clock over local (time.Now when nil).
func New(local func() time.Time) *Clock {
	if local == nil {
		local = time.Now
	}
	return &Clock{local: local}
}

// Now is the server's current time, as well as it is known.
func (c *Clock) Now() time.Time {
	return c.local().Add(c.Offset())
}

// Offset is server time minus local time (0 until a Date was seen).
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known && !c.assumed {
		return 0
	}
	return c.lo + (c.hi-c.lo)/2
}

// Known reports whether a server Date has been observed.
func (c *Clock) Known() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known
}

// Assume starts the clock from an offset learned by an earlier process, so
// a command that sends before it hears from the server (activate
// --no-wait) still uses the server's time. The first Date observed
// replaces it.
func (c *Clock) Assume(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known {
		c.lo, c.hi, c.assumed = offset, offset, true
	}
}

// Observe narrows the offset with a Date header of an answer to a request
// sent at sent (local time) and received at received (local time).
func (c *Clock) Observe(date string, sent, received time.Time) {
	d, err := http.ParseTime(date)
	if err != nil {
		return
	}
	// The server stamped the answer at some instant in [sent, received],
	// truncated to the second: server(t) ∈ [d, d+1s).
	lo := d.Sub(received)
	hi := d.Add(time.Second).Sub(sent)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.known || lo > c.hi || hi < c.lo {
		// First observation, or the server's clock moved: start over.
		c.lo, c.hi, c.known, c.assumed = lo, hi, true, false
		return
	}
	c.lo, c.hi = max(c.lo, lo), min(c.hi, hi)
}

// Transport observes the Date header of every answer that passes through
// next (http.DefaultTransport when nil).
func (c *Clock) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &observer{clock: c, next: next}
}

type observer struct {
	clock *Clock
	next  http.RoundTripper
}

func (o *observer) RoundTrip(r *http.Request) (*http.Response, error) {
	sent := o.clock.local()
	resp, err := o.next.RoundTrip(r)
	if resp != nil {
		if d := resp.Header.Get("Date"); d != "" {
			o.clock.Observe(d, sent, o.clock.local())
		}
	}
	return resp, err
}
