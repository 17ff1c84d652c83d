package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/cctv"
	"cc112/geo"
)

// newCamera is the body of POST /api/v1/cameras.
type newCamera struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Area       string     `json:"area"`
	Location   *geo.Point `json:"location"`
	RTSPURL    string     `json:"rtsp_url"`
	SubRTSPURL string     `json:"sub_rtsp_url"`
	// A PTZ camera's ONVIF service, its profile and heading (optional).
	ONVIFURL     string   `json:"onvif_url"`
	ONVIFProfile string   `json:"onvif_profile"`
	Heading      *float64 `json:"heading"`
}

// validate checks what only this request asks: a camera posted by an
// admin is for video, so it needs rtsp_url; the engine checks the rest
// (cc112.Camera.Validate) for every camera, the CSV import's included.
func (n *newCamera) validate() error {
	if n.Location == nil {
		return cc112.Errorf(cc112.EInvalid, "location {lat, lon} is required")
	}
	if n.RTSPURL == "" {
		return cc112.Errorf(cc112.EInvalid, "rtsp_url is required")
	}
	return nil
}

// postCamera registers a camera (admin only once accounts exist). Without
// an id one is derived from the Idempotency-Key (a retry replays the first
// answer, the key with another body is 409), or made up at random.
func (s *Server) postCamera(w http.ResponseWriter, r *http.Request) {
	var req newCamera
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		if err := req.validate(); err != nil {
			return nil, err
		}
		if req.ID == "" {
			seed := key
			if seed == "" {
				seed = fp + time.Now().String()
			}
			h := sha256.Sum256([]byte(seed))
			req.ID = "cam-" + hex.EncodeToString(h[:6])
		}
		cam := cc112.Camera{ID: req.ID, Name: strings.TrimSpace(req.Name), Area: req.Area, Location: *req.Location,
			RTSPURL: req.RTSPURL, SubRTSPURL: req.SubRTSPURL, ONVIFURL: req.ONVIFURL, ONVIFProfile: req.ONVIFProfile, Heading: req.Heading}
		return s.eng.RegisterCamera(r.Context(), cam, key, fp) // cc112.Camera hides the URLs in JSON
	})
}

// listViews is the audit of live views: GET /api/v1/cameras/views?camera=&from=&to=.
func (s *Server) listViews(w http.ResponseWriter, r *http.Request) {
	if s.views == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "live video is not enabled"))
		return
	}
	q := r.URL.Query()
	f := cctv.ViewFilter{CameraID: q.Get("camera")}
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "%s must be an RFC 3339 time", p.name))
				return
			}
			*p.into = t
		}
	}
	var page cc112.Page[cctv.View]
	var err error
	if f.PageRequest, err = pageParams(q); err == nil {
		page, err = s.views.List(f)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// Live video websocket timings.
const (
	liveWriteWait  = 10 * time.Second
	livePingPeriod = 20 * time.Second
	livePongWait   = 45 * time.Second
)

var liveUpgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 64 << 10,
	// The default CheckOrigin refuses cross-site pages.
}

type liveText struct {
	Type    string `json:"type"`
	MIME    string `json:"mime,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// cameraLive streams a camera to a browser: GET /api/v1/cameras/{id}/live
// (websocket). A text frame {"type":"mime"} comes first, then binary fMP4:
// the init segment and one fragment per frame. Errors are text frames
// {"type":"error","code","message"}. Every view is audited: its start is
// durable before any video flows.
func (s *Server) cameraLive(w http.ResponseWriter, r *http.Request) {
	if s.relay == nil || s.views == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "live video is not enabled"))
		return
	}
	id := r.PathValue("id")
	cam, err := s.eng.Camera(id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !cam.HasVideo {
		s.writeError(w, r, cc112.Errorf(cc112.EConflict, "camera %s has no video stream", cam.Name))
		return
	}
	q := r.URL.Query()
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	view := cctv.View{CameraID: id, Client: client, IncidentID: q.Get("incident"), Reason: q.Get("reason")}
	if p := PrincipalFrom(r.Context()); p != nil {
		view.User, view.Role = p.Username, string(p.Role)
	}
	if err := checkViewText(view); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.liveWG.Add(1)
	defer s.liveWG.Done()
	conn, err := liveUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	defer conn.Close()
	fail := func(code, msg string) { wsFail(conn, code, msg) }
	view, err = s.views.Start(r.Context(), view)
	if err != nil {
		fail("unavailable", "the view could not be recorded for audit: "+err.Error())
		return
	}
	s.AuditCameraView(r, id)
	defer s.endView(view.ID)
	viewer, err := s.relay.Watch(id)
	if err != nil {
		fail("unavailable", err.Error())
		return
	}
	defer viewer.Close()
	s.log.Info("camera view started", "camera", id, "view", view.ID, "client", client)

	// Reader: answers pongs and notices the browser leaving.
	gone := make(chan struct{})
	conn.SetReadLimit(4096)
	_ = conn.SetReadDeadline(time.Now().Add(livePongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(livePongWait)) })
	go func() {
		defer close(gone)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ended := make(chan struct{})
	var endOnce sync.Once
	defer WatchSession(r, func() { endOnce.Do(func() { close(ended) }) })()
	ping := time.NewTicker(livePingPeriod)
	defer ping.Stop()
	sentError := false
	for {
		select {
		case <-gone:
			return
		case <-ended:
			fail(cc112.EUnauthenticated, "the session ended (logged out, password changed or expired): log in again")
			return
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				return
			}
		case m, ok := <-viewer.C:
			if !ok {
				if err := viewer.Err(); err != nil && !sentError {
					var se *cctv.StreamError
					if !errors.As(err, &se) {
						se = &cctv.StreamError{Code: cc112.EUnavailable, Message: err.Error()}
					}
					fail(se.Code, se.Message)
				}
				return
			}
			sentError = sentError || m.Kind == cctv.MsgError
			if err := writeLive(conn, m); err != nil {
				return
			}
		}
	}
}

// endView journals the end of a view, even when the request's context is
// gone.
func (s *Server) endView(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.views.End(ctx, id); err != nil {
		s.log.Warn("record end of camera view", "view", id, "err", err)
	}
}

// wsFail sends a video websocket's last word: an error text frame and a
// close.
func wsFail(conn *websocket.Conn, code, msg string) {
	_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
	b, _ := json.Marshal(liveText{Type: "error", Code: code, Message: msg})
	_ = conn.WriteMessage(websocket.TextMessage, b)
	_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, code))
}

func writeLive(conn *websocket.Conn, m cctv.Msg) error {
	_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
	switch m.Kind {
	case cctv.MsgMIME:
		b, _ := json.Marshal(liveText{Type: "mime", MIME: m.Text})
		return conn.WriteMessage(websocket.TextMessage, b)
	case cctv.MsgError:
		b, _ := json.Marshal(liveText{Type: "error", Code: m.Code, Message: m.Text})
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	return conn.WriteMessage(websocket.BinaryMessage, m.Data)
}
