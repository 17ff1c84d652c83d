package cc112

import "time"

// Clock tells the time. Domain code takes one so that tests and the
// simulator can run a day of a city in seconds.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
