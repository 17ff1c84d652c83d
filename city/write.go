package city

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cc112"
)

// Write writes a city's configuration as a pack into dir (created if
// missing): agencies.yaml, stations.csv, units.csv, plans.yaml and, when
// cams is not nil, cameras.csv. Entries are sorted by their key, so that
// writing what was loaded from a written pack gives the same bytes. The
// geography (districts, roads, points of interest, service area) is the
// pack's own and is not written.
func Write(dir string, c cc112.City, cams []cc112.Camera) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("city: %w", err)
	}
	files := map[string][]byte{
		AgenciesFile: agenciesYAML(c.Agencies),
		StationsFile: stationsCSV(c.Stations),
		UnitsFile:    unitsCSV(c.Units),
		PlansFile:    plansYAML(c.Plans),
	}
	if cams != nil {
		files[CamerasFile] = camerasCSV(cams)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("city: %w", err)
		}
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// yamlString quotes a value for YAML (a JSON string is a YAML string).
func yamlString(s string) string { return strconv.Quote(s) }

func agenciesYAML(list []cc112.Agency) []byte {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b cc112.Agency) int { return strings.Compare(a.Code, b.Code) })
	var b bytes.Buffer
	b.WriteString("# Agencies (OPD): code, name, phone, complaint team (TPKPM).\n")
	if len(list) == 0 {
		b.WriteString("[]\n")
	}
	for _, a := range list {
		fmt.Fprintf(&b, "- code: %s\n  name: %s\n", yamlString(a.Code), yamlString(a.Name))
		if a.Phone != "" {
			fmt.Fprintf(&b, "  phone: %s\n", yamlString(a.Phone))
		}
		if a.ComplaintTeam != "" {
			fmt.Fprintf(&b, "  complaint_team: %s\n", yamlString(a.ComplaintTeam))
		}
	}
	return b.Bytes()
}

func writeCSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	return b.Bytes()
}

func stationsCSV(list []cc112.Station) []byte {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b cc112.Station) int { return strings.Compare(a.ID, b.ID) })
	rows := [][]string{{"id", "name", "agency", "lat", "lon"}}
	for _, s := range list {
		rows = append(rows, []string{s.ID, s.Name, s.Agency, num(s.Location.Lat), num(s.Location.Lon)})
	}
	return writeCSV(rows)
}

func unitsCSV(list []cc112.Unit) []byte {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b cc112.Unit) int { return strings.Compare(a.ID, b.ID) })
	rows := [][]string{{"id", "callsign", "type", "agency", "station", "capabilities"}}
	for _, u := range list {
		rows = append(rows, []string{u.ID, u.Callsign, string(u.Type), u.Agency, u.Station, strings.Join(u.Capabilities, ";")})
	}
	return writeCSV(rows)
}

func plansYAML(list []cc112.CategoryPlan) []byte {
	var b bytes.Buffer
	b.WriteString("# Response plans: per category, what alarm level 1 sends and what levels 2 and 3 add.\n")
	b.WriteString("# A need names a unit type or a capability (units.csv), with a count.\n")
	if len(list) == 0 {
		b.WriteString("{}\n")
	}
	for _, p := range cc112.CityPlans(cc112.PlansOf(list)) {
		fmt.Fprintf(&b, "%s:\n", p.Category)
		for l, needs := range p.Levels {
			if len(needs) == 0 {
				continue
			}
			parts := make([]string, len(needs))
			for i, n := range needs {
				if n.Type != "" {
					parts[i] = fmt.Sprintf("{type: %s, count: %d}", n.Type, n.Count)
				} else {
					parts[i] = fmt.Sprintf("{capability: %s, count: %d}", n.Capability, n.Count)
				}
			}
			fmt.Fprintf(&b, "  %d: [%s]\n", l+1, strings.Join(parts, ", "))
		}
	}
	return b.Bytes()
}

func camerasCSV(list []cc112.Camera) []byte {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b cc112.Camera) int { return strings.Compare(a.ID, b.ID) })
	rows := [][]string{{"id", "name", "area", "lat", "lon", "kecamatan", "rtsp_url", "sub_rtsp_url"}}
	for _, c := range list {
		rows = append(rows, []string{c.ID, c.Name, c.Area, num(c.Location.Lat), num(c.Location.Lon), c.District, c.RTSPURL, c.SubRTSPURL})
	}
	return writeCSV(rows)
}
