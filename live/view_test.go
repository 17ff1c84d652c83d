package live

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// testViewer reads the viewer from the query (the app takes it from the
// session): ?viewer=police, ?viewer=unit:ID, else everything.
func testViewer(r *http.Request) cc112.Viewer {
	v := r.URL.Query().Get("viewer")
	switch {
	case v == "police":
		return cc112.Viewer{Sight: cc112.SeeNone}
	case strings.HasPrefix(v, "unit:"):
		return cc112.Viewer{Sight: cc112.SeeUnit, UnitID: strings.TrimPrefix(v, "unit:")}
	}
	return cc112.Everyone
}

// desk is a resource only full viewers may see (as a complaint).
type desk struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func (d *desk) View(v cc112.Viewer) (any, string) {
	if v.Sight != cc112.SeeAll {
		return nil, ""
	}
	return d, cc112.ViewAll
}

// TestViewsPerConnection: each connection gets the view of its viewer, in
// the snapshot, in events and on resume; an event it may not see at all
// comes as a placeholder with its seq, so its seqs stay consecutive.
func TestViewsPerConnection(t *testing.T) {
	f := newFixture(t, Config{Viewer: testViewer, Events: dispatch.LiveEvents})
	ctx := context.Background()
	const name, phone = "Siti Aminah", "081234567890"
	create := func() *cc112.Incident {
		t.Helper()
		inc, err := f.eng.CreateIncident(ctx, dispatch.NewIncident{Category: "fire",
			Location: &geo.Point{Lat: -7.25, Lon: 112.75}, Caller: &cc112.Caller{Name: name, Phone: phone, NIK: "3578014409870001"}}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	create() // in the snapshot
	unit := f.availableUnits()[0]
	police, staff, crew := f.dial("viewer=police"), f.dial(""), f.dial("viewer=unit:"+unit)
	inc := create() // an event
	if _, err := f.eng.Assign(ctx, inc.ID, unit, "", ""); err != nil {
		t.Fatal(err)
	}
	f.hub.Publish("desk.note", &desk{ID: "D1", Secret: "NOTE-7f3a"})
	last := f.hub.Stats().Seq

	read := func(c *client) (all []byte, byEvent map[string][]byte) {
		t.Helper()
		byEvent = map[string][]byte{}
		snap := c.mustRead()
		if snap.Type != "snapshot" || len(snap.Incidents) != 1 {
			t.Fatalf("first message %s with %d incidents", snap.Type, len(snap.Incidents))
		}
		all, _ = json.Marshal(snap.Incidents)
		for seq := snap.Seq + 1; seq <= last; seq++ {
			m := c.mustRead()
			if m.Seq != seq {
				t.Fatalf("seq %d after %d", m.Seq, seq-1)
			}
			all = append(all, m.Data...)
			byEvent[m.Event] = append(byEvent[m.Event], m.Data...)
		}
		return all, byEvent
	}
	pol, polEv := read(police)
	for _, s := range []string{name, phone, "NOTE-7f3a"} {
		if bytes.Contains(pol, []byte(s)) {
			t.Errorf("police feed holds %q: %s", s, pol)
		}
	}
	if polEv["desk.note"] != nil || string(polEv[hiddenEvent]) != "null" {
		t.Errorf("police got the desk note as %v, want one hidden placeholder", polEv)
	}
	st, _ := read(staff)
	for _, s := range []string{name, phone, "NOTE-7f3a"} {
		if !bytes.Contains(st, []byte(s)) {
			t.Errorf("staff feed misses %q", s)
		}
	}
	cr, crEv := read(crew)
	if bytes.Contains(cr, []byte(name)) || bytes.Contains(cr, []byte("NOTE-7f3a")) {
		t.Errorf("unit feed holds the caller's name or the note: %s", cr)
	}
	// The callback number comes once the unit works the incident.
	if bytes.Contains(crEv["incident.created"], []byte(phone)) || !bytes.Contains(crEv["incident.updated"], []byte(phone)) {
		t.Errorf("unit: created %s, updated %s; want the phone only once assigned", crEv["incident.created"], crEv["incident.updated"])
	}

	// A police resume is served from the buffer with the same views.
	resumed := f.dial("viewer=police&epoch=" + f.hub.Epoch() + "&since=0")
	for seq := uint64(1); seq <= last; seq++ {
		m := resumed.mustRead()
		if m.Seq != seq || bytes.Contains(m.Data, []byte(phone)) || bytes.Contains(m.Data, []byte("NOTE-7f3a")) {
			t.Fatalf("resumed police frame %d %s %s", m.Seq, m.Event, m.Data)
		}
	}
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func TestViewerNeedsEvents(t *testing.T) {
	if _, err := New(Config{Source: nopSource{}, Viewer: testViewer}); err == nil {
		t.Fatal("a Viewer without the Events vocabulary accepted")
	}
}

type nopSource struct{}

func (nopSource) Snapshot(during func()) dispatch.Snapshot { during(); return dispatch.Snapshot{} }
