package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112/auth"
)

// tokenFor makes sure m has an account for role whose username and
// password are the role's name (as -demo makes them) and logs it in.
func tokenFor(t testing.TB, m *Main, role auth.Role) string {
	t.Helper()
	n := auth.NewUser{Username: string(role), Password: string(role), Role: role}
	switch role {
	case auth.UnitRole:
		n.UnitID = m.Engine.Units()[0].ID
	case auth.Agency:
		n.Agency = "dkp"
	}
	if _, err := m.Auth.EnsureUser(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	return login(t, m.URL(), string(role))
}

// bearer is an HTTP client that sends token with every request.
func bearer(token string) *http.Client {
	return &http.Client{Transport: bearerTransport(token)}
}

type bearerTransport string

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// authHeader is the websocket dial header with token.
func authHeader(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// clusterClient logs in as a dispatcher on base, retrying while a new
// leader is still making the demo accounts, and returns a client with the
// token: sessions live in the shared journal, so it works on every instance.
func clusterClient(t testing.TB, base string) *http.Client {
	t.Helper()
	return &http.Client{Timeout: 10 * time.Second, Transport: bearerTransport(clusterToken(t, base))}
}

// clusterTokens caches one dispatcher token per instance: logging in costs
// an argon2id hash.
var clusterTokens sync.Map

// clusterToken logs in as a dispatcher on base (retrying while a new leader
// is still making the demo accounts) and returns the token.
func clusterToken(t testing.TB, base string) string {
	t.Helper()
	if tok, ok := clusterTokens.Load(base); ok {
		return tok.(string)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"dispatcher","password":"dispatcher"}`))
		if err == nil {
			var out struct {
				Token string `json:"token"`
			}
			ok := res.StatusCode == http.StatusOK && json.NewDecoder(res.Body).Decode(&out) == nil && out.Token != ""
			res.Body.Close()
			if ok {
				clusterTokens.Store(base, out.Token)
				return out.Token
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dispatcher login on %s: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestMainAlwaysHasAccessControl: dispatchd never runs with access control
// off (ui turns it off only when no auth store is given, for unit tests).
func TestMainAlwaysHasAccessControl(t *testing.T) {
	var logBuf bytes.Buffer
	m := NewMain()
	m.Addr, m.Store.StateDir = "127.0.0.1:0", t.TempDir()
	m.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	if m.Auth == nil || strings.Contains(logBuf.String(), "access control is OFF") {
		t.Fatalf("dispatchd started without access control:\n%s", logBuf.String())
	}
	for _, path := range []string{"/api/v1/units", "/api/v1/incidents", "/api/v1/audit", "/api/v1/live"} {
		res, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without a token: %d, want 401", path, res.StatusCode)
		}
	}
}

// Without the demo, -admin-password makes the first login: the account
// "admin" in a journal with no accounts, and never again (a password
// changed since is not reset by a restart).
func TestFirstAdmin(t *testing.T) {
	state := t.TempDir()
	start := func(password string) *Main {
		t.Helper()
		m := NewMain()
		m.Addr, m.Store.StateDir, m.City.AdminPassword = "127.0.0.1:0", state, password
		m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	login := func(m *Main, password string) int {
		t.Helper()
		res, err := http.Post(m.URL()+"/api/v1/login", "application/json",
			strings.NewReader(`{"username":"admin","password":"`+password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	m := start("first-admin-pass")
	if got := login(m, "first-admin-pass"); got != http.StatusOK {
		t.Fatalf("first admin login: %d", got)
	}
	if users := m.Auth.Users(); len(users) != 1 || users[0].Role != auth.Admin {
		t.Fatalf("users: %+v", users)
	}
	m.Close(context.Background())
	m = start("another-admin-pass")
	defer m.Close(context.Background())
	if a, b := login(m, "first-admin-pass"), login(m, "another-admin-pass"); a != http.StatusOK || b != http.StatusUnauthorized {
		t.Fatalf("after a restart with another password: old %d, new %d", a, b)
	}
	// A password too short for the rule is refused at start.
	bad := NewMain()
	bad.Addr, bad.Store.StateDir, bad.City.AdminPassword = "127.0.0.1:0", t.TempDir(), "short"
	bad.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := bad.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "password") {
		bad.Close(context.Background())
		t.Fatalf("short first admin password: %v", err)
	}
}
