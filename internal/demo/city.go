// Package demo is the built-in demo city, Surabaya: its 31 kecamatan,
// emergency-service stations and units, and CCTV points, needing no files.
// LoadCityDir swaps in real boundaries and cameras when they are at hand.
package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"cc112"
	"cc112/geo"
)

// CityData is everything a dispatch center starts from.
type CityData struct {
	Districts *geo.Districts
	Stations  []cc112.Station
	Units     []cc112.Unit
	Cameras   []cc112.Camera
	// KelurahanFile is the kelurahan GeoJSON the districts came from (""
	// for the demo's own): the location search reads its kelurahan.
	KelurahanFile string
}

// City returns the demo city. Each call builds fresh values: callers may
// change them freely.
func City() *CityData {
	d := districts()
	return &CityData{
		Districts: d,
		Stations:  demoStations(),
		Units:     demoUnits(),
		Cameras:   demoCameras(d),
	}
}

// kelurahanFile is the BPS/HDX boundary file's usual name.
const kelurahanFile = "surabaya_kelurahan_hdx_bps2020.geojson"

// LoadCityDir builds the city from real data in dir: district boundaries
// from surabaya_kelurahan_hdx_bps2020.geojson (or else the first
// *kelurahan*.geojson) and cameras from every *cctv*.csv. Whichever of the
// two is missing comes from the demo, as do stations and units; it is an
// error if neither is there.
func LoadCityDir(dir string) (*CityData, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("demo: city data: %w", err)
	}
	geoPath := filepath.Join(dir, kelurahanFile)
	if _, err := os.Stat(geoPath); err != nil {
		matches, err := filepath.Glob(filepath.Join(dir, "*kelurahan*.geojson"))
		if err != nil {
			return nil, fmt.Errorf("demo: city data: %w", err)
		}
		geoPath = ""
		if len(matches) > 0 {
			slices.Sort(matches)
			geoPath = matches[0]
		}
	}
	csvPaths, err := filepath.Glob(filepath.Join(dir, "*cctv*.csv"))
	if err != nil {
		return nil, fmt.Errorf("demo: city data: %w", err)
	}
	slices.Sort(csvPaths)
	if geoPath == "" && len(csvPaths) == 0 {
		return nil, fmt.Errorf("demo: %s has neither %s (or *kelurahan*.geojson) nor *cctv*.csv", dir, kelurahanFile)
	}

	city := &CityData{Stations: demoStations(), Units: demoUnits(), KelurahanFile: geoPath}
	if geoPath != "" {
		f, err := os.Open(geoPath)
		if err != nil {
			return nil, fmt.Errorf("demo: city data: %w", err)
		}
		city.Districts, err = geo.LoadKelurahanGeoJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", filepath.Base(geoPath), err)
		}
	} else {
		city.Districts = districts()
	}
	if len(csvPaths) == 0 {
		city.Cameras = demoCameras(city.Districts)
		return city, nil
	}
	seen := map[string]string{}
	for _, p := range csvPaths {
		cams, err := loadCameraFile(p, city.Districts)
		if err != nil {
			return nil, err
		}
		for _, c := range cams {
			if other, dup := seen[c.ID]; dup {
				return nil, fmt.Errorf("demo: camera %q is in both %s and %s", c.ID, other, filepath.Base(p))
			}
			seen[c.ID] = filepath.Base(p)
		}
		city.Cameras = append(city.Cameras, cams...)
	}
	return city, nil
}

func loadCameraFile(path string, d *geo.Districts) ([]cc112.Camera, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("demo: city data: %w", err)
	}
	defer f.Close()
	cams, err := LoadCameraCSV(f, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return cams, nil
}
