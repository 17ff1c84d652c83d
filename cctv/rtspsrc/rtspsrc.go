// Package rtspsrc reads the video of one RTSP camera with gortsplib: it
// connects, picks the video track and hands over H.264 access units with
// their presentation times. It also probes a camera's health. It imports
// nothing from the application.
package rtspsrc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"
)

// Transport of the RTP packets.
type Transport string

// Transports: Auto tries UDP first and falls back to TCP.
const (
	Auto Transport = ""
	TCP  Transport = "tcp"
	UDP  Transport = "udp"
)

// ParseTransport reads "auto", "tcp" or "udp".
func ParseTransport(s string) (Transport, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Auto, nil
	case "tcp":
		return TCP, nil
	case "udp":
		return UDP, nil
	}
	return "", fmt.Errorf("unknown RTSP transport %q (auto, tcp or udp)", s)
}

// UnsupportedCodecError is returned when the camera's video is not H.264.
type UnsupportedCodecError struct{ Codec string }

func (e *UnsupportedCodecError) Error() string {
	return "video codec " + e.Codec + " is not supported (H.264 only)"
}

// Config says how to reach a camera.
type Config struct {
	URL       string
	Transport Transport
	// Timeout bounds the TCP connect, each RTSP request and the silence
	// between packets. Default 5 s.
	Timeout time.Duration
}

// Track describes the video track, from the SDP.
type Track struct {
	SPS, PPS []byte // may be empty: then they come in-band
}

// Handler gets the stream. OnTrack is called once, before any access unit;
// OnAccessUnit is called from one goroutine, in order, with the PTS in
// 90 kHz units and the time the last packet of the unit arrived.
type Handler struct {
	OnTrack      func(Track)
	OnAccessUnit func(au [][]byte, pts int64, arrived time.Time)
}

// session is an opened client: connected, described, set up.
type session struct {
	c      *gortsplib.Client
	medi   *description.Media
	forma  *format.H264
	dialed atomic.Bool // TCP connect succeeded: the address is reachable
}

// open connects, describes and sets up the H.264 video track, or with
// anyVideo the first video track whatever its codec (for probes).
func open(ctx context.Context, cfg Config, anyVideo bool) (*session, error) {
	u, err := base.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("parse RTSP URL: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	s := &session{}
	dialer := &net.Dialer{Timeout: timeout}
	s.c = &gortsplib.Client{
		Scheme:                u.Scheme,
		Host:                  u.Host,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
		InitialUDPReadTimeout: timeout,
		OnTransportSwitch:     func(error) {}, // auto falls back to TCP by design; the default logs to stderr
		DialContext: func(dctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := dialer.DialContext(dctx, network, addr)
			if err == nil {
				s.dialed.Store(true)
			}
			return nc, err
		},
	}
	switch cfg.Transport {
	case TCP:
		t := gortsplib.TransportTCP
		s.c.Transport = &t
	case UDP:
		t := gortsplib.TransportUDP
		s.c.Transport = &t
	}
	if err := s.c.Start2(); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, s.c.Close)
	fail := func(err error) (*session, error) {
		stop()
		s.c.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return s, err
	}
	desc, _, err := s.c.Describe(u)
	if err != nil {
		return fail(fmt.Errorf("describe: %w", err))
	}
	var h264f *format.H264
	s.medi = desc.FindFormat(&h264f)
	s.forma = h264f
	if s.medi == nil && anyVideo {
		s.medi = firstVideo(desc)
	}
	if s.medi == nil {
		return fail(&UnsupportedCodecError{Codec: videoCodec(desc)})
	}
	if _, err := s.c.Setup(desc.BaseURL, s.medi, 0, 0); err != nil {
		return fail(fmt.Errorf("setup: %w", err))
	}
	return s, nil
}

func firstVideo(desc *description.Session) *description.Media {
	for _, m := range desc.Medias {
		if m.Type == description.MediaTypeVideo {
			return m
		}
	}
	return nil
}

// videoCodec names the first video format of a session, for error messages.
func videoCodec(desc *description.Session) string {
	for _, m := range desc.Medias {
		if m.Type == description.MediaTypeVideo && len(m.Formats) > 0 {
			return m.Formats[0].Codec()
		}
	}
	return "none (no video track)"
}

// Play reads the camera until ctx ends or the stream fails; it returns the
// reason (ctx.Err() when cancelled).
func Play(ctx context.Context, cfg Config, h Handler) error {
	s, err := open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer s.c.Close()
	dec, err := s.forma.CreateDecoder()
	if err != nil {
		return fmt.Errorf("h264 decoder: %w", err)
	}
	if h.OnTrack != nil {
		h.OnTrack(Track{SPS: s.forma.SPS, PPS: s.forma.PPS})
	}
	s.c.OnPacketRTP(s.medi, s.forma, func(pkt *rtp.Packet) {
		pts, ok := s.c.PacketPTS2(s.medi, pkt)
		if !ok {
			return
		}
		au, err := dec.Decode(pkt)
		if err != nil {
			return // more packets needed, or a lost one: the next unit resyncs
		}
		h.OnAccessUnit(au, pts, time.Now())
	})
	if _, err := s.c.Play(nil); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("play: %w", err)
	}
	err = s.c.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Health is a probe's verdict.
type Health int

// Verdicts of Probe.
const (
	Offline Health = iota // refused or unreachable
	Stalled               // reachable, but no RTSP answer or no video frame
	Online                // a video frame arrived after PLAY
)

func (h Health) String() string {
	return [...]string{"offline", "stalled", "online"}[h]
}

// Probe connects, plays and waits for the first video packet, all within
// cfg.Timeout per step. err explains a verdict other than Online. Any video
// codec counts: an H.265 camera is online even if browsers cannot play it.
func Probe(ctx context.Context, cfg Config) (Health, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := open(ctx, cfg, true)
	if err != nil {
		if s != nil && s.dialed.Load() {
			return Stalled, err
		}
		return Offline, err
	}
	defer s.c.Close()
	got := make(chan struct{}, 1)
	s.c.OnPacketRTPAny(func(*description.Media, format.Format, *rtp.Packet) {
		select {
		case got <- struct{}{}:
		default:
		}
	})
	if _, err := s.c.Play(nil); err != nil {
		return Stalled, fmt.Errorf("play: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-got:
		return Online, nil
	case <-t.C:
		return Stalled, errors.New("no video frame after PLAY")
	case <-ctx.Done():
		return Stalled, ctx.Err()
	}
}
