package sim

import (
	"sync"
	"time"
)

// Clock is the tenant's clock: the wall clock plus an adjustable offset, so
// tests can move time (the 5-minute rule, expiry, scheduled starts) without
// sleeping, and can put the server ahead of or behind the client the way a
// skewed laptop clock does. The offset may be negative.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// WithClockOffset starts the tenant clock this far from the wall clock;
// negative puts the tenant behind the client.
func WithClockOffset(d time.Duration) Option {
	return func(t *Tenant) { t.clock.Advance(d) }
}

// Now is the wall clock plus the offset, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// Advance moves the clock by d (backwards when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock so that it reads at; it keeps ticking from there.
func (c *Clock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(at)
}

// Offset is how far the tenant clock is ahead of the wall clock (negative:
// behind).
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}
