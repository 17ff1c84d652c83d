package ui

import (
	"context"
	"testing"

	"cc112/auth"
	"cc112/cctv"
	"cc112/dispatch"
	"cc112/geo"
)

// TestRecordingAPI: who may mark cameras "always record", read and release
// an incident's evidence lock, and what bad input gets.
func TestRecordingAPI(t *testing.T) {
	s := newSecured(t)
	cam := s.eng.Cameras()[0].ID
	loc := geo.Point{Lat: -7.2458, Lon: 112.7378}
	inc, err := s.eng.CreateIncident(context.Background(), dispatch.NewIncident{Category: "fire", Location: &loc}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		role         auth.Role
		method, path string
		body         string
		want         int
	}{
		{auth.Police, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":true}`, 403},
		{auth.Dispatcher, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":true}`, 403},
		{auth.Supervisor, "POST", "/api/v1/cameras/" + cam + "/record", `{}`, 400},
		{auth.Supervisor, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":"yes"}`, 400},
		{auth.Supervisor, "POST", "/api/v1/cameras/nope/record", `{"always":true}`, 404},
		{auth.Supervisor, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":true}`, 200},
		{auth.Police, "GET", "/api/v1/cameras/" + cam + "/recordings", "", 200},
		{auth.Police, "GET", "/api/v1/cameras/" + cam + "/recordings?from=yesterday", "", 400},
		{auth.Police, "GET", "/api/v1/cameras/" + cam + "/recordings?from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z", "", 400},
		{auth.Police, "GET", "/api/v1/cameras/nope/recordings", "", 404},
		{auth.UnitRole, "GET", "/api/v1/cameras/" + cam + "/recordings", "", 403},
		{auth.Police, "GET", "/api/v1/incidents/" + inc.ID + "/evidence", "", 404}, // no lock yet
	} {
		if r := s.as(c.role, c.method, c.path, c.body); r.status != c.want {
			t.Errorf("%s %s %s %s: %d %s, want %d", c.role, c.method, c.path, c.body, r.status, r.body, c.want)
		}
	}
	if !s.recordings.IsAlways(cam) {
		t.Errorf("%s is not marked always record", cam)
	}
	if err := s.recordings.Lock(context.Background(), cctv.EvidenceLock{IncidentID: inc.ID, Cameras: []string{cam}, From: inc.ReceivedAt}); err != nil {
		t.Fatal(err)
	}
	var l cctv.EvidenceLock
	r := s.as(auth.Police, "GET", "/api/v1/incidents/"+inc.ID+"/evidence", "")
	r.decode(t, &l)
	if r.status != 200 || len(l.Cameras) != 1 || l.Cameras[0] != cam || l.ReleasedAt != nil {
		t.Fatalf("evidence: %d %s", r.status, r.body)
	}
	release := "/api/v1/incidents/" + inc.ID + "/evidence/release"
	for _, c := range []struct {
		role auth.Role
		body string
		want int
	}{
		{auth.Police, `{"reason":"x"}`, 403},
		{auth.Dispatcher, `{"reason":"x"}`, 403},
		{auth.Supervisor, `{}`, 400},
		{auth.Supervisor, `{"reason":"   "}`, 400},
		{auth.Supervisor, `{"reason":"no request from the police within 30 days"}`, 200},
		{auth.Supervisor, `{"reason":"again"}`, 409},
	} {
		if r := s.as(c.role, "POST", release, c.body); r.status != c.want {
			t.Errorf("%s release %s: %d %s, want %d", c.role, c.body, r.status, r.body, c.want)
		}
	}
	if l, _ := s.recordings.LockOf(inc.ID); l.ReleasedAt == nil || l.ReleasedBy != string(auth.Supervisor) {
		t.Errorf("after release: %+v", l)
	}
}
