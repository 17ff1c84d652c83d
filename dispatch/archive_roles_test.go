package dispatch_test

import (
	"context"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/dispatch"
	"cc112/internal/citytest"
	"cc112/internal/clocktest"
	"cc112/internal/testjournal"
)

// TestArchivedTextSearchByRole: a text search of closed history finds a
// word of what everyone sees, a caller's phone and a word of an internal
// note for exactly the roles that see each, the same before the incidents
// are archived (the engine's index) and after (the archive's text: bbolt's
// own, PostgreSQL's projection); both journals.
func TestArchivedTextSearchByRole(t *testing.T) {
	// What each role finds: a public word, the phone, an internal word.
	want := map[auth.Role][3]bool{
		auth.CallTaker:  {true, true, true},
		auth.Dispatcher: {true, true, true},
		auth.Supervisor: {true, true, true},
		auth.UnitRole:   {false, false, false}, // sees only what it works now
		auth.Agency:     {false, false, false}, // sees no incidents
		auth.Police:     {true, false, false},
		auth.Admin:      {true, false, false},
		auth.Wall:       {true, false, false},
	}
	if len(want) != len(auth.Roles()) {
		t.Fatalf("the table names %d roles of %d", len(want), len(auth.Roles()))
	}
	words := [3]string{"jembatan merah", "08129990001", "kunci rahasia"}
	for _, name := range testjournal.Names {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			j := testjournal.Open(t, name)
			clock := clocktest.New(time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC))
			cfg := dispatch.Config{Journal: j, Clock: clock, Logger: quiet, Archive: j.(cc112.IncidentArchive), HistoryWindow: 7 * 24 * time.Hour}
			if h, ok := j.(cc112.HistorySearch); ok {
				cfg.History = h
			}
			e, err := dispatch.New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.RegisterUnits(ctx, citytest.Units()); err != nil {
				t.Fatal(err)
			}
			by := dispatch.Author{Username: "sup", Role: string(auth.Supervisor)}
			var id string
			for k, addr := range []string{"Jl. Jembatan Merah 1", "Jl. Darmo 2", "Jl. Tunjungan 3"} {
				p := citytest.Near(float64(100*k), 0)
				phone := "+628129990009"
				if k == 0 {
					phone = "+628129990001"
				}
				inc, err := e.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, Location: &p, Address: addr,
					Caller: &cc112.Caller{Name: "Sari", Phone: phone}}, "", "")
				if err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					id = inc.ID
					if _, err := e.AddNote(ctx, inc.ID, "Kunci rahasia di bawah pot", true, by, "", ""); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := e.CloseIncident(ctx, inc.ID, "handled", "", ""); err != nil {
					t.Fatal(err)
				}
				clock.Advance(time.Minute)
			}
			check := func(when string) {
				t.Helper()
				for role, found := range want {
					v := auth.Principal{Username: "x", Role: role, UnitID: "p1", Agency: "polri"}.Viewer()
					for k, word := range words {
						for _, status := range []string{"closed", "all"} {
							page, err := e.SearchIncidents(ctx, dispatch.IncidentQuery{Status: status, Text: word}, v)
							if err != nil {
								t.Fatal(err)
							}
							got := len(page.Items) == 1 && page.Items[0].ID == id
							if got != found[k] || len(page.Items) > 1 {
								t.Errorf("%s: %s searching %q (%s): %d items, want found=%v", when, role, word, status, len(page.Items), found[k])
							}
						}
					}
				}
			}
			check("in memory")
			clock.Advance(8 * 24 * time.Hour)
			if n, err := e.ArchiveClosed(ctx); err != nil || n != 3 || e.IncidentCount() != 0 {
				t.Fatalf("archived %d (%v), %d left in memory", n, err, e.IncidentCount())
			}
			check("archived")
		})
	}
}
