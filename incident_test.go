package cc112

import (
	"strings"
	"testing"
	"time"
)

// The timeline at fixed instants: oldest first, the incident's own step
// before its units' at the same instant, nothing for what has not happened.
func TestIncidentTimeline(t *testing.T) {
	at := func(s int) *time.Time { v := time.Date(2026, 11, 22, 1, 0, s, 0, time.UTC); return &v }
	inc := &Incident{
		ReceivedAt: *at(0), DispatchedAt: at(10), OnsceneAt: at(40),
		Assignments: []*Assignment{
			{UnitID: "u2", Callsign: "AMB-2", DispatchedAt: *at(20), EnrouteAt: at(25)},
			{UnitID: "u1", Callsign: "FIRE-1", DispatchedAt: *at(10), EnrouteAt: at(12), OnsceneAt: at(40)},
		},
	}
	var got []string
	for _, e := range inc.Timeline() {
		got = append(got, e.At.Format("05")+" "+e.Event+" "+e.Callsign)
	}
	want := []string{"00 received ", "10 dispatched ", "10 dispatched FIRE-1", "12 enroute FIRE-1",
		"20 dispatched AMB-2", "25 enroute AMB-2", "40 onscene ", "40 onscene FIRE-1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("timeline\n got %q\nwant %q", got, want)
	}
}
