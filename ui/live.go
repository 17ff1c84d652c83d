package ui

import (
	"net/http"

	"cc112"
	"cc112/alerts"
	"cc112/callcenter"
	"cc112/dispatch"
	"cc112/paging"
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

// viewer is what personal data the request's user may see: the same rule
// for every REST answer and for the live feed (LiveViewer). Without access
// control (unit tests of handlers) everything; a request without a user on
// a route that shows personal data sees none.
func (s *Server) viewer(r *http.Request) cc112.Viewer {
	if s.auth == nil {
		return cc112.Everyone
	}
	return LiveViewer(r)
}

// LiveViewer is the live hub's Viewer (live.Config): the connection's user
// as the guard authenticated it.
func LiveViewer(r *http.Request) cc112.Viewer {
	p := PrincipalFrom(r.Context())
	if p == nil {
		return cc112.Viewer{Sight: cc112.SeeNone}
	}
	return p.Viewer()
}

// LivePayloads gives the type of the data of every live event
// (cc112.LiveEvents): the engine's, the call center's and the alerts'
// (live.Config.Payloads).
func LivePayloads() map[string]func() any {
	out := make(map[string]func() any, len(dispatch.LivePayloads)+len(callcenter.LivePayloads)+len(alerts.LivePayloads)+len(paging.LivePayloads))
	for _, m := range []map[string]func() any{dispatch.LivePayloads, callcenter.LivePayloads, alerts.LivePayloads, paging.LivePayloads} {
		for name, mk := range m {
			out[name] = mk
		}
	}
	return out
}

// visible returns the items of list that v may see, each as its view.
func visible[T comparable](list []T, v cc112.Viewer, view func(T, cc112.Viewer) T) []T {
	var zero T
	out := make([]T, 0, len(list))
	for _, x := range list {
		if y := view(x, v); y != zero {
			out = append(out, y)
		}
	}
	return out
}
