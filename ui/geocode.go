package ui

import (
	"fmt"
	"net/http"
	"strings"

	"cc112"
	"cc112/geo"
	"cc112/geocode"
)

// getGeocode finds places by name: GET /api/v1/geocode?q=raya+darmo&limit=10.
func (s *Server) getGeocode(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := q.Get("q")
	if err := cc112.CheckText("q", text, geocode.MaxQuery); err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.TrimSpace(text) == "" {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "q is required: a street, place or kelurahan name"))
		return
	}
	limit, err := intParam(q.Get("limit"), 10, "limit")
	if err == nil && (limit < 1 || limit > 50) {
		err = cc112.Errorf(cc112.EInvalid, "limit must be 1 to 50")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if p, ok, err := cc112.PointOfPair(text); ok {
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, []geocode.Place{s.typedPoint(p)})
		return
	}
	cams := s.eng.Cameras()
	extra := make([]geocode.Place, len(cams))
	for i, c := range cams {
		extra[i] = geocode.Place{Name: c.Name, Kind: geocode.Camera, Location: c.Location, District: c.District}
	}
	found := s.places.With(extra).Search(text, limit)
	if found == nil {
		found = []geocode.Place{}
	}
	writeJSON(w, http.StatusOK, found)
}

// typedPoint is the one answer to coordinates typed as "lat, lon": the
// point itself with its kecamatan and kelurahan, flagged when it lies
// outside the service area (a missing minus sign, swapped numbers).
func (s *Server) typedPoint(p geo.Point) geocode.Place {
	pl := geocode.Place{Name: fmt.Sprintf("%.6f, %.6f", p.Lat, p.Lon), Kind: geocode.Coordinates, Location: p}
	pl.District, pl.Kelurahan = s.places.Locate(p)
	if pl.District == "" {
		pl.District = s.eng.District(p)
	}
	_, pl.OutOfArea = s.eng.OutsideArea(p)
	return pl
}
