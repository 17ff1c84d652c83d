package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/auth"
	"cc112/bolt"
	"cc112/callcenter"
	"cc112/cctv"
	"cc112/cctv/record"
	"cc112/city"
	"cc112/coverage"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/testenv"
	"cc112/kpi"
	"cc112/live"
	"cc112/paging"
	"cc112/track"
)

// secured is a server with access control on, one user per role, and its
// log captured.
type secured struct {
	calls *callcenter.Service
	*apiFixture
	server  *Server
	store   *auth.Store
	tokens  map[auth.Role]string
	unitID  string
	journal cc112.Journal
	log     *syncBuffer
	now     *settableNow
	hub     *live.Hub
	alerts  *alerts.Service
	pager   *paging.Service
	views   *cctv.Views
	// recordings and recorded: the recording state and an empty store.
	recordings *cctv.Recordings
	recorded   *record.Store
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type settableNow struct {
	mu sync.Mutex
	t  time.Time
}

func (n *settableNow) now() time.Time { n.mu.Lock(); defer n.mu.Unlock(); return n.t }
func (n *settableNow) add(d time.Duration) {
	n.mu.Lock()
	n.t = n.t.Add(d)
	n.mu.Unlock()
}

func password(r auth.Role) string { return "pw-" + string(r) + "-112" }

func newSecured(t testing.TB) *secured {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return newSecuredOn(t, j)
}

// newSecuredOn is newSecured on a given journal (closed by the caller).
func newSecuredOn(t testing.TB, j cc112.Journal) *secured {
	t.Helper()
	st := auth.New(auth.Config{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	city := city.Demo()
	ctx := context.Background()
	calls := callcenter.New(callcenter.Config{Districts: city.Districts})
	views := cctv.NewViews()
	recs := cctv.NewRecordings()
	recorded, err := record.Open(record.Config{Dir: t.TempDir(), Budget: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	idx := kpi.NewIndex(cc112.WIB)
	// Timers of a nanosecond: a check raises at once what the scenarios need.
	al := alerts.New(alerts.Config{UnassignedP1: time.Nanosecond, Unassigned: time.Nanosecond, Unacknowledged: time.Nanosecond})
	// Paging's clock runs an hour ahead: every dispatch is overdue when
	// a test checks acknowledgements.
	pager := paging.New(paging.Config{Clock: aheadClock{time.Hour}})
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Districts: city.Districts, Area: city.Districts, AreaMargin: 2000,
		OnIncident: func(inc *cc112.Incident) { idx.Put(kpi.FromIncident(inc)) }}, calls, st, views, recs, al, pager)
	if err != nil {
		t.Fatal(err)
	}
	if err := pager.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	// The city as dispatchd seeds it: one city.changed, then the cameras.
	if _, err := eng.ChangeCity(ctx, "dispatchd", dispatch.CityEdit{Agencies: city.Agencies, Stations: city.Stations,
		Units: city.Units, Plans: city.Plans}, false, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterCameras(ctx, city.Cameras); err != nil {
		t.Fatal(err)
	}
	gj, err := city.Districts.GeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	s := &secured{journal: j, store: st, calls: calls, alerts: al, pager: pager, views: views, recordings: recs, recorded: recorded,
		tokens: map[auth.Role]string{}, unitID: city.Units[0].ID, log: &syncBuffer{},
		now: &settableNow{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}}
	for _, r := range auth.Roles() {
		n := auth.NewUser{Username: string(r), Password: password(r), Role: r}
		switch r {
		case auth.UnitRole:
			n.UnitID = s.unitID
		case auth.Agency:
			n.Agency = "dkp"
		}
		if _, err := st.AddUser(ctx, n, "", "", auth.Principal{}, ""); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The live feed as dispatchd wires it.
	if s.hub, err = live.New(live.Config{Source: eng, Logger: logger, Viewer: LiveViewer, Payloads: LivePayloads(), Watch: WatchSession}); err != nil {
		t.Fatal(err)
	}
	eng.SetPublisher(s.hub)
	t.Cleanup(func() { _ = s.hub.Close(context.Background()) })
	s.server = NewServer(Config{Engine: eng, DistrictsGeoJSON: gj, Logger: logger, Auth: st, Calls: calls, Alerts: al, Paging: pager,
		MoveUps: coverage.NewAdvisor(city.Districts, city.Stations, geo.DefaultETAModel(), 300), Live: s.hub, Views: views, Metrics: idx, Tracks: track.FromJournal(j),
		Recordings: recs, Recorded: recorded,
		Settings:   Settings{AMLAPIKey: testAMLAPIKey, MetricsToken: testMetricsToken, InboundWebhookSecret: []byte(testWebhookSecret)},
		Prometheus: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("# metrics\n")) }),
		Logins:     auth.NewLoginLimiter(auth.LoginLimits{PerPair: 5, PerAddr: 12, PerUser: 10, Window: 15 * time.Minute, Cap: 100, Now: s.now.now})})
	srv := httptest.NewServer(s.server)
	t.Cleanup(srv.Close)
	s.apiFixture = &apiFixture{t: t, srv: srv, eng: eng}
	for _, r := range auth.Roles() {
		s.tokens[r] = s.login(t, string(r), password(r))
	}
	return s
}

func (s *secured) login(t testing.TB, user, pw string) string {
	t.Helper()
	r := s.do("POST", "/api/v1/login", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw))
	var out auth.Session
	r.decode(t, &out)
	if r.status != 200 || out.Token == "" {
		t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	return out.Token
}

// as makes a request with role's bearer token.
func (s *secured) as(role auth.Role, method, path, body string, headers ...string) resp {
	s.t.Helper()
	return s.do(method, path, body, append([]string{"Authorization", "Bearer " + s.tokens[role]}, headers...)...)
}

// matrixPath fills a route pattern's wildcards so that the request reaches
// the handler; unit-bound routes get the unit user's own unit.
func matrixPath(pattern, unitID string) string {
	p := strings.NewReplacer("{$}", "", "{version}", "v", "{path...}", "css/unit.css", "{username}", "nobody", "{id}", unitID, "{unit}", unitID).Replace(pattern)
	return p
}

// TestRouteRoleMatrix walks every registered route with every role and
// with no token: a route without a roles declaration fails the test; no
// token gives 401, a role outside the declaration 403, a declared role
// neither.
func TestRouteRoleMatrix(t *testing.T) {
	s := newSecured(t)
	if len(s.server.routes) < 64 {
		t.Fatalf("only %d routes registered: the merged server has more", len(s.server.routes))
	}
	for _, rt := range s.server.routes {
		name := rt.Method + " " + rt.Pattern
		t.Run(name, func(t *testing.T) {
			if !rt.Roles.declared() {
				t.Fatalf("%s declares no roles: add Roles to its line in the route table (ui/access.go has the sets)", name)
			}
			path := matrixPath(rt.Pattern, s.unitID)
			if rt.Roles.identify {
				path += "?token=x" // its public branch; the desk's is TestComplaintDeskScope's
			}
			body := ""
			if rt.Method == "POST" || rt.Method == "PATCH" || rt.Method == "PUT" {
				body = "{}"
			}
			if rt.Pattern == "/api/v1/login" {
				body = `{"username":"police","password":"` + password(auth.Police) + `"}`
			}
			r := s.do(rt.Method, path, body)
			switch {
			case rt.Roles.public || rt.Roles.machine:
				if r.status == 403 || (r.status == 401 && !rt.Roles.machine) {
					t.Errorf("no token: %d on a public route", r.status)
				}
			case r.status != 401 || r.errCode(t) != cc112.EUnauthenticated:
				t.Errorf("no token: %d %s, want 401 unauthenticated", r.status, r.body)
			}
			for _, role := range auth.Roles() {
				token := s.tokens[role]
				if rt.Pattern == "/api/v1/logout" {
					token = s.login(t, string(role), password(role)) // do not end the shared session
				}
				r := s.do(rt.Method, path, body, "Authorization", "Bearer "+token)
				allowed := rt.Roles.public || rt.Roles.allows(role)
				switch {
				case allowed && (r.status == 401 || r.status == 403):
					t.Errorf("%s: %d %s, but the route allows it", role, r.status, r.body)
				case !allowed && (r.status != 403 || r.errCode(t) != cc112.EForbidden):
					t.Errorf("%s: %d %s, want 403 forbidden", role, r.status, r.body)
				}
			}
		})
	}
}

func TestUnitReportsOnlyForItself(t *testing.T) {
	s := newSecured(t)
	other := ""
	for _, u := range s.eng.Units() {
		if u.ID != s.unitID {
			other = u.ID
			break
		}
	}
	tests := []struct {
		path string
		want int
	}{
		{"/api/v1/units/" + s.unitID + "/status", 200},
		{"/api/v1/units/" + other + "/status", 403},
		{"/api/v1/units/" + s.unitID + "/position", 200},
		{"/api/v1/units/" + other + "/position", 403},
	}
	for _, tt := range tests {
		body := `{"status":"available"}`
		if strings.HasSuffix(tt.path, "position") {
			body = `{"lat":-7.26,"lon":112.75}`
		}
		if r := s.as(auth.UnitRole, "POST", tt.path, body); r.status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.path, r.status, r.body, tt.want)
		}
	}
	if r := s.as(auth.UnitRole, "GET", "/api/v1/units/"+other, ""); r.status != 403 {
		t.Errorf("unit reads another unit: %d", r.status)
	}
}

// TestPoliceNeverSeesCallers: the same incidents, read by a dispatcher and
// by police; only the dispatcher's answers hold the caller.
func TestPoliceNeverSeesCallers(t *testing.T) {
	s := newSecured(t)
	r := s.as(auth.CallTaker, "POST", "/api/v1/incidents",
		`{"category":"fire","location":{"lat":-7.2458,"lon":112.7378},"address":"Jl. Pahlawan","caller":{"name":"Siti Aminah","phone":"081298765432","nik":"3578014409870001"}}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var inc cc112.Incident
	r.decode(t, &inc)
	secrets := []string{"Siti Aminah", "081298765432", "3578014409870001"}
	for _, path := range []string{"/api/v1/incidents?status=all", "/api/v1/incidents/" + inc.ID} {
		police := s.as(auth.Police, "GET", path, "")
		if police.status != 200 || !strings.Contains(string(police.body), inc.ID) {
			t.Fatalf("police %s: %d %s", path, police.status, police.body)
		}
		disp := s.as(auth.Dispatcher, "GET", path, "")
		for _, secret := range secrets {
			if strings.Contains(string(police.body), secret) {
				t.Errorf("police sees %q in %s: %s", secret, path, police.body)
			}
			if !strings.Contains(string(disp.body), secret) {
				t.Errorf("dispatcher misses %q in %s", secret, path)
			}
		}
	}
	if r := s.as(auth.Police, "POST", "/api/v1/incidents/"+inc.ID+"/close", `{"disposition":"x"}`); r.status != 403 {
		t.Fatalf("police closed an incident: %d", r.status)
	}
}

// TestAuditCompleteness runs a scripted session and finds every mutation in
// the audit log with its user, role, method, path and status.
func TestAuditCompleteness(t *testing.T) {
	s := newSecured(t)
	type step struct {
		role         auth.Role
		method, path string
		body         string
		want         int
	}
	r := s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"medical","location":{"lat":-7.26,"lon":112.75}}`)
	var inc cc112.Incident
	r.decode(t, &inc)
	steps := []step{
		{auth.Dispatcher, "POST", "/api/v1/incidents/" + inc.ID + "/assignments", `{"unit_id":"` + s.unitID + `"}`, 201},
		{auth.UnitRole, "POST", "/api/v1/units/" + s.unitID + "/status", `{"status":"enroute"}`, 200},
		{auth.UnitRole, "POST", "/api/v1/units/" + s.unitID + "/status", `{"status":"onscene"}`, 200},
		{auth.Police, "POST", "/api/v1/incidents/" + inc.ID + "/close", `{"disposition":"forced"}`, 403},
		{auth.Dispatcher, "POST", "/api/v1/incidents/" + inc.ID + "/close", `{"disposition":"selesai"}`, 200},
		{auth.Admin, "POST", "/api/v1/users", `{"username":"baru","password":"kata-sandi-baru","role":"police"}`, 201},
		{auth.Admin, "POST", "/api/v1/devices", `{"device_id":"gps-1","unit_id":"` + s.unitID + `"}`, 201},
		{auth.Dispatcher, "POST", "/api/v1/incidents/" + inc.ID + "/close", `{"disposition":"lagi"}`, 409},
	}
	for _, st := range steps {
		if r := s.as(st.role, st.method, st.path, st.body); r.status != st.want {
			t.Fatalf("%s %s %s: %d %s", st.role, st.method, st.path, r.status, r.body)
		}
	}
	steps = append([]step{{auth.CallTaker, "POST", "/api/v1/incidents", "", 201}}, steps...)
	_ = s.do("POST", "/api/v1/login", `{"username":"dispatcher","password":"wrong-one"}`)
	logoutToken := s.login(t, "police", password(auth.Police))
	if r := s.do("POST", "/api/v1/logout", "", "Authorization", "Bearer "+logoutToken); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}

	r = s.as(auth.Admin, "GET", "/api/v1/audit?limit=1000", "")
	var page cc112.Page[auth.Entry]
	r.decode(t, &page)
	entries := page.Items
	for _, st := range steps {
		found := false
		for _, e := range entries {
			if e.Action == auth.ActionRequest && e.User == string(st.role) && e.Role == st.role && e.Method == st.method &&
				e.Path == st.path && e.Status == st.want && e.Addr != "" && !e.At.IsZero() {
				found = true
			}
		}
		if !found {
			t.Errorf("audit misses %s %s %s → %d", st.role, st.method, st.path, st.want)
		}
	}
	count := map[string]int{}
	for _, e := range entries {
		count[e.Action+":"+e.User]++
	}
	if count["login_failed:dispatcher"] != 1 || count["logout:police"] != 1 || count["login:police"] != 2 {
		t.Errorf("logins in the audit: %v", count)
	}
	filtered := s.as(auth.Supervisor, "GET", "/api/v1/audit?user=unit&action=request", "")
	var mine cc112.Page[auth.Entry]
	filtered.decode(t, &mine)
	if len(mine.Items) != 2 {
		t.Errorf("audit?user=unit&action=request gave %d entries, want 2", len(mine.Items))
	}
	if r := s.as(auth.Admin, "GET", "/api/v1/audit?from=yesterday", ""); r.status != 400 {
		t.Errorf("bad from: %d", r.status)
	}
}

func TestLoginRateLimit(t *testing.T) {
	s := newSecured(t)
	for i := 0; i < 5; i++ {
		if r := s.do("POST", "/api/v1/login", `{"username":"dispatcher","password":"nope"}`); r.status != 401 {
			t.Fatalf("failure %d: %d", i, r.status)
		}
	}
	r := s.do("POST", "/api/v1/login", `{"username":"dispatcher","password":"`+password(auth.Dispatcher)+`"}`)
	if r.status != 429 || r.header.Get("Retry-After") != "900" {
		t.Fatalf("6th try with the right password: %d Retry-After=%q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// Other users from the same address still get in, until the address
	// itself has failed too often.
	s.login(t, "police", password(auth.Police))
	for i := 0; i < 7; i++ {
		_ = s.do("POST", "/api/v1/login", fmt.Sprintf(`{"username":"guess%d","password":"x"}`, i))
	}
	if r := s.do("POST", "/api/v1/login", `{"username":"admin","password":"`+password(auth.Admin)+`"}`); r.status != 429 {
		t.Fatalf("address over its limit: %d", r.status)
	}
	s.now.add(15 * time.Minute)
	s.login(t, "dispatcher", password(auth.Dispatcher))
}

func TestCSRFOnCookieSessions(t *testing.T) {
	s := newSecured(t)
	r := s.do("POST", "/api/v1/login", `{"username":"dispatcher","password":"`+password(auth.Dispatcher)+`"}`)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie = %+v", cookie)
	}
	c := "Cookie"
	v := sessionCookie + "=" + cookie.Value
	body := `{"category":"fire","location":{"lat":-7.2458,"lon":112.7378}}`
	tests := []struct {
		name    string
		headers []string
		want    int
	}{
		{"cookie without header", []string{c, v}, 403},
		{"cookie with header", []string{c, v, "X-Requested-With", "cc112"}, 201},
		{"cookie with header from another site", []string{c, v, "X-Requested-With", "cc112", "Origin", "https://evil.example"}, 403},
		{"bearer without header", []string{"Authorization", "Bearer " + s.tokens[auth.Dispatcher]}, 201},
		{"query token outside websockets", nil, 401},
	}
	for _, tt := range tests {
		path := "/api/v1/incidents"
		if tt.headers == nil {
			path += "?token=" + s.tokens[auth.Dispatcher]
		}
		if r := s.do("POST", path, body, tt.headers...); r.status != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.want)
		}
	}
	if r := s.do("GET", "/api/v1/me", "", c, v); r.status != 200 {
		t.Errorf("cookie GET needs no CSRF header: %d", r.status)
	}
}

// TestSecretsStayOutOfLogs logs in, uses tokens in every accepted way
// (websocket-style ?token= included) and fails logins, with the log at
// debug level: no password or token may appear in it or in the audit.
func TestSecretsStayOutOfLogs(t *testing.T) {
	s := newSecured(t)
	_ = s.do("POST", "/api/v1/login", `{"username":"dispatcher","password":"Tr0ub4dor&3-typo"}`)
	_ = s.do("POST", "/api/v1/login", `{"username":"correct horse battery","password":"x"}`)
	tok := s.tokens[auth.Dispatcher]
	_ = s.do("GET", "/api/v1/me?token="+tok, "", "Upgrade", "websocket", "Connection", "Upgrade")
	_ = s.as(auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":-7.2458,"lon":112.7378}}`)
	_ = s.do("GET", "/api/v1/nope?token="+tok, "")
	r := s.as(auth.Admin, "GET", "/api/v1/audit?limit=1000", "")
	logged := s.log.String() + string(r.body)
	if !strings.Contains(logged, "/api/v1/incidents") {
		t.Fatalf("the log captured nothing useful: %s", logged)
	}
	secrets := []string{"Tr0ub4dor", "correct horse"}
	for role, tok := range s.tokens {
		secrets = append(secrets, tok, password(role))
	}
	for _, secret := range secrets {
		if strings.Contains(logged, secret) {
			t.Errorf("log or audit holds a secret %q", secret)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newSecured(t)
	static := "/static/" + s.server.assets.version
	paths := []string{"/api/v1/me", static + "/js/unit.js"}
	for _, rt := range s.server.routes { // every page: one strict policy
		if rt.Method == "GET" && rt.Roles.public && !strings.HasPrefix(rt.Pattern, "/api/") && !strings.Contains(rt.Pattern, "{") {
			paths = append(paths, rt.Pattern)
		}
	}
	paths = append(paths, "/")
	for _, path := range paths {
		r := s.do("GET", path, "")
		h := r.header
		csp := h.Get("Content-Security-Policy")
		if csp != s.server.csp {
			t.Errorf("%s: CSP %q, want the strict policy %q", path, csp, s.server.csp)
		}
		for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'self'", "tile.openstreetmap.org"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	if r := s.do("GET", "/unit/sw.js", ""); r.status != 200 || r.header.Get("Service-Worker-Allowed") != "/unit" {
		t.Errorf("service worker: %d %v", r.status, r.header)
	}
	if r := s.do("GET", static+"/unit.webmanifest", ""); !strings.HasPrefix(r.header.Get("Content-Type"), "application/manifest+json") {
		t.Errorf("manifest type %q", r.header.Get("Content-Type"))
	}
}

func TestMeAndAssignment(t *testing.T) {
	s := newSecured(t)
	var me auth.Principal
	s.as(auth.UnitRole, "GET", "/api/v1/me", "").decode(t, &me)
	if me.Username != "unit" || me.Role != auth.UnitRole || me.UnitID != s.unitID {
		t.Fatalf("me = %+v", me)
	}
	var a struct {
		Unit     cc112.Unit      `json:"unit"`
		Incident *cc112.Incident `json:"incident"`
	}
	s.as(auth.UnitRole, "GET", "/api/v1/me/assignment", "").decode(t, &a)
	if a.Unit.ID != s.unitID || a.Incident != nil {
		t.Fatalf("idle assignment = %+v", a)
	}
	var inc cc112.Incident
	s.as(auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"medical","location":{"lat":-7.26,"lon":112.75},"description":"sesak napas"}`).decode(t, &inc)
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+inc.ID+"/assignments", `{"unit_id":"`+s.unitID+`"}`); r.status != 201 {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	s.as(auth.UnitRole, "GET", "/api/v1/me/assignment", "").decode(t, &a)
	if a.Incident == nil || a.Incident.ID != inc.ID || a.Unit.Status != cc112.UnitDispatched {
		t.Fatalf("assignment after dispatch = %+v", a)
	}
	// Logout ends the session for every later request.
	tok := s.login(t, "unit", password(auth.UnitRole))
	if r := s.do("POST", "/api/v1/logout", "", "Authorization", "Bearer "+tok); r.status != 204 {
		t.Fatalf("logout %d", r.status)
	}
	if r := s.do("GET", "/api/v1/me", "", "Authorization", "Bearer "+tok); r.status != 401 {
		t.Fatalf("after logout: %d", r.status)
	}
}

func TestOsmAnd(t *testing.T) {
	s := newSecured(t)
	var dev struct {
		Secret   string `json:"secret"`
		OsmandID string `json:"osmand_id"`
	}
	s.as(auth.Admin, "POST", "/api/v1/devices", `{"device_id":"48241179","unit_id":"`+s.unitID+`"}`).decode(t, &dev)
	if dev.Secret == "" || dev.OsmandID != "48241179:"+dev.Secret {
		t.Fatalf("device = %+v", dev)
	}
	now := time.Now().UTC()
	ts := fmt.Sprint(now.Unix())
	tests := []struct {
		name        string
		method, url string
		ctype, body string
		want        int
		lat         float64 // where the unit is afterwards (0: unchanged)
	}{
		{"query with id:secret", "GET", "/osmand?id=" + dev.OsmandID + "&lat=-7.2601&lon=112.7501&timestamp=" + ts + "&speed=10&bearing=90", "", "", 200, -7.2601},
		{"query with key", "GET", "/osmand?id=48241179&key=" + dev.Secret + "&lat=-7.2602&lon=112.7502&timestamp=" + now.Format(time.RFC3339), "", "", 200, -7.2602},
		{"form post", "POST", "/osmand", "application/x-www-form-urlencoded", "id=" + dev.OsmandID + "&lat=-7.2603&lon=112.7503&timestamp=" + fmt.Sprint(now.UnixMilli()), 200, -7.2603},
		{"location=lat,lon", "GET", "/osmand?id=" + dev.OsmandID + "&location=-7.2604,112.7504", "", "", 200, -7.2604},
		{"traccar json", "POST", "/osmand", "application/json",
			`{"location":{"timestamp":"` + now.Format(time.RFC3339Nano) + `","coords":{"latitude":-7.2605,"longitude":112.7505,"accuracy":5,"speed":3.5,"heading":-1},"is_moving":true,"battery":{"level":0.8}},"device_id":"` + dev.OsmandID + `"}`, 200, -7.2605},
		{"wrong secret", "GET", "/osmand?id=48241179:nope&lat=-7.3&lon=112.7", "", "", 401, 0},
		{"no secret", "GET", "/osmand?id=48241179&lat=-7.3&lon=112.7", "", "", 401, 0},
		{"stale fix is accepted but not shown", "GET", "/osmand?id=" + dev.OsmandID + "&lat=-7.3&lon=112.7&timestamp=" + fmt.Sprint(now.Add(-time.Hour).Unix()), "", "", 200, 0},
		{"no lat", "GET", "/osmand?id=" + dev.OsmandID + "&lon=112.7", "", "", 400, 0},
		{"bad number", "GET", "/osmand?id=" + dev.OsmandID + "&lat=abc&lon=112.7", "", "", 400, 0},
		{"outside the world", "GET", "/osmand?id=" + dev.OsmandID + "&lat=95&lon=112.7", "", "", 400, 0},
		{"bad timestamp", "GET", "/osmand?id=" + dev.OsmandID + "&lat=-7.3&lon=112.7&timestamp=soon", "", "", 400, 0},
	}
	last := -7.0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.ctype != "" {
				headers = []string{"Content-Type", tt.ctype}
			}
			req, _ := http.NewRequest(tt.method, s.srv.URL+tt.url, strings.NewReader(tt.body))
			for k := 0; k < len(headers); k += 2 {
				req.Header.Set(headers[k], headers[k+1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Fatalf("%d %s, want %d", res.StatusCode, b, tt.want)
			}
			u, _ := s.eng.Unit(s.unitID)
			if tt.lat != 0 {
				last = tt.lat
			}
			if tt.lat != 0 && u.Location.Lat != tt.lat || tt.lat == 0 && last != -7.0 && u.Location.Lat != last {
				t.Fatalf("unit at %v, want lat %v", u.Location, tt.lat)
			}
		})
	}
	u, _ := s.eng.Unit(s.unitID)
	if u.Speed == nil || *u.Speed != 3.5 {
		t.Errorf("JSON speed (m/s) = %v", u.Speed)
	}
	// A unit's own token works instead of a device secret.
	if r := s.as(auth.UnitRole, "GET", "/osmand?id=whatever&lat=-7.2606&lon=112.7506", ""); r.status != 200 {
		t.Fatalf("unit token: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Police, "GET", "/osmand?id="+dev.OsmandID+"&lat=-7.2606&lon=112.7506", ""); r.status != 403 {
		t.Fatalf("police token on /osmand: %d", r.status)
	}
}

func TestKnotsConversion(t *testing.T) {
	s := newSecured(t)
	var dev struct {
		OsmandID string `json:"osmand_id"`
	}
	s.as(auth.Admin, "POST", "/api/v1/devices", `{"device_id":"k1","unit_id":"`+s.unitID+`"}`).decode(t, &dev)
	res, err := http.Get(s.srv.URL + "/osmand?id=" + dev.OsmandID + "&lat=-7.26&lon=112.75&speed=10")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := s.eng.Unit(s.unitID)
	if u.Speed == nil || *u.Speed < 5.14 || *u.Speed > 5.15 {
		b, _ := json.Marshal(u)
		t.Fatalf("10 knots stored as %s", b)
	}
}

// The README's role table says who reads metrics as the route table
// decides it: a role's row names /api/v1/metrics exactly when metricsRead
// allows it, and Prometheus's /metrics exactly when scrape does.
func TestREADMERoleTableMatchesMetricsAccess(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[auth.Role]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		for _, r := range auth.Roles() {
			if strings.HasPrefix(line, "| `"+string(r)+"` |") {
				rows[r] = line
			}
		}
	}
	for _, r := range auth.Roles() {
		row, ok := rows[r]
		if !ok {
			t.Errorf("README's role table has no row for %s", r)
			continue
		}
		if got, want := strings.Contains(row, "/api/v1/metrics") || strings.Contains(row, "; metrics"), metricsRead.allows(r); got != want {
			t.Errorf("README says %s reads response-time metrics: %v; the route table: %v\n%s", r, got, want, row)
		}
		if got, want := strings.Contains(row, "`/metrics`"), scrape.allows(r); got != want {
			t.Errorf("README says %s scrapes /metrics: %v; the route table: %v\n%s", r, got, want, row)
		}
	}
}

// TestEveryRoleHasAHomePage: each role's home page is a page of the route
// table that lets it in (else a redirect would loop), and /api/v1/me names
// it first among the pages the role may open.
func TestEveryRoleHasAHomePage(t *testing.T) {
	s := newSecured(t)
	for _, role := range auth.Roles() {
		home, ok := homePages[role]
		if !ok {
			t.Errorf("%s has no home page", role)
			continue
		}
		r := s.as(role, "GET", home, "")
		if r.status != http.StatusOK {
			t.Errorf("%s opening its home %s: %d", role, home, r.status)
		}
		var me Me
		r = s.as(role, "GET", "/api/v1/me", "")
		r.decode(t, &me)
		if me.Home != home || len(me.Pages) == 0 || me.Pages[0] != home || me.Role != role {
			t.Errorf("%s: /api/v1/me says home %q pages %v role %s", role, me.Home, me.Pages, me.Role)
		}
	}
}

// TestPagesRedirectOtherRoles walks every page of the route table with
// every role: a role the page is for gets it, any other is sent (303) to
// its own page, a browser without a session gets the page (which logs in),
// and /api/v1/me lists exactly the pages and routes the table gives the role.
func TestPagesRedirectOtherRoles(t *testing.T) {
	s := newSecured(t)
	pages := 0
	for _, rt := range s.server.routes {
		if !rt.Roles.page {
			continue
		}
		pages++
		path := strings.TrimSuffix(rt.Pattern, "{$}")
		if r := s.do("GET", path, ""); r.status != http.StatusOK {
			t.Errorf("%s without a session: %d, want the page", path, r.status)
		}
		for _, role := range auth.Roles() {
			r := s.as(role, "GET", path, "")
			var me Me
			s.as(role, "GET", "/api/v1/me", "").decode(t, &me)
			switch {
			case rt.Roles.allows(role):
				if r.status != http.StatusOK || !slices.Contains(me.Pages, path) {
					t.Errorf("%s opening %s: %d (pages %v), want the page", role, path, r.status, me.Pages)
				}
			case r.status != http.StatusSeeOther || r.header.Get("Location") != homePages[role]:
				t.Errorf("%s opening %s: %d to %q, want 303 to %s", role, path, r.status, r.header.Get("Location"), homePages[role])
			case slices.Contains(me.Pages, path) || !slices.Contains(me.OtherPages, path):
				t.Errorf("%s: /api/v1/me lists %s among its pages %v (others %v), but it redirects it", role, path, me.Pages, me.OtherPages)
			}
		}
	}
	if pages < 8 {
		t.Fatalf("only %d pages in the route table", pages)
	}
	var police Me
	s.as(auth.Police, "GET", "/api/v1/me", "").decode(t, &police)
	if slices.Contains(police.Routes, "POST /api/v1/incidents/{id}/close") || !slices.Contains(police.Routes, "GET /api/v1/incidents") {
		t.Errorf("police may call %v", police.Routes)
	}
}
