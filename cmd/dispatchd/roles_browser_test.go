package main

import (
	"testing"
	"time"
)

// TestEachRoleItsPagesInBrowser (web/e2e/roles.mjs): every demo role opens
// every staff page of the route table; the pages not for it land on its
// own page; each page names the user and role with a logout; the console,
// the desk and their links offer no action the server would refuse, and
// the desk proposes the agency of the complaint's category.
func TestEachRoleItsPagesInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 8*time.Minute, "roles.mjs", nil, "BASE_URL="+m.URL())
}
