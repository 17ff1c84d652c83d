package ui

import (
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
)

// upgradeHeaders are what a websocket client sends; any client can send them.
var upgradeHeaders = []string{"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}

// TestUpgradeHeaderChangesNothing walks the route table: on every route
// that is not a websocket route, a request with the websocket headers gets
// the same answer as without (police JSON still without callers), and a ?token=
// counts as no token. On websocket routes the query token is accepted and a
// plain request is refused in the error envelope.
func TestUpgradeHeaderChangesNothing(t *testing.T) {
	s := newSecured(t)
	r := s.as(auth.CallTaker, "POST", "/api/v1/incidents",
		`{"category":"fire","location":{"lat":-7.2458,"lon":112.7378},"caller":{"name":"Siti Aminah","phone":"081298765432","nik":"3578014409870001"}}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	secrets := []string{"Siti Aminah", "081298765432", "3578014409870001"}
	ws := 0
	for _, rt := range s.server.routes {
		name := rt.Method + " " + rt.Pattern
		if rt.Roles.websocket {
			ws++
		}
		t.Run(name, func(t *testing.T) {
			path := matrixPath(rt.Pattern, s.unitID)
			body := ""
			if rt.Method == "POST" || rt.Method == "PATCH" {
				body = "{}"
			}
			if rt.Pattern == "/api/v1/login" {
				body = `{"username":"police","password":"` + password(auth.Police) + `"}`
			}
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			for _, role := range auth.Roles() {
				token := s.tokens[role]
				if rt.Pattern == "/api/v1/logout" {
					token = s.login(t, string(role), password(role))
				}
				plain := s.do(rt.Method, path, body, "Authorization", "Bearer "+token)
				if rt.Pattern == "/api/v1/logout" {
					token = s.login(t, string(role), password(role))
				}
				upgraded := s.do(rt.Method, path, body, append([]string{"Authorization", "Bearer " + token}, upgradeHeaders...)...)
				if rt.Pattern == "/api/v1/logout" {
					token = s.login(t, string(role), password(role))
				}
				query := s.do(rt.Method, path+sep+"token="+token, body, upgradeHeaders...)
				if rt.Roles.websocket {
					if rt.Roles.allows(role) && (plain.status != 400 || plain.errCode(t) != cc112.EInvalid) {
						t.Errorf("%s: a plain request to a websocket route: %d %s, want 400 invalid_argument", role, plain.status, short(plain.body))
					}
					if query.status != upgraded.status {
						t.Errorf("%s: ?token= on a websocket upgrade: %d %s, with the bearer %d", role, query.status, short(query.body), upgraded.status)
					}
					continue
				}
				if upgraded.status != plain.status {
					t.Errorf("%s: Upgrade headers changed the answer: %d %s, without %d %s", role, upgraded.status, upgraded.body, plain.status, short(plain.body))
				}
				if !rt.Roles.public && !rt.Roles.machine && (query.status != 401 || query.errCode(t) != cc112.EUnauthenticated) {
					t.Errorf("%s: ?token= with Upgrade headers on an ordinary route: %d %s, want 401", role, query.status, short(query.body))
				}
				if role == auth.Police {
					for _, secret := range secrets {
						for _, r := range []resp{upgraded, query} {
							if strings.Contains(string(r.body), secret) {
								t.Errorf("police sees %q with Upgrade headers: %s", secret, short(r.body))
							}
						}
					}
				}
			}
		})
	}
	if ws != 3 {
		t.Errorf("%d websocket routes in the table, want 3 (the live feed, camera live video and replay)", ws)
	}
}

// short keeps failure messages readable.
func short(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
