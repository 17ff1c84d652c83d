package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cc112/auth"
	"cc112/cctv/camsim"
	"cc112/cctv/onvif"
)

// TestCameraReplayAndPTZInBrowser drives the camera page in headless
// Chromium (web/e2e/camreplay.mjs) against a real dispatchd recording
// camsim's camera: /camera?id=&at= plays the recording from at (the first
// frame shown is the one at or just before at), a replay steps over a
// gap in the recording at once, the timeline seeks and "Live" returns to
// live; police are asked for a reason before a replay
// and see no PTZ console; a dispatcher's held buttons, keys, presets and
// "point at the incident" reach the ONVIF test double.
// DISPATCH_SCREENSHOTS=DIR keeps screenshots (three sizes, both
// languages, live and replay).
func TestCameraReplayAndPTZInBrowser(t *testing.T) {
	browser := needBrowser(t)
	sim := camsim.ForTest(t, 1, false)
	d := &onvif.Double{User: "op", Password: "hunter2", Now: time.Now()}
	cam := httptest.NewServer(d)
	defer cam.Close()
	m := startLive(t, sim, time.Second, func(m *Main) {
		m.Cameras.Record.Dir, m.Cameras.Record.BudgetMB = t.TempDir(), 200
	})
	admin := tokenFor(t, m, auth.Admin)
	onvifURL := "http://op:hunter2@" + strings.TrimPrefix(cam.URL, "http://") + "/onvif/ptz_service"
	if code, body, err := postJSON(m.URL()+"/api/v1/cameras", admin, `{"id":"ptz1","name":"PTZ Tugu","location":{"lat":-7.2459,"lon":112.7379},"heading":90,`+
		`"rtsp_url":"`+sim.URL(1)+`","onvif_url":"`+onvifURL+`","onvif_profile":"Profile_1"}`); err != nil || code != http.StatusCreated {
		t.Fatalf("POST the PTZ camera: %d %s %v", code, body, err)
	}
	// gap1 is c1's picture far from the incident (not locked by it): the
	// test turns its recording off and on again, for a gap.
	if code, body, err := postJSON(m.URL()+"/api/v1/cameras", admin, `{"id":"gap1","name":"Gap","location":{"lat":-7.29,"lon":112.74},"rtsp_url":"`+sim.URL(1)+`"}`); err != nil || code != http.StatusCreated {
		t.Fatalf("POST the gap camera: %d %s %v", code, body, err)
	}
	sup := tokenFor(t, m, auth.Supervisor)
	for _, c := range []string{"c1", "ptz1", "gap1"} {
		if code, body, err := postJSON(m.URL()+"/api/v1/cameras/"+c+"/record", sup, `{"always":true}`); err != nil || code != http.StatusOK {
			t.Fatalf("always record %s: %d %s %v", c, code, body, err)
		}
	}
	disp := tokenFor(t, m, auth.Dispatcher)
	code, body, err := postJSON(m.URL()+"/api/v1/incidents", disp, `{"category":"fire","priority":2,"location":{"lat":-7.2558,"lon":112.7378},"address":"Jl. Pahlawan"}`)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("POST incident: %d %s %v", code, body, err)
	}
	var inc struct{ ID string }
	_ = json.Unmarshal(body, &inc)
	tokenFor(t, m, auth.Police)
	tokenFor(t, m, auth.Wall)

	// Sixteen seconds of c1 on disk: a replay from 2.5 s can seek 10 s on.
	type segment struct {
		Start, End time.Time
		Recording  bool
	}
	recorded := func(cam string, until func([]segment) bool, what string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			var rec struct {
				Segments []segment `json:"items"`
			}
			res, err := bearer(disp).Get(m.URL() + "/api/v1/cameras/" + cam + "/recordings?limit=1000")
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(res.Body).Decode(&rec)
			res.Body.Close()
			if err == nil && len(rec.Segments) > 0 && until(rec.Segments) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s is not recorded %s after a minute: %+v %v", cam, what, rec, err)
			}
			time.Sleep(time.Second)
		}
	}
	recorded("c1", func(s []segment) bool { return s[len(s)-1].End.Sub(s[0].Start) > 16*time.Second }, "for 16 s")
	// gap1: a gap of some seconds (recording off, then on again) and five
	// seconds more: the replay must step over the gap at once.
	if code, body, err := postJSON(m.URL()+"/api/v1/cameras/gap1/record", sup, `{"always":false}`); err != nil || code != http.StatusOK {
		t.Fatalf("always record gap1 off: %d %s %v", code, body, err)
	}
	recorded("gap1", func(s []segment) bool { return !s[len(s)-1].Recording }, "to a stop")
	time.Sleep(3 * time.Second)
	if code, body, err := postJSON(m.URL()+"/api/v1/cameras/gap1/record", sup, `{"always":true}`); err != nil || code != http.StatusOK {
		t.Fatalf("always record gap1 on again: %d %s %v", code, body, err)
	}
	recorded("gap1", func(s []segment) bool {
		for k := 1; k < len(s); k++ {
			if s[k].Start.Sub(s[k-1].End) > 2*time.Second && s[len(s)-1].End.Sub(s[k].Start) > 5*time.Second {
				return true
			}
		}
		return false
	}, "after a gap")

	browser.run(t, 4*time.Minute, "camreplay.mjs", nil, "BASE_URL="+m.URL(), "INCIDENT="+inc.ID)

	// What the held buttons, the keys, a preset and "point at" sent the camera.
	calls := strings.Join(d.Calls(), "\n")
	for _, want := range []string{
		"GetPresets",
		"ContinuousMove pan=0.5 tilt= timeout=PT1S",
		"ContinuousMove pan= tilt=0.5 timeout=PT1S",
		"ContinuousMove zoom=0.5 timeout=PT1S",
		"Stop pantilt=true zoom=true",
		"GotoPreset 1",
		"AbsoluteMove pan=0.5",
	} {
		if !strings.Contains(calls, want) {
			t.Errorf("the camera was not asked %q; it read:\n%s", want, calls)
		}
	}
	if n := strings.Count(calls, "ContinuousMove pan=0.5 tilt= timeout"); n < 2 {
		t.Errorf("a button held 1.6 s sent %d moves, want at least 2 (it repeats while held):\n%s", n, calls)
	}
}
