package main

import (
	"testing"
	"time"
)

// TestCameraWallInBrowser: three cameras near an incident stream from
// camsim and a fourth, the nearest, refuses connections; selecting the
// incident on the console opens the online ones in the wall and plays them.
func TestCameraWallInBrowser(t *testing.T) {
	browser := needBrowser(t)
	sc := newCameraScene(t, false, 3, "cw", `{"category":"traffic_accident","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`,
		`{"id":"cw4","name":"Kamera mati","location":{"lat":-7.2459,"lon":112.7379},"rtsp_url":"rtsp://127.0.0.1:1/none"}`)
	m, inc := sc.m, sc.incident
	browser.run(t, 2*time.Minute, "camwall.mjs", nil, "BASE_URL="+m.URL(), "INCIDENT="+inc.Number)
}
