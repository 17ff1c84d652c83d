package ui

import (
	"net/http"

	"cc112"
)

// getMoveUps is GET /api/v1/moveups: the coverage policy's relocation
// advice for the free units as they are now ({"items": [...]}).
func (s *Server) getMoveUps(w http.ResponseWriter, r *http.Request) {
	if s.moveUps == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "move-up advice is not configured"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": s.moveUps.Advise(s.eng.Units())})
}

// postRelocate is POST /api/v1/units/{id}/relocate {post_id}: one click
// sends a free unit to wait at a station; the journaled relocation reaches
// the unit's phone as its unit.updated.
func (s *Server) postRelocate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PostID string `json:"post_id"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		if s.moveUps == nil {
			return nil, cc112.Errorf(cc112.EUnavailable, "move-up advice is not configured")
		}
		if req.PostID == "" {
			return nil, cc112.Errorf(cc112.EInvalid, "post_id is required (a station id, GET /api/v1/moveups)")
		}
		post, ok := s.moveUps.PostFor(s.eng.Units(), r.PathValue("id"), req.PostID)
		if !ok {
			return nil, cc112.Errorf(cc112.EInvalid, "post %q is not one of the stations of the unit's agency", req.PostID)
		}
		return s.eng.RelocateUnit(r.Context(), r.PathValue("id"), post, author(r), key, fp)
	})
}
