package dispatch

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cc112"
)

// TestNotes: a note keeps its author, role, time and flag; bad text and a
// closed or unknown incident are refused and journal nothing; replay
// rebuilds the narrative.
func TestNotes(t *testing.T) {
	f := newFixture(t)
	inc := f.incident(t, cc112.CatFire, center)
	by := Author{Username: "dina", Role: "dispatcher"}
	for _, text := range []string{"", "   \n\t", strings.Repeat("a", cc112.MaxNote+1), "bel\x07"} {
		_, err := f.eng.AddNote(bg, inc.ID, text, false, by, "", "")
		wantCode(t, err, cc112.EInvalid)
	}
	_, err := f.eng.AddNote(bg, "inc_nope", "x", false, by, "", "")
	wantCode(t, err, cc112.ENotFound)
	if n := f.count(t, cc112.EvIncidentNoted); n != 0 {
		t.Fatalf("refused notes journaled: %d", n)
	}

	f.clock.Advance(time.Minute)
	must[*cc112.Incident](t)(f.eng.AddNote(bg, inc.ID, "  Api di lantai 2\nakses lewat gang  ", false, by, "", ""))
	f.clock.Advance(time.Minute)
	got := must[*cc112.Incident](t)(f.eng.AddNote(bg, inc.ID, strings.Repeat("b", cc112.MaxNote), true, Author{"rina", "call_taker"}, "", ""))
	if len(got.Notes) != 2 {
		t.Fatalf("notes: %+v", got.Notes)
	}
	n0, n1 := got.Notes[0], got.Notes[1]
	if n0.Text != "Api di lantai 2\nakses lewat gang" || n0.Author != "dina" || n0.Role != "dispatcher" || n0.Internal ||
		!n0.At.Equal(t0.Add(time.Minute)) || !strings.HasPrefix(n0.ID, "note_") {
		t.Fatalf("first note: %+v", n0)
	}
	if !n1.Internal || n1.Author != "rina" || !n1.At.Equal(t0.Add(2*time.Minute)) || n1.ID == n0.ID {
		t.Fatalf("second note: %+v", n1)
	}

	must[*cc112.Incident](t)(f.eng.CloseIncident(bg, inc.ID, "padam", "", ""))
	_, err = f.eng.AddNote(bg, inc.ID, "late", false, by, "", "")
	wantCode(t, err, cc112.EConflict)
	if n := f.count(t, cc112.EvIncidentNoted); n != 2 {
		t.Fatalf("journaled notes: %d, want 2", n)
	}

	before := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	after := must[*cc112.Incident](t)(f.reopen(t).Incident(inc.ID))
	b1, _ := json.Marshal(before)
	b2, _ := json.Marshal(after)
	if string(b1) != string(b2) {
		t.Fatalf("replay differs:\nbefore %s\nafter  %s", b1, b2)
	}
}
