// Package ui is the HTTP side of dispatchd: routing, JSON handlers and the
// embedded web pages. It drives the engine through its methods and never
// touches state directly.
package ui

import (
	"log/slog"
	"net/http"
	"time"

	"cc112/dispatch"
	"cc112/track"
)

// Config holds what the server needs.
type Config struct {
	Engine *dispatch.Engine
	// DistrictsGeoJSON is served as is at /api/v1/districts.
	DistrictsGeoJSON []byte
	Logger           *slog.Logger
	// Tracks answers track playback (/api/v1/units/{id}/track); nil
	// answers 503 saying why.
	Tracks track.Source
	// Tiles is the console's basemap (GET /api/v1/config).
	Tiles Tiles
	// Live is the websocket feed (GET /api/v1/live); nil answers 503.
	Live http.Handler
}

// Tiles names a slippy-map tile server: a URL template with {z}/{x}/{y}
// (and optionally {s}) and the attribution its licence asks for.
type Tiles struct {
	URL         string
	Attribution string
}

// Server is the http.Handler of dispatchd.
type Server struct {
	eng       *dispatch.Engine
	districts []byte
	log       *slog.Logger
	mux       *http.ServeMux
	routes    []route
	tracks    track.Source
	assets    *assets
	tiles     Tiles
	liveFeed  http.Handler
}

// route is one registered endpoint. Every route is declared in one table so
// that tests (and, later, access rules) can walk them all.
type route struct {
	Method  string
	Pattern string
	Handler http.HandlerFunc
}

// NewServer builds the handler and registers every route.
func NewServer(cfg Config) *Server {
	s := &Server{eng: cfg.Engine, districts: cfg.DistrictsGeoJSON, log: cfg.Logger, mux: http.NewServeMux(), tiles: cfg.Tiles, tracks: cfg.Tracks}
	s.liveFeed = cfg.Live
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		panic(err) // the embedded files are part of the build: a broken build
	}
	if !s.assets.hasVendor() {
		s.log.Warn("console built without its npm files: the map is off (run `make run`, or `npm ci && node build.mjs` in web/)")
	}
	s.routes = []route{
		{"GET", "/healthz", s.healthz},
		{"GET", "/readyz", s.readyz},
		{"GET", "/api/v1/units", s.listUnits},
		{"GET", "/api/v1/units/{id}", s.getUnit},
		{"POST", "/api/v1/units/{id}/position", s.postPosition},
		{"GET", "/api/v1/units/{id}/track", s.getTrack},
		{"POST", "/api/v1/units/{id}/status", s.postUnitStatus},
		{"GET", "/api/v1/incidents", s.listIncidents},
		{"POST", "/api/v1/incidents", s.postIncident},
		{"GET", "/api/v1/incidents/{id}", s.getIncident},
		{"GET", "/api/v1/incidents/{id}/recommendations", s.getRecommendations},
		{"POST", "/api/v1/incidents/{id}/assignments", s.postAssignment},
		{"POST", "/api/v1/incidents/{id}/close", s.postClose},
		{"GET", "/api/v1/cameras", s.listCameras},
		{"GET", "/api/v1/cameras/nearest", s.nearestCameras},
		{"GET", "/api/v1/cameras/{id}", s.getCamera},
		{"GET", "/api/v1/districts", s.getDistricts},
		{"GET", "/api/v1/config", s.consoleConfig},
		{"GET", "/api/v1/live", s.live},
		{"GET", "/static/{version}/{path...}", s.static},
	}
	for _, rt := range s.routes {
		s.mux.HandleFunc(rt.Method+" "+rt.Pattern, rt.Handler)
	}
	s.mux.HandleFunc("/api/", s.notFound)
	s.mux.HandleFunc("GET /{$}", s.index)
	return s
}

// ServeHTTP adds the headers every answer carries and recovers from panics
// in handlers, so that one bad request cannot take the server down.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeJSON(w, http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal", Message: "internal error"}})
		}
	}()
	// A method the pattern does not allow: answer in the API's envelope.
	if _, pattern := s.mux.Handler(r); pattern == "" && r.URL.Path != "/" {
		s.notFound(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path}})
}
