package main

import (
	"testing"
	"time"
)

// TestPagingInBrowser drives Web Push paging on the unit's phone in
// Debian's chromium (web/e2e/paging.mjs): with the service worker
// registered and notifications allowed, a dispatch is pushed to a push
// service on loopback (encrypted, VAPID-signed, urgent), delivered to the
// worker, shown as a notification, and its tap opens the assignment; then
// TERIMA, an out-of-order tap that asks first, messages both ways with a
// canned one, and a cancel that shows one loud message and is pushed.
func TestPagingInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 3*time.Minute, "paging.mjs", nil, "BASE_URL="+m.URL(), "SCREENSHOTS="+screenshotDir(t))
}
