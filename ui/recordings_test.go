package ui

import (
	"cc112"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112/auth"
	"cc112/cctv"
	"cc112/cctv/camsim"
	"cc112/cctv/mse"
	"cc112/cctv/record"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/testenv"
)

// TestRecordingAPI: who may mark cameras "always record", read and release
// an incident's evidence lock, and what bad input gets.
func TestRecordingAPI(t *testing.T) {
	s := newSecured(t)
	cam := s.eng.Cameras()[0].ID
	loc := geo.Point{Lat: -7.2458, Lon: 112.7378}
	inc, err := s.eng.CreateIncident(context.Background(), dispatch.NewIncident{Category: "fire", Location: &loc}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		role         auth.Role
		method, path string
		body         string
		want         int
	}{
		{auth.Police, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":true}`, 403},
		{auth.Dispatcher, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":true}`, 403},
		{auth.Supervisor, "POST", "/api/v1/cameras/" + cam + "/record", `{}`, 400},
		{auth.Supervisor, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":"yes"}`, 400},
		{auth.Supervisor, "POST", "/api/v1/cameras/nope/record", `{"always":true}`, 404},
		{auth.Supervisor, "POST", "/api/v1/cameras/" + cam + "/record", `{"always":true}`, 200},
		{auth.Police, "GET", "/api/v1/cameras/" + cam + "/recordings", "", 200},
		{auth.Police, "GET", "/api/v1/cameras/" + cam + "/recordings?from=yesterday", "", 400},
		{auth.Police, "GET", "/api/v1/cameras/" + cam + "/recordings?from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z", "", 400},
		{auth.Police, "GET", "/api/v1/cameras/nope/recordings", "", 404},
		{auth.UnitRole, "GET", "/api/v1/cameras/" + cam + "/recordings", "", 403},
		{auth.UnitRole, "GET", "/api/v1/incidents/" + inc.ID + "/evidence", "", 403},
		{auth.Police, "GET", "/api/v1/incidents/nope/evidence", "", 404},
	} {
		if r := s.as(c.role, c.method, c.path, c.body); r.status != c.want {
			t.Errorf("%s %s %s %s: %d %s, want %d", c.role, c.method, c.path, c.body, r.status, r.body, c.want)
		}
	}
	// A page's cursor continues that camera's list only.
	recordClip(t, s.recorded, cam, time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), 1)
	recordClip(t, s.recorded, cam, time.Date(2026, 12, 5, 17, 1, 0, 0, time.UTC), 1)
	var page cc112.Page[record.Segment]
	s.as(auth.Dispatcher, "GET", "/api/v1/cameras/"+cam+"/recordings?limit=1", "").decode(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" || !page.Items[0].Start.Equal(time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("the first page of one: %+v, want the oldest segment and a cursor", page)
	}
	other := s.eng.Cameras()[1].ID
	if r := s.as(auth.Dispatcher, "GET", "/api/v1/cameras/"+other+"/recordings?cursor="+url.QueryEscape(page.NextCursor), ""); r.status != 400 {
		t.Errorf("camera %s's cursor on camera %s: %d %s, want 400", cam, other, r.status, r.body)
	}
	if !s.recordings.IsAlways(cam) {
		t.Errorf("%s is not marked always record", cam)
	}
	if err := s.recordings.Lock(context.Background(), cctv.EvidenceLock{IncidentID: inc.ID, Cameras: []string{cam}, From: inc.ReceivedAt}); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Lock *cctv.EvidenceLock `json:"lock"`
	}
	r := s.as(auth.Police, "GET", "/api/v1/incidents/"+inc.ID+"/evidence", "")
	r.decode(t, &ev)
	if l := ev.Lock; r.status != 200 || l == nil || len(l.Cameras) != 1 || l.Cameras[0] != cam || l.ReleasedAt != nil {
		t.Fatalf("evidence: %d %s", r.status, r.body)
	}
	release := "/api/v1/incidents/" + inc.ID + "/evidence/release"
	for _, c := range []struct {
		role auth.Role
		body string
		want int
	}{
		{auth.Police, `{"reason":"x"}`, 403},
		{auth.Dispatcher, `{"reason":"x"}`, 403},
		{auth.Supervisor, `{}`, 400},
		{auth.Supervisor, `{"reason":"   "}`, 400},
		{auth.Supervisor, `{"reason":"no request from the police within 30 days"}`, 200},
		{auth.Supervisor, `{"reason":"again"}`, 409},
	} {
		if r := s.as(c.role, "POST", release, c.body); r.status != c.want {
			t.Errorf("%s release %s: %d %s, want %d", c.role, c.body, r.status, r.body, c.want)
		}
	}
	if l, _ := s.recordings.LockOf(inc.ID); l.ReleasedAt == nil || l.ReleasedBy != string(auth.Supervisor) {
		t.Errorf("after release: %+v", l)
	}
}

// recordClip writes seconds of camsim's clip as camera's recording, frame k
// at start + k × 40 ms, as the relay's muxer makes them.
func recordClip(t *testing.T, store *record.Store, camera string, start time.Time, seconds int) {
	t.Helper()
	testenv.Tool(t, "ffmpeg")
	c, err := camsim.MakeClip(context.Background(), t.TempDir(), camsim.ClipOptions{Seconds: 2})
	if err != nil {
		t.Fatal(err)
	}
	w, err := store.Writer(camera)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	init, err := mse.InitSegment(c.SPS, c.PPS)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Init(init); err != nil {
		t.Fatal(err)
	}
	mux := mse.NewMuxer(c.SPS, c.PPS)
	for k := range seconds * 25 {
		f, ok, _, err := mux.Write(c.Frames[k%len(c.Frames)], int64(k)*c.FrameDur)
		if err != nil || !ok {
			t.Fatalf("frame %d: %v %v", k, ok, err)
		}
		if err := w.Write(f.Data, start.Add(time.Duration(k)*40*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
}

// newEvidenceCase is a secured server whose first camera recorded three
// seconds from start (two seconds before midnight WIB) and an open
// incident near it, to export evidence of.
func newEvidenceCase(t *testing.T) (s *secured, cam string, start time.Time, inc *cc112.Incident) {
	t.Helper()
	testenv.Tool(t, "ffmpeg")
	s = newSecured(t)
	cam = s.eng.Cameras()[0].ID
	start = time.Date(2026, 12, 5, 16, 59, 58, 0, time.UTC)
	recordClip(t, s.recorded, cam, start, 3)
	loc := geo.Point{Lat: -7.2458, Lon: 112.7378}
	inc, err := s.eng.CreateIncident(context.Background(), dispatch.NewIncident{Category: "crime", Location: &loc}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return s, cam, start, inc
}

// TestReplay: a recorded camera replays from a time over the websocket:
// the MIME type, where the stream starts (the keyframe before the time),
// the init segment, every frame to the end, and "end"; the replay is in
// the view audit with its time. Police must give a reason; a time with
// nothing recorded is 404.
func TestReplay(t *testing.T) {
	testenv.Tool(t, "ffmpeg")
	s := newSecured(t)
	cam := s.eng.Cameras()[0].ID
	start := time.Date(2026, 12, 5, 16, 59, 58, 0, time.UTC) // two seconds before midnight WIB
	recordClip(t, s.recorded, cam, start, 3)
	at := start.Add(1500 * time.Millisecond)
	path := "/api/v1/cameras/" + cam + "/replay?at=" + at.Format(time.RFC3339Nano)
	if r := s.as(auth.Police, "GET", path, "", "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="); r.status != 400 {
		t.Errorf("police replay without a reason: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Dispatcher, "GET", "/api/v1/cameras/"+cam+"/replay?at=2020-01-01T00:00:00Z", "", "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="); r.status != 404 {
		t.Errorf("replay of nothing: %d %s", r.status, r.body)
	}
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + path + "&reason=" + url.QueryEscape("Polsek Genteng LP/123")
	texts, binaries := readReplay(t, u, s.tokens[auth.Police], nil)
	// The keyframe at or before 1.5 s is at 1.0 s: frames 25…74 and the init.
	if len(texts) != 3 || texts[0]["type"] != "mime" || texts[1]["type"] != "replay" || texts[2]["type"] != "end" ||
		texts[1]["start"] != start.Add(time.Second).Format(time.RFC3339Nano) || binaries != 1+50 {
		t.Fatalf("replay sent %v and %d binary frames, want mime, replay from 1 s, end and 51", texts, binaries)
	}
	page, err := s.server.views.List(cctv.ViewFilter{CameraID: cam})
	if err != nil {
		t.Fatal(err)
	}
	views := page.Items
	if len(views) != 1 || views[0].ReplayAt == nil || !views[0].ReplayAt.Equal(at) || views[0].Reason != "Polsek Genteng LP/123" || views[0].Role != string(auth.Police) {
		t.Errorf("view audit %+v", views)
	}
}

// TestEvidenceExport: police export two seconds of a recording for an
// incident with a case number; the manifest's SHA-256 matches the file
// served, its signature verifies with the server's public key, the file
// plays in ffprobe from the keyframe before from to the frame at to, and
// the export is listed with the incident. Without a reason, or for a range
// with nothing recorded, nothing is exported.
func TestEvidenceExport(t *testing.T) {
	s, cam, start, inc := newEvidenceCase(t)
	path := "/api/v1/incidents/" + inc.ID + "/evidence"
	body := func(from, to time.Time, reason string) string {
		b, _ := json.Marshal(map[string]any{"camera": cam, "from": from, "to": to, "reason": reason})
		return string(b)
	}
	from, to := start.Add(1500*time.Millisecond), start.Add(2500*time.Millisecond)
	for _, c := range []struct {
		role auth.Role
		body string
		want int
	}{
		{auth.Police, body(from, to, ""), 400},
		{auth.Police, body(to, from, "LP/123"), 400},
		{auth.Police, body(start.Add(time.Hour), start.Add(2*time.Hour), "LP/123"), 404},
		{auth.Police, body(from, from.Add(2*time.Hour), "LP/123"), 400},
		{auth.UnitRole, body(from, to, "LP/123"), 403},
		{auth.CallTaker, body(from, to, "LP/123"), 403},
	} {
		if r := s.as(c.role, "POST", path, c.body); r.status != c.want {
			t.Errorf("%s export %s: %d %s, want %d", c.role, c.body, r.status, r.body, c.want)
		}
	}
	// Over the longest export: its own reason, for the page to say so.
	if r := s.as(auth.Police, "POST", path, body(from, from.Add(cctv.MaxExport+time.Second), "LP/123")); r.status != 400 || r.errCode(t) != cc112.EInvalid ||
		r.reason(t) != cc112.RExportTooLong {
		t.Errorf("an export over %v: %d %s, want 400 %s", cctv.MaxExport, r.status, r.body, cc112.RExportTooLong)
	}
	var m cctv.Manifest
	r := s.as(auth.Police, "POST", path, body(from, to, "LP/B/123/XII/2026 Polsek Genteng"))
	r.decode(t, &m)
	if r.status != 201 {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	// The keyframe before 1.5 s is at 1.0 s; the frame at 2.48 s is the last before 2.5 s.
	if !m.FirstFrame.Equal(start.Add(time.Second)) || !m.LastFrame.Equal(start.Add(2480*time.Millisecond)) || m.Frames != 38 || m.User != string(auth.Police) || m.Role != string(auth.Police) {
		t.Errorf("manifest %+v", m)
	}
	file := s.as(auth.Police, "GET", "/api/v1/evidence/"+m.ID+"/file", "")
	sum := sha256.Sum256(file.body)
	if file.status != 200 || hex.EncodeToString(sum[:]) != m.SHA256 || int64(len(file.body)) != m.Bytes {
		t.Fatalf("file: %d, %d bytes, sha256 %x; manifest %s, %d bytes", file.status, len(file.body), sum, m.SHA256, m.Bytes)
	}
	var key struct {
		KeyID     string `json:"key_id"`
		PublicKey string `json:"public_key"`
	}
	s.as(auth.Police, "GET", "/api/v1/evidence/key", "").decode(t, &key)
	pub, _ := base64.StdEncoding.DecodeString(key.PublicKey)
	if !m.Verify(pub) || key.KeyID != m.KeyID {
		t.Errorf("the signature does not verify with key %s", key.KeyID)
	}
	forged := m
	forged.Reason = "something else"
	if forged.Verify(pub) {
		t.Error("a changed manifest still verifies")
	}
	mp4 := filepath.Join(t.TempDir(), "export.mp4")
	if err := os.WriteFile(mp4, file.body, 0o600); err != nil {
		t.Fatal(err)
	}
	if ts := camsim.FrameTimes(t, mp4); len(ts) != 38 || ts[0] != 0 || ts[len(ts)-1] != 1.48 {
		t.Errorf("ffprobe reads %d frames, %v … %v; want 38 from 0 to 1.48 s", len(ts), ts[0], ts[len(ts)-1])
	}
	var ev struct {
		Exports []cctv.Manifest `json:"exports"`
	}
	s.as(auth.Supervisor, "GET", path, "").decode(t, &ev)
	if len(ev.Exports) != 1 || ev.Exports[0].SHA256 != m.SHA256 {
		t.Errorf("the incident lists exports %+v", ev.Exports)
	}
}

// TestReplayAcrossGap: a replay crossing twenty minutes with nothing
// recorded goes straight on to the recording after the gap (within a
// second, not twenty minutes) and says where it jumped, so the player's
// timeline follows.
func TestReplayAcrossGap(t *testing.T) {
	testenv.Tool(t, "ffmpeg")
	s := newSecured(t)
	cam := s.eng.Cameras()[0].ID
	start := time.Date(2026, 12, 5, 16, 59, 58, 0, time.UTC)
	after := start.Add(20 * time.Minute)
	recordClip(t, s.recorded, cam, start, 2)
	recordClip(t, s.recorded, cam, after, 2)
	at := start.Add(1500 * time.Millisecond)
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/api/v1/cameras/" + cam + "/replay?at=" + at.Format(time.RFC3339Nano)
	var lastBefore, firstAfter time.Time // when the frames either side of the gap arrived
	gapAt := -1
	texts, binaries := readReplay(t, u, s.tokens[auth.Dispatcher], func(m map[string]any, binaries int) {
		switch {
		case m["type"] == "gap":
			gapAt = binaries
		case m != nil:
		case gapAt < 0:
			lastBefore = time.Now()
		case binaries == gapAt+1:
			firstAfter = time.Now()
		}
	})
	// From the keyframe at 1.0 s: frames 25…49, the gap, frames 0…49 of
	// the second recording, and the init.
	if len(texts) != 4 || texts[0]["type"] != "mime" || texts[1]["type"] != "replay" || texts[2]["type"] != "gap" || texts[3]["type"] != "end" ||
		texts[2]["from"] != start.Add(1960*time.Millisecond).Format(time.RFC3339Nano) || texts[2]["to"] != after.Format(time.RFC3339Nano) ||
		binaries != 1+25+50 || gapAt != 1+25 {
		t.Fatalf("replay sent %v and %d binary frames (gap after %d), want mime, replay, gap from 1.96 s to 20 min, end and 76 (gap after 26)", texts, binaries, gapAt)
	}
	if d := firstAfter.Sub(lastBefore); d > time.Second {
		t.Errorf("the first frame after the gap came %v after the last before it, want within a second", d)
	}
}

// readReplay reads a replay's websocket to its end: its text frames and
// how many binary frames came; each calls seen as it arrives (the text
// frame, or nil for a binary one, and the binary frames so far).
func readReplay(t *testing.T, u, token string, seen func(text map[string]any, binaries int)) (texts []map[string]any, binaries int) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(u, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		typ, b, err := ws.ReadMessage()
		if err != nil {
			return texts, binaries
		}
		var m map[string]any
		if typ == websocket.TextMessage {
			_ = json.Unmarshal(b, &m)
			texts = append(texts, m)
		} else {
			binaries++
		}
		if seen != nil {
			seen(m, binaries)
		}
	}
}

// TestReplayPace: frames before the time asked leave at once, the rest at
// their recorded pace from the time asked (or from the first frame, when
// the time falls in a gap), and a gap costs one frame interval.
func TestReplayPace(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, c := range []struct {
		name   string
		at     time.Time
		frames []time.Time
		want   []time.Duration // ms after the first frame left
		gaps   []bool
	}{
		{"from a keyframe before at", ms(100), []time.Time{ms(0), ms(40), ms(80), ms(120), ms(160)},
			[]time.Duration{0, 0, 0, 20, 60}, []bool{false, false, false, false, false}},
		{"across a gap", ms(0), []time.Time{ms(0), ms(40), ms(80), ms(20 * 60000), ms(20*60000 + 40)},
			[]time.Duration{0, 40, 80, 120, 160}, []bool{false, false, false, true, false}},
		{"at in a gap", ms(5000), []time.Time{ms(20 * 60000), ms(20*60000 + 40)},
			[]time.Duration{0, 40}, []bool{false, false}},
		{"a dropped frame is no gap", ms(0), []time.Time{ms(0), ms(40), ms(840)},
			[]time.Duration{0, 40, 840}, []bool{false, false, false}},
	} {
		p := replayPace{at: c.at}
		for k, f := range c.frames {
			after, gap := p.next(f)
			if after != c.want[k]*time.Millisecond || gap != c.gaps[k] {
				t.Errorf("%s: frame %d leaves after %v (gap %v), want %v (gap %v)", c.name, k, after, gap, c.want[k]*time.Millisecond, c.gaps[k])
			}
		}
	}
}

// TestRecordingOff: a live-only center (no recordings on disk) answers the
// recordings, replay and export routes 503 with the reason recording_off,
// which the camera page reads to hide its timeline rather than warn.
func TestRecordingOff(t *testing.T) {
	a := newAPI(t, func(_ *dispatch.Config, c *Config) { c.Recordings, c.Views = cctv.NewRecordings(), cctv.NewViews() })
	cam := a.eng.Cameras()[0].ID
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/cameras/" + cam + "/recordings", ""},
		{"GET", "/api/v1/cameras/" + cam + "/replay?at=2026-12-05T17:00:00Z", ""},
		{"POST", "/api/v1/incidents/x/evidence", `{"camera":"` + cam + `","from":"2026-12-05T17:00:00Z","to":"2026-12-05T17:01:00Z","reason":"LP/1"}`},
	} {
		r := a.do(c.method, c.path, c.body)
		if r.status != 503 || r.errCode(t) != cc112.EUnavailable || r.reason(t) != cc112.RRecordingOff {
			t.Errorf("%s %s on a live-only center: %d %s, want 503 %s", c.method, c.path, r.status, r.body, cc112.RRecordingOff)
		}
	}
}
