package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/cctv"
)

// TestPolicePageInBrowser drives /police (web/e2e/police.mjs) against the
// demo city with three camsim-backed cameras near an incident whose caller
// is named: the map shows the cameras, a camera clicked after choosing a
// reason plays, the incident opens its nearest online cameras, nothing on
// the page changes anything and a forced change is refused; afterwards the
// audit of camera views holds the police user's views with their reason
// and incident. DISPATCH_SCREENSHOTS=DIR keeps
// police-*.png (and police-failed.png when it fails) in DIR.
func TestPolicePageInBrowser(t *testing.T) {
	browser := needBrowser(t)
	sc := newCameraScene(t, true, 3, "pk", `{"category":"traffic_accident","priority":1,
		"location":{"lat":-7.2458,"lon":112.7378},"address":"Jl. Tunjungan 12",
		"caller":{"name":"Rina Wulandari","phone":"081311112222"}}`)
	m, admin, inc := sc.m, sc.admin, sc.incident

	browser.run(t, 150*time.Second, "police.mjs", nil, "BASE_URL="+m.URL(), "INCIDENT="+inc.Number,
		"INCIDENT_ID="+inc.ID, "CAMERA=pk1")

	// The audit of camera views names the police user, the reason chosen
	// before the map click, and the incident of the grid it opened.
	res, err := get(m.URL()+"/api/v1/cameras/views?limit=1000", admin)
	if err != nil {
		t.Fatal(err)
	}
	var page cc112.Page[cctv.View]
	err = json.NewDecoder(res.Body).Decode(&page)
	views := page.Items
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
