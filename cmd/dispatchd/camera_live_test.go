package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112/auth"
	"cc112/cctv/camsim"
)

// startLive runs dispatchd (no demo) and registers camsim's camera 1 as c1
// through the API, with credentials in its URL. configure may change the
// Main before it runs (its clock).
func startLive(t testing.TB, sim *camsim.Server, closeAfter time.Duration, configure ...func(*Main)) *Main {
	t.Helper()
	m := NewMain()
	m.Addr, m.Store.StateDir, m.Logger = "127.0.0.1:0", t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Cameras.ProbeInterval = 0
	m.Cameras.CloseAfter = closeAfter
	for _, f := range configure {
		f(m)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	url := strings.Replace(sim.URL(1), "rtsp://", "rtsp://admin:s3cret@", 1) // camsim ignores credentials
	code, body, err := postJSON(m.URL()+"/api/v1/cameras", tokenFor(t, m, auth.Admin),
		`{"id":"c1","name":"Tugu Pahlawan","location":{"lat":-7.2458,"lon":112.7378},"rtsp_url":"`+url+`"}`)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("POST /api/v1/cameras: %d %s %v", code, body, err)
	}
	return m
}

func wsURL(m *Main, path string) string { return "ws" + strings.TrimPrefix(m.URL(), "http") + path }

func TestLiveVideoOverWebsocket(t *testing.T) {
	sim := camsim.ForTest(t, 1, false)
	m := startLive(t, sim, time.Second)
	admin, police := bearer(tokenFor(t, m, auth.Admin)), tokenFor(t, m, auth.Police)

	for _, path := range []string{"/api/v1/cameras", "/api/v1/cameras/c1"} {
		res, err := bearer(police).Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), "s3cret") || strings.Contains(string(b), "rtsp") {
			t.Fatalf("GET %s shows the RTSP URL: %s", path, b)
		}
	}
	for _, bad := range []string{
		`{"name":"x","location":{"lat":-7.2,"lon":112.7},"rtsp_url":"http://cam/x"}`,
		`{"name":"x","location":{"lat":-7.2,"lon":112.7}}`,
		`{"name":"","location":{"lat":-7.2,"lon":112.7},"rtsp_url":"rtsp://cam/x"}`,
		`{"name":"x","location":{"lat":-7.2,"lon":112.7},"rtsp_url":"rtsp://cam/x","sub_rtsp_url":"ftp://u:p@x/"}`,
	} {
		code, body, _ := postJSON(m.URL()+"/api/v1/cameras", string(admin.Transport.(bearerTransport)), bad)
		if code != http.StatusBadRequest || strings.Contains(string(body), "u:p@") {
			t.Errorf("POST %s: %d %s, want 400 without the URL", bad, code, body)
		}
	}

	if code, _, _ := postJSON(m.URL()+"/api/v1/cameras", police, `{"name":"x","location":{"lat":-7.2,"lon":112.7},"rtsp_url":"rtsp://cam/x"}`); code != http.StatusForbidden {
		t.Errorf("police adding a camera: %d, want 403", code)
	}
	// Police may watch: the view is recorded with the user and role.
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(m, "/api/v1/cameras/c1/live?incident=inc-7"), authHeader(police))
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	typ, msg, err := conn.ReadMessage()
	if err != nil || typ != websocket.TextMessage {
		t.Fatalf("first frame %d %s %v", typ, msg, err)
	}
	var hello struct{ Type, Mime string }
	if err := json.Unmarshal(msg, &hello); err != nil || hello.Type != "mime" || !strings.HasPrefix(hello.Mime, `video/mp4; codecs="avc1.`) {
		t.Fatalf("first frame %s, want the MIME type", msg)
	}
	for k, want := range []string{"ftyp", "moof", "moof", "moof"} {
		typ, msg, err := conn.ReadMessage()
		if err != nil || typ != websocket.BinaryMessage || len(msg) < 8 || string(msg[4:8]) != want {
			t.Fatalf("binary frame %d: type %d, %d bytes, err %v; want %s", k, typ, len(msg), err, want)
		}
	}
	conn.Close()

	// The view is on record, with its end once the server noticed the close.
	type view struct {
		CameraID   string     `json:"camera_id"`
		IncidentID string     `json:"incident_id"`
		User       string     `json:"user"`
		Role       string     `json:"role"`
		Client     string     `json:"client"`
		EndedAt    *time.Time `json:"ended_at"`
	}
	var views []view
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := admin.Get(m.URL() + "/api/v1/cameras/views?camera=c1")
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Items []view }
		err = json.NewDecoder(res.Body).Decode(&page)
		views = page.Items
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(views) == 1 && views[0].EndedAt != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(views) != 1 || views[0].EndedAt == nil || views[0].IncidentID != "inc-7" || views[0].User != "police" || views[0].Role != "police" || views[0].Client != "127.0.0.1" {
		t.Fatalf("views %+v, want one ended view of c1 for inc-7 by police", views)
	}
	// And the audit log has it, with the user.
	res, err := admin.Get(m.URL() + "/api/v1/audit?action=camera_view&user=police")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), `"c1"`) {
		t.Fatalf("audit of camera views: %d %s", res.StatusCode, b)
	}
}

// TestCameraPagePlaysInChromium opens ui/static/camera.html in Debian's
// chromium (playwright-core) and checks that video.currentTime advances.
func TestCameraPagePlaysInChromium(t *testing.T) {
	browser := needBrowser(t)
	sim := camsim.ForTest(t, 1, false)
	m := startLive(t, sim, time.Second)
	tokenFor(t, m, auth.Police) // the page logs in as police, who may watch
	browser.run(t, 90*time.Second, "camera.mjs", nil, "BASE_URL="+m.URL())
}
