package ui

import (
	"encoding/json"
	"math"
	"net/http"

	"cc112/geo"
	"cc112/geocode"
)

// offlineMap is what the maps draw without a tile server (an air-gapped
// center): the kelurahan names at their centres and the main roads.
type offlineMap struct {
	Kelurahan []offlineLabel `json:"kelurahan"`
	Roads     struct {
		Type        string         `json:"type"`
		Coordinates [][][2]float64 `json:"coordinates"`
	} `json:"roads"` // a GeoJSON MultiLineString
}

type offlineLabel struct {
	Name     string    `json:"name"`
	District string    `json:"district"`
	Location geo.Point `json:"location"`
}

// getOfflineMap answers GET /api/v1/map/offline: built once (the city does
// not change while the server runs), cached by the browser for an hour.
func (s *Server) getOfflineMap(w http.ResponseWriter, r *http.Request) {
	s.offline.once.Do(func() {
		var m offlineMap
		m.Kelurahan = []offlineLabel{}
		for _, p := range s.places.Of(geocode.Kelurahan) {
			m.Kelurahan = append(m.Kelurahan, offlineLabel{Name: p.Name, District: p.District, Location: p.Location})
		}
		m.Roads.Type, m.Roads.Coordinates = "MultiLineString", [][][2]float64{}
		round := func(v float64) float64 { return math.Round(v*1e5) / 1e5 } // about a metre
		for _, line := range s.mainRoads {
			l := make([][2]float64, len(line))
			for i, p := range line {
				l[i] = [2]float64{round(p.Lon), round(p.Lat)}
			}
			m.Roads.Coordinates = append(m.Roads.Coordinates, l)
		}
		s.offline.body, _ = json.Marshal(m)
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(s.offline.body)
}
