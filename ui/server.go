// Package ui is the HTTP side of dispatchd: routing, JSON handlers and the
// embedded web pages. It drives the engine through its methods and never
// touches state directly.
package ui

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cc112/callcenter"
	"cc112/cctv"
	"cc112/dispatch"
	"cc112/metrics"
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
	// Metrics is the response-time index behind /api/v1/metrics/*; nil
	// answers those with 503.
	Metrics *metrics.Index
	// Targets are the response-time targets of the reports.
	Targets metrics.Targets
	// Prometheus serves GET /metrics when set.
	Prometheus http.Handler
	// ObserveCommand, when set, is told of every mutating request: its
	// route, its outcome ("ok" or the error code) and its duration.
	ObserveCommand func(command, outcome string, took time.Duration)
	// Tiles is the console's basemap (GET /api/v1/config).
	Tiles Tiles
	// Live is the websocket feed (GET /api/v1/live); nil answers 503.
	Live http.Handler
	// Calls is the call center (calls, AML, complaints); nil turns its
	// endpoints off (503). AMLKey, when set, must sign AML HTTPS forms.
	Calls  *callcenter.Service
	AMLKey []byte
	// ComplaintsPerMinute limits public complaints per client address
	// (default 5, burst as many).
	ComplaintsPerMinute int
	// Relay and Views enable live video and its audit (nil: answered 503).
	Relay *cctv.Relay
	Views *cctv.Views
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
	metrics   *metrics.Index
	targets   metrics.Targets
	assets    *assets
	tiles     Tiles
	liveFeed  http.Handler

	calls          *callcenter.Service
	amlKey         []byte
	complaintLimit *rateLimiter
	relay          *cctv.Relay
	views          *cctv.Views
	liveWG         sync.WaitGroup // live video websockets in flight
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
	s := &Server{eng: cfg.Engine, districts: cfg.DistrictsGeoJSON, log: cfg.Logger, mux: http.NewServeMux(),
		tiles: cfg.Tiles, liveFeed: cfg.Live, relay: cfg.Relay, views: cfg.Views, tracks: cfg.Tracks}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.metrics, s.targets = cfg.Metrics, cfg.Targets
	if s.targets.Response == 0 {
		s.targets = metrics.DefaultTargets()
	}
	s.calls, s.amlKey = cfg.Calls, cfg.AMLKey
	if cfg.ComplaintsPerMinute <= 0 {
		cfg.ComplaintsPerMinute = 5
	}
	s.complaintLimit = newRateLimiter(cfg.ComplaintsPerMinute, cfg.ComplaintsPerMinute, 10_000)
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
		{"POST", "/api/v1/cameras", s.postCamera},
		{"GET", "/api/v1/cameras/views", s.listViews},
		{"GET", "/api/v1/cameras/{id}/live", s.cameraLive},
		{"GET", "/api/v1/districts", s.getDistricts},
		{"GET", "/api/v1/config", s.consoleConfig},
		{"GET", "/api/v1/live", s.live},
		{"GET", "/static/{version}/{path...}", s.static},
		// The call center: calls, caller location, duplicates, complaints.
		{"POST", "/api/v1/calls", s.postCall},
		{"GET", "/api/v1/calls", s.listCalls},
		{"GET", "/api/v1/calls/{id}", s.getCall},
		{"POST", "/api/v1/calls/{id}/location", s.postCallLocation},
		{"POST", "/api/v1/calls/{id}/close", s.postCallClose},
		{"POST", "/api/v1/aml", s.postAML},
		{"GET", "/api/v1/incidents/duplicates", s.getDuplicates},
		{"POST", "/api/v1/incidents/{id}/calls", s.postIncidentCall},
		{"POST", "/api/v1/complaints", s.postComplaint},
		{"GET", "/api/v1/complaints", s.listComplaints},
		{"GET", "/api/v1/complaints/meta", s.complaintMeta},
		{"GET", "/api/v1/complaints/report", s.complaintReport},
		{"GET", "/api/v1/complaints/{ref}", s.getComplaint},
		{"POST", "/api/v1/complaints/{id}/forward", s.complaintAction("forward")},
		{"POST", "/api/v1/complaints/{id}/respond", s.complaintAction("respond")},
		{"POST", "/api/v1/complaints/{id}/feedback", s.complaintAction("feedback")},
		{"GET", "/calltaker", s.page("calltaker.html")},
		{"GET", "/complaint", s.page("complaint.html")},
		{"GET", "/desk", s.page("desk.html")},
		{"GET", "/camera", s.page("camera.html")},
		// Response-time metrics, historical import, the supervisor dashboard.
		{"GET", "/api/v1/metrics/response", s.getResponseMetrics},
		{"GET", "/api/v1/metrics/incidents.csv", s.getIncidentsCSV},
		{"POST", "/api/v1/import/incidents", s.postImport},
		{"GET", "/supervisor", s.page("supervisor.html")},
	}
	if cfg.Prometheus != nil {
		s.routes = append(s.routes, route{"GET", "/metrics", cfg.Prometheus.ServeHTTP})
	}
	for _, rt := range s.routes {
		s.mux.HandleFunc(rt.Method+" "+rt.Pattern, observed(rt, cfg.ObserveCommand))
	}
	s.mux.HandleFunc("/api/", s.notFound)
	s.mux.HandleFunc("GET /{$}", s.index)
	return s
}

// WaitLive waits for live video websockets to end. http.Server.Shutdown
// does not wait for hijacked connections: close the relay first (it ends
// every viewer), then wait here before closing the journal, so that each
// view's end is recorded.
func (s *Server) WaitLive() { s.liveWG.Wait() }

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
