// Package ui is the HTTP side of dispatchd: routing, JSON handlers and the
// embedded web pages. It drives the engine through its methods and never
// touches state directly.
package ui

import (
	"log/slog"
	"net/http"
	"time"

	"cc112/auth"
	"cc112/dispatch"
)

// Config holds what the server needs.
type Config struct {
	Engine *dispatch.Engine
	// DistrictsGeoJSON is served as is at /api/v1/districts.
	DistrictsGeoJSON []byte
	Logger           *slog.Logger
	// Auth enforces accounts and roles. Nil turns access control off: only
	// for unit tests of handlers; dispatchd always sets it.
	Auth *auth.Store
	// TileHosts are map tile origins allowed by the Content Security Policy
	// (default https://tile.openstreetmap.org).
	TileHosts []string
	// SecureCookies marks the session cookie Secure even on plain HTTP
	// (behind a TLS-terminating proxy).
	SecureCookies bool
	// LoginLimiters bound failed logins per username and per client address
	// (defaults: 5 per user, 20 per address, in 15 minutes).
	UserLimiter, AddrLimiter *auth.Limiter
}

// Server is the http.Handler of dispatchd.
type Server struct {
	eng       *dispatch.Engine
	districts []byte
	log       *slog.Logger
	mux       *http.ServeMux
	routes    []route

	auth          *auth.Store
	userLimit     *auth.Limiter
	addrLimit     *auth.Limiter
	secureCookies bool
	csp           string
}

// route is one registered endpoint. Every route is declared in one table so
// that the access rules and the route × role test walk them all. Roles says
// who may call it (access.go); a route without is refused to everyone.
type route struct {
	Method  string
	Pattern string
	Handler http.HandlerFunc
	Roles   access
}

// NewServer builds the handler and registers every route.
func NewServer(cfg Config) *Server {
	s := &Server{eng: cfg.Engine, districts: cfg.DistrictsGeoJSON, log: cfg.Logger, mux: http.NewServeMux(),
		auth: cfg.Auth, userLimit: cfg.UserLimiter, addrLimit: cfg.AddrLimiter, secureCookies: cfg.SecureCookies,
		csp: contentSecurityPolicy(cfg.TileHosts)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.userLimit == nil {
		s.userLimit = auth.NewLimiter(5, 15*time.Minute, 10_000, nil)
	}
	if s.addrLimit == nil {
		s.addrLimit = auth.NewLimiter(20, 15*time.Minute, 10_000, nil)
	}
	s.routes = []route{
		{"GET", "/healthz", s.healthz, public},
		{"GET", "/readyz", s.readyz, public},
		{"GET", "/api/v1/units", s.listUnits, staffRead},
		{"GET", "/api/v1/units/{id}", s.getUnit, allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.UnitRole).ownUnit("id")},
		{"POST", "/api/v1/units/{id}/position", s.postPosition, unitReport.positions()},
		{"POST", "/api/v1/units/{id}/status", s.postUnitStatus, unitReport},
		{"GET", "/api/v1/incidents", s.listIncidents, incidentRead},
		{"POST", "/api/v1/incidents", s.postIncident, intake},
		{"GET", "/api/v1/incidents/{id}", s.getIncident, incidentRead},
		{"GET", "/api/v1/incidents/{id}/recommendations", s.getRecommendations, staffRead},
		{"POST", "/api/v1/incidents/{id}/assignments", s.postAssignment, operational},
		{"POST", "/api/v1/incidents/{id}/close", s.postClose, operational},
		{"GET", "/api/v1/cameras", s.listCameras, cameraRead},
		{"GET", "/api/v1/cameras/nearest", s.nearestCameras, cameraRead},
		{"GET", "/api/v1/cameras/{id}", s.getCamera, cameraRead},
		{"GET", "/api/v1/districts", s.getDistricts, anyUser},
		// Accounts, audit, trackers (issue 4).
		{"POST", "/api/v1/login", s.postLogin, public},
		{"POST", "/api/v1/logout", s.postLogout, anyUser.audited()},
		{"GET", "/api/v1/me", s.getMe, anyUser},
		{"GET", "/api/v1/me/assignment", s.getMyAssignment, unitSelf},
		{"GET", "/api/v1/audit", s.getAudit, auditRead},
		{"GET", "/api/v1/users", s.listUsers, admins},
		{"POST", "/api/v1/users", s.postUser, admins},
		{"POST", "/api/v1/users/{username}/password", s.postUserPassword, admins},
		{"GET", "/api/v1/devices", s.listDevices, admins},
		{"POST", "/api/v1/devices", s.postDevice, admins},
		{"GET", "/osmand", s.postOsmAnd, tracker},
		{"POST", "/osmand", s.postOsmAnd, tracker},
		// Pages and their assets: public; the pages log in through the API.
		{"GET", "/{$}", s.index, public},
		{"GET", "/unit", s.unitPage, public},
		{"GET", "/unit/sw.js", s.unitServiceWorker, public},
		{"GET", "/police", s.policePage, public},
		{"GET", "/static/{path...}", s.static, public},
	}
	for _, rt := range s.routes {
		s.mux.HandleFunc(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	s.mux.HandleFunc("/api/", s.notFound)
	if s.auth == nil {
		s.log.Warn("access control is OFF: no auth store configured (tests only)")
	}
	return s
}

// ServeHTTP adds the headers every answer carries and recovers from panics
// in handlers, so that one bad request cannot take the server down.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), payment=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
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
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start)) // never the query: ?token= must not reach logs
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path}})
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("dispatchd: 112 command-center dispatch. API under /api/v1/ (see README.md).\n"))
}
