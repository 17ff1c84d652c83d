package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/kpi"
)

// pairParam reads a "lat,lon" query parameter (the coordinate rule of
// cc112.PointOfPair); missing or not a pair is a 400 naming it.
func pairParam(v, name string) (geo.Point, error) {
	if v == "" {
		return geo.Point{}, cc112.Errorf(cc112.EInvalid, "%s is required: lat,lon", name)
	}
	p, ok, err := cc112.PointOfPair(v)
	if !ok {
		return geo.Point{}, cc112.Errorf(cc112.EInvalid, "%s must be lat,lon, not %q", name, v)
	}
	if err != nil {
		return geo.Point{}, cc112.Errorf(cc112.EInvalid, "%s: %v", name, err)
	}
	return p, nil
}

// getRoute answers GET /api/v1/route?from=lat,lon&to=lat,lon&type=fire:
// {duration_s, distance_m, method, geometry}.
func (s *Server) getRoute(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "from", "to", "type"); err != nil {
		s.writeError(w, r, err)
		return
	}
	from, err := pairParam(q.Get("from"), "from")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	to, err := pairParam(q.Get("to"), "to")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ans, err := s.eng.Route(from, to, cc112.UnitType(q.Get("type")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// onlyParams refuses a parameter not named (a typo must not be ignored)
// and one given twice.
func onlyParams(q url.Values, names ...string) error {
	for k, v := range q {
		if !slices.Contains(names, k) {
			return cc112.Errorf(cc112.EInvalid, "unknown parameter %q (accepted: %s)", k, strings.Join(names, ", "))
		}
		if len(v) > 1 {
			return cc112.Errorf(cc112.EInvalid, "parameter %q given %d times", k, len(v))
		}
	}
	return nil
}

// routeFlag reads ?route=1 (also true, 0, false).
func routeFlag(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, cc112.Errorf(cc112.EInvalid, "route must be 1 or 0, not %q", v)
}

// getETAMetrics answers GET /api/v1/metrics/eta: predicted against actual
// travel times (from, to as for the response metrics).
func (s *Server) getETAMetrics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "from", "to"); err != nil {
		s.writeError(w, r, err)
		return
	}
	from, err := timeParam(q.Get("from"), "from")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	to, err := timeParam(q.Get("to"), "to")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(q.Get("to")) == len("2006-01-02") {
		to = to.AddDate(0, 0, 1) // a date in "to" includes that day
	}
	// Dispatches in [from, to) count: incidents received before to, and
	// from a day before from (read from the archive too, so the window
	// read is bounded; a first dispatch a day after the call is not a
	// travel-time prediction this report is about).
	since := from
	if !since.IsZero() {
		since = since.Add(-24 * time.Hour)
	}
	incs, err := s.eng.IncidentsReceived(r.Context(), since, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, kpi.ETAErrors(incs, from, to, cc112.WIB))
}
