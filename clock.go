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

// WIB is Asia/Jakarta (UTC+7, no daylight saving), the zone of the
// center's days: incident and complaint numbers, reports by hour and day,
// "today" on the dashboards. A fixed zone, so the binary does not depend
// on the host's tzdata.
var WIB = time.FixedZone("WIB", 7*3600)

// WIBMidnight is the start of the WIB day that holds t. Not a truncation
// of t to whole days: that is UTC midnight, 07:00 WIB, and from 17:00 to
// 24:00 UTC it falls on the day before.
func WIBMidnight(t time.Time) time.Time {
	y, m, d := t.In(WIB).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, WIB)
}

// The instants the journals store and index: bbolt keys its archives by
// UnixNano, which holds 1677-09-21 to 2262-04-11 only, so a time outside
// would be stored under another one's key. Whole years inside that span.
var (
	EarliestInstant = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestInstant   = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC) // exclusive
)

// CheckInstant refuses a time given from outside that no journal can
// store or look up faithfully (field names it in the 400 answer).
func CheckInstant(field string, t time.Time) error {
	if t.Before(EarliestInstant) || !t.Before(LatestInstant) {
		return Errorf(EInvalid, "%s: %s is outside the years %d to %d", field, t.Format(time.RFC3339),
			EarliestInstant.Year(), LatestInstant.Year()-1)
	}
	return nil
}
