package main

import (
	"testing"
	"time"
)

// TestErrorsTranslatedInBrowser (web/e2e/errors.mjs): a server error
// reaches the page's user as the catalogue's text for its reason or code,
// in Bahasa Indonesia and in English; an unknown code shows the generic
// text with the code; a server out of reach says so in words.
func TestErrorsTranslatedInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 2*time.Minute, "errors.mjs", nil, "BASE_URL="+m.URL())
}
