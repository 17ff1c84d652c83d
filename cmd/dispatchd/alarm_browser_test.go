package main

import (
	"testing"
	"time"
)

// TestAlarmInBrowser raises a fire's alarm from the console's incident
// detail in Debian's chromium (web/e2e/alarm.mjs) against the real server
// on the demo city: level 1 shown with its control, one click to level 2
// (the header from the live feed, the log), one more to 3. Screenshots go
// to a temporary folder; DISPATCH_SCREENSHOTS=DIR keeps them for a look,
// with the phone and 4K pages too.
func TestAlarmInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 6*time.Minute, "alarm.mjs", nil, "BASE_URL="+m.URL())
}
