package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/cctv"
	"cc112/cctv/camsim"
)

// TestPolicePageInBrowser drives /police (web/e2e/police.mjs) against the
// demo city with three camsim-backed cameras near an incident whose caller
// is named: the map shows the cameras, a camera clicked after choosing a
// reason plays, the incident opens its nearest online cameras, nothing on
// the page changes anything and a forced change is refused; afterwards the
// audit of camera views holds the police user's views with their reason
// and incident. With DISPATCH_UPDATE_SCREENSHOTS=1 it refreshes
// docs/screenshots/police-*.png; DISPATCH_SCREENSHOTS=DIR keeps them (and
// police-failed.png when it fails) in DIR.
func TestPolicePageInBrowser(t *testing.T) {
	browser := needBrowser(t)
	sim := camsim.ForTest(t, 3, false)
	m := NewMain()
	m.Addr, m.StateDir, m.Demo, m.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.CameraProbeInterval = 300 * time.Millisecond
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	admin := tokenFor(t, m, auth.Admin)
	dispatcher := tokenFor(t, m, auth.Dispatcher)
	for k := 1; k <= 3; k++ {
		body := fmt.Sprintf(`{"id":"pk%d","name":"Kamera Tunjungan %d","location":{"lat":%f,"lon":112.7378},"rtsp_url":"%s"}`,
			k, k, -7.2458-float64(k)*0.0005, sim.URL(k))
		if code, b, err := postJSON(m.URL()+"/api/v1/cameras", admin, body); err != nil || code != http.StatusCreated {
			t.Fatalf("camera %d: %d %s %v", k, code, b, err)
		}
	}
	waitOnline(t, m.URL(), dispatcher, "pk1", "pk2", "pk3")
	code, b, err := postJSON(m.URL()+"/api/v1/incidents", dispatcher, `{"category":"traffic_accident","priority":1,
		"location":{"lat":-7.2458,"lon":112.7378},"address":"Jl. Tunjungan 12",
		"caller":{"name":"Rina Wulandari","phone":"081311112222"}}`)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("incident: %d %s %v", code, b, err)
	}
	var inc cc112.Incident
	if err := json.Unmarshal(b, &inc); err != nil {
		t.Fatal(err)
	}

	shots := screenshotDir(t)
	if d := os.Getenv("DISPATCH_SCREENSHOTS"); d != "" {
		shots = d
	}
	browser.run(t, 150*time.Second, "police.mjs", nil, "BASE_URL="+m.URL(), "INCIDENT="+inc.Number,
		"INCIDENT_ID="+inc.ID, "CAMERA=pk1", "SHOTS="+shots)

	// The audit of camera views names the police user, the reason chosen
	// before the map click, and the incident of the grid it opened.
	res, err := get(m.URL()+"/api/v1/cameras/views?limit=10000", admin)
	if err != nil {
		t.Fatal(err)
	}
	var views []cctv.View
	err = json.NewDecoder(res.Body).Decode(&views)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("views: %d %v", res.StatusCode, err)
	}
	var byReason, byIncident bool
	for _, v := range views {
		if v.User != "police" || v.Role != string(auth.Police) {
			continue
		}
		byReason = byReason || (v.CameraID == "pk1" && v.Reason == "Pemantauan lalu lintas")
		byIncident = byIncident || v.IncidentID == inc.ID
	}
	if !byReason || !byIncident {
		t.Fatalf("police views with reason %v, with incident %v; views: %+v", byReason, byIncident, views)
	}
}

// waitOnline waits until the prober has seen every camera in ids online.
func waitOnline(t *testing.T, base, token string, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := get(base+"/api/v1/cameras", token)
		if err != nil {
			t.Fatal(err)
		}
		var cams []cc112.Camera
		err = json.NewDecoder(res.Body).Decode(&cams)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		online := map[string]bool{}
		for _, c := range cams {
			online[c.ID] = c.Status == cc112.CameraOnline
		}
		n := 0
		for _, id := range ids {
			if online[id] {
				n++
			}
		}
		if n == len(ids) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %v online after 30 s", n, ids)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
