package cctv

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"cc112"
	"cc112/cctv/rtspsrc"
)

// Registry is what the prober needs of the engine: the cameras, each with
// its URLs, and a way to record a verdict (which journals only changes).
type Registry interface {
	Cameras() []cc112.Camera
	Camera(id string) (cc112.Camera, error)
	SetCameraStatus(ctx context.Context, id string, status cc112.CameraStatus) error
}

// Prober checks every camera's health on an interval.
type Prober struct {
	Registry Registry
	Interval time.Duration // default 30 s
	// Concurrency bounds the probes in flight. Default: enough that a
	// sweep in which every camera times out still ends within half the
	// Interval (2,200 cameras, 3 s, 30 s: 440), at least 64, at most
	// maxConcurrency. Probes mostly wait on the network.
	Concurrency int
	// Timeout bounds each step of a probe (connect, each request, the
	// first frame after PLAY). Default 3 s.
	Timeout   time.Duration
	Transport rtspsrc.Transport
	// Live, when set, reports cameras the relay is reading right now: they
	// are online without a second session (cameras limit sessions).
	Live   func(id string) bool
	Logger *slog.Logger
}

func (p *Prober) defaults() {
	if p.Interval <= 0 {
		p.Interval = 30 * time.Second
	}
	if p.Timeout <= 0 {
		p.Timeout = 3 * time.Second
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
}

// Run sweeps at once and then every Interval until ctx ends.
func (p *Prober) Run(ctx context.Context) {
	p.defaults()
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		start := time.Now()
		counts := p.Sweep(ctx)
		if ctx.Err() != nil {
			return
		}
		p.Logger.Debug("cameras probed", "took", time.Since(start).Round(time.Millisecond), "counts", counts)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep probes every camera once, at most Concurrency at a time, records
// each verdict and returns how many cameras got each status.
func (p *Prober) Sweep(ctx context.Context) map[cc112.CameraStatus]int {
	p.defaults()
	cams := p.Registry.Cameras()
	var mu sync.Mutex
	counts := map[cc112.CameraStatus]int{}
	sem := make(chan struct{}, p.ConcurrencyFor(len(cams)))
	var wg sync.WaitGroup
	for _, c := range cams {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return counts
		}
		wg.Add(1)
		go func(id string, was cc112.CameraStatus) {
			defer func() { <-sem; wg.Done() }()
			status := p.probe(ctx, id)
			if ctx.Err() != nil {
				return
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
			if status == was {
				return // nothing to record; spares the engine's write lock
			}
			if err := p.Registry.SetCameraStatus(ctx, id, status); err != nil {
				p.Logger.Warn("record camera status", "camera", id, "err", err)
			}
		}(c.ID, c.Status)
	}
	wg.Wait()
	return counts
}

// Bounds of the default concurrency.
const (
	minConcurrency = 64
	maxConcurrency = 512
)

// ConcurrencyFor is how many probes a sweep of n cameras runs at once:
// Concurrency, or the default for n.
func (p *Prober) ConcurrencyFor(n int) int {
	p.defaults()
	if p.Concurrency > 0 {
		return p.Concurrency
	}
	budget := p.Interval / 2
	need := int((time.Duration(n)*probeLimit(p.Timeout) + budget - 1) / budget)
	return min(max(need, minConcurrency), maxConcurrency)
}

// probeLimit bounds one probe as a whole: a connect, four requests and a
// first frame each get Timeout, but a camera that answers each step just
// in time must not hold a slot for six of them.
func probeLimit(timeout time.Duration) time.Duration { return 2 * timeout }

// probe gives one camera's status.
func (p *Prober) probe(ctx context.Context, id string) cc112.CameraStatus {
	if p.Live != nil && p.Live(id) {
		return cc112.CameraOnline
	}
	c, err := p.Registry.Camera(id)
	if err != nil {
		return cc112.CameraUnknown
	}
	url := c.RTSPURL
	if url == "" {
		url = c.SubRTSPURL
	}
	if url == "" {
		return cc112.CameraUnknown
	}
	ctx, cancel := context.WithTimeout(ctx, probeLimit(p.Timeout))
	defer cancel()
	h, err := rtspsrc.Probe(ctx, rtspsrc.Config{URL: url, Transport: p.Transport, Timeout: p.Timeout})
	if err != nil {
		p.Logger.Debug("camera probe", "camera", id, "url", RedactURL(url), "health", h, "err", err)
	}
	switch h {
	case rtspsrc.Online:
		return cc112.CameraOnline
	case rtspsrc.Stalled:
		return cc112.CameraStalled
	}
	return cc112.CameraOffline
}
