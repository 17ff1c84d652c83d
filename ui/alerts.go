package ui

import (
	"net/http"

	"cc112"
)

func (s *Server) needAlerts(w http.ResponseWriter, r *http.Request) bool {
	if s.alerts == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "alerts are not configured"))
		return false
	}
	return true
}

// listAlerts answers GET /api/v1/alerts?state=open|all&limit=&cursor=:
// one page, newest first ({items, next_cursor}).
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	if !s.needAlerts(w, r) {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "state" && k != "limit" && k != "cursor" {
			s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "unknown parameter %q (accepted: state, limit, cursor)", k))
			return
		}
	}
	req, err := pageParams(q)
	var page cc112.Page[*cc112.Alert]
	if err == nil {
		page, err = s.alerts.List(q.Get("state"), req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page.Items = visible(page.Items, s.viewer(r), (*cc112.Alert).For)
	writeJSON(w, http.StatusOK, page)
}

// postAlertAck is POST /api/v1/alerts/{id}/ack: the user acknowledges the
// alert (its sound stops on every console). The body, if any, is {}.
func (s *Server) postAlertAck(w http.ResponseWriter, r *http.Request) {
	if !s.needAlerts(w, r) {
		return
	}
	var into any
	if r.ContentLength != 0 {
		into = &struct{}{}
	}
	s.command(w, r, http.StatusOK, into, func(key, fp string) (any, error) {
		by := author(r)
		return s.alerts.Acknowledge(r.Context(), r.PathValue("id"), by.Username, by.Role, key, fp)
	})
}

// getCoverage is GET /api/v1/coverage: per district group and agency,
// units available now against the city's minimum.
func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request) {
	if !s.needAlerts(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, s.alerts.Coverage())
}
