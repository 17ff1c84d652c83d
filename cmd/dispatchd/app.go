package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/bolt"
	"cc112/callcenter"
	"cc112/cctv"
	"cc112/cctv/rtspsrc"
	"cc112/dispatch"
	"cc112/internal/demo"
	"cc112/internal/sim"
	"cc112/kpi"
	"cc112/live"
	"cc112/telemetry"
	"cc112/track"
	"cc112/ui"
)

// Main is the whole server, wired: journal, engine, HTTP. End-to-end tests
// start it on port 0 (Addr "127.0.0.1:0") and read URL.
type Main struct {
	Addr     string
	StateDir string
	Demo     bool
	Sim      bool
	CityDir  string
	Logger   *slog.Logger
	Clock    cc112.Clock
	// Tiles is the console's basemap (OpenStreetMap unless set).
	Tiles ui.Tiles
	// Listener, when set, is served instead of listening on Addr (tests
	// use it to watch or cut connections).
	Listener net.Listener
	// AllowedOrigins are browser origins allowed on the live websocket
	// besides the server's own host.
	AllowedOrigins []string
	// CallCenter configures calls and complaints (SLAs, the mayor's phone,
	// the SMS gateway); AMLKey, when set, must sign AML HTTPS forms;
	// SLATick is how often the complaint SLAs are checked (1 s).
	CallCenter callcenter.Config
	AMLKey     []byte
	SLATick    time.Duration
	// AuthConfig tunes accounts (tests use cheap password hashing).
	AuthConfig auth.Config
	// TileHosts are map tile origins for the Content Security Policy.
	TileHosts []string
	// SecureCookies marks session cookies Secure behind a TLS proxy.
	SecureCookies bool
	// AMLAPIKey lets the SMS gateway or AML provider post AML without a
	// user token (X-API-Key); MetricsToken is Prometheus's bearer token for
	// /metrics (empty: loopback only without a user token).
	AMLAPIKey    string
	MetricsToken string

	// Cameras: probe interval (0: no probing), RTSP transport, how long a
	// camera's session outlives its last viewer, and a camsim address the
	// demo cameras point at (cycling over CamSimCameras paths).
	CameraProbeInterval time.Duration
	CameraTransport     rtspsrc.Transport
	CameraCloseAfter    time.Duration
	CamSim              string
	CamSimCameras       int
	// Targets are the response-time targets of the supervisor's reports.
	Targets kpi.Targets

	// Metrics is the response-time index; Prom the Prometheus registry.
	Metrics *kpi.Index
	Prom    *telemetry.Metrics

	// DatabaseURL selects PostgreSQL instead of the embedded journal, with
	// a leader lease so that two instances form a hot standby pair.
	DatabaseURL string
	// Advertise is the base URL a standby forwards writes to (default: the
	// listen URL). Instance names this process in the leader table.
	Advertise string
	Instance  string
	// BreadcrumbEvery is the least time between two stored fixes of a unit
	// on PostgreSQL (default 5 s).
	BreadcrumbEvery time.Duration

	Journal cc112.Journal
	Calls   *callcenter.Service
	Engine  *dispatch.Engine
	Auth    *auth.Store
	Live    *live.Hub
	Relay   *cctv.Relay
	Views   *cctv.Views

	// RedisURL relays the live feed and latest positions through Redis.
	RedisURL string

	publishers   publishers
	positionSink func(dispatch.PositionFix)
	city         *demo.CityData
	cluster      *cluster
	fatal        chan error

	// DemoUnit is the unit the demo's "unit" account drives (with -demo).
	DemoUnit string

	ln      net.Listener
	srv     *http.Server
	handler *ui.Server
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

// The default basemap: OpenStreetMap's standard tiles, whose policy asks
// for this attribution.
const (
	OSMTiles       = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	OSMAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
)

// NewMain returns a Main with the defaults of the flags.
func NewMain() *Main {
	return &Main{Addr: "127.0.0.1:8080", StateDir: "./state", Logger: slog.Default(), Clock: cc112.SystemClock{},
		Tiles:               ui.Tiles{URL: OSMTiles, Attribution: OSMAttribution},
		CameraProbeInterval: 30 * time.Second, CameraCloseAfter: 10 * time.Second, CamSimCameras: 8,
		Targets: kpi.DefaultTargets()}
}

// Run opens the journal, replays it, seeds the demo if asked and starts
// serving. It returns once the server listens.
func (m *Main) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			_ = m.Close(context.Background())
		}
	}()
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.Clock == nil {
		m.Clock = cc112.SystemClock{}
	}
	city := demo.City()
	if m.CityDir != "" {
		if city, err = demo.LoadCityDir(m.CityDir); err != nil {
			return fmt.Errorf("-city: %w", err)
		}
	}
	m.city = city
	m.fatal = make(chan error, 1)
	if m.DatabaseURL != "" {
		if m.cluster, err = openCluster(ctx, m); err != nil {
			return err
		}
		m.Journal = m.cluster.journal
	}
	m.Prom = telemetry.New()
	m.Metrics = kpi.NewIndex(cc112.WIB)
	m.Prom.GaugeFunc("cc112_incidents_open", "Incidents active now.", func() float64 { return float64(m.Metrics.Open()) })
	if err := m.openState(ctx, city); err != nil {
		return err
	}
	m.Calls.Bind(m.Engine)
	m.Views.Attach(m.Engine)
	if m.CamSim != "" {
		pointAtCamSim(city.Cameras, m.CamSim, m.CamSimCameras)
	}
	if m.Live, err = live.New(live.Config{Source: m.Engine, Logger: m.Logger, AllowedOrigins: m.AllowedOrigins,
		Redacted: policeViewer, Redact: auth.RedactFeed}); err != nil {
		return err
	}
	m.publishers = publishers{m.Live}
	m.Engine.SetPublisher(m.publishers) // after replay: the feed starts a new epoch
	m.Prom.GaugeFunc("cc112_websocket_clients", "Live websocket clients connected now.",
		func() float64 { return float64(m.Live.Stats().Conns) })
	m.Prom.CounterFunc("cc112_websocket_slow_cuts_total", "Live websocket clients cut for falling behind.",
		func() float64 { return float64(m.Live.Stats().SlowCuts) })
	if m.cluster != nil {
		m.Engine.SetStandby() // until the leader lease says otherwise
	} else if err := m.seedDemo(ctx); err != nil {
		return err
	}
	districts, err := city.Districts.GeoJSON()
	if err != nil {
		return err
	}
	tracks := track.FromJournal(m.Journal)
	if m.cluster != nil {
		tracks = m.cluster.breadcrumbs(m.Engine)
	}
	m.Relay = cctv.NewRelay(cctv.RelayConfig{Resolve: cameraSources(m.Engine), Transport: m.CameraTransport,
		CloseAfter: m.CameraCloseAfter, Logger: m.Logger})
	m.handler = ui.NewServer(ui.Config{Engine: m.Engine, DistrictsGeoJSON: districts, Logger: m.Logger,
		Tiles: m.Tiles, Live: m.Live, Tracks: tracks, Calls: m.Calls, AMLKey: m.AMLKey, AMLAPIKey: m.AMLAPIKey, Relay: m.Relay, Views: m.Views,
		Metrics: m.Metrics, Targets: m.Targets, Prometheus: m.Prom.Handler(), ObserveCommand: m.Prom.Command,
		Auth: m.Auth, TileHosts: m.TileHosts, SecureCookies: m.SecureCookies, MetricsToken: m.MetricsToken})
	var handler http.Handler = m.handler
	if m.cluster != nil {
		handler = m.cluster.forwardWrites(handler)
	}
	if m.ln = m.Listener; m.ln == nil {
		if m.ln, err = net.Listen("tcp", m.Addr); err != nil {
			return err
		}
	}
	m.srv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.srv.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("http server", "err", err)
		}
	}()
	if m.cluster != nil {
		return m.cluster.start(ctx, bg)
	}
	return m.startWriterWork(bg)
}

// startWriterWork starts what only the writer does (the single instance,
// or the leader once it holds the lease): the Redis feed, the complaint
// SLA loop (the mayor's SMS), camera probing and the simulator. Each of
// them issues commands, which a standby would refuse.
func (m *Main) startWriterWork(bg context.Context) error {
	if err := m.startRedisFeed(bg); err != nil {
		return err
	}
	m.wg.Add(1)
	go func() { // complaint SLAs: the mayor's SMS, resent after a restart
		defer m.wg.Done()
		m.Calls.Run(bg, m.SLATick)
	}()
	if m.CameraProbeInterval > 0 {
		p := &cctv.Prober{Registry: m.Engine, Interval: m.CameraProbeInterval, Transport: m.CameraTransport,
			Live: m.Relay.Live, Logger: m.Logger}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			p.Run(bg)
		}()
	}
	m.startSim(bg)
	return nil
}

// seedDemo seeds the demo city into an empty journal and makes sure the
// demo accounts exist (with -demo). Only the writer does it.
func (m *Main) seedDemo(ctx context.Context) error {
	if !m.Demo {
		return nil
	}
	if m.Engine.LastSeq() == 0 {
		if err := seed(ctx, m.Engine, m.city); err != nil {
			return fmt.Errorf("seed demo city: %w", err)
		}
		m.Logger.Info("demo city seeded", "units", len(m.city.Units), "cameras", len(m.city.Cameras))
	}
	if err := m.demoAccounts(ctx); err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	return nil
}

// startSim runs the simulator (with -sim) until bg ends.
func (m *Main) startSim(bg context.Context) {
	if !m.Sim {
		return
	}
	s := sim.New(m.Engine, m.city, m.Clock, m.Logger)
	if m.DemoUnit != "" {
		s.Manual = map[string]bool{m.DemoUnit: true} // the demo unit user drives it
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		s.Run(bg)
	}()
}

// Err receives the error that ends a running server by itself, e.g. a
// leader that lost its lease and must step down.
func (m *Main) Err() <-chan error { return m.fatal }

func (m *Main) stop(err error) {
	select {
	case m.fatal <- err:
	default:
	}
}

// openState opens the journal (the embedded one unless m.Journal is set
// already) and replays it into the engine and every extension: the call
// center, the camera-view audit and the accounts. The server and `dispatchd
// user` share it, so that both know every event type of the journal.
func (m *Main) openState(ctx context.Context, city *demo.CityData) (err error) {
	if m.Journal == nil {
		// Through a local: a nil *bolt.Journal stored in the interface
		// would not be nil, and Close would call it.
		j, err := bolt.Open(m.StateDir, m.Logger)
		if err != nil {
			return err
		}
		m.Journal = j
	}
	if m.Prom != nil {
		if o, ok := m.Journal.(interface {
			ObserveCommits(func(events int, took time.Duration))
		}); ok {
			o.ObserveCommits(m.Prom.Commit)
		}
	}
	ccfg := m.CallCenter
	ccfg.Clock, ccfg.Logger = m.Clock, m.Logger
	cfg := dispatch.Config{Journal: m.Journal, Clock: m.Clock, Logger: m.Logger}
	if city != nil {
		ccfg.Districts, cfg.Districts = city.Districts, city.Districts
	}
	if m.Metrics != nil {
		cfg.OnIncident = func(inc *cc112.Incident) { m.Metrics.Put(kpi.FromIncident(inc)) }
	}
	m.Calls = callcenter.New(ccfg)
	m.Views = cctv.NewViews()
	m.Auth = auth.New(m.AuthConfig)
	extensions, err := mergeAppliers(m.Calls.Appliers(), m.Views.Appliers(), m.Auth.Appliers())
	if err != nil {
		return err
	}
	if m.Engine, err = dispatch.New(ctx, cfg, extensions); err != nil {
		return err
	}
	m.Auth.Attach(m.Engine)
	return nil
}

// demoAccounts makes one account per role whose password is its name, the
// unit account driving one ambulance (or the first unit) and the agency
// account the DKP team, and warns loudly: never in production.
func (m *Main) demoAccounts(ctx context.Context) error {
	units := m.Engine.Units()
	for _, u := range units {
		if m.DemoUnit == "" && u.Type == cc112.UnitAmbulance {
			m.DemoUnit = u.ID
		}
	}
	if m.DemoUnit == "" && len(units) > 0 {
		m.DemoUnit = units[0].ID
	}
	for _, role := range auth.Roles() {
		n := auth.NewUser{Username: string(role), Password: string(role), Role: role}
		switch role {
		case auth.UnitRole:
			if m.DemoUnit == "" {
				continue
			}
			n.UnitID = m.DemoUnit
		case auth.Agency:
			n.Agency = "dkp"
		}
		if _, err := m.Auth.EnsureUser(ctx, n); err != nil {
			return fmt.Errorf("%s: %w", role, err)
		}
	}
	for _, u := range m.Auth.Users() {
		if u.Username == string(auth.UnitRole) && u.Role == auth.UnitRole {
			m.DemoUnit = u.UnitID // an older state folder may have bound it elsewhere
		}
	}
	m.Logger.Warn("DEMO ACCOUNTS ARE ON: every role has a user whose password is its name (dispatcher/dispatcher, ...); never run -demo in production",
		"unit_user_drives", m.DemoUnit)
	return nil
}

// policeViewer says whether a live-feed request comes from a role that
// never sees callers' identities: the hub sends it redacted frames.
func policeViewer(r *http.Request) bool {
	p := ui.PrincipalFrom(r.Context())
	return p != nil && !auth.SeesCallers(p.Role)
}

// seed registers the demo units and cameras into an empty journal.
func seed(ctx context.Context, eng *dispatch.Engine, city *demo.CityData) error {
	if err := eng.RegisterUnits(ctx, city.Units); err != nil {
		return err
	}
	return eng.RegisterCameras(ctx, city.Cameras)
}

// pointAtCamSim gives the demo cameras synthetic streams: rtsp://addr/cam/K,
// K cycling over 1…n.
func pointAtCamSim(cams []cc112.Camera, addr string, n int) {
	n = max(n, 1)
	for k := range cams {
		cams[k].RTSPURL = fmt.Sprintf("rtsp://%s/cam/%d", addr, k%n+1)
		cams[k].HasVideo = true
	}
}

// cameraSources resolves a camera's RTSP URLs for the relay.
func cameraSources(eng *dispatch.Engine) func(id string) (cctv.Sources, error) {
	return func(id string) (cctv.Sources, error) {
		c, err := eng.Camera(id)
		if err != nil {
			return cctv.Sources{}, err
		}
		if c.RTSPURL == "" && c.SubRTSPURL == "" {
			return cctv.Sources{}, cc112.Errorf(cc112.EConflict, "camera %s has no video stream", c.Name)
		}
		return cctv.Sources{Main: c.RTSPURL, Sub: c.SubRTSPURL}, nil
	}
}

// URL is the base URL the server answers on.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	return "http://" + m.ln.Addr().String()
}

// Close stops serving (letting requests in flight finish until ctx ends),
// stops background work and closes the journal. Safe to call twice.
func (m *Main) Close(ctx context.Context) error {
	m.closeMu.Lock()
	defer m.closeMu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	var errs []error
	// Websockets first: http.Server.Shutdown does not close hijacked
	// connections, the hub sends them a close frame (1001, going away).
	if m.Live != nil {
		if err := m.Live.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("live feed: %w", err))
		}
	}
	if m.srv != nil {
		if err := m.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	} else if m.ln != nil {
		_ = m.ln.Close()
	}
	if m.Relay != nil {
		m.Relay.Close() // ends every viewer: hijacked websockets outlive Shutdown
	}
	if m.handler != nil {
		m.handler.WaitLive() // their views' ends are journaled before the journal closes
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.Auth != nil {
		m.Auth.Close() // flushes the audit entries still queued
	}
	if m.Journal != nil {
		if err := m.Journal.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.cluster != nil {
		m.cluster.close()
	}
	return errors.Join(errs...)
}

// mergeAppliers joins the engine extensions' event types; two extensions
// claiming one type is a wiring bug.
func mergeAppliers(sets ...map[string]dispatch.Applier) (map[string]dispatch.Applier, error) {
	all := map[string]dispatch.Applier{}
	for _, set := range sets {
		for typ, a := range set {
			if _, dup := all[typ]; dup {
				return nil, fmt.Errorf("event type %q is claimed by two extensions", typ)
			}
			all[typ] = a
		}
	}
	return all, nil
}
