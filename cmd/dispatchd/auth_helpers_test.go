package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
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
				return &http.Client{Timeout: 10 * time.Second, Transport: bearerTransport(out.Token)}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dispatcher login on %s: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
