package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
)

// TestCameraClustersInBrowser: the demo city with 2,000 more cameras
// (Surabaya connects about 2,200): zoomed out, the console's map merges
// them into counted discs under the district names; a click on a disc
// zooms in and splits it.
func TestCameraClustersInBrowser(t *testing.T) {
	browser := needBrowser(t)
	m := runDemo(t)
	rng := rand.New(rand.NewPCG(23, 2200)) // the same city every run
	cams := make([]cc112.Camera, 0, 2000)
	for k := range 2000 {
		cams = append(cams, cc112.Camera{ID: fmt.Sprintf("extra-%04d", k), Name: fmt.Sprintf("Kamera %d", k),
			Location: geo.Point{Lat: -7.34 + rng.Float64()*0.13, Lon: 112.63 + rng.Float64()*0.17}})
	}
	if err := m.Engine.RegisterCameras(context.Background(), cams); err != nil {
		t.Fatal(err)
	}
	total := len(m.Engine.Cameras())
	browser.run(t, 3*time.Minute, "camclusters.mjs", nil, "BASE_URL="+m.URL(), fmt.Sprintf("CAMERAS=%d", total))
}
