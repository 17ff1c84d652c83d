package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
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
	// followLag bounds how long a forwarded command waits for the standby
	// to apply its events (read your own writes); readyLag how long
	// /readyz waits for the journal's head (under the 3 s of -check).
	followLag = 5 * time.Second
	readyLag  = 2 * time.Second
)

// cluster is the PostgreSQL side of a dispatchd: journal, leader lease,
// following the leader while standby and forwarding writes to it.
type cluster struct {
	m       *Main
	db      *postgres.DB
	journal *postgres.Journal
	lease   *postgres.Lease // used by the run goroutine only
	crumbs  *postgres.Breadcrumbs
	// secret is the pair's machine secret (postgres.PeerSecret).
	secret string
	// decided is set once the first lease attempt chose leading or
	// following: before it the instance is ready for nothing.
	decided atomic.Bool

	mu        sync.Mutex
	leaderURL string
	leaderAt  time.Time
	proxies   map[string]*httputil.ReverseProxy
}

func openCluster(ctx context.Context, m *Main) (*cluster, error) {
	db, err := postgres.Open(ctx, m.Store.DatabaseURL, m.Logger)
	if err != nil {
		return nil, err
	}
	j, err := postgres.NewJournal(ctx, db, postgres.JournalOptions{})
	if err != nil {
		db.Close()
		return nil, err
	}
	if m.Store.Instance == "" {
		host, _ := os.Hostname()
		m.Store.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	secret, err := postgres.PeerSecret(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &cluster{m: m, db: db, journal: j, secret: secret, proxies: map[string]*httputil.ReverseProxy{}}, nil
}

// start tries the lease once, so that the first instance of a pair leads
// as soon as Run returns, then keeps leading or following in the background.
func (c *cluster) start(ctx, bg context.Context) error {
	m := c.m
	if m.Store.Advertise == "" {
		m.Store.Advertise = m.URL()
	}
	c.lease = postgres.NewLease(c.db, m.Store.Instance, m.Store.Advertise)
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
	c.decided.Store(true)
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
	m.Logger.Info("leader: holding the lease", "instance", m.Store.Instance, "seq", m.Engine.LastSeq(),
		"took", time.Since(start).Round(time.Millisecond))
	if err := m.seedDemo(ctx); err != nil {
		return err
	}
	m.writerReady.Store(true)
	return m.startWriterWork(bg)
}

// ready is the readiness of an instance of a pair: a leader once it has
// taken over and seeded, a standby once it applies what the leader has
// committed within readyLag.
func (c *cluster) ready(ctx context.Context) error {
	m := c.m
	if !c.decided.Load() {
		return cc112.Errorf(cc112.EUnavailable, "starting: trying the leader lease")
	}
	if !m.Engine.Standby() {
		return m.writerReadiness(ctx)
	}
	if err := m.Engine.Ready(ctx); err != nil {
		return err
	}
	head, err := c.journal.Head(ctx)
	if err != nil {
		return cc112.Errorf(cc112.EUnavailable, "standby: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, readyLag)
	defer cancel()
	if err := m.Engine.WaitApplied(ctx, head); err != nil {
		return cc112.Errorf(cc112.EUnavailable, "standby behind the leader's journal by more than %v: %v", readyLag, err)
	}
	return nil
}

// breadcrumbs stores the engine's accepted fixes (only a leader accepts
// them) for track playback; start flushes them every second.
func (c *cluster) breadcrumbs(eng *dispatch.Engine) track.Source {
	c.crumbs = postgres.NewBreadcrumbs(c.db, postgres.BreadcrumbOptions{Every: c.m.Store.BreadcrumbEvery})
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

// Headers between the instances of a pair. forwardedHeader marks a request
// a standby forwarded, so that two standbys that both think the other leads
// never bounce a request between them. clientHeader names the client's
// address; the leader believes it only beside the pair's secret
// (secretHeader). seqHeader is the leader's journal seq when it answered a
// forwarded command: the standby answers once it has applied it.
const (
	forwardedHeader = "X-Dispatch-Forwarded-By"
	clientHeader    = "X-Dispatch-Client"
	secretHeader    = "X-Dispatch-Peer-Secret"
	seqHeader       = "X-Dispatch-Seq"
)

// forwardWrites sends commands that reach the standby to the leader (a
// reverse proxy to the address in the leader table); reads and the live
// feed are served locally. Without a reachable leader it answers 503
// unavailable naming the leader's address.
func (c *cluster) forwardWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fromPeer := c.peerRequest(r)
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if !c.m.Engine.Standby() {
			if fromPeer {
				w = &seqWriter{ResponseWriter: w, eng: c.m.Engine}
			}
			next.ServeHTTP(w, r)
			return
		}
		leader := c.leader(r.Context())
		if leader == "" || leader == c.m.Store.Advertise || r.Header.Get(forwardedHeader) != "" {
			unavailable(w, leader, "this dispatchd is the standby and no leader is reachable yet: retry in a few seconds")
			return
		}
		r.Header.Set(forwardedHeader, c.m.Store.Instance)
		r.Header.Set(clientHeader, hostOf(r.RemoteAddr))
		r.Header.Set(secretHeader, c.secret)
		c.proxy(leader).ServeHTTP(w, r)
	})
}

// peerRequest takes the pair's headers off r. With the pair's secret the
// request came from this instance's standby: r's address becomes the
// client's the standby names, so that limits and the audit see the client,
// not the standby. Without it the client's own headers are ignored.
func (c *cluster) peerRequest(r *http.Request) bool {
	secret, client := r.Header.Get(secretHeader), r.Header.Get(clientHeader)
	r.Header.Del(secretHeader)
	r.Header.Del(clientHeader)
	if secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1 {
		return false
	}
	if ip := net.ParseIP(client); ip != nil {
		r.RemoteAddr = net.JoinHostPort(ip.String(), "0")
	}
	return true
}

func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// seqWriter tells the standby that forwarded a command the leader's seq
// when it answered: the command's events are at or before it.
type seqWriter struct {
	http.ResponseWriter
	eng  *dispatch.Engine
	sent bool
}

func (w *seqWriter) WriteHeader(code int) {
	if !w.sent {
		w.sent = true
		w.Header().Set(seqHeader, strconv.FormatUint(w.eng.LastSeq(), 10))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *seqWriter) Write(b []byte) (int, error) {
	if !w.sent {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *seqWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errBehind is a forwarded command's answer the standby could not match
// with its own state in time.
type errBehind struct{ err error }

func (e errBehind) Error() string { return e.err.Error() }

// awaitLeaderSeq holds the leader's answer to a forwarded command until
// this standby has applied the leader's seq, so that the client's next
// request here (its new token, the incident it created) finds its write.
func (c *cluster) awaitLeaderSeq(res *http.Response) error {
	v := res.Header.Get(seqHeader)
	res.Header.Del(seqHeader)
	seq, err := strconv.ParseUint(v, 10, 64)
	if v == "" || err != nil {
		return nil // an older leader: no seq to wait for
	}
	ctx, cancel := context.WithTimeout(res.Request.Context(), followLag)
	defer cancel()
	if err := c.m.Engine.WaitApplied(ctx, seq); err != nil {
		return errBehind{err}
	}
	return nil
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
		ModifyResponse: c.awaitLeaderSeq,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if b := (errBehind{}); errors.As(err, &b) {
				c.m.Logger.Warn("a forwarded command's events did not reach this standby in time", "err", err)
				unavailable(w, leader, fmt.Sprintf("the leader took the command, but this standby has not applied it within %v (%v): read it from the leader, or retry with the same Idempotency-Key", followLag, b.err))
				return
			}
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
