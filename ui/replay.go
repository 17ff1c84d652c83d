package ui

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/auth"
	"cc112/cctv"
	"cc112/cctv/record"
)

// maxReplay bounds one replay connection; the player reconnects to go on.
const maxReplay = time.Hour

// replayGap is the pause between two recorded frames above which a replay
// treats it as a gap between recordings: it goes straight on to the next
// frame instead of waiting the gap out. Frames come every 40 ms; a camera
// that drops a few still plays at its pace.
const replayGap = time.Second

// replayText is a replay's text frame: "replay" says where the stream
// starts (the keyframe at or before the time asked) so the player can
// seek to at; "gap" says nothing is recorded between from and to, the
// next frame is at to (its media time keeps the gap, so the player jumps
// the buffered ranges and its clock stays the recording's); "end" says
// the recording ends there.
type replayText struct {
	Type  string    `json:"type"`
	Start time.Time `json:"start,omitzero"`
	At    time.Time `json:"at,omitzero"`
	From  time.Time `json:"from,omitzero"`
	To    time.Time `json:"to,omitzero"`
}

// replayPace says when a replay's frames leave: those before at at once,
// the rest at the pace they were recorded from at (or from the first
// frame, when at falls in a gap), with every gap between recordings
// skipped.
type replayPace struct {
	at      time.Time     // the time asked
	base    time.Time     // the recording's time that leaves at started
	prev    time.Time     // the last frame's time
	step    time.Duration // the last interval between frames within a recording
	skipped time.Duration // the gaps skipped so far
}

// next is how long after the first frame left frame f leaves, and whether
// a gap lies before f (from the previous frame's time).
func (p *replayPace) next(f time.Time) (after time.Duration, gap bool) {
	switch {
	case p.base.IsZero():
		p.base = p.at
		if f.After(p.at) {
			p.base = f
		}
	case f.Sub(p.prev) > replayGap && f.After(p.at):
		step := p.step
		if step == 0 {
			step = 40 * time.Millisecond
		}
		p.skipped += f.Sub(p.prev) - step
		gap = true
	case f.After(p.prev):
		p.step = f.Sub(p.prev)
	}
	p.prev = f
	return max(0, f.Sub(p.base)-p.skipped), gap
}

// cameraReplay streams a camera's recording from a time:
// GET /api/v1/cameras/{id}/replay?at=&incident=&reason= (websocket), the
// same frames as /live: {"type":"mime"}, {"type":"replay","start","at"},
// the init segment, then one fragment per frame at the pace it was
// recorded, {"type":"gap","from","to"} where it skips a gap between
// recordings, and {"type":"end"}. Every replay is journaled in the view
// audit (replay_at) before a frame leaves; police must give a reason or
// an incident (a case number).
func (s *Server) cameraReplay(w http.ResponseWriter, r *http.Request) {
	id, ok := s.recordedCamera(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	at, err := time.Parse(time.RFC3339, q.Get("at"))
	if err != nil {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "at must be an RFC 3339 time"))
		return
	}
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	view := cctv.View{CameraID: id, Client: client, IncidentID: strings.TrimSpace(q.Get("incident")), Reason: strings.TrimSpace(q.Get("reason")), ReplayAt: &at}
	p := PrincipalFrom(r.Context())
	if p != nil {
		view.User, view.Role = p.Username, string(p.Role)
	}
	if err := checkViewText(view); err != nil {
		s.writeError(w, r, err)
		return
	}
	if p != nil && p.Role == auth.Police && view.Reason == "" && view.IncidentID == "" {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "police replay needs a reason or a case number (reason= or incident=)"))
		return
	}
	if len(s.recorded.List(id, at, at.Add(maxReplay))) == 0 {
		s.writeError(w, r, cc112.Errorf(cc112.ENotFound, "nothing of camera %s is recorded from %s", id, at.Format(time.RFC3339)))
		return
	}
	s.liveWG.Add(1)
	defer s.liveWG.Done()
	conn, err := liveUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered
	}
	defer conn.Close()
	if view, err = s.views.Start(r.Context(), view); err != nil {
		wsFail(conn, cc112.EUnavailable, "the replay could not be recorded for audit: "+err.Error())
		return
	}
	s.AuditCameraView(r, id)
	defer s.endView(view.ID)
	gone := make(chan struct{})
	conn.SetReadLimit(4096)
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
	errGone := errors.New("viewer gone")
	var started time.Time
	pace := replayPace{at: at}
	err = s.recorded.Replay(id, at, at.Add(maxReplay), func(init []byte, f record.Frame) error {
		if started.IsZero() {
			mime, err := record.MIME(init)
			if err != nil {
				return err
			}
			started = time.Now()
			if err := writeText(conn, liveText{Type: "mime", MIME: mime}); err != nil {
				return errGone
			}
			if err := writeText(conn, replayText{Type: "replay", Start: f.At, At: at}); err != nil {
				return errGone
			}
			if err := writeBinary(conn, init); err != nil {
				return errGone
			}
		}
		prev := pace.prev
		after, gap := pace.next(f.At)
		if gap {
			if err := writeText(conn, replayText{Type: "gap", From: prev, To: f.At}); err != nil {
				return errGone
			}
		}
		if wait := time.Until(started.Add(after)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-gone:
				t.Stop()
				return errGone
			case <-ended:
				t.Stop()
				return errGone
			case <-t.C:
			}
		}
		if err := writeBinary(conn, f.Data); err != nil {
			return errGone
		}
		return nil
	})
	switch {
	case errors.Is(err, errGone):
	case err != nil:
		wsFail(conn, cc112.EUnavailable, err.Error())
	default:
		_ = writeText(conn, replayText{Type: "end"})
		_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
		_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "end"))
	}
}

// checkViewText checks a view's free text as the live view does.
func checkViewText(v cctv.View) error {
	if err := cc112.CheckText("incident", v.IncidentID, 100); err != nil {
		return err
	}
	return cc112.CheckText("reason", v.Reason, 500)
}

func writeText(conn *websocket.Conn, v any) error {
	b, _ := json.Marshal(v)
	_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
	return conn.WriteMessage(websocket.TextMessage, b)
}

func writeBinary(conn *websocket.Conn, b []byte) error {
	_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
	return conn.WriteMessage(websocket.BinaryMessage, b)
}
