package dispatch_test

import (
	"context"
	"fmt"
	"slices"
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
			e, clock := archivingEngine(t, name)
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

// archivingEngine is an engine on a new journal of that name (one of
// testjournal.Names) that archives what closed a week ago, searches the
// history through the journal when it can (PostgreSQL) and knows the
// city's units; and its clock.
func archivingEngine(t *testing.T, name string) (*dispatch.Engine, *clocktest.Clock) {
	t.Helper()
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
	return e, clock
}

// TestPhoneSearchSameEverywhere: a caller's phone searched as people type
// it (the whole number as dialled at home or in E.164, with or without its
// "+", a part of it, with the spaces and dashes the phone has not) finds
// the same incidents in the engine's index, the embedded journal's archive
// and PostgreSQL's history (its phone index), before and after the
// incidents are archived, for a viewer who sees phones and one who does
// not.
func TestPhoneSearchSameEverywhere(t *testing.T) {
	phones := []string{"+6281234567890", "+6281234560000", "+6285712345678", "+12025550123", "", "+628123"}
	queries := []string{"081234567890", "+6281234567890", "6281234567890", "81234567890", "0812345", "+62812", "4567890",
		"7890", "0000", "345", "34", "3", "0857", "+1202", "2025550123", "0202", "0812-3456-7890", "0812 3456 7890",
		"+62 812 3456 7890", "08123456789012", "628123", "0812345 ", "kenjeran 7890"}
	viewers := map[string]cc112.Viewer{
		"dispatcher": auth.Principal{Username: "d", Role: auth.Dispatcher}.Viewer(),
		"police":     auth.Principal{Username: "p", Role: auth.Police}.Viewer(),
	}
	answers := map[string]map[string]string{} // where → viewer and query → the incidents found
	for _, name := range testjournal.Names {
		ctx := context.Background()
		e, clock := archivingEngine(t, name)
		which := map[string]int{}
		for k, phone := range phones {
			p := citytest.Near(float64(100*k), 0)
			n := dispatch.NewIncident{Category: cc112.CatMedical, Location: &p, Address: fmt.Sprintf("Jl. Kenjeran %d", 7888+k)}
			if phone != "" {
				n.Caller = &cc112.Caller{Name: "Sari", Phone: phone}
			}
			inc, err := e.CreateIncident(ctx, n, "", "")
			if err != nil {
				t.Fatal(err)
			}
			which[inc.ID] = k
			if _, err := e.CloseIncident(ctx, inc.ID, "handled", "", ""); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		record := func(where string) {
			got := map[string]string{}
			for vn, v := range viewers {
				for _, q := range queries {
					page, err := e.SearchIncidents(ctx, dispatch.IncidentQuery{Status: "closed", Text: q}, v)
					if err != nil {
						t.Fatal(err)
					}
					var found []int
					for _, inc := range page.Items {
						found = append(found, which[inc.ID])
					}
					slices.Sort(found)
					got[vn+" "+q] = fmt.Sprint(found)
				}
			}
			answers[where] = got
		}
		record(name + " in memory")
		clock.Advance(8 * 24 * time.Hour)
		if n, err := e.ArchiveClosed(ctx); err != nil || n != len(phones) {
			t.Fatalf("%s: archived %d (%v)", name, n, err)
		}
		record(name + " archived")
	}
	want := answers["bolt in memory"] // the engine's own index
	for where, got := range answers {
		for q, found := range got {
			if found != want[q] {
				t.Errorf("%s, %s: found %s, the engine's index %s", where, q, found, want[q])
			}
		}
	}
	// The reference itself, where it is plain.
	for q, found := range map[string]string{
		"dispatcher 081234567890": "[0]", "dispatcher +6281234567890": "[0]", "dispatcher 6281234567890": "[0]",
		"dispatcher 0812345": "[0 1]", "dispatcher 7890": "[0 2]", "police 7890": "[2]", "police 081234567890": "[]",
		"dispatcher 0812-3456-7890": "[]", "dispatcher 2025550123": "[3]", "dispatcher 628123": "[0 1 5]",
		"dispatcher 08123456789012": "[]",
	} {
		if want[q] != found {
			t.Errorf("the engine's index, %s: found %s, want %s", q, want[q], found)
		}
	}
}
