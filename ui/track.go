package ui

import (
	"net/http"
	"time"

	"cc112"
	"cc112/track"
)

// maxTrackRange bounds one playback request.
const maxTrackRange = 7 * 24 * time.Hour

// getTrack answers GET /api/v1/units/{id}/track?from=&to= (RFC 3339; the
// last hour by default) with a GeoJSON Feature: a LineString of the unit's
// breadcrumbs and their times in properties.times.
func (s *Server) getTrack(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.eng.Unit(id); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.tracks == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "track playback is not configured on this server"))
		return
	}
	to, err := timeQuery(r, "to", s.eng.Clock().Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	from, err := timeQuery(r, "from", to.Add(-time.Hour))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !from.Before(to) {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "from must be before to"))
		return
	}
	if to.Sub(from) > maxTrackRange {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "a track covers at most 7 days; ask for a shorter range"))
		return
	}
	fixes, err := s.tracks.Track(r.Context(), id, from, to, track.MaxFixes+1)
	if err != nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "track not readable: %v", err))
		return
	}
	truncated := len(fixes) > track.MaxFixes
	if truncated {
		fixes = fixes[:track.MaxFixes]
	}
	writeJSON(w, http.StatusOK, track.Feature(id, from, to, fixes, truncated))
}

// timeQuery reads a time parameter of the request, def when absent.
func timeQuery(r *http.Request, name string, def time.Time) (time.Time, error) {
	t, err := timeParam(r.URL.Query().Get(name), name)
	if err != nil || t.IsZero() {
		return def.UTC(), err
	}
	return t.UTC(), nil
}
