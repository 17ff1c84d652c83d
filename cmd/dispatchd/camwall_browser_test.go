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
	"cc112/cctv/camsim"
)

// TestCameraWallInBrowser: three cameras near an incident stream from
// camsim and a fourth (farther) has no video; selecting the incident on the
// console opens the nearest online cameras in the wall and plays them.
func TestCameraWallInBrowser(t *testing.T) {
	browser := needBrowser(t)
	sim := camsim.ForTest(t, 3, false)
	m := NewMain()
	m.Addr, m.StateDir = "127.0.0.1:0", t.TempDir()
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.CameraProbeInterval = 300 * time.Millisecond
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	admin := tokenFor(t, m, auth.Admin)
	dispatcher := tokenFor(t, m, auth.Dispatcher)
	for k := 1; k <= 4; k++ {
		body := fmt.Sprintf(`{"id":"cw%d","name":"Kamera uji %d","location":{"lat":%f,"lon":112.7378},"rtsp_url":"%s"}`,
			k, k, -7.2458-float64(k)*0.0005, sim.URL(k))
		if k == 4 { // the nearest camera, but its address refuses: offline, never in the wall
			body = `{"id":"cw4","name":"Kamera mati","location":{"lat":-7.2459,"lon":112.7379},"rtsp_url":"rtsp://127.0.0.1:1/none"}`
		}
		if code, b, err := postJSON(m.URL()+"/api/v1/cameras", admin, body); err != nil || code != http.StatusCreated {
			t.Fatalf("camera %d: %d %s %v", k, code, b, err)
		}
	}
	waitOnline(t, m.URL(), dispatcher, "cw1", "cw2", "cw3")
	code, b, err := postJSON(m.URL()+"/api/v1/incidents", dispatcher, `{"category":"traffic_accident","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("incident: %d %s %v", code, b, err)
	}
	var inc cc112.Incident
	if err := json.Unmarshal(b, &inc); err != nil {
		t.Fatal(err)
	}
	browser.run(t, 2*time.Minute, "camwall.mjs", nil, "BASE_URL="+m.URL(), "INCIDENT="+inc.Number, "SHOTS="+os.Getenv("SHOTS"))
	if n := sim.Opened("/cam/1"); n < 1 {
		t.Fatalf("camsim camera 1 was opened %d times, want at least once", n)
	}
}
