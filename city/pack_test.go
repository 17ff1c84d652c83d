package city

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cc112"
)

// smallPack is a written fleet: two agencies, two stations, four units, two
// plans (lines: agencies 1–5, stations 2–3, units 2–5, plans 1–6).
var smallPack = map[string]string{
	AgenciesFile: `- code: damkar
  name: Pemadam Kebakaran
  phone: "112"
- code: dinkes
  name: Dinas Kesehatan
`,
	StationsFile: `id,name,agency,lat,lon
st-a,Pos A,damkar,-7.2455,112.7325
st-b,PSC B,dinkes,-7.3215,112.744
`,
	UnitsFile: `callsign,type,agency,station,capabilities,plate
DMK-1,fire,damkar,st-a,pump;ladder,L 1234 AB
DMK-2,fire,damkar,st-a,pump,
AMB-1,ambulance,dinkes,st-b,als,
AMB-2,ambulance,dinkes,st-b,,
`,
	PlansFile: `fire:
  1: [{type: fire, count: 2}]
  2: [{capability: ladder}]
medical:
  1: [{type: ambulance}]
  3: [{capability: als, count: 1}]
`,
}

// writePack writes files into a new folder, with replacements applied.
func writePack(t *testing.T, files map[string]string, edit map[string]func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if f, ok := edit[name]; ok {
			body = f(body)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSmallPackLoads(t *testing.T) {
	p, err := Load(writePack(t, smallPack, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Agencies) != 2 || len(p.Stations) != 2 || len(p.Units) != 4 || len(p.Plans) != 2 {
		t.Fatalf("loaded %d agencies, %d stations, %d units, %d plans", len(p.Agencies), len(p.Stations), len(p.Units), len(p.Plans))
	}
	u := p.Units[0]
	if u.ID != "dmk-1" || u.Callsign != "DMK-1" || !slices.Equal(u.Capabilities, []string{"pump", "ladder"}) || u.Status != cc112.UnitAvailable {
		t.Errorf("first unit %+v", u)
	}
	if p.Units[3].Capabilities != nil {
		t.Errorf("AMB-2 capabilities %v, want none", p.Units[3].Capabilities)
	}
	if p.Agencies[0].Phone != "112" {
		t.Errorf("agency %+v", p.Agencies[0])
	}
	plan, alarms := cc112.PlansOf(p.Plans)
	if !reflect.DeepEqual(plan[cc112.CatFire], []cc112.Need{{Type: cc112.UnitFire, Count: 2}}) ||
		!reflect.DeepEqual(alarms[cc112.CatMedical][1], []cc112.Need{{Capability: "als", Count: 1}}) {
		t.Errorf("plans %+v / %+v", plan, alarms)
	}
	if !p.HasOwnFleet() || p.Districts.Len() != 31 {
		t.Errorf("own %v, %d districts (the demo's when the pack has none)", p.Own, p.Districts.Len())
	}
}

// TestEveryProblem: each rule's problem is reported at its file, line and
// field, and the pack does not load.
func TestEveryProblem(t *testing.T) {
	appendLine := func(line string) func(string) string { return func(s string) string { return s + line + "\n" } }
	replace := func(old, new string) func(string) string {
		return func(s string) string { return strings.Replace(s, old, new, 1) }
	}
	for _, c := range []struct {
		name string
		file string
		edit func(string) string
		want string
	}{
		{"unknown agency of a unit", UnitsFile, appendLine("X-1,fire,nope,st-a,,"), "units.csv:6: agency: unknown agency \"nope\""},
		{"unknown agency of a station", StationsFile, appendLine("st-c,Pos C,nope,-7.25,112.74"), "stations.csv:4: agency: unknown agency \"nope\""},
		{"duplicate callsign", UnitsFile, appendLine("DMK-1,fire,damkar,st-a,,"), "units.csv:6: callsign: duplicate callsign \"DMK-1\""},
		{"duplicate unit id", UnitsFile, replace("callsign,type", "id,callsign,type"), ""},
		{"unknown station", UnitsFile, appendLine("DMK-9,fire,damkar,st-zz,,"), "units.csv:6: station: unknown station \"st-zz\""},
		{"bad coordinates", StationsFile, appendLine("st-c,Pos C,damkar,-97.2,112.74"), "stations.csv:4: lat:"},
		{"coordinates not numbers", StationsFile, appendLine("st-c,Pos C,damkar,south,112.74"), "stations.csv:4: lat: \"south\" is not a number"},
		{"station outside the service area", StationsFile, appendLine("st-c,Pos C,damkar,-6.2,106.8"), "stations.csv:4: lat: outside the service area"},
		{"plan naming a capability no unit has", PlansFile, replace("{capability: ladder}", "{capability: hovercraft}"), "plans.yaml:3: capability: no unit has capability \"hovercraft\""},
		{"unknown unit type", UnitsFile, appendLine("TNK-1,tank,damkar,st-a,,"), "units.csv:6: type: unknown unit type \"tank\""},
		{"unknown unit type in a plan", PlansFile, replace("{type: ambulance}", "{type: boat}"), "plans.yaml:5: type: unknown unit type \"boat\""},
		{"unknown category", PlansFile, appendLine("volcano:\n  1: [{type: fire}]"), "plans.yaml:7: category: unknown category \"volcano\""},
		{"alarm level out of range", PlansFile, replace("  2: [", "  4: ["), "plans.yaml:3: level: alarm level \"4\""},
		{"need with type and capability", PlansFile, replace("{capability: ladder}", "{capability: ladder, type: fire}"), "plans.yaml:3: type: a need names either a unit type or a capability"},
		{"need count", PlansFile, replace("{type: fire, count: 2}", "{type: fire, count: 0}"), "plans.yaml:2: count: must be 1 to 50, not 0"},
		{"unknown field in agencies", AgenciesFile, replace("  phone:", "  fax:"), "agencies.yaml:1: -: unknown field \"fax\""},
		{"malformed YAML", AgenciesFile, appendLine("- code: [unclosed"), "agencies.yaml:5: -: malformed YAML"},
		{"malformed plans YAML", PlansFile, replace("fire:", "fire: ]"), "plans.yaml:0: -: malformed YAML"},
		{"malformed CSV", UnitsFile, appendLine(`"DMK-3,fire,damkar,st-a,`), "units.csv:6: -: malformed CSV"},
		{"short CSV row", UnitsFile, appendLine("DMK-3,fire"), "units.csv:6: -: 2 fields, the header has 6"},
		{"missing column", StationsFile, replace("id,name,agency,lat,lon", "id,name,lat,lon"), "stations.csv:1: agency: the header lacks column agency"},
		{"bad agency code", AgenciesFile, replace("code: dinkes", "code: Din Kes"), "agencies.yaml:4: code: must be lower-case"},
		{"missing name", AgenciesFile, replace("name: Dinas Kesehatan", "name: \"\""), "agencies.yaml:4: name: is required"},
		{"bad capability", UnitsFile, replace("pump;ladder", "pump;Big Ladder"), "units.csv:2: capabilities: capability \"Big Ladder\""},
		{"duplicate station", StationsFile, appendLine("st-a,Pos A2,damkar,-7.25,112.74"), "stations.csv:4: id: duplicate station id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			edit := c.edit
			if c.name == "duplicate unit id" { // an id column giving two units one id
				edit = func(s string) string {
					s = strings.Replace(s, "callsign,type", "id,callsign,type", 1)
					lines := strings.Split(s, "\n")
					for i := 1; i < len(lines); i++ {
						if lines[i] != "" {
							lines[i] = "same," + lines[i]
						}
					}
					return strings.Join(lines, "\n")
				}
				c.want = "units.csv:5: id: duplicate unit id"
			}
			_, err := Load(writePack(t, smallPack, map[string]func(string) string{c.file: edit}))
			ps, ok := err.(Problems)
			if !ok {
				t.Fatalf("error %v (%T), want Problems", err, err)
			}
			for _, p := range ps {
				if strings.HasPrefix(p.String(), c.want) {
					return
				}
			}
			t.Errorf("problems:\n%v\nwant one starting %q", ps, c.want)
		})
	}
}

// TestCheckListsEveryProblem: several problems in several files, all
// reported, sorted by file and line.
func TestCheckListsEveryProblem(t *testing.T) {
	dir := writePack(t, smallPack, map[string]func(string) string{
		UnitsFile:    func(s string) string { return s + "X-1,fire,nope,st-a,,\nX-2,tank,damkar,st-a,,\n" },
		StationsFile: func(s string) string { return s + "st-c,Pos C,damkar,-6.2,106.8\n" },
	})
	ps := Check(dir)
	var got []string
	for _, p := range ps {
		got = append(got, p.File+":"+p.Field)
	}
	want := []string{"stations.csv:lat", "units.csv:agency", "units.csv:type"}
	if !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v:\n%v", got, want, ps)
	}
	if ps := Check(writePack(t, smallPack, nil)); len(ps) != 0 {
		t.Errorf("a sound pack: %v", ps)
	}
}

// TestWriteLoadWrite: writing a loaded pack and loading it again gives the
// same city, and writing that gives the same bytes.
func TestWriteLoadWrite(t *testing.T) {
	for name, p := range map[string]*Pack{"small": mustLoad(t, writePack(t, smallPack, nil)), "demo": Demo()} {
		t.Run(name, func(t *testing.T) {
			out1, out2 := t.TempDir(), t.TempDir()
			if err := Write(out1, p.City, p.Cameras); err != nil {
				t.Fatal(err)
			}
			again := mustLoad(t, out1)
			if !sameCity(p.City, again.City) {
				t.Fatalf("reloaded city differs:\n%+v\n%+v", p.City, again.City)
			}
			if len(again.Cameras) != len(p.Cameras) {
				t.Fatalf("%d cameras, want %d", len(again.Cameras), len(p.Cameras))
			}
			if err := Write(out2, again.City, again.Cameras); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{AgenciesFile, StationsFile, UnitsFile, PlansFile, CamerasFile} {
				a, _ := os.ReadFile(filepath.Join(out1, f))
				b, _ := os.ReadFile(filepath.Join(out2, f))
				if !bytes.Equal(a, b) || len(a) == 0 {
					t.Errorf("%s differs on the second export:\n%s\n---\n%s", f, a, b)
				}
			}
		})
	}
}

// TestDemoPlans: level 1 of the demo pack is the default response plan;
// levels 2 and 3 add needs, some by capability.
func TestDemoPlans(t *testing.T) {
	plan, alarms := cc112.PlansOf(Demo().Plans)
	if !reflect.DeepEqual(plan, cc112.DefaultResponsePlan()) {
		t.Errorf("demo level 1 %+v, want the default plan", plan)
	}
	byCap := 0
	for _, cat := range cc112.Categories {
		a, ok := alarms[cat]
		if !ok || len(a[0]) == 0 || len(a[1]) == 0 {
			t.Errorf("%s: levels 2 and 3 %+v", cat, a)
		}
		for _, l := range a {
			for _, n := range l {
				if n.Capability != "" {
					byCap++
				}
			}
		}
	}
	if byCap < 10 {
		t.Errorf("%d needs by capability in levels 2–3, want ≥ 10", byCap)
	}
	for _, u := range Demo().Units {
		if len(u.Capabilities) == 0 && u.Type != cc112.UnitRescue {
			t.Errorf("demo unit %s has no capability", u.ID)
		}
	}
}

func mustLoad(t *testing.T, dir string) *Pack {
	t.Helper()
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sameCity compares two cities as a pack holds them: entries by key, the
// units' configuration (not their positions).
func sameCity(a, b cc112.City) bool {
	norm := func(c cc112.City) cc112.City {
		c.Agencies = slices.Clone(c.Agencies)
		c.Stations = slices.Clone(c.Stations)
		slices.SortFunc(c.Agencies, func(x, y cc112.Agency) int { return strings.Compare(x.Code, y.Code) })
		slices.SortFunc(c.Stations, func(x, y cc112.Station) int { return strings.Compare(x.ID, y.ID) })
		units := make([]cc112.Unit, len(c.Units))
		for i, u := range c.Units {
			units[i] = cc112.Unit{ID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, Station: u.Station, Capabilities: u.Capabilities}
		}
		slices.SortFunc(units, func(x, y cc112.Unit) int { return strings.Compare(x.ID, y.ID) })
		c.Units = units
		c.Plans = cc112.CityPlans(cc112.PlansOf(c.Plans))
		return c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// sharedPack is a realistic pack: the written fleet beside the real
// districts, cameras and roads of ../shared/data, linked by path (never
// copied into the repository).
func sharedPack(t *testing.T) string {
	t.Helper()
	dir := writePack(t, smallPack, nil)
	for name, shared := range map[string]string{
		DistrictsFile: kelurahanFile,
		CamerasFile:   "surabaya_cctv_lensamas_snapshot.csv",
		RoadsFile:     "surabaya_roads_central_osm_subset.geojson",
	} {
		src, err := filepath.Abs(needShared(t, shared))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSharedDataPack(t *testing.T) {
	dir := sharedPack(t)
	if ps := Check(dir); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	p := mustLoad(t, dir)
	if p.Districts.Len() != 31 || len(p.Cameras) != 444 || p.RoadsFile != filepath.Join(dir, RoadsFile) ||
		p.KelurahanFile != filepath.Join(dir, DistrictsFile) || len(p.Units) != 4 {
		t.Fatalf("%d districts, %d cameras, roads %q, kelurahan %q, %d units", p.Districts.Len(), len(p.Cameras), p.RoadsFile, p.KelurahanFile, len(p.Units))
	}
	out := t.TempDir()
	if err := Write(out, p.City, p.Cameras); err != nil {
		t.Fatal(err)
	}
	// The written fleet and cameras with the pack's own geography.
	for _, f := range []string{DistrictsFile, RoadsFile} {
		target, _ := os.Readlink(filepath.Join(dir, f))
		if err := os.Symlink(target, filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	again := mustLoad(t, out)
	if !sameCity(p.City, again.City) || len(again.Cameras) != 444 {
		t.Fatalf("reloaded city differs (%d cameras)", len(again.Cameras))
	}
	byID := map[string]cc112.Camera{}
	for _, c := range again.Cameras {
		byID[c.ID] = c
	}
	for _, a := range p.Cameras {
		if b := byID[a.ID]; a.Location != b.Location || a.District != b.District || a.Name != b.Name || a.Area != b.Area {
			t.Fatalf("camera %+v, reloaded %+v", a, b)
		}
	}
}

func TestServiceArea(t *testing.T) {
	area := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",` +
		`"coordinates":[[[112.70,-7.30],[112.76,-7.30],[112.76,-7.20],[112.70,-7.20],[112.70,-7.30]]]}}]}`
	files := maps.Clone(smallPack)
	files[ServiceAreaFile] = area
	ps := Check(writePack(t, files, nil))
	// st-b (-7.3215, 112.744) lies about 2.4 km south of this area.
	if len(ps) != 1 || ps[0].File != StationsFile || ps[0].Line != 3 || !strings.Contains(ps[0].Problem, "outside the service area") {
		t.Fatalf("problems %v", ps)
	}
	files[ServiceAreaFile] = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[112.7,-7.3]}}]}`
	if ps := Check(writePack(t, files, nil)); len(ps) == 0 || ps[0].File != ServiceAreaFile {
		t.Fatalf("a point as the service area: %v", ps)
	}
}
