package main

import (
	"testing"
	"time"
)

// TestUnitControlInBrowser drives the console's queue and unit control in
// Debian's chromium (web/e2e/unitcontrol.mjs) against the real server on
// the demo city: with 40 incidents open a new waiting P1 is the first row,
// inside the 1920×1080 viewport without scrolling; the waiting counter
// and the filters narrow the queue; a unit found by callsign in the
// type-ahead is dispatched; release (a reason for the last unit), a move,
// a status on the crew's behalf and out of service and back run from the
// board's unit menu by keyboard; "?" lists the keys in both languages.
// With DISPATCH_SCREENSHOTS=DIR it also shoots the 4K wall and the phone,
// in both languages, into DIR.
func TestUnitControlInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 4*time.Minute, "unitcontrol.mjs", nil, "BASE_URL="+m.URL())
}
