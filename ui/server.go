// Package ui is the HTTP side of dispatchd: routing, JSON handlers and the
// embedded web pages. It drives the engine through its methods and never
// touches state directly.
package ui

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/cctv"
	"cc112/cctv/record"
	"cc112/coverage"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/geocode"
	"cc112/httperr"
	"cc112/kpi"
	"cc112/paging"
	"cc112/track"
)

// Config holds what the server needs: the parts it drives and, in
// Settings, its section of the configuration.
type Config struct {
	Settings Settings
	Engine   *dispatch.Engine
	// DistrictsGeoJSON is served as is at /api/v1/districts.
	DistrictsGeoJSON []byte
	// MainRoads are the main roads' polylines (roads.Graph.Lines), drawn
	// by the maps without a tile server; nil without a road network.
	MainRoads [][]geo.Point
	Logger    *slog.Logger
	// Tracks answers track playback (/api/v1/units/{id}/track); nil
	// answers 503 saying why.
	Tracks track.Source
	// Metrics is the response-time index behind /api/v1/metrics/*; nil
	// answers those with 503.
	Metrics *kpi.Index
	// Prometheus serves GET /metrics when set.
	Prometheus http.Handler
	// ObserveCommand, when set, is told of every mutating request: its
	// route, its outcome ("ok" or the error code) and its duration.
	ObserveCommand func(command, outcome string, took time.Duration)
	// Live is the websocket feed (GET /api/v1/live); nil answers 503.
	Live http.Handler
	// Calls is the call center (calls, AML, complaints); nil turns its
	// endpoints off (503).
	Calls *callcenter.Service
	// Alerts are the timers' alerts and the coverage board; nil answers
	// their endpoints 503.
	Alerts *alerts.Service
	// Relay and Views enable live video and its audit (nil: answered 503).
	Relay *cctv.Relay
	Views *cctv.Views
	// Recordings are the "always record" marks and evidence locks;
	// Recorded the recordings on disk (nil: recording is off, answered 503).
	Recordings *cctv.Recordings
	Recorded   *record.Store
	// Auth enforces accounts and roles. Nil turns access control off: only
	// for unit tests of handlers; dispatchd always sets it.
	Auth *auth.Store
	// Logins bounds failed logins per (user, address) and per address, and
	// alerts on sprays (default auth.DefaultLoginLimits).
	Logins *auth.LoginLimiter
	// Places are the city's names for /api/v1/geocode (areas, streets,
	// stations, points of interest); the engine's cameras are added to
	// them. Nil: cameras only.
	Places *geocode.Gazetteer
	// Paging is Web Push, acknowledgements and messages (nil: answered 503).
	Paging *paging.Service
	// MoveUps advises relocations of free units (nil: answered 503).
	MoveUps *coverage.Advisor
	// Ready answers /readyz (default: the engine's journal answers):
	// dispatchd adds its start-up and a standby's lag.
	Ready func(ctx context.Context) error
}

// Settings is the HTTP side's section of the configuration (dispatchd
// builds it from flags and the environment). Zero values take the defaults.
type Settings struct {
	// Tiles is the console's basemap (GET /api/v1/config).
	Tiles Tiles
	// TileHosts are map tile origins allowed by the Content Security Policy
	// (default https://tile.openstreetmap.org).
	TileHosts []string
	// AllowedOrigins are browser origins allowed on the live websocket
	// besides the server's own host (the live hub checks them).
	AllowedOrigins []string
	// SecureCookies marks the session cookie Secure even on plain HTTP
	// (behind a TLS-terminating proxy).
	SecureCookies bool
	// AMLKey, when set, must sign AML HTTPS forms. AMLAPIKey, when set, lets
	// the SMS gateway or AML provider post to /api/v1/aml without a user
	// token, in the X-API-Key header (a signed form needs neither).
	AMLKey    []byte
	AMLAPIKey string
	// MetricsToken, when set, is the bearer token Prometheus scrapes
	// /metrics with; when empty, /metrics without a user token answers
	// loopback clients only.
	MetricsToken string
	// Targets are the response-time targets of the reports (default
	// kpi.DefaultTargets).
	Targets kpi.Targets
	// ComplaintsPerMinute limits public complaints per client address
	// (default 5, burst as many).
	ComplaintsPerMinute int
	// Training marks every page with the training banner: the console
	// runs against a simulated city (dispatchd -training).
	Training bool
	// InboundWebhookSecret signs the chat/social webhook and the raw
	// e-mail webhook (HMAC-SHA256); empty turns both off (401).
	InboundWebhookSecret []byte
	// CameraNearestMaxM caps how far a "nearest" camera may be, in metres
	// (default DefaultCameraNearestMaxM): a mistyped location must not
	// bring up cameras from the other end of the island.
	CameraNearestMaxM float64
}

// DefaultCameraNearestMaxM is the default cap of GET /api/v1/cameras/nearest:
// a street camera farther than 2 km does not see the incident.
const DefaultCameraNearestMaxM = 2000

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
	mainRoads [][]geo.Point
	offline   struct {
		once sync.Once
		body []byte
	}
	log      *slog.Logger
	mux      *http.ServeMux
	routes   []route
	tracks   track.Source
	set      Settings
	metrics  *kpi.Index
	assets   *assets
	liveFeed http.Handler

	calls          *callcenter.Service
	alerts         *alerts.Service
	complaintLimit *rateLimiter
	// publicLimit bounds the other public complaint routes per address
	// (statistics, rating): each walks the complaints under the engine's
	// read lock, and needs no account.
	publicLimit *rateLimiter
	relay       *cctv.Relay
	views       *cctv.Views
	recordings  *cctv.Recordings
	recorded    *record.Store
	liveWG      sync.WaitGroup // live video websockets in flight

	auth    *auth.Store
	logins  *auth.LoginLimiter
	csp     string
	ready   func(ctx context.Context) error
	places  *geocode.Gazetteer
	paging  *paging.Service
	moveUps *coverage.Advisor
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
		set: cfg.Settings, liveFeed: cfg.Live, relay: cfg.Relay, views: cfg.Views, tracks: cfg.Tracks,
		auth: cfg.Auth, logins: cfg.Logins, csp: contentSecurityPolicy(cfg.Settings.TileHosts), ready: cfg.Ready,
		places: cfg.Places, paging: cfg.Paging, mainRoads: cfg.MainRoads, moveUps: cfg.MoveUps, recordings: cfg.Recordings, recorded: cfg.Recorded}
	if s.places == nil {
		s.places = geocode.NewGazetteer(nil, nil)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.ready == nil {
		s.ready = s.eng.Ready
	}
	if s.logins == nil {
		s.logins = auth.NewLoginLimiter(auth.DefaultLoginLimits())
	}
	s.metrics, s.calls, s.alerts = cfg.Metrics, cfg.Calls, cfg.Alerts
	if s.set.Targets.Response == 0 {
		s.set.Targets = kpi.DefaultTargets()
	}
	if s.set.CameraNearestMaxM <= 0 {
		s.set.CameraNearestMaxM = DefaultCameraNearestMaxM
	}
	if s.set.ComplaintsPerMinute <= 0 {
		s.set.ComplaintsPerMinute = 5
	}
	s.complaintLimit = newRateLimiter(s.set.ComplaintsPerMinute, s.set.ComplaintsPerMinute, 10_000)
	s.publicLimit = newRateLimiter(publicPerMinute, publicPerMinute, 10_000)
	var err error
	if s.assets, err = loadAssets(); err != nil {
		panic(err) // the embedded files are part of the build: a broken build
	}
	if s.set.Training {
		s.assets.index = s.versioned("index.html")
	}
	if !s.assets.hasVendor() {
		s.log.Warn("console built without its npm files: the map is off (run `make run`, or `npm ci && node build.mjs` in web/)")
	}
	s.routes = []route{
		{"GET", "/healthz", s.healthz, public},
		{"GET", "/readyz", s.readyz, public},
		{"GET", "/api/v1/units", s.listUnits, boardRead},
		{"GET", "/api/v1/units/{id}", s.getUnit, allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.UnitRole).ownUnit("id")},
		{"POST", "/api/v1/units/{id}/position", s.postPosition, unitReport.positions()},
		{"GET", "/api/v1/units/{id}/track", s.getTrack, staffRead},
		{"POST", "/api/v1/units/{id}/status", s.postUnitStatus, unitReport},
		{"POST", "/api/v1/units/{id}/service", s.postUnitService, operational},
		{"GET", "/api/v1/incidents", s.listIncidents, incidentRead},
		{"POST", "/api/v1/incidents", s.postIncident, intake},
		{"GET", "/api/v1/incidents/{id}", s.getIncident, incidentRead},
		{"GET", "/api/v1/incidents/{id}/recommendations", s.getRecommendations, staffRead},
		{"POST", "/api/v1/incidents/{id}/assignments", s.postAssignment, operational},
		{"DELETE", "/api/v1/incidents/{id}/assignments/{unit}", s.deleteAssignment, operational},
		{"POST", "/api/v1/incidents/{id}/close", s.postClose, operational},
		{"POST", "/api/v1/incidents/{id}/notes", s.postNote, intake},
		{"PATCH", "/api/v1/incidents/{id}", s.patchIncident, operational},
		{"POST", "/api/v1/incidents/{id}/cancel", s.postCancel, operational},
		{"POST", "/api/v1/incidents/{id}/reopen", s.postReopen, operational},
		{"POST", "/api/v1/incidents/{id}/merge", s.postMerge, operational},
		// Needs by capability, alarm levels, shifts (issue 17).
		{"GET", "/api/v1/incidents/{id}/plan", s.getPlan, staffRead},
		{"POST", "/api/v1/incidents/{id}/alarm", s.postAlarm, alarmRaise},
		{"GET", "/api/v1/units/{id}/roster", s.getUnitRoster, rosterRead},
		{"PUT", "/api/v1/units/{id}/roster", s.putRoster, rosterWrite},
		{"GET", "/api/v1/roster", s.getRoster, rosterRead},
		{"GET", "/api/v1/cameras", s.listCameras, cameraRead},
		{"GET", "/api/v1/cameras/nearest", s.nearestCameras, cameraRead},
		{"GET", "/api/v1/cameras/{id}", s.getCamera, cameraRead},
		{"POST", "/api/v1/cameras", s.postCamera, admins},
		{"GET", "/api/v1/cameras/views", s.listViews, auditRead},
		{"GET", "/api/v1/cameras/{id}/live", s.cameraLive, cameraRead.upgrades()},
		// Recording, evidence locks (issue 23).
		{"GET", "/api/v1/cameras/{id}/recordings", s.cameraRecordings, cameraRead},
		{"GET", "/api/v1/cameras/{id}/replay", s.cameraReplay, cameraRead.upgrades()},
		{"POST", "/api/v1/cameras/{id}/record", s.postRecordAlways, supervisors},
		{"POST", "/api/v1/cameras/{id}/ptz", s.postPTZ, ptzControl},
		{"GET", "/api/v1/cameras/{id}/ptz/presets", s.getPTZPresets, ptzControl},
		{"GET", "/api/v1/incidents/{id}/evidence", s.incidentEvidence, evidenceRead},
		{"POST", "/api/v1/incidents/{id}/evidence/release", s.postEvidenceRelease, supervisors},
		{"POST", "/api/v1/incidents/{id}/evidence", s.postEvidence, evidenceRead},
		{"GET", "/api/v1/evidence/key", s.evidenceKey, evidenceRead},
		{"GET", "/api/v1/evidence/{id}/file", s.evidenceFile, evidenceRead},
		{"GET", "/api/v1/evidence/{id}/manifest", s.evidenceManifest, evidenceRead},
		{"GET", "/api/v1/districts", s.getDistricts, anyUser},
		{"GET", "/api/v1/map/offline", s.getOfflineMap, anyUser},
		{"GET", "/api/v1/geocode", s.getGeocode, staffRead},
		{"GET", "/api/v1/route", s.getRoute, routeRead},
		{"GET", "/api/v1/config", s.consoleConfig, anyUser},
		{"GET", "/api/v1/catalog", s.getCatalog, anyUser},
		{"GET", "/api/v1/live", s.live, anyUser.upgrades()},
		// The call center: calls, caller location, duplicates, complaints.
		{"POST", "/api/v1/calls", s.postCall, intake},
		{"GET", "/api/v1/calls", s.listCalls, staffRead},
		{"GET", "/api/v1/calls/{id}", s.getCall, staffRead},
		{"POST", "/api/v1/calls/{id}/location", s.postCallLocation, intake},
		{"POST", "/api/v1/calls/{id}/close", s.postCallClose, intake},
		{"POST", "/api/v1/aml", s.postAML, machineAML},
		{"GET", "/api/v1/incidents/duplicates", s.getDuplicates, staffRead},
		{"POST", "/api/v1/incidents/{id}/calls", s.postIncidentCall, intake},
		{"POST", "/api/v1/complaints", s.postComplaint, public},
		{"GET", "/api/v1/complaints", s.listComplaints, complaintDesk},
		{"GET", "/api/v1/complaints/meta", s.complaintMeta, public},
		{"GET", "/api/v1/complaints/report", s.complaintReport, complaintReport},
		{"GET", "/api/v1/complaints/{ref}", s.getComplaint, publicOrDesk},
		{"POST", "/api/v1/complaints/{id}/forward", s.complaintAction("forward"), operational},
		{"POST", "/api/v1/complaints/{id}/respond", s.complaintAction("respond"), agencyAnswer},
		{"POST", "/api/v1/complaints/{id}/feedback", s.complaintAction("feedback"), operational},
		// The Media Center's inbound channels, the citizen's rating, the
		// quarantine of refused e-mail and the statistics (issue 20).
		{"POST", "/api/v1/inbound/sms", s.postInboundSMS, smsGateway},
		{"POST", "/api/v1/inbound/webhook", s.postInboundWebhook, signedWebhook},
		{"POST", "/api/v1/inbound/email", s.postInboundEmail, signedWebhook},
		{"POST", "/api/v1/complaints/entry", s.postComplaintEntry, operational},
		{"POST", "/api/v1/complaints/{ref}/rating", s.postComplaintRating, public},
		{"GET", "/api/v1/complaints/quarantine", s.listQuarantine, complaintReport},
		{"GET", "/api/v1/complaints/{id}/attachments/{n}", s.getComplaintAttachment, complaintDesk},
		{"GET", "/api/v1/complaints/stats", s.complaintStats(false), complaintReport},
		{"GET", "/api/v1/public/complaints/stats", s.complaintStats(true), public},
		{"GET", "/api/v1/public/districts", s.getDistricts, public},
		// Alerts and the coverage board (issue 15).
		{"GET", "/api/v1/alerts", s.listAlerts, boardRead},
		{"POST", "/api/v1/alerts/{id}/ack", s.postAlertAck, alertAck},
		{"GET", "/api/v1/coverage", s.getCoverage, boardRead},
		// Move-up advice and relocation (issue 22).
		{"GET", "/api/v1/moveups", s.getMoveUps, staffRead},
		{"POST", "/api/v1/units/{id}/relocate", s.postRelocate, operational},
		// Response-time metrics, historical import.
		{"GET", "/api/v1/metrics/response", s.getResponseMetrics, metricsRead},
		{"GET", "/api/v1/metrics/incidents.csv", s.getIncidentsCSV, metricsRead},
		{"GET", "/api/v1/metrics/eta", s.getETAMetrics, metricsRead},
		{"POST", "/api/v1/import/incidents", s.postImport, importers},
		// Accounts, audit, trackers (issue 4).
		{"POST", "/api/v1/login", s.postLogin, public},
		{"POST", "/api/v1/logout", s.postLogout, anyUser.audited()},
		{"GET", "/api/v1/me", s.getMe, anyUser},
		{"GET", "/api/v1/me/assignment", s.getMyAssignment, unitSelf},
		{"POST", "/api/v1/me/assignment/ack", s.postMyAck, unitSelf},
		// Paging: Web Push and messages (issue 18).
		{"GET", "/api/v1/push/key", s.getPushKey, unitSelf},
		{"POST", "/api/v1/me/push", s.postMyPush, unitSelf},
		{"POST", "/api/v1/messages", s.postMessage, messaging},
		{"GET", "/api/v1/messages", s.listMessages, messageRead},
		{"GET", "/api/v1/hospitals", s.getHospitals, hospitalRead},
		{"GET", "/api/v1/audit", s.getAudit, auditRead},
		{"GET", "/api/v1/users", s.listUsers, admins},
		{"POST", "/api/v1/users", s.postUser, admins},
		{"POST", "/api/v1/users/{username}/password", s.postUserPassword, admins},
		{"POST", "/api/v1/users/{username}/revoke", s.postUserRevoke, admins},
		{"GET", "/api/v1/devices", s.listDevices, admins},
		{"POST", "/api/v1/devices", s.postDevice, admins},
		// The city's configuration, changed live (issue 17).
		{"GET", "/api/v1/admin/city", s.adminCity, admins},
		{"POST", "/api/v1/admin/city/diff", s.cityPack(false), admins},
		{"POST", "/api/v1/admin/city/apply", s.cityPack(true), admins},
		{"GET", "/api/v1/admin/units", s.adminUnits, admins},
		{"POST", "/api/v1/admin/units", s.postAdminUnit, admins},
		{"PATCH", "/api/v1/admin/units/{id}", s.patchAdminUnit, admins},
		{"DELETE", "/api/v1/admin/units/{id}", s.deleteAdminUnit, admins},
		{"GET", "/api/v1/admin/stations", s.adminStations, admins},
		{"POST", "/api/v1/admin/stations", s.postAdminStation, admins},
		{"PATCH", "/api/v1/admin/stations/{id}", s.patchAdminStation, admins},
		{"DELETE", "/api/v1/admin/stations/{id}", s.deleteAdminStation, admins},
		{"GET", "/api/v1/admin/agencies", s.adminAgencies, admins},
		{"POST", "/api/v1/admin/agencies", s.postAdminAgency, admins},
		{"PATCH", "/api/v1/admin/agencies/{id}", s.patchAdminAgency, admins},
		{"DELETE", "/api/v1/admin/agencies/{id}", s.deleteAdminAgency, admins},
		{"GET", "/api/v1/admin/plans", s.adminPlans, admins},
		{"POST", "/api/v1/admin/plans", s.postAdminPlan, admins},
		{"PATCH", "/api/v1/admin/plans/{id}", s.patchAdminPlan, admins},
		{"DELETE", "/api/v1/admin/plans/{id}", s.deleteAdminPlan, admins},
		{"GET", "/osmand", s.postOsmAnd, tracker},
		{"POST", "/osmand", s.postOsmAnd, tracker},
		// Pages and their assets. A staff page is served to its roles and
		// to a browser without a session (it logs in through the API);
		// another role is sent to its own page (access.go's homePages).
		{"GET", "/{$}", s.index, pageFor(consolePage)},
		{"GET", "/static/{version}/{path...}", s.static, public},
		{"GET", "/calltaker", s.page("calltaker.html"), pageFor(callTakerPage)},
		{"GET", "/complaint", s.page("complaint.html"), public},
		{"GET", "/desk", s.page("desk.html"), pageFor(deskPage)},
		{"GET", "/desk/stats", s.page("stats.html"), pageFor(deskStatsPage)},
		{"GET", "/statistik", s.page("stats.html"), public},
		{"GET", "/camera", s.page("camera.html"), pageFor(cameraPage)},
		{"GET", "/supervisor", s.page("supervisor.html"), pageFor(supervisorPage)},
		{"GET", "/unit", s.page("unit.html"), pageFor(unitPage)},
		{"GET", "/unit/sw.js", s.unitServiceWorker(), public},
		{"GET", "/police", s.page("police.html"), pageFor(policePage)},
		{"GET", "/admin", s.page("admin.html"), pageFor(adminPage)},
		{"GET", "/login", s.page("login.html"), public},
	}
	if cfg.Prometheus != nil {
		s.routes = append(s.routes, route{"GET", "/metrics", s.prometheus(cfg.Prometheus), scrape})
	}
	for _, rt := range s.routes {
		guarded := rt
		guarded.Handler = s.guard(rt)
		s.mux.HandleFunc(rt.Method+" "+rt.Pattern, observed(guarded, cfg.ObserveCommand))
	}
	// Anything no route takes, a wrong method included, gets the API's
	// error envelope rather than the mux's plain-text 404 or 405.
	s.mux.HandleFunc("/", s.notFound)
	if s.auth == nil {
		s.log.Warn("access control is OFF: no auth store configured (tests only)")
	}
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
			httperr.Write(w, fmt.Errorf("handler panic: %v", v))
		}
	}()
	s.mux.ServeHTTP(w, r)
	s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start)) // never the query: ?token= must not reach logs
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	httperr.Write(w, cc112.Errorf(cc112.ENotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}
