package main

import (
	"testing"
	"time"
)

// TestEveryPageInBothLanguagesInBrowser opens every page (web/e2e/
// languages.mjs) on a wall and a phone, in Bahasa Indonesia and then in
// English through the page's switch: each page has the switch, changes its
// words and asks the one catalogue for no key it lacks.
// DISPATCH_SCREENSHOTS=DIR keeps the screenshots in DIR.
func TestEveryPageInBothLanguagesInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 8*time.Minute, "languages.mjs", nil, "BASE_URL="+m.URL())
}
