package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"cc112/city"
	"cc112/geocode"
	"cc112/roads"
)

// cityPlaces builds the location search's names: kelurahan and kecamatan
// (from the kelurahan GeoJSON when the city has one; the demo city has
// kecamatan only), streets of the road network, points of interest, and the
// stations. The engine's cameras are added per request (ui).
func cityPlaces(cfg CityConfig, city *city.Pack, streets []roads.Street) (*geocode.Gazetteer, error) {
	var places []geocode.Place
	var loc geocode.Locator = geocode.Districts{D: city.Districts}
	if city.KelurahanFile != "" {
		areas, err := loadPlaces(city.KelurahanFile, geocode.LoadKelurahan)
		if err != nil {
			return nil, fmt.Errorf("-city: %w", err)
		}
		areas.Fallback = city.Districts
		places, loc = areas.Places(), areas
	} else {
		places = geocode.DistrictPlaces(city.Districts)
	}
	places = append(places, geocode.Streets(streets)...)
	poi := cfg.POI
	if poi == "" {
		poi = city.POIFile
	}
	if poi != "" {
		pois, err := loadPlaces(poi, geocode.LoadPOI)
		if err != nil {
			return nil, fmt.Errorf("-poi: %w", err)
		}
		places = append(places, pois...)
	}
	for _, s := range city.Stations {
		places = append(places, geocode.Place{Name: s.Name, Kind: geocode.Station, Location: s.Location})
	}
	return geocode.NewGazetteer(places, loc), nil
}

func loadPlaces[T any](path string, load func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := load(f)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return v, nil
}
