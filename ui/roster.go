package ui

import (
	"net/http"
	"time"

	"cc112"
	"cc112/dispatch"
)

// Alarm levels, the plan's recommendation by need, and the roster (issue 17).

// postAlarm raises an incident's alarm to {level} (2 or 3; never lowered).
func (s *Server) postAlarm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Level int `json:"level"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.eng.RaiseAlarm(r.Context(), r.PathValue("id"), req.Level, author(r), key, fp)
	})
}

// getPlan answers which units would fill what the incident still needs,
// each with the needs it fills, and the needs nobody can fill.
func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) {
	withRoute, err := routeFlag(r.URL.Query().Get("route"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ans, err := s.eng.RecommendPlan(r.PathValue("id"), dispatch.RecommendOpts{Route: withRoute})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// putRoster replaces a unit's shifts from now on: {shifts: [{crew, from, to}]}.
func (s *Server) putRoster(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Shifts *[]dispatch.ShiftInput `json:"shifts"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		if req.Shifts == nil {
			return nil, cc112.Errorf(cc112.EInvalid, "shifts is required (an empty list takes the unit off the schedule)")
		}
		shifts, err := s.eng.SetRoster(r.Context(), r.PathValue("id"), *req.Shifts, author(r), key, fp)
		if err != nil {
			return nil, err
		}
		return map[string]any{"unit_id": r.PathValue("id"), "shifts": shifts}, nil
	})
}

// getUnitRoster pages a unit's shifts that end after ?from= (default now),
// earliest first: {unit_id, items, next_cursor}.
func (s *Server) getUnitRoster(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := timeParam(q.Get("from"), "from")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if from.IsZero() {
		from = s.eng.Clock().Now()
	}
	req, err := pageParams(q)
	var page cc112.Page[cc112.Shift]
	if err == nil {
		page, err = s.eng.RosterPage(r.Context(), r.PathValue("id"), from, req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		UnitID string `json:"unit_id"`
		cc112.Page[cc112.Shift]
	}{r.PathValue("id"), page})
}

// getRoster answers who was on which unit at ?at= (RFC 3339; default now).
func (s *Server) getRoster(w http.ResponseWriter, r *http.Request) {
	at := s.eng.Clock().Now()
	if v := r.URL.Query().Get("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "at must be an RFC 3339 time, not %q", v))
			return
		}
		at = t
	}
	units, err := s.eng.RosterAt(r.Context(), at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"at": at.UTC(), "units": units})
}
