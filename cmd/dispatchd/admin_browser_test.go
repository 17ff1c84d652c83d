package main

import (
	"strings"
	"testing"
	"time"
)

// TestAdminPageInBrowser drives /admin (web/e2e/admin.mjs) against the
// demo city: a unit added on the admin page appears live on a console that
// was open meanwhile, a bad edit is refused naming the field, the unit
// retired leaves the console live, and a pack's difference is shown before
// it is applied. DISPATCH_SCREENSHOTS=DIR keeps its screenshots in DIR, at
// 1920×1080, 3840×2160 and 390×844 in both languages.
func TestAdminPageInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	browser.run(t, 4*time.Minute, "admin.mjs", nil, "BASE_URL="+m.URL())
	// The admin's changes are the journal's: the renamed station and the
	// retired unit.
	c := m.Engine.City()
	for _, s := range c.Stations {
		if s.ID == "st-bpbd" && !strings.HasSuffix(s.Name, "(Baru)") {
			t.Errorf("the pack's station name was not applied: %q", s.Name)
		}
	}
	if _, err := m.Engine.Unit("dmk-77"); err == nil {
		t.Error("the retired unit is still there")
	}
}
