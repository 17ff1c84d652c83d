package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112/auth"
	"cc112/cctv/camsim"
	"cc112/internal/clocktest"
)

// cameraSocket opens camera c1's live video with token and reads its
// first frame (the MIME type).
func cameraSocket(t testing.TB, m *Main, token string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(m, "/api/v1/cameras/c1/live"), authHeader(token))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	var first struct{ Type string }
	if err := ws.ReadJSON(&first); err != nil || first.Type != "mime" {
		t.Fatalf("camera video: first frame %q, %v", first.Type, err)
	}
	return ws
}

// An open live feed and an open camera video end when their session ends:
// at its expiry on the server's clock, and when the password changes.
func TestSessionEndClosesSockets(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC))
	sim := camsim.ForTest(t, 1, false)
	m := startLive(t, sim, time.Second, func(m *Main) { m.Clock = clock })

	t.Run("Expiry", func(t *testing.T) {
		token := tokenFor(t, m, auth.Police)
		feed, video := liveSocket(t, m.URL(), token), cameraSocket(t, m, token)
		clock.Advance(12*time.Hour + time.Second) // the session's TTL
		expectClosed(t, video, "camera video after the session expired", 0)
		expectClosed(t, feed, "live feed after the session expired", websocket.ClosePolicyViolation)
		if got := statusOf(t, m.URL(), "/api/v1/me", token); got != http.StatusUnauthorized {
			t.Fatalf("expired token: %d", got)
		}
	})
	t.Run("PasswordChange", func(t *testing.T) {
		admin, token := tokenFor(t, m, auth.Admin), tokenFor(t, m, auth.Police)
		feed, video := liveSocket(t, m.URL(), token), cameraSocket(t, m, token)
		if code, body, err := postJSON(m.URL()+"/api/v1/users/police/password", admin, `{"password":"a new long password"}`); err != nil || code != http.StatusNoContent {
			t.Fatalf("password change: %d %s %v", code, body, err)
		}
		expectClosed(t, video, "camera video after the password changed", 0)
		expectClosed(t, feed, "live feed after the password changed", websocket.ClosePolicyViolation)
	})
}
