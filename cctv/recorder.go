package cctv

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"cc112"
	"cc112/cctv/record"
	"cc112/dispatch"
)

// RecorderConfig configures a Recorder. Store, Relay, Engine and
// Recordings are required.
type RecorderConfig struct {
	Store      *record.Store
	Relay      *Relay
	Engine     *dispatch.Engine
	Recordings *Recordings
	// Near is how many of an incident's nearest cameras with video are
	// recorded and locked (default 4), within NearMaxM metres (default 2 km).
	Near     int
	NearMaxM float64
	// PreRoll is how long before the call an incident's lock reaches back
	// (default 10 minutes): what an "always record" camera saw before.
	PreRoll time.Duration
	// Watched also records the cameras someone is watching live: the
	// relay reads them anyway, and what a dispatcher watched before a call
	// came in is then on disk for the incident's lock to keep (its
	// PreRoll reaches back over it). The disk budget bounds it with the
	// rest; the oldest unlocked recordings go first.
	Watched bool
	// Interval is how often the recorder looks at incidents and marks
	// (default 5 s).
	Interval time.Duration
	Logger   *slog.Logger
}

// Recorder records the cameras that matter: those marked "always record",
// the nearest cameras of every open incident, whose recordings it locks as
// evidence, and (with Watched) the cameras someone is watching. Each camera is one more viewer of the relay, so a
// camera watched and recorded still has one upstream session.
type Recorder struct {
	cfg   RecorderConfig
	log   *slog.Logger
	spans atomic.Pointer[[]lockSpan]

	mu     sync.Mutex
	active map[string]context.CancelFunc
	wg     sync.WaitGroup
}

// lockSpan is one camera's locked time span.
type lockSpan struct {
	camera   string
	from, to time.Time
}

// NewRecorder returns a recorder with defaults filled in.
func NewRecorder(cfg RecorderConfig) *Recorder {
	if cfg.Near <= 0 {
		cfg.Near = 4
	}
	if cfg.NearMaxM <= 0 {
		cfg.NearMaxM = 2000
	}
	if cfg.PreRoll <= 0 {
		cfg.PreRoll = 10 * time.Minute
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Recorder{cfg: cfg, log: cfg.Logger, active: map[string]context.CancelFunc{}}
	r.spans.Store(&[]lockSpan{})
	return r
}

// Keep reports whether a camera's span [from, to] is under an evidence
// lock not released: the store's Keep.
func (r *Recorder) Keep(camera string, from, to time.Time) bool {
	for _, s := range *r.spans.Load() {
		if s.camera == camera && !to.Before(s.from) && !from.After(s.to) {
			return true
		}
	}
	return false
}

// Run reconciles every Interval until ctx ends, then stops recording.
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	defer r.Stop()
	for {
		if err := r.Reconcile(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("recording", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Reconcile takes the evidence locks of new open incidents, refreshes the
// locked spans, and starts and stops recordings to match.
func (r *Recorder) Reconcile(ctx context.Context) error {
	open, err := r.cfg.Engine.IncidentsInMemory("active")
	if err != nil {
		return err
	}
	locked := map[string]bool{}
	for _, l := range r.cfg.Recordings.Locks() {
		locked[l.IncidentID] = true
	}
	var errs []error
	for _, inc := range open {
		if locked[inc.ID] {
			continue
		}
		cams := r.nearest(inc)
		if err := r.cfg.Recordings.Lock(ctx, EvidenceLock{IncidentID: inc.ID, Cameras: cams, From: inc.ReceivedAt.Add(-r.cfg.PreRoll)}); err != nil {
			errs = append(errs, err)
		}
	}
	want := map[string]bool{}
	for _, id := range r.cfg.Recordings.Always() {
		want[id] = true
	}
	if r.cfg.Watched {
		for _, id := range r.cfg.Relay.Watched() {
			want[id] = true
		}
	}
	var spans []lockSpan
	for _, l := range r.cfg.Recordings.Locks() {
		if l.ReleasedAt != nil {
			continue
		}
		to := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // open: until it closes
		inc, err := r.cfg.Engine.Incident(l.IncidentID)
		if err == nil && inc.ClosedAt != nil {
			to = *inc.ClosedAt
		}
		for _, c := range l.Cameras {
			spans = append(spans, lockSpan{camera: c, from: l.From, to: to})
			if err == nil && inc.Active() {
				want[c] = true
			}
		}
	}
	r.spans.Store(&spans)
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, stop := range r.active {
		if !want[id] {
			stop()
			delete(r.active, id)
		}
	}
	for id := range want {
		if _, on := r.active[id]; on {
			continue
		}
		if c, err := r.cfg.Engine.Camera(id); err != nil || !c.HasVideo {
			continue
		}
		cctx, stop := context.WithCancel(context.Background())
		r.active[id] = stop
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.record(cctx, id)
		}()
	}
	return errors.Join(errs...)
}

// nearest are an incident's cameras: the nearest with video within reach.
func (r *Recorder) nearest(inc *cc112.Incident) []string {
	cams := []string{}
	for _, c := range r.cfg.Engine.NearestCameras(inc.Location, r.cfg.Near, func(c cc112.Camera) bool { return c.HasVideo }) {
		if c.DistanceM <= r.cfg.NearMaxM {
			cams = append(cams, c.ID)
		}
	}
	return cams
}

// Recording lists the cameras being recorded, by id.
func (r *Recorder) Recording() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.active))
	for id := range r.active {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Stop ends every recording and waits for the writers.
func (r *Recorder) Stop() {
	r.mu.Lock()
	for id, stop := range r.active {
		stop()
		delete(r.active, id)
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// record keeps one camera's recording going until ctx ends: a viewer of
// the relay, again after each end of the stream.
func (r *Recorder) record(ctx context.Context, id string) {
	log := r.log.With("camera", id)
	w, err := r.cfg.Store.Writer(id)
	if err != nil {
		log.Warn("cannot record", "err", err)
		return
	}
	defer w.Close()
	for ctx.Err() == nil {
		if v, err := r.cfg.Relay.Record(id); err != nil {
			log.Warn("recording: watch", "err", err)
		} else {
			r.pump(ctx, v, w, log)
			v.Close()
			_ = w.Break() // the next session's times start over
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (r *Recorder) pump(ctx context.Context, v *Viewer, w *record.Writer, log *slog.Logger) {
	full := false
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-v.C:
			if !ok {
				return
			}
			var err error
			switch m.Kind {
			case MsgInit:
				err = w.Init(m.Data)
			case MsgMedia:
				err = w.Write(m.Data, m.Arrived)
			}
			if errors.Is(err, record.ErrFull) {
				if !full {
					log.Warn("recording paused: the disk budget is taken by evidence-locked recordings")
				}
				full = true
			} else if err != nil {
				log.Warn("recording", "err", err)
			} else {
				full = false
			}
		}
	}
}
