package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/city"
)

// surabayaHistory is NDJSON for the import endpoint: perDay incidents on
// each of the last days days (today included, received no later than
// now) at the demo kecamatan centroids, with full unit timelines and the
// odd missing en-route tap, as a month of a center's history would look.
func surabayaHistory(t *testing.T, now time.Time, days, perDay int) []byte {
	t.Helper()
	gj, err := city.Demo().Districts.GeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Centroid [2]float64 `json:"centroid"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(gj, &fc); err != nil || len(fc.Features) == 0 {
		t.Fatalf("districts: %v", err)
	}
	plans := []struct {
		cat   string
		units [][2]string // type, agency
	}{
		{"fire", [][2]string{{"fire", "damkar"}, {"police", "polri"}}},
		{"traffic_accident", [][2]string{{"police", "polri"}, {"ambulance", "dinkes"}}},
		{"medical", [][2]string{{"ambulance", "dinkes"}}},
		{"fallen_tree", [][2]string{{"dkp", "dkp"}}},
		{"flood", [][2]string{{"rescue", "bpbd"}, {"dkp", "dkp"}}},
		{"crime", [][2]string{{"police", "polri"}}},
	}
	rng := rand.New(rand.NewPCG(112, 444))
	midnight := cc112.WIBMidnight(now)
	var buf bytes.Buffer
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for d := range days {
		day := midnight.AddDate(0, 0, -d)
		for k := range perDay {
			recv := day.Add(time.Duration(rng.IntN(86400)) * time.Second)
			if recv.After(now) {
				recv = day.Add(time.Duration(rng.Int64N(int64(max(now.Sub(day), time.Second)))))
			}
			di := rng.IntN(len(fc.Features))
			c := fc.Features[di].Properties.Centroid
			p := plans[rng.IntN(len(plans))]
			var units []string
			for i, u := range p.units {
				disp := recv.Add(time.Duration(20+rng.IntN(100)+i*30) * time.Second)
				enr := disp.Add(time.Duration(30+rng.IntN(90)) * time.Second)
				// Outer kecamatan are farther from the stations.
				on := enr.Add(time.Duration(60+rng.IntN(200)+di*12) * time.Second)
				enroute := `,"enroute_at":"` + ts(enr) + `"`
				if rng.IntN(20) == 0 {
					enroute = "" // the crew forgot to tap en route
				}
				units = append(units, fmt.Sprintf(`{"callsign":"%s-%d","type":"%s","agency":"%s","dispatched_at":"%s"%s,"onscene_at":"%s","cleared_at":"%s"}`,
					strings.ToUpper(u[1]), 1+rng.IntN(9), u[0], u[1], ts(disp), enroute, ts(on), ts(on.Add(40*time.Minute))))
			}
			fmt.Fprintf(&buf, `{"external_id":"HIST-%d-%d","category":"%s","priority":%d,"location":{"lat":%f,"lon":%f},"received_at":"%s","closed_at":"%s","units":[%s]}`+"\n",
				d, k, p.cat, 1+rng.IntN(3), c[1]+(rng.Float64()-.5)*0.004, c[0]+(rng.Float64()-.5)*0.004, ts(recv), ts(recv.Add(time.Hour)), strings.Join(units, ","))
		}
	}
	return buf.Bytes()
}

// TestSupervisorDashboardInBrowser imports a month of history into a real
// dispatchd, opens the dashboard in headless Chromium (playwright-core) at
// wall and phone size, and checks that the tiles show numbers, the
// breakdown table has rows, the charts are drawn and kecamatan coloured.
// DISPATCH_SCREENSHOTS=DIR keeps its screenshots in DIR.
func TestSupervisorDashboardInBrowser(t *testing.T) {
	browser := needBrowser(t)

	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	// The first second of a WIB day (00:00:00 WIB), for the history and the
	// browser's clock: "today" taken as UTC midnight is yesterday then.
	now := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	supervisor := login(t, m.URL(), "supervisor")
	res, err := bearer(supervisor).Post(m.URL()+"/api/v1/import/incidents", "application/x-ndjson",
		bytes.NewReader(surabayaHistory(t, now, 30, 40)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"imported":1200`) {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	// One live incident still open.
	if status, b, err := postJSON(m.URL()+"/api/v1/incidents", login(t, m.URL(), "calltaker"), `{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`); err != nil || status != 201 {
		t.Fatalf("create: %d %s %v", status, b, err)
	}

	browser.run(t, 2*time.Minute, "supervisor.mjs", []string{m.URL() + "/supervisor", strconv.FormatInt(now.UnixMilli(), 10)})
}
