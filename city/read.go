package city

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"gopkg.in/yaml.v3"

	"cc112"
	"cc112/geo"
	"cc112/internal/demo"
	"cc112/roads"
)

// reader reads a pack's files, collecting every problem rather than
// stopping at the first.
type reader struct {
	fsys     fs.FS
	p        *Pack
	problems Problems
	// broken: a whole file could not be read; the rules would then only
	// repeat it (every unit of an unreadable agencies.yaml is "unknown").
	broken bool
}

func (r *reader) add(file string, line int, field, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: file, Line: line, Field: field, Problem: fmt.Sprintf(format, args...)})
}

// at records that the next entry of kind is on line of file.
func (r *reader) at(kind, file string, line int) {
	r.p.files[kind] = file
	r.p.lines[kind] = append(r.p.lines[kind], line)
}

func (r *reader) read(name string) []byte {
	b, err := fs.ReadFile(r.fsys, name)
	if err != nil {
		r.broken = true
		r.add(name, 0, "-", "%v", err)
		return nil
	}
	return b
}

// yamlLine is the line a yaml.v3 error names (0 when it names none).
var yamlLine = regexp.MustCompile(`line (\d+)`)

func (r *reader) yamlError(name string, err error) {
	line := 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	r.broken = true
	r.add(name, line, "-", "malformed YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// yamlTop reads a YAML file's top node, which must be of kind (else the
// file is broken, and want says what it should hold); nil for an empty
// file or a problem already reported.
func (r *reader) yamlTop(name string, kind yaml.Kind, want string) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(r.read(name), &doc); err != nil {
		r.yamlError(name, err)
		return nil
	}
	if len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	if top.Kind != kind {
		r.broken = true
		r.add(name, top.Line, "-", "%s", want)
		return nil
	}
	return top
}

// agencies reads agencies.yaml: a list of {code, name, phone, complaint_team}.
func (r *reader) agencies(name string) {
	list := r.yamlTop(name, yaml.SequenceNode, "want a list of agencies ({code, name, phone, complaint_team})")
	if list == nil {
		return
	}
	for _, n := range list.Content {
		var a cc112.Agency
		if err := decodeStrict(n, &a, "code", "name", "phone", "complaint_team"); err != nil {
			r.add(name, n.Line, "-", "%v", err)
			continue
		}
		r.at(cc112.KindAgency, name, n.Line)
		r.p.Agencies = append(r.p.Agencies, a)
	}
}

// decodeStrict decodes a YAML mapping, refusing keys other than fields.
func decodeStrict(n *yaml.Node, v any, fields ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("want a mapping with %s", strings.Join(fields, ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !slices.Contains(fields, k) {
			return fmt.Errorf("unknown field %q (one of %s)", k, strings.Join(fields, ", "))
		}
	}
	if err := n.Decode(v); err != nil {
		return fmt.Errorf("malformed: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// table is a CSV file with a header row, read by column name.
type table struct {
	name   string
	header []string
	col    map[string]int
	rows   [][]string
	lines  []int
}

func (r *reader) csv(name string, required ...string) *table {
	b := r.read(name)
	if b == nil {
		return nil
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	t := &table{name: name, col: map[string]int{}}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		r.broken = true
		r.add(name, 1, "-", "empty: no header row (%s)", strings.Join(required, ","))
		return nil
	}
	if err != nil {
		r.csvError(name, err)
		return nil
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := t.col[h]; dup {
			r.add(name, 1, h, "two %s columns", h)
			return nil
		}
		t.col[h] = i
		t.header = append(t.header, h)
	}
	for _, c := range required {
		if _, ok := t.col[c]; !ok {
			r.broken = true
			r.add(name, 1, c, "the header lacks column %s", c)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.csvError(name, err)
			return nil
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			r.add(name, line, "-", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	return t
}

func (r *reader) csvError(name string, err error) {
	line := 0
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		line = pe.Line
	}
	r.broken = true
	r.add(name, line, "-", "malformed CSV: %v", err)
}

func (t *table) get(row int, col string) string {
	if i, ok := t.col[col]; ok {
		return strings.TrimSpace(t.rows[row][i])
	}
	return ""
}

// coord reads a row's lat and lon, reporting either that is not a number.
func (r *reader) coord(t *table, row int) (geo.Point, bool) {
	var p geo.Point
	ok := true
	for _, c := range []struct {
		col string
		v   *float64
	}{{"lat", &p.Lat}, {"lon", &p.Lon}} {
		v, err := strconv.ParseFloat(t.get(row, c.col), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			r.add(t.name, t.lines[row], c.col, "%q is not a number", t.get(row, c.col))
			ok = false
		}
		*c.v = v
	}
	return p, ok
}

// stationsCSV reads stations.csv: id,name,agency,lat,lon.
func (r *reader) stationsCSV(name string) {
	t := r.csv(name, "id", "name", "agency", "lat", "lon")
	if t == nil {
		return
	}
	for i := range t.rows {
		s := cc112.Station{ID: t.get(i, "id"), Name: t.get(i, "name"), Agency: t.get(i, "agency")}
		var ok bool
		if s.Location, ok = r.coord(t, i); !ok {
			continue
		}
		r.at(cc112.KindStation, name, t.lines[i])
		r.p.Stations = append(r.p.Stations, s)
	}
}

// featureLine finds the line of each Feature in a GeoJSON text: the
// decoder keeps no positions.
var featureLine = regexp.MustCompile(`"type"\s*:\s*"Feature"`)

func linesOfFeatures(b []byte) []int {
	var out []int
	for _, m := range featureLine.FindAllIndex(b, -1) {
		out = append(out, 1+bytes.Count(b[:m[0]], []byte("\n")))
	}
	return out
}

// stationsGeoJSON reads stations.geojson: Point features with id, name and
// agency properties.
func (r *reader) stationsGeoJSON(name string) {
	b := r.read(name)
	if b == nil {
		return
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		r.add(name, 0, "-", "malformed GeoJSON: %v", err)
		return
	}
	lines := linesOfFeatures(b)
	for i, f := range fc.Features {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			r.add(name, line, "geometry", "a station is a Point, not %T", f.Geometry)
			continue
		}
		s := cc112.Station{ID: f.Properties.MustString("id", ""), Name: f.Properties.MustString("name", ""),
			Agency: f.Properties.MustString("agency", ""), Location: geo.Point{Lat: pt.Lat(), Lon: pt.Lon()}}
		r.at(cc112.KindStation, name, line)
		r.p.Stations = append(r.p.Stations, s)
	}
}

// units reads units.csv: callsign,type,agency,station,capabilities (";"
// between capabilities), an optional id (default: the callsign in lower
// case) and any other columns, which are ignored.
func (r *reader) units(name string) {
	t := r.csv(name, "callsign", "type", "agency", "station")
	if t == nil {
		return
	}
	for i := range t.rows {
		u := cc112.Unit{ID: t.get(i, "id"), Callsign: t.get(i, "callsign"), Type: cc112.UnitType(t.get(i, "type")),
			Agency: t.get(i, "agency"), Station: t.get(i, "station"), Status: cc112.UnitAvailable}
		if u.ID == "" {
			u.ID = strings.ToLower(u.Callsign)
		}
		u.Capabilities = SplitCapabilities(t.get(i, "capabilities"))
		r.at(cc112.KindUnit, name, t.lines[i])
		r.p.Units = append(r.p.Units, u)
	}
}

// SplitCapabilities reads a units.csv capabilities cell: names separated
// by ";" (blanks dropped).
func SplitCapabilities(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ";") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// plans reads plans.yaml: per category, alarm levels 1–3, each a list of
// needs {type | capability, count (default 1)}.
func (r *reader) plans(name string) {
	top := r.yamlTop(name, yaml.MappingNode, "want a mapping: category → alarm levels 1, 2, 3 → needs")
	if top == nil {
		return
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		cat, levels := top.Content[i], top.Content[i+1]
		plan := len(r.p.Plans) // this plan's index
		cp := cc112.CategoryPlan{Category: cc112.Category(cat.Value)}
		if levels.Kind != yaml.MappingNode {
			r.add(name, levels.Line, cat.Value, "want alarm levels 1, 2, 3, each a list of needs")
			continue
		}
		for j := 0; j+1 < len(levels.Content); j += 2 {
			lk, list := levels.Content[j], levels.Content[j+1]
			l, err := strconv.Atoi(lk.Value)
			if err != nil || l < 1 || l > cc112.AlarmLevelCount {
				r.add(name, lk.Line, "level", "alarm level %q: want 1, 2 or 3", lk.Value)
				continue
			}
			if list.Kind != yaml.SequenceNode {
				r.add(name, list.Line, "level", "level %d: want a list of needs", l)
				continue
			}
			for k, n := range list.Content {
				need := cc112.Need{Count: 1}
				if err := decodeStrict(n, &need, "type", "capability", "count"); err != nil {
					r.add(name, n.Line, "-", "%v", err)
					continue
				}
				r.p.needLines[fmt.Sprintf("%d/%d.%d", plan, l, k+1)] = n.Line
				cp.Levels[l-1] = append(cp.Levels[l-1], need)
			}
		}
		r.at(cc112.KindPlan, name, cat.Line)
		r.p.Plans = append(r.p.Plans, cp)
	}
}

// districts reads the kecamatan from a kelurahan GeoJSON.
func (r *reader) districts(name string) *geo.Districts {
	f, err := r.fsys.Open(name)
	if err != nil {
		r.add(name, 0, "-", "%v", err)
		return nil
	}
	defer f.Close()
	d, err := geo.LoadKelurahanGeoJSON(f)
	if err != nil {
		r.add(name, 0, "-", "%v", err)
		return nil
	}
	return d
}

// serviceArea reads service_area.geojson: one or more (Multi)Polygons.
func (r *reader) serviceArea(name string) *geo.Districts {
	b := r.read(name)
	if b == nil {
		return nil
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		r.add(name, 0, "-", "malformed GeoJSON: %v", err)
		return nil
	}
	var ds []geo.District
	lines := linesOfFeatures(b)
	for i, f := range fc.Features {
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			line := 0
			if i < len(lines) {
				line = lines[i]
			}
			r.add(name, line, "geometry", "the service area is a Polygon or MultiPolygon, not %T", f.Geometry)
			continue
		}
		c, _ := planarCentroid(mp)
		ds = append(ds, geo.District{Name: fmt.Sprintf("service area %d", i+1), Centroid: c, Geometry: mp})
	}
	if len(ds) == 0 {
		r.add(name, 0, "-", "no polygon")
		return nil
	}
	return geo.NewDistricts(ds)
}

func planarCentroid(mp orb.MultiPolygon) (geo.Point, bool) {
	b := mp.Bound()
	return geo.Point{Lat: (b.Min[1] + b.Max[1]) / 2, Lon: (b.Min[0] + b.Max[0]) / 2}, true
}

// cameraLine is the line the camera loader's error names.
var cameraLine = regexp.MustCompile(`line (\d+)`)

// cameras reads a camera CSV with the city's camera loader.
func (r *reader) cameras(name string, d *geo.Districts) []cc112.Camera {
	f, err := r.fsys.Open(name)
	if err != nil {
		r.add(name, 0, "-", "%v", err)
		return nil
	}
	defer f.Close()
	cams, err := demo.LoadCameraCSV(f, d)
	if err != nil {
		line := 0
		if m := cameraLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		r.add(name, line, "-", "%s", strings.TrimPrefix(err.Error(), "demo: "))
		return nil
	}
	return cams
}

// checkFiles loads the road network, which the server reads from the
// pack's path itself, and reports whether it does not load (points of
// interest are the location search's: cmd/dispatchd checks them).
func (p *Pack) checkFiles() Problems {
	var out Problems
	if p.RoadsFile != "" {
		if _, err := roads.Load(p.RoadsFile, roads.Box{}); err != nil {
			out = append(out, Problem{File: filepath.Base(p.RoadsFile), Field: "-", Problem: err.Error()})
		}
	}
	return out
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
