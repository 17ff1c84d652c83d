package camsim

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
)

// Config of a set of synthetic cameras.
type Config struct {
	Cameras int    // paths /cam/1 … /cam/N
	Addr    string // RTSP listen address; default 127.0.0.1:0
	// UDP also offers the UDP transport (on a free even port pair).
	UDP    bool
	Clip   *Clip
	Logger *slog.Logger
}

// Server is a running set of cameras.
type Server struct {
	cfg     Config
	srv     *gortsplib.Server
	addr    net.Addr
	streams map[string]*gortsplib.ServerStream
	stop    chan struct{}
	done    chan struct{}

	mu      sync.Mutex
	playing map[string]int                      // path → sessions playing now
	opened  map[string]int                      // path → sessions ever played
	paths   map[*gortsplib.ServerSession]string // playing sessions
}

// Start opens the server and starts streaming.
func Start(cfg Config) (*Server, error) {
	if cfg.Clip == nil || cfg.Cameras < 1 {
		return nil, fmt.Errorf("camsim: a clip and at least one camera are needed")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, streams: map[string]*gortsplib.ServerStream{},
		playing: map[string]int{}, opened: map[string]int{}, paths: map[*gortsplib.ServerSession]string{},
		stop: make(chan struct{}), done: make(chan struct{})}
	var err error
	for try := 0; try < 20; try++ {
		if err = s.startServer(); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("camsim: %w", err)
	}
	h264f := func() format.Format {
		return &format.H264{PayloadTyp: 96, PacketizationMode: 1, SPS: cfg.Clip.SPS, PPS: cfg.Clip.PPS}
	}
	for k := 1; k <= cfg.Cameras; k++ {
		for _, p := range []struct {
			prefix string
			forma  format.Format
		}{{"/cam/", h264f()}, {"/frozen/", h264f()}, {"/h265/", &format.H265{PayloadTyp: 96}}} {
			st := &gortsplib.ServerStream{Server: s.srv, Desc: &description.Session{Medias: []*description.Media{{
				Type: description.MediaTypeVideo, Formats: []format.Format{p.forma}}}}}
			if err := st.Initialize(); err != nil {
				s.Close()
				return nil, fmt.Errorf("camsim: stream: %w", err)
			}
			s.streams[p.prefix+strconv.Itoa(k)] = st
		}
	}
	go s.loop()
	return s, nil
}

func (s *Server) startServer() error {
	s.srv = &gortsplib.Server{
		Handler:     s,
		RTSPAddress: s.cfg.Addr,
		Listen: func(network, address string) (net.Listener, error) {
			l, err := net.Listen(network, address)
			if err == nil {
				s.addr = l.Addr()
			}
			return l, err
		},
	}
	if s.cfg.UDP {
		n, err := rand.Int(rand.Reader, big.NewInt(15000))
		if err != nil {
			return err
		}
		port := 20000 + 2*int(n.Int64())
		s.srv.UDPRTPAddress = fmt.Sprintf("127.0.0.1:%d", port)
		s.srv.UDPRTCPAddress = fmt.Sprintf("127.0.0.1:%d", port+1)
	}
	return s.srv.Start()
}

// Addr is host:port of the RTSP server.
func (s *Server) Addr() string { return s.addr.String() }

// URL of camera k (1-based).
func (s *Server) URL(k int) string { return fmt.Sprintf("rtsp://%s/cam/%d", s.Addr(), k) }

// Playing is the number of sessions playing path now (e.g. "/cam/1").
func (s *Server) Playing(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.playing[path]
}

// Opened is the number of sessions that ever played path.
func (s *Server) Opened(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened[path]
}

// Counts returns the playing sessions of every path that has any.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for p, n := range s.playing {
		if n > 0 {
			out[p] = n
		}
	}
	return out
}

// Close stops streaming and the server.
func (s *Server) Close() {
	select {
	case <-s.stop:
		return
	default:
	}
	close(s.stop)
	if len(s.streams) > 0 {
		<-s.done
	}
	for _, st := range s.streams {
		st.Close()
	}
	s.srv.Close()
}

// loop paces the clip at its frame rate and writes every frame to the
// /cam/ streams that have readers, with timestamps that keep increasing
// across loops.
func (s *Server) loop() {
	defer close(s.done)
	clip := s.cfg.Clip
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	base := binary.BigEndian.Uint32(rb[:])
	enc, err := (&format.H264{PayloadTyp: 96, PacketizationMode: 1}).CreateEncoder()
	if err != nil {
		s.cfg.Logger.Error("camsim: encoder", "err", err)
		return
	}
	start := time.Now()
	frameDur := time.Duration(clip.FrameDur) * time.Second / 90000
	for n := int64(0); ; n++ {
		due := start.Add(time.Duration(n) * frameDur)
		if d := time.Until(due); d > 0 {
			select {
			case <-s.stop:
				return
			case <-time.After(d):
			}
		} else {
			select {
			case <-s.stop:
				return
			default:
			}
		}
		pkts, err := enc.Encode(clip.Frames[n%int64(len(clip.Frames))])
		if err != nil {
			s.cfg.Logger.Error("camsim: encode", "err", err)
			return
		}
		ts := base + uint32(n*clip.FrameDur)
		for _, p := range pkts {
			p.Timestamp = ts
		}
		for path, count := range s.Counts() {
			if !strings.HasPrefix(path, "/cam/") || count == 0 {
				continue
			}
			st := s.streams[path]
			for _, p := range pkts {
				_ = st.WritePacketRTPWithNTP(st.Desc.Medias[0], p, due) // the server sets SSRC, then marshals
			}
		}
	}
}

func (s *Server) stream(path string) (*gortsplib.ServerStream, *base.Response) {
	if st, ok := s.streams[path]; ok {
		return st, &base.Response{StatusCode: base.StatusOK}
	}
	return nil, &base.Response{StatusCode: base.StatusNotFound}
}

// OnDescribe implements gortsplib.ServerHandlerOnDescribe.
func (s *Server) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	st, res := s.stream(ctx.Path)
	return res, st, nil
}

// OnSetup implements gortsplib.ServerHandlerOnSetup.
func (s *Server) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	st, res := s.stream(ctx.Path)
	return res, st, nil
}

// OnPlay implements gortsplib.ServerHandlerOnPlay: it counts the session.
func (s *Server) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	s.mu.Lock()
	if _, ok := s.paths[ctx.Session]; !ok {
		s.paths[ctx.Session] = ctx.Path
		s.playing[ctx.Path]++
		s.opened[ctx.Path]++
	}
	s.mu.Unlock()
	return &base.Response{StatusCode: base.StatusOK}, nil
}

// OnSessionClose implements gortsplib.ServerHandlerOnSessionClose.
func (s *Server) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	s.mu.Lock()
	if p, ok := s.paths[ctx.Session]; ok {
		delete(s.paths, ctx.Session)
		s.playing[p]--
	}
	s.mu.Unlock()
}
