package cctv

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"cc112/cctv/mse"
	"cc112/cctv/rtspsrc"
)

// MsgKind says what a viewer message carries.
type MsgKind int

// Kinds of viewer messages, in the order a viewer gets them: the MIME type,
// the init segment, then media fragments; an error ends the stream.
const (
	MsgMIME MsgKind = iota
	MsgInit
	MsgMedia
	MsgError
)

// Msg is one message to a viewer. Data is shared by all viewers: read only.
type Msg struct {
	Kind    MsgKind
	Data    []byte    // init segment or fragment
	Text    string    // MIME type, or error message
	Code    string    // error code
	Key     bool      // a fragment that starts a GOP
	Arrived time.Time // when the camera's frame arrived (fragments)
}

// Error codes sent to viewers.
const (
	CodeUnsupportedCodec = "unsupported_codec"
	CodeSlowViewer       = "slow_viewer"
	CodeShutdown         = "shutdown"
)

// Sources are the RTSP URLs of a camera: the main stream and an optional
// sub-stream, used when the main one cannot be played in a browser.
type Sources struct {
	Main, Sub string
}

// RelayConfig configures a Relay. Resolve is required.
type RelayConfig struct {
	// Resolve gives a camera's URLs; it is called at every (re)connect, so
	// an edited camera takes effect at the next one.
	Resolve   func(id string) (Sources, error)
	Transport rtspsrc.Transport
	// CloseAfter is how long the upstream session stays open after the last
	// viewer left. Default 10 s.
	CloseAfter time.Duration
	// QueueSize bounds each viewer's queue, in messages; a viewer whose
	// queue is full is dropped. Default 256 (10 s at 25 fps).
	QueueSize int
	// Timeout bounds connects, requests and silences upstream. Default 5 s.
	Timeout time.Duration
	// MaxBackoff caps the wait between reconnects. Default 5 s.
	MaxBackoff time.Duration
	Logger     *slog.Logger
}

// Relay shares one upstream RTSP session per camera among all its viewers,
// opened on demand and closed CloseAfter the last viewer left. It keeps the
// latest GOP so that a new viewer of an open stream starts at once.
type Relay struct {
	cfg RelayConfig
	log *slog.Logger

	mu      sync.Mutex
	streams map[string]*stream
	closed  bool
	wg      sync.WaitGroup
}

// NewRelay returns a relay with defaults filled in.
func NewRelay(cfg RelayConfig) *Relay {
	if cfg.CloseAfter <= 0 {
		cfg.CloseAfter = 10 * time.Second
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 256
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Relay{cfg: cfg, log: cfg.Logger, streams: map[string]*stream{}}
}

// Viewer is one watcher of a camera. Read C until it is closed; then Err
// says why (nil after Close).
type Viewer struct {
	C <-chan Msg

	ch       chan Msg
	s        *stream
	err      error
	closed   bool // guarded by s.mu
	recorder bool // the recorder's, not a person's: no "watched" camera
}

// Err is why the stream to this viewer ended.
func (v *Viewer) Err() error {
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	return v.err
}

// StreamError is why a viewer's stream ended: a stable code (one of the
// Code constants, or the API's not_found/unavailable) and a message for the
// viewer.
type StreamError struct {
	Code    string
	Message string
}

func (e *StreamError) Error() string { return e.Code + ": " + e.Message }

// Close leaves the stream.
func (v *Viewer) Close() { v.s.remove(v, nil) }

// Watch joins the viewers of a camera, opening its upstream when needed.
func (r *Relay) Watch(id string) (*Viewer, error) { return r.watch(id, false) }

// Record is Watch for the recorder: its viewer does not make the camera
// one that is watched.
func (r *Relay) Record(id string) (*Viewer, error) { return r.watch(id, true) }

// Watched lists the cameras someone is watching (a viewer other than the
// recorder's), by id.
func (r *Relay) Watched() []string {
	r.mu.Lock()
	streams := make([]*stream, 0, len(r.streams))
	for _, s := range r.streams {
		streams = append(streams, s)
	}
	r.mu.Unlock()
	var out []string
	for _, s := range streams {
		s.mu.Lock()
		for v := range s.viewers {
			if !v.recorder {
				out = append(out, s.id)
				break
			}
		}
		s.mu.Unlock()
	}
	sort.Strings(out)
	return out
}

func (r *Relay) watch(id string, recorder bool) (*Viewer, error) {
	if _, err := r.cfg.Resolve(id); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errors.New("cctv: relay closed")
	}
	if s := r.streams[id]; s != nil {
		return s.add(recorder), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &stream{id: id, r: r, cancel: cancel, viewers: map[*Viewer]struct{}{}}
	r.streams[id] = s
	v := s.add(recorder) // before run starts: a stream that fails at once must tell this viewer
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		s.run(ctx)
	}()
	return v, nil
}

// Live reports whether the camera's upstream delivered a frame within the
// relay's Timeout: then it is online, and the prober need not open a second
// session on it.
func (r *Relay) Live(id string) bool {
	r.mu.Lock()
	s := r.streams[id]
	r.mu.Unlock()
	if s == nil {
		return false
	}
	last := s.lastFrame.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < r.cfg.Timeout
}

// Upstreams is the number of open upstream sessions (cameras being read).
func (r *Relay) Upstreams() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.streams)
}

// Close ends every stream and waits for their goroutines.
func (r *Relay) Close() {
	r.mu.Lock()
	r.closed = true
	streams := make([]*stream, 0, len(r.streams))
	for _, s := range r.streams {
		streams = append(streams, s)
	}
	r.streams = map[string]*stream{}
	r.mu.Unlock()
	for _, s := range streams {
		s.end(Msg{Kind: MsgError, Code: CodeShutdown, Text: "the server is shutting down"})
	}
	r.wg.Wait()
}

// stream is one camera's upstream and its viewers.
type stream struct {
	id        string
	r         *Relay
	cancel    context.CancelFunc
	lastFrame atomic.Int64 // unix nanoseconds of the last fragment

	mu      sync.Mutex
	viewers map[*Viewer]struct{}
	idle    *time.Timer // closes the upstream when no viewer is left
	mime    string
	init    []byte
	gop     []Msg // fragments since the last keyframe, for new viewers
	gopFull bool
}

// maxGOP bounds the cached GOP to half a viewer queue.
func (s *stream) maxGOP() int { return s.r.cfg.QueueSize / 2 }

func (s *stream) add(recorder bool) *Viewer {
	ch := make(chan Msg, s.r.cfg.QueueSize)
	v := &Viewer{C: ch, ch: ch, s: s, recorder: recorder}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle != nil {
		s.idle.Stop()
		s.idle = nil
	}
	s.viewers[v] = struct{}{}
	if s.init != nil {
		ch <- Msg{Kind: MsgMIME, Text: s.mime}
		ch <- Msg{Kind: MsgInit, Data: s.init}
		for _, m := range s.gop {
			ch <- m // fits: the GOP is at most half the queue
		}
	}
	return v
}

// remove takes a viewer out (err nil: it left by itself). Caller must not
// hold s.mu.
func (s *stream) remove(v *Viewer, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(v, err)
}

func (s *stream) removeLocked(v *Viewer, err error) {
	if v.closed {
		return
	}
	v.closed, v.err = true, err
	delete(s.viewers, v)
	close(v.ch)
	if len(s.viewers) == 0 && s.idle == nil {
		s.idle = time.AfterFunc(s.r.cfg.CloseAfter, s.closeIfIdle)
	}
}

// closeIfIdle ends the upstream if still nobody watches. The relay's lock
// is taken first so that Watch cannot join a stream being closed.
func (s *stream) closeIfIdle() {
	r := s.r
	r.mu.Lock()
	s.mu.Lock()
	idle := len(s.viewers) == 0
	if idle && r.streams[s.id] == s {
		delete(r.streams, s.id)
	}
	s.mu.Unlock()
	r.mu.Unlock()
	if idle {
		s.cancel()
	}
}

// end sends a last message to every viewer and stops the upstream; the
// next Watch of the camera starts afresh.
func (s *stream) end(last Msg) {
	s.r.mu.Lock()
	if s.r.streams[s.id] == s {
		delete(s.r.streams, s.id)
	}
	s.r.mu.Unlock()
	s.mu.Lock()
	for v := range s.viewers {
		select {
		case v.ch <- last:
		default:
		}
		s.removeLocked(v, &StreamError{Code: last.Code, Message: last.Text})
	}
	if s.idle != nil {
		s.idle.Stop()
	}
	s.mu.Unlock()
	s.cancel()
}

// broadcast queues m for every viewer, dropping those whose queue is full:
// a slow viewer must not hold up the others or grow memory. Caller holds mu.
func (s *stream) broadcastLocked(m Msg) {
	for v := range s.viewers {
		select {
		case v.ch <- m:
		default:
			s.removeLocked(v, &StreamError{Code: CodeSlowViewer, Message: "the viewer did not keep up"})
		}
	}
}

// setParams builds the init segment for new parameter sets and announces
// it to current viewers (a camera may change resolution after a reconnect).
func (s *stream) setParams(sps, pps []byte) error {
	mime, err := mse.MIME(sps)
	if err != nil {
		return err
	}
	init, err := mse.InitSegment(sps, pps)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mime, s.init, s.gop, s.gopFull = mime, init, nil, false
	s.broadcastLocked(Msg{Kind: MsgMIME, Text: mime})
	s.broadcastLocked(Msg{Kind: MsgInit, Data: init})
	return nil
}

func (s *stream) fragment(f mse.Fragment, arrived time.Time) {
	m := Msg{Kind: MsgMedia, Data: f.Data, Key: f.Key, Arrived: arrived}
	s.lastFrame.Store(arrived.UnixNano())
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Key {
		s.gop, s.gopFull = s.gop[:0:0], false
	}
	if !s.gopFull {
		if len(s.gop) < s.maxGOP() {
			s.gop = append(s.gop, m)
		} else {
			s.gopFull = true // a very long GOP: new viewers get its start only
		}
	}
	s.broadcastLocked(m)
}

// run keeps the upstream open, reconnecting with backoff, until cancelled.
func (s *stream) run(ctx context.Context) {
	log := s.r.log.With("camera", s.id)
	first := min(250*time.Millisecond, s.r.cfg.MaxBackoff)
	backoff := first
	mux := mse.NewMuxer(nil, nil)
	useSub := false
	for ctx.Err() == nil {
		src, err := s.r.cfg.Resolve(s.id)
		if err != nil {
			s.end(Msg{Kind: MsgError, Code: "not_found", Text: err.Error()})
			return
		}
		url := src.Main
		if (useSub || url == "") && src.Sub != "" {
			url = src.Sub
		}
		frames := 0
		mux.Reset()
		err = rtspsrc.Play(ctx, rtspsrc.Config{URL: url, Transport: s.r.cfg.Transport, Timeout: s.r.cfg.Timeout}, rtspsrc.Handler{
			OnTrack: func(t rtspsrc.Track) {
				if len(t.SPS) > 0 && len(t.PPS) > 0 {
					if sps, pps := mux.Params(); string(sps) != string(t.SPS) || string(pps) != string(t.PPS) {
						mux.SetParams(t.SPS, t.PPS)
						if err := s.setParams(t.SPS, t.PPS); err != nil {
							log.Warn("bad SPS from camera", "err", err)
						}
					}
				}
			},
			OnAccessUnit: func(au [][]byte, pts int64, arrived time.Time) {
				f, ok, changed, err := mux.Write(au, pts)
				if changed {
					sps, pps := mux.Params()
					if err := s.setParams(sps, pps); err != nil {
						log.Warn("bad SPS from camera", "err", err)
					}
				}
				if err != nil || !ok {
					return
				}
				if s.needInit() {
					sps, pps := mux.Params()
					if err := s.setParams(sps, pps); err != nil {
						log.Warn("bad SPS from camera", "err", err)
						return
					}
				}
				frames++
				s.fragment(f, arrived)
			},
		})
		if ctx.Err() != nil {
			return
		}
		var uc *rtspsrc.UnsupportedCodecError
		if errors.As(err, &uc) {
			if !useSub && src.Sub != "" && url != src.Sub {
				log.Info("main stream not playable in browsers, using the sub-stream", "codec", uc.Codec)
				useSub = true
				continue
			}
			s.end(Msg{Kind: MsgError, Code: CodeUnsupportedCodec, Text: unsupportedMessage(uc.Codec)})
			return
		}
		if frames > 0 {
			backoff = first
		}
		log.Info("camera stream ended, reconnecting", "err", err, "url", RedactURL(url), "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, s.r.cfg.MaxBackoff)
	}
}

func (s *stream) needInit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.init == nil
}

func unsupportedMessage(codec string) string {
	if codec == "H265" || codec == "H.265" {
		return "H.265 cannot be played in the browser; use the H.264 sub-stream"
	}
	return codec + " cannot be played in the browser; use an H.264 stream"
}
