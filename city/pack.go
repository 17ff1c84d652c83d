// Package city reads, checks and writes a city pack: the one folder a city
// keeps in version control to describe itself (agencies, stations, units
// with their capabilities, response plans with alarm levels, districts,
// cameras, roads, points of interest, the service area). The built-in demo
// city is such a pack, embedded, so the demo and a real city load through
// one path.
package city

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"cc112"
	"cc112/geo"
	"cc112/internal/demo"
)

// The files of a pack. Districts, cameras and roads also go by the names
// of the city's own data sets (a *kelurahan*.geojson, *cctv*.csv,
// *roads*.geojson or *.osm.pbf), so a folder such as ../shared/data is a
// pack of its geography.
const (
	AgenciesFile    = "agencies.yaml"
	StationsFile    = "stations.csv"
	StationsGeoJSON = "stations.geojson"
	UnitsFile       = "units.csv"
	PlansFile       = "plans.yaml"
	DistrictsFile   = "districts.geojson"
	CamerasFile     = "cameras.csv"
	RoadsFile       = "roads.geojson"
	RoadsPBF        = "roads.osm.pbf"
	POIFile         = "poi.geojson"
	ServiceAreaFile = "service_area.geojson"
)

// FleetFiles are the pack's files a running city takes without a restart
// (POST /api/v1/admin/city/apply).
var FleetFiles = []string{AgenciesFile, StationsFile, UnitsFile, PlansFile}

// DefaultAreaMargin is how far (metres) beyond the service area a station
// may lie: the server's -area-margin default.
const DefaultAreaMargin = 2000

// Pack is a loaded city: its editable configuration (cc112.City) and its
// geography.
type Pack struct {
	cc112.City
	Districts *geo.Districts
	Cameras   []cc112.Camera
	// KelurahanFile is the kelurahan GeoJSON the districts came from (""
	// for the demo's own): the location search reads its kelurahan.
	KelurahanFile string
	// RoadsFile and POIFile are the pack's road network and points of
	// interest ("" when it has none); the server loads them.
	RoadsFile, POIFile string
	// ServiceArea is service_area.geojson (nil: the districts are the
	// service area).
	ServiceArea *geo.Districts
	// Own lists the fleet files the folder has itself (the others came
	// from the demo city): a pack with its own units is seeded into a new
	// journal without -demo.
	Own []string

	lines     map[string][]int // kind → the line of each entry, for problems
	needLines map[string]int   // "plan index/level.need" → its line
	files     map[string]string
}

// Area is where stations must lie: the service area, else the districts.
func (p *Pack) Area() cc112.CityArea {
	if p.ServiceArea != nil {
		return p.ServiceArea
	}
	if p.Districts != nil {
		return p.Districts
	}
	return nil
}

// HasOwnFleet reports whether the folder has its own units.
func (p *Pack) HasOwnFleet() bool { return slices.Contains(p.Own, UnitsFile) }

// Problem is one thing wrong in a pack, at a file's line (0: the file as a
// whole).
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Field, p.Problem)
}

// Problems is every problem of a pack: the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Demo is the built-in demo city (Surabaya), from its embedded pack. Each
// call builds fresh values: callers may change them freely.
func Demo() *Pack {
	p, err := load(demo.Pack(), "", false)
	if err != nil {
		panic("city: the embedded demo pack: " + err.Error())
	}
	return p
}

// Load reads and checks the pack in dir. A fleet file the folder lacks
// comes from the demo city, as do the districts and cameras; a folder with
// none of the pack's files is an error. Every problem is returned at once,
// as Problems.
func Load(dir string) (*Pack, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("city: %w", err)
	}
	return load(os.DirFS(dir), dir, true)
}

// load reads a pack from fsys; dir (empty for the embedded demo) makes the
// paths of the files the server opens itself (roads, points of interest).
func load(fsys fs.FS, dir string, fillFromDemo bool) (*Pack, error) {
	r := &reader{fsys: fsys, p: &Pack{lines: map[string][]int{}, needLines: map[string]int{}, files: map[string]string{}}}
	p := r.p
	names, err := fs.Glob(fsys, "*")
	if err != nil {
		return nil, fmt.Errorf("city: %w", err)
	}
	first := func(patterns ...string) string {
		for _, pat := range patterns {
			for _, n := range names {
				if ok, _ := path.Match(pat, n); ok {
					return n
				}
			}
		}
		return ""
	}
	own := func(name string) bool {
		if slices.Contains(names, name) {
			p.Own = append(p.Own, name)
			return true
		}
		return false
	}
	if own(AgenciesFile) {
		r.agencies(AgenciesFile)
	}
	switch {
	case own(StationsFile):
		r.stationsCSV(StationsFile)
	case own(StationsGeoJSON):
		r.stationsGeoJSON(StationsGeoJSON)
	}
	if own(UnitsFile) {
		r.units(UnitsFile)
	}
	if own(PlansFile) {
		r.plans(PlansFile)
	}
	districts := first(DistrictsFile, "*kelurahan*.geojson")
	cameras := []string{}
	if slices.Contains(names, CamerasFile) {
		cameras = append(cameras, CamerasFile)
	} else {
		for _, n := range names {
			if ok, _ := path.Match("*cctv*.csv", n); ok {
				cameras = append(cameras, n)
			}
		}
	}
	roads := first(RoadsFile, "*roads*.geojson", RoadsPBF, "*.osm.pbf")
	poi := first(POIFile)
	area := first(ServiceAreaFile)
	if len(p.Own) == 0 && districts == "" && len(cameras) == 0 && roads == "" && poi == "" && area == "" {
		return nil, fmt.Errorf("city: %s has none of a city pack's files (%s, %s, %s, %s, %s, %s, ...)",
			dir, AgenciesFile, StationsFile, UnitsFile, PlansFile, DistrictsFile, CamerasFile)
	}
	if districts != "" {
		p.Districts = r.districts(districts)
		if dir != "" {
			p.KelurahanFile = filepath.Join(dir, districts)
		}
	}
	if area != "" {
		p.ServiceArea = r.serviceArea(area)
	}
	if p.Districts == nil {
		p.Districts = demo.Districts()
	}
	inFile := map[string]string{}
	for _, n := range cameras {
		for _, c := range r.cameras(n, p.Districts) {
			if other, dup := inFile[c.ID]; dup {
				r.add(n, 0, "id", "camera %q is in both %s and %s", c.ID, other, n)
				continue
			}
			inFile[c.ID] = n
			p.Cameras = append(p.Cameras, c)
		}
	}
	if len(cameras) == 0 {
		p.Cameras = demo.Cameras(p.Districts)
	}
	if dir != "" && roads != "" {
		p.RoadsFile = filepath.Join(dir, roads)
	}
	if dir != "" && poi != "" {
		p.POIFile = filepath.Join(dir, poi)
	}
	if fillFromDemo && !(p.HasOwnFleet() && slices.Contains(p.Own, AgenciesFile) && slices.Contains(p.Own, PlansFile)) {
		d := Demo()
		if !slices.Contains(p.Own, AgenciesFile) {
			p.Agencies = d.Agencies
		}
		if !slices.Contains(p.Own, StationsFile) && !slices.Contains(p.Own, StationsGeoJSON) {
			p.Stations = d.Stations
		}
		if !slices.Contains(p.Own, UnitsFile) {
			p.Units = d.Units
		}
		if !slices.Contains(p.Own, PlansFile) {
			p.Plans = d.Plans
		}
	}
	placeUnits(p.Stations, p.Units)
	if !r.broken { // the rules need readable files: a bad row is left out, and reported
		for _, cp := range p.City.Check(p.Area(), DefaultAreaMargin) {
			r.problems = append(r.problems, p.problemAt(cp))
		}
	}
	if len(r.problems) > 0 {
		sortProblems(r.problems)
		return nil, r.problems
	}
	return p, nil
}

// LoadFleet reads and checks a pack's fleet files in dir (FleetFiles, all
// of them), its stations within margin metres of area: a pack to load into
// a running city, whose geography stays.
func LoadFleet(dir string, area cc112.CityArea, margin float64) (cc112.City, error) {
	r := &reader{fsys: os.DirFS(dir), p: &Pack{lines: map[string][]int{}, needLines: map[string]int{}, files: map[string]string{}}}
	r.agencies(AgenciesFile)
	r.stationsCSV(StationsFile)
	r.units(UnitsFile)
	r.plans(PlansFile)
	placeUnits(r.p.Stations, r.p.Units)
	if !r.broken {
		for _, cp := range r.p.City.Check(area, margin) {
			r.problems = append(r.problems, r.p.problemAt(cp))
		}
	}
	if len(r.problems) > 0 {
		sortProblems(r.problems)
		return cc112.City{}, r.problems
	}
	return r.p.City, nil
}

func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
}

// problemAt places a rule's problem at the file and line of its entry.
func (p *Pack) problemAt(cp cc112.CityProblem) Problem {
	out := Problem{File: p.files[cp.Kind], Field: cp.Field, Problem: cp.Problem}
	if out.File == "" {
		out.File = "(demo) " + cp.Kind
	}
	if ls := p.lines[cp.Kind]; cp.Index < len(ls) {
		out.Line = ls[cp.Index]
	}
	if cp.Need != "" {
		if l, ok := p.needLines[fmt.Sprintf("%d/%s", cp.Index, cp.Need)]; ok {
			out.Line = l
		}
	}
	return out
}

// placeUnits puts each unit that has no position a few metres from its
// station's point (a 3×3 pattern of 11 m steps), so that markers do not
// hide one another.
func placeUnits(stations []cc112.Station, units []cc112.Unit) {
	at := map[string]geo.Point{}
	for _, s := range stations {
		at[s.ID] = s.Location
	}
	k := map[string]int{}
	for i := range units {
		u := &units[i]
		s, ok := at[u.Station]
		if !ok || u.Location != (geo.Point{}) {
			continue
		}
		n := k[u.Station]
		k[u.Station]++
		dLat := float64(n%3-1) * 0.0001
		dLon := float64((n/3)%3-1) * 0.0001
		u.Location = geo.Point{Lat: round6(s.Lat + dLat), Lon: round6(s.Lon + dLon)}
	}
}

// Check loads the pack in dir and returns every problem (none: it loads).
func Check(dir string) Problems {
	p, err := Load(dir)
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	if err != nil {
		return Problems{{File: dir, Field: "-", Problem: err.Error()}}
	}
	return p.checkFiles()
}
