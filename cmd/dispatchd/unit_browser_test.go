package main

import (
	"testing"
	"time"
)

// TestUnitInBrowser drives the field-unit phone view in Debian's chromium
// (web/e2e/unit.mjs, playwright-core) against the real server with demo
// accounts: the unit logs in, a dispatch arrives live, en route and
// (offline, queued) on scene reach the dispatcher's API; a note the
// dispatcher writes on the console reaches the phone (an internal one does
// not), closing with the unit still out asks first, a category change shows
// the plan's missing units and a cancel needs a reason. The police page
// has its own test (police_browser_test.go). With
// DISPATCH_SCREENSHOTS=DIR it keeps its screenshots in DIR.
func TestUnitInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 3*time.Minute, "unit.mjs", nil, "BASE_URL="+m.URL())
}
