package cc112

import (
	"testing"
	"time"
)

// The bounds of CheckInstant are instants UnixNano keeps, and the instants
// just outside them are refused as invalid.
func TestCheckInstantBounds(t *testing.T) {
	last := LatestInstant.Add(-time.Nanosecond)
	for _, ok := range []time.Time{EarliestInstant, last, time.Date(2026, 12, 7, 5, 0, 0, 0, WIB)} {
		if err := CheckInstant("at", ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
		if !time.Unix(0, ok.UnixNano()).Equal(ok) {
			t.Errorf("%s does not survive UnixNano", ok)
		}
	}
	for _, bad := range []time.Time{EarliestInstant.Add(-time.Nanosecond), LatestInstant, {}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if err := CheckInstant("at", bad); ErrorCode(err) != EInvalid {
			t.Errorf("%s: %v, want invalid", bad, err)
		}
	}
}
