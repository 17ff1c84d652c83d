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
	"cc112/bolt"
	"cc112/demo"
	"cc112/dispatch"
	"cc112/metrics"
	"cc112/prom"
	"cc112/sim"
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
	// Targets are the response-time targets of the supervisor's reports.
	Targets metrics.Targets

	// Metrics is the response-time index; Prom the Prometheus registry
	// (the live hub moves its websocket gauge with Prom.WebsocketClients).
	Metrics *metrics.Index
	Prom    *prom.Metrics

	Journal *bolt.Journal
	Engine  *dispatch.Engine

	ln      net.Listener
	srv     *http.Server
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
		Tiles: ui.Tiles{URL: OSMTiles, Attribution: OSMAttribution}, Targets: metrics.DefaultTargets()}
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
	if m.Journal, err = bolt.Open(m.StateDir, m.Logger); err != nil {
		return err
	}
	m.Prom = prom.New()
	m.Journal.ObserveCommits(m.Prom.Commit)
	m.Metrics = metrics.NewIndex(dispatch.WIB)
	m.Prom.GaugeFunc("cc112_incidents_open", "Incidents active now.", func() float64 { return float64(m.Metrics.Open()) })
	m.Engine, err = dispatch.New(ctx, dispatch.Config{
		Journal: m.Journal, Clock: m.Clock, Logger: m.Logger, Districts: city.Districts,
		OnIncident: func(inc *cc112.Incident) { m.Metrics.Put(metrics.FromIncident(inc)) },
	}, nil)
	if err != nil {
		return err
	}
	if m.Demo && m.Engine.LastSeq() == 0 {
		if err := seed(ctx, m.Engine, city); err != nil {
			return fmt.Errorf("seed demo city: %w", err)
		}
		m.Logger.Info("demo city seeded", "units", len(city.Units), "cameras", len(city.Cameras))
	}
	districts, err := city.Districts.GeoJSON()
	if err != nil {
		return err
	}
	handler := ui.NewServer(ui.Config{Engine: m.Engine, DistrictsGeoJSON: districts, Logger: m.Logger, Tiles: m.Tiles,
		Metrics: m.Metrics, Targets: m.Targets, Prometheus: m.Prom.Handler(), ObserveCommand: m.Prom.Command})
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
	if m.Sim {
		s := sim.New(m.Engine, city, m.Clock, m.Logger)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			s.Run(bg)
		}()
	}
	return nil
}

// seed registers the demo units and cameras into an empty journal.
func seed(ctx context.Context, eng *dispatch.Engine, city *demo.CityData) error {
	if err := eng.RegisterUnits(ctx, city.Units); err != nil {
		return err
	}
	return eng.RegisterCameras(ctx, city.Cameras)
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
	if m.srv != nil {
		if err := m.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	} else if m.ln != nil {
		_ = m.ln.Close()
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.Journal != nil {
		if err := m.Journal.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
