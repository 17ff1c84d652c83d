package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cc112"
	"cc112/city"
	"cc112/internal/pgtest"
	"cc112/internal/testenv"
)

// testPack is a realistic city pack: a written fleet beside the real
// districts and cameras of ../shared/data, linked by path.
func testPack(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		city.AgenciesFile: "- code: damkar\n  name: Dinas Pemadam Kebakaran\n- code: dinkes\n  name: Dinas Kesehatan\n  phone: \"119\"\n- code: polri\n  name: Polrestabes\n",
		city.StationsFile: "id,name,agency,lat,lon\nst-pasarturi,Markas Damkar Pasar Turi,damkar,-7.2455,112.7325\n" +
			"st-psc,PSC 119,dinkes,-7.3215,112.744\nst-polres,Polrestabes,polri,-7.2378,112.733\n",
		city.UnitsFile: "callsign,type,agency,station,capabilities,plate\nDMK-1,fire,damkar,st-pasarturi,pump;ladder,L 1 A\n" +
			"DMK-2,fire,damkar,st-pasarturi,pump;tanker,L 2 A\nAMB-1,ambulance,dinkes,st-psc,als,L 3 A\nPOL-1,police,polri,st-polres,,L 4 A\n",
		city.PlansFile: "fire:\n  1: [{type: fire, count: 2}, {type: police}]\n  2: [{capability: ladder}]\n  3: [{capability: tanker}]\n" +
			"medical:\n  1: [{type: ambulance}]\n  2: [{capability: als}]\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, shared := range map[string]string{
		city.DistrictsFile: "surabaya_kelurahan_hdx_bps2020.geojson",
		city.CamerasFile:   "surabaya_cctv_lensamas_snapshot.csv",
	} {
		src, err := filepath.Abs(testenv.SharedData(t, shared))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func send(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestCityPackAdminAndExport: a center started from a pack (-city) seeds
// it; an admin adds, edits and retires units through the API (refused
// while the unit is on an incident, a bad request naming its field); a
// restart keeps every change; export → load → export gives the same city
// and the same files. On the embedded journal and on PostgreSQL.
func TestCityPackAdminAndExport(t *testing.T) {
	for _, tt := range []struct {
		name     string
		database func(t *testing.T) string
	}{
		{"embedded", func(*testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pack, state, db := testPack(t), t.TempDir(), tt.database(t)
			start := func() *Main {
				m := NewMain()
				m.Addr, m.Store.StateDir, m.Store.DatabaseURL = "127.0.0.1:0", state, db
				m.City.Dir, m.City.Demo, m.City.Sim = pack, true, false // -demo: its accounts; the pack's own fleet
				m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
				if err := m.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				return m
			}
			m := start()
			if n := len(m.Engine.Units()); n != 4 {
				t.Fatalf("%d units seeded, want the pack's 4", n)
			}
			if len(m.Engine.Cameras()) != 444 || len(m.Engine.City().Stations) != 3 {
				t.Fatalf("%d cameras, %d stations", len(m.Engine.Cameras()), len(m.Engine.City().Stations))
			}
			admin, disp := login(t, m.URL(), "admin"), login(t, m.URL(), "dispatcher")
			api := m.URL() + "/api/v1/admin"
			if code, body := send(t, "POST", api+"/units", admin, `{"callsign":"DMK-3","type":"fire","agency":"damkar","station":"st-nope"}`); code != 400 ||
				!strings.Contains(body, "station") {
				t.Fatalf("unknown station: %d %s", code, body)
			}
			if code, body := send(t, "POST", api+"/units", disp, `{"callsign":"DMK-3","type":"fire","agency":"damkar","station":"st-pasarturi"}`); code != 403 {
				t.Fatalf("a dispatcher added a unit: %d %s", code, body)
			}
			if code, body := send(t, "POST", api+"/units", admin, `{"callsign":"DMK-3","type":"fire","agency":"damkar","station":"st-pasarturi","capabilities":["pump","ladder","tanker"]}`); code != 201 {
				t.Fatalf("add: %d %s", code, body)
			}
			if code, body := send(t, "PATCH", api+"/units/amb-1", admin, `{"capabilities":["als","bls"]}`); code != 200 || !strings.Contains(body, `"bls"`) {
				t.Fatalf("edit: %d %s", code, body)
			}
			// The new unit is recommended and dispatched like any other.
			code, body := send(t, "POST", m.URL()+"/api/v1/incidents", disp, `{"category":"fire","location":{"lat":-7.2456,"lon":112.7326}}`)
			var inc cc112.Incident
			if err := json.Unmarshal([]byte(body), &inc); code != 201 || err != nil {
				t.Fatalf("incident: %d %s", code, body)
			}
			if code, body := send(t, "POST", m.URL()+"/api/v1/incidents/"+inc.ID+"/assignments", disp, `{"unit_id":"dmk-3"}`); code != 201 {
				t.Fatalf("assign the new unit: %d %s", code, body)
			}
			if code, body := send(t, "DELETE", api+"/units/dmk-3", admin, `{"reason":"rusak berat"}`); code != 409 {
				t.Fatalf("retire while assigned: %d %s", code, body)
			}
			if code, body := send(t, "POST", m.URL()+"/api/v1/incidents/"+inc.ID+"/close", disp, `{"disposition":"resolved"}`); code != 200 {
				t.Fatalf("close: %d %s", code, body)
			}
			if code, body := send(t, "DELETE", api+"/units/dmk-2", admin, `{}`); code != 400 || !strings.Contains(body, "reason") {
				t.Fatalf("retire without a reason: %d %s", code, body)
			}
			if code, body := send(t, "DELETE", api+"/units/dmk-2", admin, `{"reason":"dihibahkan ke Sidoarjo"}`); code != 200 {
				t.Fatalf("retire: %d %s", code, body)
			}
			want := m.Engine.City()
			if err := m.Close(context.Background()); err != nil {
				t.Fatal(err)
			}

			m = start() // a restart keeps the admin's changes, not the pack's units
			defer m.Close(context.Background())
			got := m.Engine.City()
			if !reflect.DeepEqual(cityConfig(got), cityConfig(want)) {
				t.Fatalf("after a restart:\n%+v\nwant\n%+v", cityConfig(got), cityConfig(want))
			}
			if _, err := m.Engine.Unit("dmk-2"); cc112.ErrorCode(err) != cc112.ENotFound {
				t.Fatalf("retired unit back after a restart: %v", err)
			}
			if db == "" { // the embedded journal is exported with the server stopped
				if err := m.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
			}

			// Export → load → export: the same city and the same files.
			out1, out2 := t.TempDir(), t.TempDir()
			var stdout bytes.Buffer
			if err := exportCity(context.Background(), state, db, out1, &stdout); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout.String(), "4 units") {
				t.Errorf("export says %q", stdout.String())
			}
			for _, f := range []string{city.DistrictsFile} { // the geography stays the pack's
				if err := os.Symlink(filepath.Join(pack, f), filepath.Join(out1, f)); err != nil {
					t.Fatal(err)
				}
			}
			if ps := city.Check(out1); len(ps) != 0 {
				t.Fatalf("the exported pack: %v", ps)
			}
			loaded, err := city.Load(out1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cityConfig(loaded.City), cityConfig(want)) {
				t.Fatalf("exported and loaded:\n%+v\nwant\n%+v", cityConfig(loaded.City), cityConfig(want))
			}
			if err := city.Write(out2, loaded.City, loaded.Cameras); err != nil {
				t.Fatal(err)
			}
			for _, f := range append(slices.Clone(city.FleetFiles), city.CamerasFile) {
				a, _ := os.ReadFile(filepath.Join(out1, f))
				b, _ := os.ReadFile(filepath.Join(out2, f))
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s differs between two exports", f)
				}
			}
		})
	}
}

// cityConfig is what a pack holds of a city: units without their work
// state, plans as the pack writes them.
func cityConfig(c cc112.City) cc112.City {
	units := make([]cc112.Unit, len(c.Units))
	for i, u := range c.Units {
		units[i] = cc112.Unit{ID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, Station: u.Station, Capabilities: u.Capabilities}
	}
	slices.SortFunc(units, func(a, b cc112.Unit) int { return strings.Compare(a.ID, b.ID) })
	c.Units = units
	c.Plans = cc112.CityPlans(cc112.PlansOf(c.Plans))
	return c
}

// TestCityCheckCommand: `dispatchd city check` prints each problem as
// file:line: field: problem and fails; a sound pack passes.
func TestCityCheckCommand(t *testing.T) {
	pack := testPack(t)
	var out bytes.Buffer
	if err := run([]string{"city", "check", pack}, &out); err != nil {
		t.Fatalf("sound pack: %v\n%s", err, out.String())
	}
	f, err := os.OpenFile(filepath.Join(pack, city.UnitsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("DMK-1,fire,nope,st-pasarturi,,\n")
	f.Close()
	out.Reset()
	err = run([]string{"city", "check", pack}, &out)
	if exitStatus(err, io.Discard) != 1 {
		t.Fatalf("exit status %d, want 1 (%v)", exitStatus(err, io.Discard), err)
	}
	want := "units.csv:6: id: duplicate unit id\nunits.csv:6: callsign: duplicate callsign \"DMK-1\" (unit dmk-1 has it)\nunits.csv:6: agency: unknown agency \"nope\"\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
	if err := run([]string{"city", "check"}, &out); exitStatus(err, io.Discard) != 2 {
		t.Errorf("no folder: %v", err)
	}
}
