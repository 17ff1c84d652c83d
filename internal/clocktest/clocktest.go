// Package clocktest gives tests a clock they move by hand, so that an hour
// of a city (SLA timers, token expiry, incident numbering across WIB days)
// runs in milliseconds.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a cc112.Clock that only moves when told to. Safe for
// concurrent use.
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

// New returns a Clock set to t.
func New(t time.Time) *Clock { return &Clock{t: t} }

// Now is the set time (then moved on by the step of AdvanceOnRead).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

// AdvanceOnRead makes every later Now move the clock on by d after
// reading it: time passes with the work done, with no sleeping, e.g. for a
// loop that reports its progress every few seconds.
func (c *Clock) AdvanceOnRead(d time.Duration) {
	c.mu.Lock()
	c.step = d
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
