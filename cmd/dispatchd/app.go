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
	"cc112/demo"
	"cc112/dispatch"
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
	// AuthConfig tunes accounts (tests use cheap password hashing).
	AuthConfig auth.Config
	// TileHosts are map tile origins for the Content Security Policy.
	TileHosts []string
	// SecureCookies marks session cookies Secure behind a TLS proxy.
	SecureCookies bool

	Journal *bolt.Journal
	Engine  *dispatch.Engine
	Auth    *auth.Store
	// DemoUnit is the unit the demo's "unit" account drives (with -demo).
	DemoUnit string

	ln      net.Listener
	srv     *http.Server
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

// NewMain returns a Main with the defaults of the flags.
func NewMain() *Main {
	return &Main{Addr: "127.0.0.1:8080", StateDir: "./state", Logger: slog.Default(), Clock: cc112.SystemClock{}}
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
	if err := m.openState(ctx, city); err != nil {
		return err
	}
	if m.Demo && m.Engine.LastSeq() == 0 {
		if err := seed(ctx, m.Engine, city); err != nil {
			return fmt.Errorf("seed demo city: %w", err)
		}
		m.Logger.Info("demo city seeded", "units", len(city.Units), "cameras", len(city.Cameras))
	}
	if m.Demo {
		if err := m.demoAccounts(ctx); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	districts, err := city.Districts.GeoJSON()
	if err != nil {
		return err
	}
	handler := ui.NewServer(ui.Config{Engine: m.Engine, DistrictsGeoJSON: districts, Logger: m.Logger,
		Auth: m.Auth, TileHosts: m.TileHosts, SecureCookies: m.SecureCookies})
	if m.ln, err = net.Listen("tcp", m.Addr); err != nil {
		return err
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
		if m.DemoUnit != "" {
			s.Manual = map[string]bool{m.DemoUnit: true}
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			s.Run(bg)
		}()
	}
	return nil
}

// openState opens the journal and replays it into the engine and its
// extensions (accounts and audit). The server and `dispatchd user` share it.
func (m *Main) openState(ctx context.Context, city *demo.CityData) (err error) {
	if m.Journal, err = bolt.Open(m.StateDir, m.Logger); err != nil {
		return err
	}
	m.Auth = auth.New(m.AuthConfig)
	cfg := dispatch.Config{Journal: m.Journal, Clock: m.Clock, Logger: m.Logger}
	if city != nil {
		cfg.Districts = city.Districts
	}
	if m.Engine, err = dispatch.New(ctx, cfg, m.Auth.Appliers()); err != nil {
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
	if m.Auth != nil {
		m.Auth.Close() // flushes the audit entries still queued
	}
	if m.Journal != nil {
		if err := m.Journal.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
