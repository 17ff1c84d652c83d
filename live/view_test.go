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

func (d *desk) ViewName(v cc112.Viewer) string {
	if v.Sight != cc112.SeeAll {
		return ""
	}
	return cc112.ViewAll
}

func (d *desk) View(cc112.Viewer) any { return d }

// TestViewsPerConnection: each connection gets the view of its viewer, in
// the snapshot, in events and on resume; an event it may not see at all
// comes as a placeholder with its seq, so its seqs stay consecutive.
func TestViewsPerConnection(t *testing.T) {
	f := newFixture(t, Config{Viewer: testViewer, Payloads: dispatch.LivePayloads})
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

	read := func(c *client, incidents int) (all []byte, byEvent map[string][]byte) {
		t.Helper()
		byEvent = map[string][]byte{}
		snap := c.mustRead()
		if snap.Type != "snapshot" || len(snap.Incidents) != incidents {
			t.Fatalf("first message %s with %d incidents, want %d", snap.Type, len(snap.Incidents), incidents)
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
	pol, polEv := read(police, 1)
	for _, s := range []string{name, phone, "NOTE-7f3a"} {
		if bytes.Contains(pol, []byte(s)) {
			t.Errorf("police feed holds %q: %s", s, pol)
		}
	}
	if polEv["desk.note"] != nil || string(polEv[hiddenEvent]) != "null" {
		t.Errorf("police got the desk note as %v, want one hidden placeholder", polEv)
	}
	st, _ := read(staff, 1)
	for _, s := range []string{name, phone, "NOTE-7f3a"} {
		if !bytes.Contains(st, []byte(s)) {
			t.Errorf("staff feed misses %q", s)
		}
	}
	cr, crEv := read(crew, 0) // not the incident it does not work
	if bytes.Contains(cr, []byte(name)) || bytes.Contains(cr, []byte("NOTE-7f3a")) {
		t.Errorf("unit feed holds the caller's name or the note: %s", cr)
	}
	// The incident comes, with its callback number, once the unit works it.
	if crEv["incident.created"] != nil || !bytes.Contains(crEv["incident.updated"], []byte(phone)) {
		t.Errorf("unit: created %s, updated %s; want the incident only once assigned", crEv["incident.created"], crEv["incident.updated"])
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

func TestViewerNeedsPayloads(t *testing.T) {
	if _, err := New(Config{Source: nopSource{}, Viewer: testViewer}); err == nil {
		t.Fatal("a Viewer without the Payloads accepted")
	}
}

type nopSource struct{}

func (nopSource) Snapshot(during func()) dispatch.Snapshot { during(); return dispatch.Snapshot{} }

// TestFollowerViews: a standby serving its leader's feed gives each viewer
// the same views as the leader would (snapshot, events, resume), from the
// relayed whole messages; an event its vocabulary does not name reaches
// only viewers who see everything.
func TestFollowerViews(t *testing.T) {
	cfg := Config{Viewer: testViewer, Payloads: dispatch.LivePayloads}
	leader, standby := newFixture(t, cfg), newFixture(t, cfg)
	standby.eng.SetStandby()
	fol := standby.hub.Follower(nil)
	tap := leader.hub.Tap()
	defer tap.Close()
	pump := func() {
		t.Helper()
		for batch := tap.Next(nil, 64); len(batch) > 0; batch = tap.Next(nil, 64) {
			for _, p := range batch {
				fol.Message(p)
			}
			tap.Done()
		}
	}
	ctx := context.Background()
	const phone = "081234567890"
	create := func() {
		t.Helper()
		if _, err := leader.eng.CreateIncident(ctx, dispatch.NewIncident{Category: "fire",
			Location: &geo.Point{Lat: -7.25, Lon: 112.75}, Caller: &cc112.Caller{Name: "Siti", Phone: phone}}, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	create() // in the leader's snapshot
	if err := tap.WantSnapshot(); err != nil {
		t.Fatal(err)
	}
	pump()
	if !fol.InStep() {
		t.Fatal("the follower did not adopt the leader's snapshot")
	}
	start := standby.hub.Stats().Seq
	police, staff := standby.dial("viewer=police"), standby.dial("")
	create()
	leader.hub.Publish("desk.note", &desk{ID: "D1", Secret: "NOTE-7f3a"})
	pump()
	last := leader.hub.Stats().Seq
	for _, tc := range []struct {
		name string
		c    *client
		sees bool
	}{{"police", police, false}, {"staff", staff, true}} {
		snap := tc.c.mustRead()
		got, _ := json.Marshal(snap.Incidents)
		for seq := snap.Seq + 1; seq <= last; seq++ {
			m := tc.c.mustRead()
			if m.Seq != seq {
				t.Fatalf("%s: seq %d after %d", tc.name, m.Seq, seq-1)
			}
			got = append(got, m.Data...)
		}
		for _, s := range []string{phone, "NOTE-7f3a"} {
			if bytes.Contains(got, []byte(s)) != tc.sees {
				t.Errorf("%s on the standby: %q in the feed = %v, want %v: %s", tc.name, s, !tc.sees, tc.sees, got)
			}
		}
	}
	resumed := standby.dial("viewer=police&epoch=" + standby.hub.Epoch() + "&since=" + itoa(start))
	for seq := start + 1; seq <= last; seq++ {
		if m := resumed.mustRead(); m.Seq != seq || bytes.Contains(m.Data, []byte(phone)) || bytes.Contains(m.Data, []byte("NOTE")) {
			t.Fatalf("resumed police frame on the standby %d %s %s", m.Seq, m.Event, m.Data)
		}
	}
}
