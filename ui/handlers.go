package ui

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/dispatch"
	"cc112/geo"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.ready(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "seq": s.eng.LastSeq()})
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.eng.Units())
}

func (s *Server) getUnit(w http.ResponseWriter, r *http.Request) {
	u, err := s.eng.Unit(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) postPosition(w http.ResponseWriter, r *http.Request) {
	var p dispatch.Position
	if !s.readJSON(w, r, &p) {
		return
	}
	u, err := s.eng.UpdatePosition(r.Context(), r.PathValue("id"), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// command runs a mutating handler: bounded strict body, idempotency key,
// and the engine's JSON answer written as is.
func (s *Server) command(w http.ResponseWriter, r *http.Request, status int, into any,
	run func(key, fp string) (any, error)) {
	body, err := readBody(w, r)
	// A DELETE's body is optional (a release needs a reason only sometimes).
	if err == nil && into != nil && (r.Method != http.MethodDelete || len(bytes.TrimSpace(body)) > 0) {
		err = decodeStrict(body, into)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	key, fp, err := idempotency(r, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := run(key, fp)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

// postUnitStatus is a crew's own report or, from a dispatcher, one made on
// the crew's behalf (a radio call), journaled with the dispatcher's name.
func (s *Server) postUnitStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status   cc112.UnitStatus `json:"status"`
		Hospital string           `json:"hospital"` // a name from GET /api/v1/hospitals
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		if req.Status == "" {
			return nil, cc112.Errorf(cc112.EInvalid, "status is required")
		}
		var onBehalf *dispatch.Author
		if p := PrincipalFrom(r.Context()); p != nil && p.Role != auth.UnitRole {
			by := author(r)
			onBehalf = &by
		}
		var h *cc112.Hospital
		if req.Hospital != "" {
			var err error
			if h, err = s.hospital(req.Hospital); err != nil {
				return nil, err
			}
		}
		return s.eng.ChangeUnitStatus(r.Context(), r.PathValue("id"), req.Status, h, onBehalf, key, fp)
	})
}

// postUnitService takes a unit out of service with a reason, or back.
func (s *Server) postUnitService(w http.ResponseWriter, r *http.Request) {
	var req struct {
		InService *bool  `json:"in_service"`
		Reason    string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		if req.InService == nil {
			return nil, cc112.Errorf(cc112.EInvalid, "in_service (true or false) is required")
		}
		return s.eng.SetUnitService(r.Context(), r.PathValue("id"), *req.InService, req.Reason, author(r), key, fp)
	})
}

func (s *Server) postIncident(w http.ResponseWriter, r *http.Request) {
	var req dispatch.NewIncident
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		req.By = author(r)
		return s.createIncident(r, req, key, fp)
	})
}

// listIncidents answers one page of a search: {items, next_cursor}.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q, err := incidentQuery(r.URL.Query())
	if err == nil {
		var page *dispatch.IncidentPage
		if page, err = s.eng.SearchIncidents(r.Context(), q, s.viewer(r)); err == nil {
			writeJSON(w, http.StatusOK, page)
			return
		}
	}
	s.writeError(w, r, err)
}

// incidentQuery reads the parameters of GET /api/v1/incidents; unknown or
// repeated ones are refused so that a typo does not silently list
// everything. from and to are RFC 3339 times or WIB dates; a date in to
// includes that day.
func incidentQuery(v url.Values) (dispatch.IncidentQuery, error) {
	allowed := []string{"q", "status", "category", "agency", "district", "priority", "from", "to", "limit", "cursor"}
	var q dispatch.IncidentQuery
	for k, vals := range v {
		if !slices.Contains(allowed, k) {
			return q, cc112.Errorf(cc112.EInvalid, "unknown parameter %q (accepted: %s)", k, strings.Join(allowed, ", "))
		}
		if len(vals) > 1 {
			return q, cc112.Errorf(cc112.EInvalid, "parameter %q given %d times", k, len(vals))
		}
	}
	var err error
	if q.Priority, err = intParam(v.Get("priority"), 0, "priority"); err != nil {
		return q, err
	}
	if v.Has("priority") && q.Priority == 0 {
		return q, cc112.Errorf(cc112.EInvalid, "priority must be %d to %d, got 0", cc112.MinPriority, cc112.MaxPriority)
	}
	page, err := pageParams(v)
	if err != nil {
		return q, err
	}
	q.Limit, q.Cursor = page.Limit, page.Cursor
	if q.From, err = timeParam(v.Get("from"), "from"); err != nil {
		return q, err
	}
	if q.To, err = timeParam(v.Get("to"), "to"); err != nil {
		return q, err
	}
	if len(v.Get("to")) == len(time.DateOnly) {
		q.To = q.To.AddDate(0, 0, 1)
	}
	q.Status, q.Category, q.Agency = v.Get("status"), cc112.Category(v.Get("category")), v.Get("agency")
	q.District, q.Text = v.Get("district"), v.Get("q")
	return q, nil
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	inc, err := s.eng.Incident(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// One incident is read with its timeline; lists and the live feed
	// carry the times it is derived from.
	view := inc.For(s.viewer(r))
	if view == nil { // a viewer who may not see it: as if it did not exist
		s.writeError(w, r, cc112.Errorf(cc112.ENotFound, "incident %q not found", r.PathValue("id")))
		return
	}
	notes := view.Notes
	if notes == nil {
		notes = []cc112.Note{}
	}
	writeJSON(w, http.StatusOK, struct {
		*cc112.Incident
		Notes    []cc112.Note          `json:"notes"` // always present, [] for none
		Timeline []cc112.TimelineEntry `json:"timeline"`
		Log      []cc112.LogEntry      `json:"log"` // of the view: no internal note for those who may not read it
	}{view, notes, inc.Timeline(), view.Log()})
}

func (s *Server) getRecommendations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), 5, "limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	withRoute, err := routeFlag(q.Get("route"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	recs, err := s.eng.Recommend(r.PathValue("id"), cc112.UnitType(q.Get("type")), limit, dispatch.RecommendOpts{Route: withRoute, Callsign: q.Get("callsign"), Capability: q.Get("capability")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, recs)
}

// postAssignment sends any available unit (unit_id), a unit working
// another incident (unit_id with divert, and the reason its last unit
// there must give), or the response plan's units (auto).
func (s *Server) postAssignment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UnitID string `json:"unit_id"`
		Auto   bool   `json:"auto"`
		Divert bool   `json:"divert"`
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		id := r.PathValue("id")
		switch {
		case req.Auto && (req.UnitID != "" || req.Divert || req.Reason != ""):
			return nil, cc112.Errorf(cc112.EInvalid, "give either unit_id or auto, not both")
		case req.Auto:
			return s.eng.AutoAssign(r.Context(), id, key, fp)
		case req.UnitID != "":
			return s.eng.AssignAs(r.Context(), id, dispatch.UnitOrder{UnitID: req.UnitID, Divert: req.Divert, Reason: req.Reason}, author(r), key, fp)
		}
		return nil, cc112.Errorf(cc112.EInvalid, `unit_id or "auto": true is required`)
	})
}

// deleteAssignment releases one unit from an incident ({reason}; required
// for its last unit).
func (s *Server) deleteAssignment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.eng.ReleaseUnit(r.Context(), r.PathValue("id"), r.PathValue("unit"), req.Reason, author(r), key, fp)
	})
}

func (s *Server) postClose(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Disposition string `json:"disposition"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.eng.CloseIncident(r.Context(), r.PathValue("id"), req.Disposition, key, fp)
	})
}

func (s *Server) postNote(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text     string `json:"text"`
		Internal bool   `json:"internal"`
	}
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		inc, err := s.eng.AddNote(r.Context(), r.PathValue("id"), req.Text, req.Internal, author(r), key, fp)
		if err != nil {
			return nil, err
		}
		return inc.For(s.viewer(r)), nil
	})
}

func (s *Server) patchIncident(w http.ResponseWriter, r *http.Request) {
	var req dispatch.IncidentEdit
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.eng.EditIncident(r.Context(), r.PathValue("id"), req, author(r), key, fp)
	})
}

func (s *Server) postMerge(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Into string `json:"into"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		if s.calls != nil { // the duplicate's calls move too
			return s.calls.MergeIncident(r.Context(), r.PathValue("id"), req.Into, author(r), key, fp)
		}
		return s.eng.MergeIncident(r.Context(), r.PathValue("id"), req.Into, author(r), key, fp)
	})
}

func (s *Server) postCancel(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.eng.CancelIncident(r.Context(), r.PathValue("id"), req.Reason, author(r), key, fp)
	})
}

func (s *Server) postReopen(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.eng.ReopenIncident(r.Context(), r.PathValue("id"), req.Reason, author(r), key, fp)
	})
}

// author is the request's user as an incident's record names them.
func author(r *http.Request) dispatch.Author {
	if p := PrincipalFrom(r.Context()); p != nil {
		return dispatch.Author{Username: p.Username, Role: string(p.Role), Agency: p.Agency}
	}
	return dispatch.Author{}
}

func (s *Server) listCameras(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.eng.Cameras())
}

func (s *Server) getCamera(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Camera(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c) // cc112.Camera hides its RTSP URLs
}

func (s *Server) nearestCameras(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := pointParam(q.Get("lat"), q.Get("lon"))
	if err == nil {
		var limit int
		limit, err = intParam(q.Get("limit"), 4, "limit")
		if err == nil && (limit < 1 || limit > 50) {
			err = cc112.Errorf(cc112.EInvalid, "limit must be 1 to 50")
		}
		if err == nil {
			status := cc112.CameraStatus(q.Get("status"))
			if status != "" && !status.Valid() {
				s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "unknown camera status %q", status))
				return
			}
			var keep func(cc112.Camera) bool
			if status != "" {
				keep = func(c cc112.Camera) bool { return c.Status == status }
			}
			maxM := s.set.CameraNearestMaxM
			if v := q.Get("max_m"); v != "" {
				m, perr := strconv.ParseFloat(v, 64)
				if perr != nil || !(m > 0) || m > s.set.CameraNearestMaxM {
					s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "max_m must be a distance in metres above 0, at most %.0f", s.set.CameraNearestMaxM))
					return
				}
				maxM = m
			}
			// The nearest come first: cutting at the cap keeps the nearest
			// within it.
			near := s.eng.NearestCameras(p, limit, keep)
			for k, c := range near {
				if c.DistanceM > maxM {
					near = near[:k]
					break
				}
			}
			writeJSON(w, http.StatusOK, near)
			return
		}
	}
	s.writeError(w, r, err)
}

func (s *Server) getDistricts(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(s.districts)
}

// pageParams reads a list's paging: ?limit= (1 to cc112.MaxPageSize,
// cc112.DefaultPageSize when absent) and ?cursor= (a page's next_cursor).
func pageParams(v url.Values) (cc112.PageRequest, error) {
	p := cc112.PageRequest{Cursor: v.Get("cursor")}
	var err error
	if p.Limit, err = intParam(v.Get("limit"), cc112.DefaultPageSize, "limit"); err != nil {
		return p, err
	}
	if v.Has("limit") && p.Limit == 0 {
		p.Limit = -1 // asked for nothing: refused, not the default
	}
	return p, p.Check()
}

func intParam(v string, def int, name string) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, cc112.Errorf(cc112.EInvalid, "%s must be an integer, not %q", name, v)
	}
	return n, nil
}

func pointParam(lat, lon string) (geo.Point, error) { return cc112.PointOfText(lat, lon) }
