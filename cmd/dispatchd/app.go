package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/auth"
	"cc112/bolt"
	"cc112/callcenter"
	"cc112/cctv"
	"cc112/cctv/record"
	"cc112/city"
	"cc112/coverage"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/inbound"
	"cc112/internal/sim"
	"cc112/kpi"
	"cc112/live"
	"cc112/paging"
	"cc112/roads"
	"cc112/route"
	"cc112/telemetry"
	"cc112/track"
	"cc112/ui"
)

// Main is the whole server, wired: journal, engine, HTTP. End-to-end tests
// start it on port 0 (Addr "127.0.0.1:0") and read URL.
type Main struct {
	// Config is the whole configuration, handed to each part by section.
	Config
	Logger *slog.Logger
	Clock  cc112.Clock
	// Listener, when set, is served instead of listening on Addr (tests
	// use it to watch or cut connections).
	Listener net.Listener

	// Metrics is the response-time index; Prom the Prometheus registry.
	Metrics *kpi.Index
	Prom    *telemetry.Metrics

	Journal cc112.Journal
	Calls   *callcenter.Service
	// AlertService raises the timers' alerts (Config.Alerts is its section).
	AlertService *alerts.Service
	Engine       *dispatch.Engine
	Auth         *auth.Store
	Live         *live.Hub
	Relay        *cctv.Relay
	Views        *cctv.Views
	// Recordings holds the "always record" marks and evidence locks;
	// Recorder and Recorded run only with -record-dir.
	Recordings *cctv.Recordings
	Recorder   *cctv.Recorder
	Recorded   *record.Store
	Pager      *paging.Service
	pusher     *paging.Pusher

	publishers   publishers
	positionSink func(dispatch.PositionFix)
	city         *city.Pack
	roads        *route.Router // nil: no road network
	cluster      *cluster
	fatal        chan error
	// writerReady is set once the writer's start-up is done (the demo city
	// and accounts in place): /readyz says ready only then.
	writerReady atomic.Bool

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

// NewMain returns a Main with the default configuration (DefaultConfig).
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Logger: slog.Default(), Clock: cc112.SystemClock{}}
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
	pack, err := loadPack(m.City)
	if err != nil {
		return err
	}
	m.city = pack
	var streets []roads.Street
	m.roads, streets = loadRoads(m.City, m.Routing, pack, geo.DefaultETAModel(), m.Logger)
	places, err := cityPlaces(m.City, pack, streets)
	if err != nil {
		return err
	}
	m.fatal = make(chan error, 1)
	if m.Store.DatabaseURL != "" {
		if m.cluster, err = openCluster(ctx, m); err != nil {
			return err
		}
		m.Journal = m.cluster.journal
	}
	m.Prom = telemetry.New()
	m.Metrics = kpi.NewIndex(cc112.WIB)
	m.Prom.GaugeFunc("cc112_incidents_open", "Incidents active now.", func() float64 { return float64(m.Metrics.Open()) })
	if err := m.openState(ctx, pack); err != nil {
		return err
	}
	m.checkpointMetrics()
	if m.Cameras.CamSim != "" {
		pointAtCamSim(pack.Cameras, m.Cameras.CamSim, m.Cameras.CamSimCameras)
	}
	if m.Live, err = live.New(live.Config{Source: m.Engine, Logger: m.Logger, AllowedOrigins: m.HTTP.AllowedOrigins,
		Viewer: ui.LiveViewer, Payloads: ui.LivePayloads(), Watch: ui.WatchSession}); err != nil {
		return err
	}
	m.pusher = m.Pager.NewPusher()
	m.publishers = publishers{m.Live, m.pusher}
	m.Engine.SetPublisher(m.publishers) // after replay: the feed starts a new epoch
	m.Prom.GaugeFunc("cc112_websocket_clients", "Live websocket clients connected now.",
		func() float64 { return float64(m.Live.Stats().Conns) })
	m.Prom.CounterFunc("cc112_websocket_slow_cuts_total", "Live websocket clients cut for falling behind.",
		func() float64 { return float64(m.Live.Stats().SlowCuts) })
	if m.cluster != nil {
		m.Engine.SetStandby() // until the leader lease says otherwise
	} else if err := m.seedDemo(ctx); err != nil {
		return err
	} else {
		m.writerReady.Store(true)
	}
	districts, err := pack.Districts.GeoJSON()
	if err != nil {
		return err
	}
	tracks := track.FromJournal(m.Journal)
	if m.cluster != nil {
		tracks = m.cluster.breadcrumbs(m.Engine)
	}
	m.Relay = cctv.NewRelay(cctv.RelayConfig{Resolve: cameraSources(m.Engine), Transport: m.Cameras.Transport,
		CloseAfter: m.Cameras.CloseAfter, Logger: m.Logger})
	if err := m.openRecordings(); err != nil {
		return err
	}
	m.handler = ui.NewServer(ui.Config{Settings: m.HTTP, Engine: m.Engine, DistrictsGeoJSON: districts, Logger: m.Logger,
		Live: m.Live, Tracks: tracks, Calls: m.Calls, Alerts: m.AlertService, Relay: m.Relay, Views: m.Views, Metrics: m.Metrics,
		Recordings: m.Recordings, Recorded: m.Recorded,
		Prometheus: m.Prom.Handler(), ObserveCommand: m.Prom.Command, Auth: m.Auth, Ready: m.ready, Places: places,
		Paging: m.Pager, MainRoads: mainRoads(m.roads), MoveUps: moveUpAdvisor(pack, m.HTTP.Targets)})
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

// ready is /readyz: the journal answers and the accounts and city are in
// place (a standby: it follows the leader within its lag bound).
func (m *Main) ready(ctx context.Context) error {
	if m.cluster != nil {
		return m.cluster.ready(ctx)
	}
	return m.writerReadiness(ctx)
}

func (m *Main) writerReadiness(ctx context.Context) error {
	if !m.writerReady.Load() {
		return cc112.Errorf(cc112.EUnavailable, "starting: the city and the accounts are not in place yet")
	}
	return m.Engine.Ready(ctx)
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
	if m.Mail.IMAPAddr != "" { // e-mail complaints from the Media Center's mailbox
		p := &inbound.IMAP{Addr: m.Mail.IMAPAddr, TLS: m.Mail.IMAPTLS, Username: m.Mail.IMAPUser, Password: m.Mail.IMAPPassword,
			Mailbox: m.Mail.IMAPMailbox, Intake: &inbound.Intake{Calls: m.Calls}, Logger: m.Logger}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			p.Run(bg, m.Mail.IMAPInterval)
		}()
	}
	m.wg.Add(1)
	go func() { // alert timers: from the journal and the clock, raised once
		defer m.wg.Done()
		m.AlertService.Run(bg, m.AlertTick)
	}()
	m.wg.Add(1)
	go func() { // the roster's schedule: units in and out of service by shift
		defer m.wg.Done()
		m.Engine.RunSchedule(bg, m.AlertTick)
	}()
	if err := m.Pager.EnsureKeys(bg); err != nil {
		return fmt.Errorf("push keys: %w", err)
	}
	m.wg.Add(2)
	go func() { // pages to the units' phones
		defer m.wg.Done()
		m.pusher.Run(bg)
	}()
	go func() { // unacknowledged dispatches: the alert and the crew's SMS, resent after a restart
		defer m.wg.Done()
		m.Pager.Run(bg, m.SLATick)
	}()
	if m.Cameras.ProbeInterval > 0 {
		p := &cctv.Prober{Registry: m.Engine, Interval: m.Cameras.ProbeInterval, Transport: m.Cameras.Transport,
			Live: m.Relay.Live, Logger: m.Logger}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			p.Run(bg)
		}()
	}
	if m.Recorder != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.Recorder.Run(bg)
		}()
	}
	m.startSim(bg)
	if m.Store.HistoryWindow > 0 {
		m.wg.Add(1)
		go func() { // closed history out of memory, by the engine's clock
			defer m.wg.Done()
			dispatch.Every(bg, time.Minute, func() {
				if n, err := m.Engine.ArchiveClosed(bg); err != nil {
					m.Logger.Debug("archive sweep", "archived", n, "err", err) // a standby refuses: its leader sweeps
				} else if n > 0 {
					m.Logger.Info("closed incidents archived", "count", n)
				}
				if n, err := m.Engine.ArchiveShifts(bg); err != nil { // past roster shifts: the same window
					m.Logger.Debug("shift archive sweep", "archived", n, "err", err)
				} else if n > 0 {
					m.Logger.Info("past roster shifts archived", "count", n)
				}
			})
		}()
	}
	if m.checkpoints() {
		m.wg.Add(1)
		go func() { // checkpoints of the state: a start replays only the journal after the newest
			defer m.wg.Done()
			m.Engine.RunCheckpoints(bg, dispatch.CheckpointPolicy{Every: m.Store.CheckpointEvery, Interval: m.Store.CheckpointInterval})
		}()
	}
	return nil
}

// checkpointMetrics exports what the checkpoints did: a start that had to
// replay the whole journal, a corrupt checkpoint, the pause of the last.
func (m *Main) checkpointMetrics() {
	st := func() dispatch.CheckpointStats { return m.Engine.CheckpointStats() }
	m.Prom.CounterFunc("cc112_checkpoint_full_replays_total", "Starts that replayed the whole journal: no usable checkpoint.",
		func() float64 { return float64(st().FullReplays) })
	m.Prom.CounterFunc("cc112_checkpoint_corrupt_total", "Stored checkpoints found unusable at start (checksum, schema, beyond the journal).",
		func() float64 { return float64(st().Corrupt) })
	m.Prom.CounterFunc("cc112_checkpoints_written_total", "Checkpoints of the state written.",
		func() float64 { return float64(st().Written) })
	m.Prom.CounterFunc("cc112_checkpoint_failures_total", "Checkpoints that could not be written.",
		func() float64 { return float64(st().Failed) })
	m.Prom.GaugeFunc("cc112_checkpoint_seq", "Journal seq the newest checkpoint (written or loaded) covers.",
		func() float64 { s := st(); return float64(max(s.LastSeq, s.LoadedSeq)) })
	m.Prom.GaugeFunc("cc112_checkpoint_pause_seconds", "How long the last checkpoint held commands (encoding the state under the lock).",
		func() float64 { return st().LastPause.Seconds() })
}

// checkpoints reports whether the engine writes checkpoints.
func (m *Main) checkpoints() bool {
	return m.Store.CheckpointEvery > 0 || m.Store.CheckpointInterval > 0
}

// openRecordings opens the recordings' folder and makes the recorder
// (with -record-dir and -record-budget); the writer runs it.
func (m *Main) openRecordings() error {
	rc := m.Cameras.Record
	if rc.Dir == "" || rc.BudgetMB <= 0 {
		return nil
	}
	var keep func(string, time.Time, time.Time) bool
	store, err := record.Open(record.Config{Dir: rc.Dir, Budget: rc.BudgetMB << 20, SegmentDuration: rc.Segment, Retain: rc.Retain,
		Keep:   func(c string, from, to time.Time) bool { return keep(c, from, to) },
		Logger: m.Logger})
	if err != nil {
		return fmt.Errorf("-record-dir: %w", err)
	}
	m.Recorded = store
	m.Recorder = cctv.NewRecorder(cctv.RecorderConfig{Store: store, Relay: m.Relay, Engine: m.Engine, Recordings: m.Recordings,
		Near: rc.Near, NearMaxM: m.HTTP.CameraNearestMaxM, PreRoll: rc.PreRoll, Watched: rc.Watched, Logger: m.Logger})
	keep = m.Recorder.Keep
	return nil
}

// seedDemo seeds the city pack (the demo's with -demo, or a -city folder's
// own units) into a journal that has no city yet, as one city.changed, and
// its cameras into an empty journal; then it makes sure the demo accounts
// exist (with -demo) or creates the first admin (with -admin-password).
// Only the writer does it.
func (m *Main) seedDemo(ctx context.Context) error {
	if m.City.Demo || m.city.HasOwnFleet() {
		fresh := m.Engine.LastSeq() == 0
		if !m.Engine.CityKnown() {
			if err := seedCity(ctx, m.Engine, m.city); err != nil {
				return fmt.Errorf("seed the city: %w", err)
			}
			m.Logger.Info("city seeded", "agencies", len(m.city.Agencies), "stations", len(m.city.Stations), "units", len(m.city.Units))
		}
		if fresh {
			if err := m.Engine.RegisterCameras(ctx, m.city.Cameras); err != nil {
				return fmt.Errorf("seed the cameras: %w", err)
			}
		}
	}
	if !m.City.Demo {
		return m.firstAdmin(ctx)
	}
	if err := m.demoAccounts(ctx); err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	return nil
}

// startSim runs the simulator (with -sim) until bg ends.
func (m *Main) startSim(bg context.Context) {
	if !m.City.Sim {
		return
	}
	s := sim.New(m.Engine, m.city, m.Clock, m.Logger)
	s.MeanGap = sim.GapFor(s.MeanGap, m.City.SimDemand)
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
func (m *Main) openState(ctx context.Context, city *city.Pack) (err error) {
	if m.Journal == nil {
		// Through a local: a nil *bolt.Journal stored in the interface
		// would not be nil, and Close would call it.
		j, err := bolt.Open(m.Store.StateDir, m.Logger)
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
		if bj, ok := m.Journal.(*bolt.Journal); ok {
			m.Prom.GaugeFunc("cc112_journal_damaged", "1 when the background check of the journal's older records found a damaged or missing record (see the log; restore the file from a backup).",
				func() float64 {
					if bj.ScrubResult().Damage != nil {
						return 1
					}
					return 0
				})
		}
	}
	ccfg := m.CallCenter
	ccfg.Clock, ccfg.Logger = m.Clock, m.Logger
	cfg := dispatch.Config{Journal: m.Journal, Clock: m.Clock, Logger: m.Logger,
		Roads: m.roads, PositionStale: m.Routing.PositionStale}
	if city != nil {
		if len(city.Agencies) > 0 { // complaints go to the pack's agencies
			ccfg.Agencies = make([]string, len(city.Agencies))
			for i, a := range city.Agencies {
				ccfg.Agencies[i] = a.Code
			}
		}
		ccfg.Districts, cfg.Districts = city.Districts, city.Districts
		if city.KelurahanFile != "" { // complaint statistics count per kelurahan
			if ccfg.Kelurahan, err = loadPlaces(city.KelurahanFile, geo.LoadVillagesGeoJSON); err != nil {
				return err
			}
		}
		cfg.Area, cfg.AreaMargin = city.Districts, m.City.AreaMarginM
	}
	if h, ok := m.Journal.(cc112.HistorySearch); ok { // PostgreSQL: history pages in SQL
		cfg.History = h
	}
	if cs, ok := m.Journal.(cc112.CheckpointStore); ok && m.checkpoints() {
		cfg.Checkpoints = cs
	}
	if a, ok := m.Journal.(cc112.IncidentArchive); ok { // closed history out of memory
		cfg.Archive, cfg.HistoryWindow = a, m.Store.HistoryWindow
	}
	if m.Metrics != nil {
		cfg.OnIncident = func(inc *cc112.Incident) { m.Metrics.Put(kpi.FromIncident(inc)) }
		cfg.OnIncidentState = m.Metrics // checkpointed: no start walks the archive
		if a, ok := m.Journal.(kpi.Archive); ok && cfg.Archive != nil {
			m.Metrics.UseArchive(a) // archived incidents' records: read from the journal, not held
			cfg.OnArchived = m.Metrics.Forget
		}
	}
	m.Calls = callcenter.New(ccfg)
	m.Views = cctv.NewViews()
	m.Recordings = cctv.NewRecordings()
	m.Auth = auth.New(m.Accounts)
	acfg := m.alertsConfig()
	if city != nil {
		if err := checkCoverageDistricts(acfg.Coverage, city.Districts); err != nil {
			return err
		}
	}
	m.AlertService = alerts.New(acfg)
	pcfg := m.Paging
	pcfg.Clock, pcfg.Logger, pcfg.SMS = m.Clock, m.Logger, m.CallCenter.SMS
	m.Pager = paging.New(pcfg)
	m.Engine, err = dispatch.New(ctx, cfg, m.Calls, m.Views, m.Recordings, m.Auth, m.AlertService, m.Pager)
	return err
}

// alertsConfig is the alerts' section of the configuration with the
// server's clock and logger.
func (m *Main) alertsConfig() alerts.Config {
	c := m.Config.Alerts
	c.Clock, c.Logger = m.Clock, m.Logger
	return c
}

// checkCoverageDistricts refuses a coverage group naming a kecamatan the
// city does not have: a typo would leave its units uncounted forever.
func checkCoverageDistricts(groups []alerts.Group, d *geo.Districts) error {
	known := map[string]bool{}
	for _, x := range d.All() {
		known[x.Name] = true
	}
	for _, g := range groups {
		for _, name := range g.Districts {
			if !known[name] {
				return fmt.Errorf("coverage group %s: the city has no kecamatan %q", g.Name, name)
			}
		}
	}
	return nil
}

// firstAdmin creates the account "admin" with AdminPassword when the
// journal has no account at all: the first login of a deployment without
// the demo (on PostgreSQL the user command cannot, and the users API needs
// an admin). Once any account exists it does nothing, so a password
// changed later is never reset.
func (m *Main) firstAdmin(ctx context.Context) error {
	if m.City.AdminPassword == "" || len(m.Auth.Users()) > 0 {
		return nil
	}
	if _, err := m.Auth.AddUser(ctx, auth.NewUser{Username: "admin", Password: m.City.AdminPassword, Role: auth.Admin},
		"", "", auth.Principal{Username: "dispatchd"}, ""); err != nil {
		return fmt.Errorf("first admin (-admin-password): %w", err)
	}
	m.Logger.Info("first admin account created: log in as admin and create the others", "username", "admin")
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

// seedCity journals the pack's agencies, stations, units and plans as one
// change, adding to what the journal has (a journal from before city packs
// keeps its units; they gain their capabilities).
func seedCity(ctx context.Context, eng *dispatch.Engine, pack *city.Pack) error {
	_, err := eng.ChangeCity(ctx, "dispatchd", dispatch.CityEdit{Agencies: pack.Agencies, Stations: pack.Stations,
		Units: pack.Units, Plans: pack.Plans}, false, "", "")
	return err
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
	if m.Engine != nil && m.checkpoints() && m.Engine.Writer() {
		// The next start replays nothing: a checkpoint of the last state.
		if _, err := m.Engine.Checkpoint(ctx); err != nil {
			m.Logger.Warn("no checkpoint at shutdown; the next start replays from the previous one", "err", err)
		}
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

// moveUpAdvisor advises relocations so that every kecamatan keeps a free
// unit of each type within the travel its target leaves: the response
// target less the processing and turnout targets. Any station may be a
// post, as in the policy that covered best in the simulation study.
func moveUpAdvisor(pack *city.Pack, t kpi.Targets) *coverage.Advisor {
	budget := (t.Response - t.Processing - t.Turnout).Seconds()
	if budget <= 0 {
		budget = t.Response.Seconds() / 2
	}
	a := coverage.NewAdvisor(pack.Districts, pack.Stations, geo.DefaultETAModel(), budget)
	a.AnyPost = true
	return a
}
