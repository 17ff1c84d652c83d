package ui

import (
	"net/http"
	"strings"

	"cc112"
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
