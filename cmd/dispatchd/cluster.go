package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/httperr"
	"cc112/postgres"
	"cc112/track"
)

// Timings of the hot standby (DESIGN.md §2): the standby tries the lease
// every second and reads new journal events every 100 ms; the leader checks
// its lease every second and steps down after a few seconds of a journal it
// cannot write.
const (
	leaseRetry     = time.Second
	followInterval = 100 * time.Millisecond
	leaderCheck    = time.Second
	unhealthyLimit = 3
)

// cluster is the PostgreSQL side of a dispatchd: journal, leader lease,
// following the leader while standby and forwarding writes to it.
type cluster struct {
	m       *Main
	db      *postgres.DB
	journal *postgres.Journal
	lease   *postgres.Lease // used by the run goroutine only
	crumbs  *postgres.Breadcrumbs

	mu        sync.Mutex
	leaderURL string
	leaderAt  time.Time
	proxies   map[string]*httputil.ReverseProxy
}

func openCluster(ctx context.Context, m *Main) (*cluster, error) {
	db, err := postgres.Open(ctx, m.DatabaseURL, m.Logger)
	if err != nil {
		return nil, err
	}
	j, err := postgres.NewJournal(ctx, db, postgres.JournalOptions{})
	if err != nil {
		db.Close()
		return nil, err
	}
	if m.Instance == "" {
		host, _ := os.Hostname()
		m.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	return &cluster{m: m, db: db, journal: j, proxies: map[string]*httputil.ReverseProxy{}}, nil
}

// start tries the lease once, so that the first instance of a pair leads
// as soon as Run returns, then keeps leading or following in the background.
func (c *cluster) start(ctx, bg context.Context) error {
	m := c.m
	if m.Advertise == "" {
		m.Advertise = m.URL()
	}
	c.lease = postgres.NewLease(c.db, m.Instance, m.Advertise)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		c.crumbs.Run(bg)
	}()
	leader, err := c.lease.TryAcquire(ctx)
	if err != nil {
		m.Logger.Warn("leader lease", "err", err)
	}
	if leader {
		if err := c.lead(ctx, bg); err != nil {
			return err
		}
	} else {
		m.Logger.Info("standby: following the leader's journal", "seq", m.Engine.LastSeq())
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		c.run(bg, leader)
	}()
	return nil
}

func (c *cluster) run(ctx context.Context, leader bool) {
	if !leader && !c.standBy(ctx) {
		return
	}
	c.holdLease(ctx)
}

// standBy follows the leader's journal and tries the lease every second
// until it leads (true) or ctx ends or taking over failed (false).
func (c *cluster) standBy(ctx context.Context) bool {
	m := c.m
	followCtx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	stopFeed, err := m.followRedisFeed(ctx)
	if err != nil {
		m.stop(err)
		return false
	}
	defer stopFeed()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.Engine.Follow(followCtx, followInterval); err != nil {
			m.stop(fmt.Errorf("following the journal: %w", err))
		}
	}()
	t := time.NewTicker(leaseRetry)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		ok, err := c.lease.TryAcquire(ctx)
		if err != nil {
			m.Logger.Warn("leader lease", "err", err)
			continue
		}
		if !ok {
			continue
		}
		stopFollow()
		stopFeed()
		if err := c.lead(ctx, ctx); err != nil {
			m.stop(err)
			return false
		}
		return true
	}
}

// holdLease keeps leading; it steps down (the server stops, a supervisor
// restarts it as the standby) when the lease connection is gone or the
// journal stays unwritable.
func (c *cluster) holdLease(ctx context.Context) {
	m := c.m
	t := time.NewTicker(leaderCheck)
	defer t.Stop()
	unhealthy := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.lease.Check(ctx); err != nil {
			if ctx.Err() == nil {
				m.stop(fmt.Errorf("stepping down: %w", err))
			}
			return
		}
		if err := m.Engine.Ready(ctx); err != nil {
			if unhealthy++; unhealthy >= unhealthyLimit {
				m.stop(fmt.Errorf("stepping down: %w", err))
				return
			}
		} else {
			unhealthy = 0
		}
	}
}

// lead promotes the engine (after applying every event the old leader made
// durable), seeds the demo into an empty journal and starts the simulator.
func (c *cluster) lead(ctx, bg context.Context) error {
	m := c.m
	start := time.Now()
	if err := m.Engine.Promote(ctx); err != nil {
		return fmt.Errorf("take over as leader: %w", err)
	}
	m.Logger.Info("leader: holding the lease", "instance", m.Instance, "seq", m.Engine.LastSeq(),
		"took", time.Since(start).Round(time.Millisecond))
	if err := m.seedDemo(ctx); err != nil {
		return err
	}
	return m.startWriterWork(bg)
}

// breadcrumbs stores the engine's accepted fixes (only a leader accepts
// them) for track playback; start flushes them every second.
func (c *cluster) breadcrumbs(eng *dispatch.Engine) track.Source {
	c.crumbs = postgres.NewBreadcrumbs(c.db, postgres.BreadcrumbOptions{Every: c.m.BreadcrumbEvery})
	c.m.positionSink = func(f dispatch.PositionFix) {
		c.crumbs.Add(track.Fix{UnitID: f.UnitID, At: f.At, Lat: f.Location.Lat, Lon: f.Location.Lon,
			Heading: f.Heading, Speed: f.Speed, Accuracy: f.Accuracy})
	}
	eng.SetPositionSink(c.m.positionSink)
	return c.crumbs
}

func (c *cluster) close() {
	if c.lease != nil {
		c.lease.Release()
	}
	c.db.Close()
}

// forwardedHeader marks a request a standby forwarded, so that two standbys
// that both think the other leads never bounce a request between them.
const forwardedHeader = "X-Dispatch-Forwarded-By"

// forwardWrites sends commands that reach the standby to the leader (a
// reverse proxy to the address in the leader table); reads and the live
// feed are served locally. Without a reachable leader it answers 503
// unavailable naming the leader's address.
func (c *cluster) forwardWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if !c.m.Engine.Standby() {
			next.ServeHTTP(w, r)
			return
		}
		leader := c.leader(r.Context())
		if leader == "" || leader == c.m.Advertise || r.Header.Get(forwardedHeader) != "" {
			unavailable(w, leader, "this dispatchd is the standby and no leader is reachable yet: retry in a few seconds")
			return
		}
		r.Header.Set(forwardedHeader, c.m.Instance)
		c.proxy(leader).ServeHTTP(w, r)
	})
}

// leader is the leader's advertised URL, cached for a second.
func (c *cluster) leader(ctx context.Context) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.leaderAt) < time.Second {
		return c.leaderURL
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, addr, err := postgres.Leader(ctx, c.db)
	if err != nil {
		c.m.Logger.Warn("reading the leader table", "err", err)
		return c.leaderURL
	}
	c.leaderURL, c.leaderAt = addr, time.Now()
	return addr
}

func (c *cluster) proxy(leader string) *httputil.ReverseProxy {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.proxies[leader]; ok {
		return p
	}
	target, err := url.Parse(leader)
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			c.m.Logger.Warn("forwarding a command to the leader", "leader", leader, "err", err)
			c.mu.Lock()
			c.leaderAt = time.Time{} // read the table again: it may have changed
			c.mu.Unlock()
			unavailable(w, leader, "the leader did not answer; retry in a few seconds (with the same Idempotency-Key)")
		},
	}
	if err != nil {
		c.m.Logger.Error("leader address in the leader table is not a URL", "addr", leader, "err", err)
	}
	c.proxies[leader] = p
	return p
}

// unavailable writes the API's error envelope (DESIGN.md §4) with status 503
// and the leader's address, for clients that can reach it themselves.
func unavailable(w http.ResponseWriter, leader, msg string) {
	if leader != "" {
		w.Header().Set("X-Dispatch-Leader", leader)
	}
	w.Header().Set("Retry-After", "2")
	httperr.WriteDetail(w, http.StatusServiceUnavailable, httperr.Detail{Code: cc112.EUnavailable, Message: msg, Leader: leader})
}
