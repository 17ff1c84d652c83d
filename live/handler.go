package live

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/httperr"
)

// ServeHTTP is GET /api/v1/live: it upgrades to a websocket, sends a
// snapshot (or, with ?epoch=E&since=N, the events after N) and then every
// event. Authentication is the caller's middleware: ui routes this
// handler like any other, so the auth layer (token in a header, a cookie or
// ?token=) will sit in front of it.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	epoch := q.Get("epoch")
	since, err := strconv.ParseUint(q.Get("since"), 10, 64)
	// A resume that cannot be understood gets a snapshot: always correct.
	resume := epoch != "" && err == nil

	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered (403 for a foreign origin)
	}
	c := newConn(h, ws)
	c.viewer = cc112.Everyone
	if h.cfg.Viewer != nil {
		c.viewer = h.cfg.Viewer(r)
	}
	first, err := h.subscribe(c, epoch, since, resume)
	if err != nil {
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(reasonShutdown.code, reasonShutdown.text), time.Now().Add(closeWait))
		_ = ws.Close()
		return
	}
	if h.cfg.Watch != nil {
		c.release = h.cfg.Watch(r, func() { h.stop(c, reasonRevoked) })
	}
	// The handler returns so that net/http's goroutine and buffers of this
	// request are freed: an idle connection costs only its two goroutines.
	go c.readLoop()
	go c.writeLoop(first)
}

// parseOrigins normalises the configured origins to scheme://host[:port].
func parseOrigins(list []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, o := range list {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("live: allowed origin %q must look like https://host[:port]", o)
		}
		out[strings.ToLower(u.Scheme+"://"+u.Host)] = true
	}
	return out, nil
}

// originAllowed accepts requests without an Origin (not a browser), from
// the server's own host, and from the configured origins. Anything else
// could be another web site riding on a dispatcher's session.
func originAllowed(r *http.Request, allowed map[string]bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return allowed[strings.ToLower(u.Scheme+"://"+u.Host)]
}

// writeHandshakeError answers a refused upgrade in the API's error envelope.
func writeHandshakeError(w http.ResponseWriter, r *http.Request, status int, reason error) {
	httperr.WriteDetail(w, status, httperr.Detail{Code: httperr.Code(status), Message: reason.Error()})
}
