// Command liveload measures the live feed under load: N websocket clients
// on loopback, M unit positions per second posted for D seconds, and the
// delay from each POST to each client's receipt, with the server's memory
// and CPU read from /proc/<pid>.
//
//	liveload -target dispatchd -url http://127.0.0.1:8080 -pid $(pidof dispatchd) -clients 500 -rate 100 -duration 10s
//	liveload -target centrifugo -url http://127.0.0.1:8000 -api-key bench -pid $(pidof centrifugo) ...
//
// The same positions go through both: dispatchd gets them on POST
// /api/v1/units/{id}/position from the unit user -reporter (default
// unit:unit, the -demo account: its own unit, as a tracker posts; "" rotates
// over every unit with the -viewer's token), whose clients open the feed as
// -viewer (default dispatcher:dispatcher), and publishes unit.moved; Centrifugo gets the
// same unit JSON on POST /api/publish to one channel every client follows.
// Each update has its own latitude, which names it in every client.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "liveload:", err)
		os.Exit(1)
	}
}

type options struct {
	target   string
	base     string
	apiKey   string
	pid      int
	clients  int
	rate     int
	duration time.Duration
	stalled  int
	settle   time.Duration
	idleOnly bool
	jsonOut  bool
	// dispatchd's accounts: viewer's token opens the websockets, reporter
	// (a unit user) posts its own unit's position, as a tracker does.
	viewer, reporter string
	viewerToken      string
	reporterToken    string
	reporterUnit     string
}

func run(args []string) error {
	var o options
	fs := flag.NewFlagSet("liveload", flag.ContinueOnError)
	fs.StringVar(&o.target, "target", "dispatchd", "dispatchd or centrifugo")
	fs.StringVar(&o.base, "url", "http://127.0.0.1:8080", "base URL of the server")
	fs.StringVar(&o.apiKey, "api-key", "bench", "Centrifugo's api_key")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id, for memory and CPU (0: not measured)")
	fs.IntVar(&o.clients, "clients", 500, "websocket clients")
	fs.IntVar(&o.rate, "rate", 100, "position updates per second")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long updates are posted")
	fs.IntVar(&o.stalled, "stalled", 0, "extra clients that connect and never read")
	fs.DurationVar(&o.settle, "settle", 3*time.Second, "wait after connecting, before measuring idle memory")
	fs.BoolVar(&o.idleOnly, "idle", false, "only measure memory per idle connection")
	fs.BoolVar(&o.jsonOut, "json", false, "print the result as JSON")
	fs.StringVar(&o.viewer, "viewer", "dispatcher:dispatcher", "dispatchd: USER:PASSWORD whose token the websocket clients use (\"\": none, access control off)")
	fs.StringVar(&o.reporter, "reporter", "unit:unit", "dispatchd: USER:PASSWORD of a unit user that posts its own unit's position (\"\": the viewer posts, rotating over every unit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.target != "dispatchd" && o.target != "centrifugo" {
		return fmt.Errorf("-target must be dispatchd or centrifugo")
	}
	if o.duration > 5*time.Minute || o.clients > 20000 || o.rate > 20000 {
		return fmt.Errorf("keep load runs short: at most 5 min, 20000 clients, 20000 updates/s")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := measure(ctx, o)
	if err != nil {
		return err
	}
	if o.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	res.print(os.Stdout)
	return nil
}

// result is what one run measured.
type result struct {
	Target        string    `json:"target"`
	Clients       int       `json:"clients"`
	Rate          int       `json:"rate"`
	DurationS     float64   `json:"duration_s"`
	Posted        int64     `json:"posted"`
	PostErrors    int64     `json:"post_errors"`
	Expected      int64     `json:"expected_deliveries"`
	Delivered     int64     `json:"delivered"`
	Disconnected  int       `json:"clients_disconnected"`
	P50ms         float64   `json:"p50_ms"`
	P99ms         float64   `json:"p99_ms"`
	Maxms         float64   `json:"max_ms"`
	IdleKBPerConn float64   `json:"idle_kb_per_conn"`
	RSSBeforeMB   float64   `json:"rss_before_mb"`
	RSSIdleMB     float64   `json:"rss_idle_mb"`
	RSSPeakMB     float64   `json:"rss_peak_mb"`
	ServerCPU     float64   `json:"server_cpu_pct"` // of one core, during the posting
	LoadCPU       float64   `json:"load_cpu_pct"`
	StalledCutS   float64   `json:"stalled_cut_s,omitempty"` // -1: not cut during the run
	P99PerSecond  []float64 `json:"p99_ms_per_second"`
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "%s: %d clients, %d updates/s for %.0f s\n", r.Target, r.Clients, r.Rate, r.DurationS)
	fmt.Fprintf(w, "  posted %d (%d errors), delivered %d of %d, %d clients disconnected\n",
		r.Posted, r.PostErrors, r.Delivered, r.Expected, r.Disconnected)
	fmt.Fprintf(w, "  latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; p99 per second of updates %v\n", r.P50ms, r.P99ms, r.Maxms, r.P99PerSecond)
	if r.RSSBeforeMB > 0 {
		fmt.Fprintf(w, "  server RSS %.1f MB before, %.1f MB idle with clients (%.1f KB per connection), %.1f MB peak\n",
			r.RSSBeforeMB, r.RSSIdleMB, r.IdleKBPerConn, r.RSSPeakMB)
		fmt.Fprintf(w, "  server CPU %.0f%% of a core; load generator %.0f%%\n", r.ServerCPU, r.LoadCPU)
	}
	if r.StalledCutS != 0 {
		fmt.Fprintf(w, "  stalled client cut after %.1f s (-1: not cut)\n", r.StalledCutS)
	}
}

func measure(ctx context.Context, o options) (*result, error) {
	res := &result{Target: o.target, Clients: o.clients, Rate: o.rate, DurationS: o.duration.Seconds(), StalledCutS: 0}
	httpc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	if o.target == "dispatchd" {
		if err := o.login(ctx, httpc); err != nil {
			return nil, err
		}
	}
	units, err := unitIDs(ctx, httpc, o)
	if err != nil {
		return nil, err
	}
	if o.pid > 0 {
		if res.RSSBeforeMB, err = rssMB(o.pid); err != nil {
			return nil, err
		}
	}
	// Updates are numbered; update k moves units[k%len] to latitude
	// latOf(k): the receiving side recovers k from the latitude alone.
	maxUpdates := int(o.duration.Seconds()*float64(o.rate)) + 1
	sentAt := make([]atomic.Int64, maxUpdates)
	clients := make([]*client, o.clients)
	var wg sync.WaitGroup
	connectErr := make(chan error, o.clients)
	sem := make(chan struct{}, 32) // connect 32 at a time, as a wall would after a restart
	for k := range clients {
		clients[k] = &client{target: o.target, token: o.viewerToken, sentAt: sentAt, units: units, lat: make([]time.Duration, 0, maxUpdates), upd: make([]int32, 0, maxUpdates)}
		wg.Add(1)
		go func(c *client) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := c.connect(ctx, o.base); err != nil {
				connectErr <- err
			}
		}(clients[k])
	}
	wg.Wait()
	close(connectErr)
	if err := <-connectErr; err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	for _, c := range clients {
		go c.read()
	}
	var stalled []*stalledClient
	for k := 0; k < o.stalled; k++ {
		s, err := dialStalled(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("stalled client: %w", err)
		}
		defer s.close()
		stalled = append(stalled, s)
	}
	select {
	case <-time.After(o.settle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if o.pid > 0 {
		if res.RSSIdleMB, err = rssMB(o.pid); err != nil {
			return nil, err
		}
		res.IdleKBPerConn = (res.RSSIdleMB - res.RSSBeforeMB) * 1024 / float64(o.clients+o.stalled)
		res.RSSPeakMB = res.RSSIdleMB
	}
	if o.idleOnly {
		closeAll(clients)
		return res, nil
	}

	cpu0, _ := cpuTicks(o.pid)
	self0, _ := cpuTicks(os.Getpid())
	start := time.Now()
	for _, s := range stalled {
		s.watch(start)
	}
	var posted, postErrs atomic.Int64
	var inflight sync.WaitGroup
	postSem := make(chan struct{}, 128)
	interval := time.Second / time.Duration(o.rate)
	peak := make(chan struct{})
	go func() { // sample the server's RSS while the load runs
		defer close(peak)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for time.Since(start) < o.duration {
			<-t.C
			if mb, err := rssMB(o.pid); err == nil && mb > res.RSSPeakMB {
				res.RSSPeakMB = mb
			}
		}
	}()
	for k := 0; k < maxUpdates-1 && ctx.Err() == nil; k++ {
		if d := time.Until(start.Add(time.Duration(k) * interval)); d > 0 {
			time.Sleep(d)
		}
		postSem <- struct{}{}
		inflight.Add(1)
		go func(k int) {
			defer inflight.Done()
			defer func() { <-postSem }()
			sentAt[k].Store(time.Now().UnixNano())
			if err := post(ctx, httpc, o, units[k%len(units)], k); err != nil {
				if postErrs.Add(1) <= 3 {
					fmt.Fprintln(os.Stderr, "post:", err)
				}
				return
			}
			posted.Add(1)
		}(k)
	}
	inflight.Wait()
	elapsed := time.Since(start)
	cpu1, _ := cpuTicks(o.pid)
	self1, _ := cpuTicks(os.Getpid())
	<-peak
	// Let the last deliveries arrive.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && delivered(clients) < posted.Load()*int64(o.clients) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range stalled {
		res.StalledCutS = s.cutAfter()
	}
	closeAll(clients)

	res.Posted, res.PostErrors = posted.Load(), postErrs.Load()
	res.Expected = res.Posted * int64(o.clients)
	var all []time.Duration
	perSecond := make([][]time.Duration, int(o.duration.Seconds())+1)
	for _, c := range clients {
		c.mu.Lock()
		all = append(all, c.lat...)
		for k, d := range c.lat {
			sec := int(c.upd[k]) / o.rate
			perSecond[sec] = append(perSecond[sec], d)
		}
		if c.gone != nil && !errors.Is(c.gone, errClosedByUs) {
			res.Disconnected++
		}
		c.mu.Unlock()
	}
	res.Delivered = int64(len(all))
	p := percentiles(all, 50, 99, 100)
	res.P50ms, res.P99ms, res.Maxms = ms(p[0]), ms(p[1]), ms(p[2])
	for _, d := range perSecond {
		if len(d) > 0 {
			res.P99PerSecond = append(res.P99PerSecond, ms(percentiles(d, 99)[0]))
		}
	}
	if o.pid > 0 {
		res.ServerCPU = float64(cpu1-cpu0) / clockTicks / elapsed.Seconds() * 100
		res.LoadCPU = float64(self1-self0) / clockTicks / elapsed.Seconds() * 100
	}
	return res, nil
}

func delivered(clients []*client) int64 {
	var n int64
	for _, c := range clients {
		n += c.received.Load()
	}
	return n
}

func closeAll(clients []*client) {
	for _, c := range clients {
		c.close()
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// latOf is the latitude of update k: 1 µ° (11 cm) apart, in Surabaya.
func latOf(k int) float64 { return -7.0 - float64(k)*1e-6 }

func updateOf(lat float64) int { return int((-7.0-lat)*1e6 + 0.5) }

// post sends update k: to dispatchd as a field unit would, to Centrifugo
// as the unit JSON a publisher would.
func post(ctx context.Context, c *http.Client, o options, unit string, k int) error {
	var req *http.Request
	var err error
	switch o.target {
	case "dispatchd":
		body := fmt.Sprintf(`{"lat":%v,"lon":112.75,"speed":8.5,"heading":90}`, latOf(k))
		req, err = http.NewRequestWithContext(ctx, "POST", o.base+"/api/v1/units/"+unit+"/position", strings.NewReader(body))
	default:
		now := time.Now().UTC().Format(time.RFC3339Nano)
		data := fmt.Sprintf(`{"id":%q,"callsign":"PMK-01","type":"fire","agency":"damkar","station":"st-1","status":"available",`+
			`"status_at":%q,"location":{"lat":%v,"lon":112.75},"position_at":%q,"heading":90,"speed":8.5}`, unit, now, latOf(k), now)
		body := `{"channel":"units","data":` + data + `}`
		req, err = http.NewRequestWithContext(ctx, "POST", o.base+"/api/publish", strings.NewReader(body))
		if err == nil {
			req.Header.Set("X-API-Key", o.apiKey)
		}
	}
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if o.target == "dispatchd" {
		bearer(req, cmp.Or(o.reporterToken, o.viewerToken))
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d %s", req.URL.Path, res.StatusCode, b)
	}
	if o.target == "centrifugo" && strings.Contains(string(b), `"error"`) {
		return fmt.Errorf("publish: %s", b)
	}
	return nil
}

// unitIDs lists the units to move: dispatchd's own; any names for
// Centrifugo, which does not care.
func unitIDs(ctx context.Context, c *http.Client, o options) ([]string, error) {
	if o.target == "centrifugo" {
		ids := make([]string, 60)
		for k := range ids {
			ids[k] = fmt.Sprintf("unit-%02d", k)
		}
		return ids, nil
	}
	if o.reporterUnit != "" {
		return []string{o.reporterUnit}, nil
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", o.base+"/api/v1/units", nil)
	bearer(req, o.viewerToken)
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var units []struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&units); err != nil {
		return nil, fmt.Errorf("GET /api/v1/units: %w", err)
	}
	if len(units) == 0 {
		return nil, errors.New("the server has no units: start dispatchd with -demo")
	}
	ids := make([]string, len(units))
	for k, u := range units {
		ids[k] = u.ID
	}
	return ids, nil
}

// login opens dispatchd's sessions of -viewer and -reporter.
func (o *options) login(ctx context.Context, c *http.Client) error {
	for _, acct := range []struct {
		userPass string
		token    *string
		unit     *string
	}{{o.viewer, &o.viewerToken, nil}, {o.reporter, &o.reporterToken, &o.reporterUnit}} {
		if acct.userPass == "" {
			continue
		}
		user, pass, _ := strings.Cut(acct.userPass, ":")
		body, _ := json.Marshal(map[string]string{"username": user, "password": pass})
		req, err := http.NewRequestWithContext(ctx, "POST", o.base+"/api/v1/login", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := c.Do(req)
		if err != nil {
			return err
		}
		var s struct {
			Token  string `json:"token"`
			UnitID string `json:"unit_id"`
		}
		err = json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || s.Token == "" {
			return fmt.Errorf("login as %s: %d %v", user, res.StatusCode, err)
		}
		*acct.token = s.Token
		if acct.unit != nil {
			if s.UnitID == "" {
				return fmt.Errorf("-reporter %s is not a unit user", user)
			}
			*acct.unit = s.UnitID
		}
	}
	return nil
}

func bearer(req *http.Request, token string) {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
}
