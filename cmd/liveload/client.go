package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

var errClosedByUs = errors.New("closed by liveload")

// client is one websocket subscriber that timestamps every position it
// receives.
type client struct {
	target string
	token  string // dispatchd's, for ?token=
	sentAt []atomic.Int64
	units  []string
	ws     *websocket.Conn

	received atomic.Int64
	closing  atomic.Bool
	mu       sync.Mutex
	lat      []time.Duration
	upd      []int32 // the update of each lat
	gone     error
}

func wsURL(base, target, token string) string {
	u := "ws" + strings.TrimPrefix(base, "http")
	if target == "centrifugo" {
		return u + "/connection/websocket"
	}
	if token != "" {
		return u + "/api/v1/live?token=" + url.QueryEscape(token)
	}
	return u + "/api/v1/live"
}

// connect dials and waits until the client is subscribed: dispatchd's
// snapshot, or Centrifugo's answer to connect and subscribe.
func (c *client) connect(ctx context.Context, base string) error {
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL(base, c.target, c.token), nil)
	if err != nil {
		return err
	}
	c.ws = ws
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	defer ws.SetReadDeadline(time.Time{})
	if c.target == "dispatchd" {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(msg, []byte(`{"type":"snapshot"`)) {
			return fmt.Errorf("first message is not a snapshot: %.80s", msg)
		}
		return nil
	}
	return centrifugoSubscribe(ws)
}

func centrifugoSubscribe(ws *websocket.Conn) error {
	for _, cmd := range []string{`{"id":1,"connect":{}}`, `{"id":2,"subscribe":{"channel":"units"}}`} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(cmd)); err != nil {
			return err
		}
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(msg, []byte("\n")) {
			if bytes.Contains(line, []byte(`"error"`)) {
				return fmt.Errorf("centrifugo: %s", line)
			}
			if bytes.HasPrefix(line, []byte(`{"id":2`)) {
				return nil
			}
		}
	}
}

var locationKey = []byte(`"location":{"lat":`)

// read records the delay of every position update it receives until the
// connection ends.
func (c *client) read() {
	for {
		_, msg, err := c.ws.ReadMessage()
		now := time.Now().UnixNano()
		if err != nil {
			if c.closing.Load() {
				err = errClosedByUs
			}
			c.mu.Lock()
			c.gone = err
			c.mu.Unlock()
			return
		}
		if c.target == "centrifugo" {
			for _, line := range bytes.Split(msg, []byte("\n")) {
				if len(line) == 2 && line[0] == '{' && line[1] == '}' { // server ping
					_ = c.ws.WriteMessage(websocket.TextMessage, []byte("{}"))
					continue
				}
				c.record(line, now)
			}
			continue
		}
		c.record(msg, now)
	}
}

// record finds the update in a message by its latitude and checks that it
// names the unit that update moved.
func (c *client) record(msg []byte, now int64) {
	i := bytes.Index(msg, locationKey)
	if i < 0 {
		return
	}
	rest := msg[i+len(locationKey):]
	j := bytes.IndexAny(rest, ",}")
	if j < 0 {
		return
	}
	lat, err := strconv.ParseFloat(string(rest[:j]), 64)
	if err != nil {
		return
	}
	k := updateOf(lat)
	if k < 0 || k >= len(c.sentAt) {
		return
	}
	sent := c.sentAt[k].Load()
	if sent == 0 || !bytes.Contains(msg, []byte(`"id":"`+c.units[k%len(c.units)]+`"`)) {
		return
	}
	c.received.Add(1)
	c.mu.Lock()
	c.lat = append(c.lat, time.Duration(now-sent))
	c.upd = append(c.upd, int32(k))
	c.mu.Unlock()
}

func (c *client) close() {
	c.closing.Store(true)
	if c.ws != nil {
		_ = c.ws.Close()
	}
}

// stalledClient subscribes and then never reads, like a frozen browser.
// Whether the server cut it is read from the kernel's table of the
// server's socket (/proc/net/tcp): the client itself cannot tell while its
// receive window is closed.
type stalledClient struct {
	conn     net.Conn
	server   int // server port
	local    int // this client's port
	mu       sync.Mutex
	cut      time.Duration
	watching chan struct{}
}

func dialStalled(ctx context.Context, o options) (*stalledClient, error) {
	d := websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				_ = conn.(*net.TCPConn).SetReadBuffer(4096) // fill up fast
			}
			return conn, err
		},
	}
	ws, _, err := d.DialContext(ctx, wsURL(o.base, o.target, o.viewerToken), nil)
	if err != nil {
		return nil, err
	}
	if o.target == "centrifugo" {
		if err := centrifugoSubscribe(ws); err != nil {
			return nil, err
		}
	}
	conn := ws.NetConn()
	return &stalledClient{conn: conn, server: conn.RemoteAddr().(*net.TCPAddr).Port,
		local: conn.LocalAddr().(*net.TCPAddr).Port, cut: -1, watching: make(chan struct{})}, nil
}

// watch polls the server's socket state from start on.
func (s *stalledClient) watch(start time.Time) {
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.watching:
				return
			case <-t.C:
			}
			if established, err := serverSocketEstablished(s.server, s.local); err == nil && !established {
				s.mu.Lock()
				s.cut = time.Since(start)
				s.mu.Unlock()
				return
			}
		}
	}()
}

// cutAfter is the seconds from the start of the load to the cut, -1 when
// the server kept the client.
func (s *stalledClient) cutAfter() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cut < 0 {
		return -1
	}
	return s.cut.Seconds()
}

func (s *stalledClient) close() {
	select {
	case <-s.watching:
	default:
		close(s.watching)
	}
	_ = s.conn.Close()
}
