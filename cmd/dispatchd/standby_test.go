package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112/internal/pgtest"
)

// fromAddr is an HTTP client whose connections come from the loopback
// address ip (127.0.0.0/8 is all loopback), so that a test can be several
// clients.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// loginAs posts a login with extra headers and returns the status and the
// token (on 200).
func loginAs(t testing.TB, client *http.Client, base, user, password string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/login",
		strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, password)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.Token
}

// statusOf is the status of GET base+path with token.
func statusOf(t testing.TB, base, path, token string) int {
	t.Helper()
	res, err := get(base+path, token)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// liveSocket opens base's live feed with token and reads its snapshot.
func liveSocket(t testing.TB, base, token string) *websocket.Conn {
	t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/v1/live", authHeader(token))
	if err != nil {
		code := 0
		if res != nil {
			code = res.StatusCode
		}
		t.Fatalf("live feed on %s: %d %v", base, code, err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	var first struct{ Type string }
	if err := ws.ReadJSON(&first); err != nil || first.Type != "snapshot" {
		t.Fatalf("live feed on %s: first message %q, %v", base, first.Type, err)
	}
	return ws
}

// expectClosed reads ws until the server closes it, with the close code
// want (0: any end). The bound is generous (the server closes within a
// second); a socket still open after it fails.
func expectClosed(t testing.TB, ws *websocket.Conn, what string, want int) {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("%s: still open 15 s after the session ended", what)
		}
		if want != 0 && !websocket.IsCloseError(err, want) {
			t.Fatalf("%s: ended by %v, want the close frame %d", what, err, want)
		}
		return
	}
}

// waitKnown waits until base accepts token (a standby follows the journal a
// moment behind the leader that opened the session).
func waitKnown(t testing.TB, base, token string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for statusOf(t, base, "/api/v1/me", token) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("%s never accepted the token", base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStandbyPair runs a leader and a standby (two real dispatchd on one
// PostgreSQL database) and checks what a client of the standby sees.
func TestStandbyPair(t *testing.T) {
	url := pgtest.URL(t)
	args := "-addr 127.0.0.1:0 -database-url " + url + " -demo -sim=false"
	a := startChild(t, args)
	aURL := childURL(a)
	clusterToken(t, aURL) // the demo accounts are in place
	b := startChild(t, args)
	bURL := childURL(b)

	// A login through the standby gives a token the standby knows at once
	// (REST and websocket); an incident created through it reads back at
	// once. Many times, so that a race would show.
	t.Run("ReadsItsOwnWrites", func(t *testing.T) {
		var token string
		for i := 0; i < 8; i++ {
			var code int
			code, token = loginAs(t, http.DefaultClient, bURL, "dispatcher", "dispatcher", nil)
			if code != http.StatusOK {
				t.Fatalf("login %d through the standby: %d", i, code)
			}
			if got := statusOf(t, bURL, "/api/v1/me", token); got != http.StatusOK {
				t.Fatalf("login %d: the standby answers %d to its own new token", i, got)
			}
			_ = liveSocket(t, bURL, token).Close()
		}
		client := bearer(token)
		for i := 0; i < 30; i++ {
			id, ok := keyedIncident(client, bURL, fmt.Sprintf("own-%d", i), i)
			if !ok {
				t.Fatalf("incident %d through the standby not acknowledged", i)
			}
			if got := statusOf(t, bURL, "/api/v1/incidents/"+id, token); got != http.StatusOK {
				t.Fatalf("incident %d (%s) created through the standby: GET on the standby %d", i, id, got)
			}
		}
	})

	// A standby says ready only when it has what the leader committed.
	t.Run("StandbyReadyMeansCaughtUp", func(t *testing.T) {
		token := clusterToken(t, aURL)
		waitKnown(t, bURL, token)
		client := bearer(token)
		for i := 0; i < 20; i++ {
			id, ok := keyedIncident(client, aURL, fmt.Sprintf("ready-%d", i), i)
			if !ok {
				t.Fatalf("incident %d on the leader not acknowledged", i)
			}
			// A loaded machine may make it say 503 (behind) for a moment.
			for deadline := time.Now().Add(30 * time.Second); statusOf(t, bURL, "/readyz", "") != http.StatusOK; {
				if time.Now().After(deadline) {
					t.Fatal("the standby never said ready")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if got := statusOf(t, bURL, "/api/v1/incidents/"+id, token); got != http.StatusOK {
				t.Fatalf("the standby said ready without incident %d the leader had acknowledged: %d", i, got)
			}
		}
	})

	// A logout on the leader closes the session's sockets on both.
	t.Run("LogoutClosesSockets", func(t *testing.T) {
		token := login(t, aURL, "dispatcher")
		waitKnown(t, bURL, token)
		onA, onB := liveSocket(t, aURL, token), liveSocket(t, bURL, token)
		if code, body, err := postJSON(aURL+"/api/v1/logout", token, ``); err != nil || code != http.StatusNoContent {
			t.Fatalf("logout: %d %s %v", code, body, err)
		}
		expectClosed(t, onA, "live feed on the leader", websocket.ClosePolicyViolation)
		expectClosed(t, onB, "live feed on the standby", websocket.ClosePolicyViolation)
	})

	// The leader limits and audits the client behind the standby, not the
	// standby; a client naming an address itself is not believed.
	t.Run("ClientAddressThroughStandby", func(t *testing.T) {
		admin := login(t, aURL, "admin")
		spoof := http.Header{"X-Dispatch-Client": {"10.9.9.9"}, "X-Dispatch-Peer-Secret": {"guess"},
			"X-Forwarded-For": {"10.9.9.9"}}
		for _, c := range []struct{ base, user, from string }{
			{bURL, "ghost-standby", "127.0.0.7"},
			{aURL, "ghost-leader-spoof", "127.0.0.8"},
			{bURL, "ghost-standby-spoof", "127.0.0.9"},
		} {
			h := spoof
			if c.user == "ghost-standby" {
				h = nil
			}
			if code, _ := loginAs(t, fromAddr(c.from), c.base, c.user, "wrong", h); code != http.StatusUnauthorized {
				t.Fatalf("failed login %s: %d", c.user, code)
			}
		}
		res, err := get(aURL+"/api/v1/audit?action=login_failed&limit=1000", admin)
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Items []struct{ User, Addr string } }
		err = json.NewDecoder(res.Body).Decode(&page)
		entries := page.Items
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		addr := map[string]string{}
		for _, e := range entries {
			addr[e.User] = e.Addr
		}
		for user, want := range map[string]string{"ghost-standby": "127.0.0.7", "ghost-leader-spoof": "127.0.0.8", "ghost-standby-spoof": "127.0.0.9"} {
			if addr[user] != want {
				t.Errorf("audit of %s's failed login: address %q, want %q", user, addr[user], want)
			}
		}

		// One client through the standby runs into the per-address limit;
		// another client through the standby still logs in.
		limited := false
		for i := 0; i < 40 && !limited; i++ {
			code, _ := loginAs(t, fromAddr("127.0.0.10"), bURL, fmt.Sprintf("nobody%d", i), "wrong", nil)
			limited = code == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("40 failed logins from one address through the standby were never limited")
		}
		if code, _ := loginAs(t, fromAddr("127.0.0.11"), bURL, "dispatcher", "dispatcher", nil); code != http.StatusOK {
			t.Fatalf("another client's right password through the standby: %d, want 200 (limited by the standby's address)", code)
		}
	})
}

// TestReadyzOnlyWithAccounts: a leader on PostgreSQL with -demo says ready
// only when its demo accounts exist: a login right after the first 200
// works.
func TestReadyzOnlyWithAccounts(t *testing.T) {
	url := pgtest.URL(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	m := NewMain()
	m.Listener, m.Store.DatabaseURL, m.City.Demo, m.City.Sim = ln, url, true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m.Cameras.ProbeInterval = 0
	ready := make(chan int, 1)
	go func() {
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
			res, err := http.Get(base + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					code, _ := loginAs(t, http.DefaultClient, base, "dispatcher", "dispatcher", nil)
					ready <- code
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
		ready <- 0
	}()
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	if code := <-ready; code != http.StatusOK {
		t.Fatalf("login right after the first ready answer: %d, want 200", code)
	}
}
