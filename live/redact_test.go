package live

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// dropCallers is the test's stand-in for auth.RedactJSON: it removes
// "caller" objects from an incident, or from a snapshot's incidents.
func dropCallers(msg []byte) []byte {
	if !bytes.Contains(msg, []byte(`"caller"`)) {
		return msg
	}
	var v map[string]any
	if json.Unmarshal(msg, &v) != nil {
		return []byte("null")
	}
	delete(v, "caller")
	if list, ok := v["incidents"].([]any); ok {
		for _, inc := range list {
			delete(inc.(map[string]any), "caller")
		}
	}
	out, _ := json.Marshal(v)
	return out
}

// TestRedactedConnections: a connection marked redacted never gets a
// caller's phone, in the snapshot, in events or on resume; the others do.
func TestRedactedConnections(t *testing.T) {
	f := newFixture(t, Config{
		Redacted: func(r *http.Request) bool { return r.URL.Query().Get("viewer") == "police" },
		Redact:   dropCallers,
	})
	const phone = "081234567890"
	create := func() {
		t.Helper()
		_, err := f.eng.CreateIncident(context.Background(), dispatch.NewIncident{Category: "fire",
			Location: &geo.Point{Lat: -7.25, Lon: 112.75}, Caller: &cc112.Caller{Name: "Siti", Phone: phone}}, "", "")
		if err != nil {
			t.Fatal(err)
		}
	}
	create() // in the snapshot
	police, staff := f.dial("viewer=police"), f.dial("")
	create() // an event
	for _, tc := range []struct {
		name      string
		c         *client
		wantPhone bool
	}{{"police", police, false}, {"staff", staff, true}} {
		snap, ev := tc.c.mustRead(), tc.c.mustRead()
		b, _ := json.Marshal([]any{snap.Incidents, ev.Data})
		if got := bytes.Contains(b, []byte(phone)); got != tc.wantPhone {
			t.Errorf("%s: phone in feed = %v, want %v: %s", tc.name, got, tc.wantPhone, b)
		}
		if snap.Type != "snapshot" || ev.Event != "incident.created" || len(snap.Incidents) != 1 {
			t.Fatalf("%s: got %s then %s %s", tc.name, snap.Type, ev.Type, ev.Event)
		}
	}
	// A police resume is served from the buffer: redacted too.
	seq := f.hub.Stats().Seq
	create()
	resumed := f.dial("viewer=police&epoch=" + f.hub.Epoch() + "&since=" + itoa(seq))
	if m := resumed.mustRead(); m.Event != "incident.created" || bytes.Contains(m.Data, []byte(phone)) {
		t.Fatalf("resumed police frame %s %s", m.Event, m.Data)
	}
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func TestRedactNeedsRedacted(t *testing.T) {
	if _, err := New(Config{Source: nopSource{}, Redact: dropCallers}); err == nil {
		t.Fatal("Redact without Redacted accepted")
	}
}

type nopSource struct{}

func (nopSource) Snapshot(during func()) dispatch.Snapshot { during(); return dispatch.Snapshot{} }
