package main

import (
	"os"
	"testing"
	"time"
)

// TestAlarmInBrowser raises a fire's alarm from the console's incident
// detail in Debian's chromium (web/e2e/alarm.mjs) against the real server
// on the demo city: level 1 shown with its control, one click to level 2
// (the header from the live feed, the log), one more to 3. Screenshots go
// to a temporary folder; SCREENSHOTS_DIR keeps them for a look, with the
// phone and 4K pages too.
func TestAlarmInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	dir, all := screenshotDir(t), ""
	if d := os.Getenv("SCREENSHOTS_DIR"); d != "" { // keep them to look at, phone and 4K too
		dir, all = d, "1"
	}
	env := []string{"BASE_URL=" + m.URL(), "SCREENSHOTS=" + dir, "ALL_VIEWPORTS=" + all}
	browser.run(t, 6*time.Minute, "alarm.mjs", nil, env...)
}
