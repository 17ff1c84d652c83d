package ui

import (
	"net/http"

	"cc112"
)

// live hands GET /api/v1/live to the websocket hub (package live). It is
// routed like every endpoint, through ServeHTTP, so that the auth layer
// applies to it too; since browsers cannot set headers on a websocket, that
// layer will also read ?token= (or a cookie) here.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	if s.liveFeed == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "the live feed is not running"))
		return
	}
	s.liveFeed.ServeHTTP(w, r)
}
