package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cc112"
	"cc112/bolt"
	"cc112/city"
	"cc112/dispatch"
	"cc112/httperr"
)

type apiFixture struct {
	t   testing.TB
	srv *httptest.Server
	eng *dispatch.Engine
}

// newAPI starts a server on a demo city; opts may change the engine's and
// the server's configuration before they are built.
func newAPI(t testing.TB, opts ...func(*dispatch.Config, *Config)) *apiFixture {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	city := city.Demo()
	ecfg, scfg := dispatch.Config{Journal: j, Districts: city.Districts, Area: city.Districts, AreaMargin: 2000}, Config{}
	for _, o := range opts {
		o(&ecfg, &scfg)
	}
	eng, err := dispatch.New(context.Background(), ecfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(context.Background(), city.Units); err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterCameras(context.Background(), city.Cameras); err != nil {
		t.Fatal(err)
	}
	gj, err := city.Districts.GeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	scfg.Engine, scfg.DistrictsGeoJSON = eng, gj
	srv := httptest.NewServer(NewServer(scfg))
	t.Cleanup(srv.Close)
	return &apiFixture{t: t, srv: srv, eng: eng}
}

type resp struct {
	status int
	body   []byte
	header http.Header
}

func (a *apiFixture) do(method, path, body string, headers ...string) resp {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k := 0; k+1 < len(headers); k += 2 {
		req.Header.Set(headers[k], headers[k+1])
	}
	// Redirects are answers to check (a page sends another role home).
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusSwitchingProtocols {
		// A websocket: its body is the connection, which stays open.
		return resp{status: res.StatusCode, header: res.Header}
	}
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, body: b, header: res.Header}
}

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errCode checks the error envelope and returns its code.
func (r resp) errCode(t testing.TB) string {
	t.Helper()
	var e httperr.Body
	r.decode(t, &e)
	if e.Error.Message == "" {
		t.Fatalf("error without a message: %s", r.body)
	}
	return e.Error.Code
}

// reason returns the error envelope's reason ("" without one).
func (r resp) reason(t testing.TB) string {
	t.Helper()
	var e httperr.Body
	r.decode(t, &e)
	return e.Error.Reason
}

func (a *apiFixture) createIncident(body string) cc112.Incident {
	a.t.Helper()
	r := a.do("POST", "/api/v1/incidents", body)
	if r.status != http.StatusCreated {
		a.t.Fatalf("create incident: %d %s", r.status, r.body)
	}
	var inc cc112.Incident
	r.decode(a.t, &inc)
	return inc
}

func (a *apiFixture) incidentCount() int {
	a.t.Helper()
	list, err := a.eng.IncidentsInMemory("all")
	if err != nil {
		a.t.Fatal(err)
	}
	return len(list)
}

const fireAtTugu = `{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378},"address":"Jl. Pahlawan","caller":{"name":"Budi","phone":"081234567890"}}`

func TestHealthAndReady(t *testing.T) {
	a := newAPI(t)
	if r := a.do("GET", "/healthz", ""); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
	r := a.do("GET", "/readyz", "")
	var body struct {
		Status string `json:"status"`
		Seq    uint64 `json:"seq"`
	}
	r.decode(t, &body)
	if r.status != 200 || body.Status != "ready" || body.Seq == 0 {
		t.Fatalf("readyz %d %s", r.status, r.body)
	}
}

func TestCreateAndGetIncident(t *testing.T) {
	a := newAPI(t)
	inc := a.createIncident(fireAtTugu)
	if inc.ID == "" || !strings.HasPrefix(inc.Number, "SBY-") || inc.District != "Bubutan" || inc.Status != "new" {
		t.Fatalf("created %+v", inc)
	}
	if inc.Caller == nil || inc.Caller.Phone != "081234567890" {
		t.Fatalf("caller lost: %+v", inc.Caller)
	}
	r := a.do("GET", "/api/v1/incidents/"+inc.ID, "")
	var got cc112.Incident
	r.decode(t, &got)
	if r.status != 200 || got.Number != inc.Number || got.Assignments == nil {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r := a.do("GET", "/api/v1/incidents/inc_nope", ""); r.status != 404 || r.errCode(t) != "not_found" {
		t.Fatalf("unknown incident: %d %s", r.status, r.body)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	a := newAPI(t)
	big := `{"category":"fire","location":{"lat":-7.2,"lon":112.7},"description":"` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name, body, contentType string
		status                  int
	}{
		{"malformed", `{"category":`, "application/json", 400},
		{"not an object", `[1,2]`, "application/json", 400},
		{"unknown field", `{"category":"fire","location":{"lat":-7.2,"lon":112.7},"colour":"red"}`, "application/json", 400},
		{"trailing data", `{"category":"fire","location":{"lat":-7.2,"lon":112.7}} {}`, "application/json", 400},
		{"wrong type", `{"category":"fire","priority":"high","location":{"lat":-7.2,"lon":112.7}}`, "application/json", 400},
		{"empty body", ``, "application/json", 400},
		{"form content type", `category=fire`, "application/x-www-form-urlencoded", 400},
		{"unknown category", `{"category":"ufo","location":{"lat":-7.2,"lon":112.7}}`, "application/json", 400},
		{"no location", `{"category":"fire"}`, "application/json", 400},
		{"lat out of range", `{"category":"fire","location":{"lat":-700,"lon":112.7}}`, "application/json", 400},
		{"too large", big, "application/json", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", "/api/v1/incidents", tt.body, "Content-Type", tt.contentType)
			if r.status != tt.status || r.errCode(t) != "invalid_argument" {
				t.Fatalf("got %d %s, want %d invalid_argument", r.status, r.body, tt.status)
			}
			if n := a.incidentCount(); n != 0 {
				t.Fatalf("bad input created %d incidents", n)
			}
		})
	}
}

func TestIdempotencyKeyOverHTTP(t *testing.T) {
	a := newAPI(t)
	r1 := a.do("POST", "/api/v1/incidents", fireAtTugu, "Idempotency-Key", "abc-1")
	r2 := a.do("POST", "/api/v1/incidents", fireAtTugu, "Idempotency-Key", "abc-1")
	if r1.status != 201 || r2.status != 201 || !bytes.Equal(r1.body, r2.body) {
		t.Fatalf("retry answered differently:\n%d %s\n%d %s", r1.status, r1.body, r2.status, r2.body)
	}
	if n := a.incidentCount(); n != 1 {
		t.Fatalf("%d incidents after a retry", n)
	}
	r3 := a.do("POST", "/api/v1/incidents", strings.Replace(fireAtTugu, "Budi", "Ani", 1), "Idempotency-Key", "abc-1")
	if r3.status != 409 || r3.errCode(t) != "conflict" {
		t.Fatalf("key reused for another body: %d %s", r3.status, r3.body)
	}
}

func TestListIncidentsFilter(t *testing.T) {
	a := newAPI(t)
	open := a.createIncident(fireAtTugu)
	done := a.createIncident(`{"category":"medical","location":{"lat":-7.26,"lon":112.75}}`)
	if r := a.do("POST", "/api/v1/incidents/"+done.ID+"/close", `{"disposition":"handled"}`); r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{open.ID}}, {"?status=active", []string{open.ID}}, {"?status=closed", []string{done.ID}},
		{"?status=all", []string{done.ID, open.ID}}, // newest first
	} {
		var page struct {
			Items      []cc112.Incident `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		a.do("GET", "/api/v1/incidents"+tt.query, "").decode(t, &page)
		var ids []string
		for _, i := range page.Items {
			ids = append(ids, i.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tt.want, ",") || page.NextCursor == nil || *page.NextCursor != "" {
			t.Errorf("%q: got %v (next_cursor %v) want %v", tt.query, ids, page.NextCursor, tt.want)
		}
	}
	// Pages of one, the cursor passed back as given.
	var page struct {
		Items      []cc112.Incident `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	get := func(path string) {
		t.Helper()
		page.Items, page.NextCursor = nil, ""
		r := a.do("GET", path, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		r.decode(t, &page)
	}
	get("/api/v1/incidents?status=all&limit=1")
	if len(page.Items) != 1 || page.Items[0].ID != done.ID || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	get("/api/v1/incidents?status=all&limit=1&cursor=" + url.QueryEscape(page.NextCursor))
	if len(page.Items) != 1 || page.Items[0].ID != open.ID || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}
	get("/api/v1/incidents?q=0812345&from=2000-01-01&to=2100-01-01&priority=1&category=fire&status=all")
	if len(page.Items) != 1 || page.Items[0].ID != open.ID {
		t.Fatalf("search by the caller's phone with every filter: %+v", page)
	}
	// Bad filters: 400 naming the parameter.
	for query, param := range map[string]string{
		"status=bogus": "status", "priority=x": "priority", "priority=0": "priority", "limit=0": "limit",
		"limit=1001": "limit", "from=yesterday": "from", "category=volcano": "category", "cursor=abc": "cursor",
		"statuss=all": "statuss", "status=all&status=closed": "status", "from=2026-01-02&to=2026-01-01": "to",
	} {
		r := a.do("GET", "/api/v1/incidents?"+query, "")
		if r.status != 400 || !strings.Contains(string(r.body), param) {
			t.Errorf("%s: %d %s, want 400 naming %s", query, r.status, r.body, param)
		}
	}
}

func TestRecommendAssignClose(t *testing.T) {
	a := newAPI(t)
	inc := a.createIncident(fireAtTugu)
	base := "/api/v1/incidents/" + inc.ID

	for _, q := range []string{"?limit=x", "?limit=0", "?limit=1000", "?type=boat"} {
		if r := a.do("GET", base+"/recommendations"+q, ""); r.status != 400 || r.errCode(t) != "invalid_argument" {
			t.Errorf("recommendations%s: %d %s", q, r.status, r.body)
		}
	}
	if r := a.do("GET", "/api/v1/incidents/inc_nope/recommendations", ""); r.status != 404 {
		t.Errorf("recommendations of unknown incident: %d", r.status)
	}
	var recs []dispatch.Recommendation
	r := a.do("GET", base+"/recommendations?type=fire&limit=3", "")
	r.decode(t, &recs)
	if r.status != 200 || len(recs) != 3 || recs[0].Type != "fire" || recs[0].ETAS > recs[1].ETAS || recs[0].Method != "straight" {
		t.Fatalf("recommendations: %d %s", r.status, r.body)
	}
	for _, tt := range []struct{ body, code string }{
		{`{}`, "invalid_argument"},
		{`{"unit_id":"` + recs[0].UnitID + `","auto":true}`, "invalid_argument"},
		{`{"unit_id":"u-nope"}`, "not_found"},
	} {
		if r := a.do("POST", base+"/assignments", tt.body); r.errCode(t) != tt.code {
			t.Errorf("assign %s: %d %s", tt.body, r.status, r.body)
		}
	}
	r = a.do("POST", base+"/assignments", `{"unit_id":"`+recs[0].UnitID+`"}`)
	if r.status != 201 {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	if r := a.do("POST", base+"/assignments", `{"unit_id":"`+recs[0].UnitID+`"}`); r.status != 409 {
		t.Fatalf("assigning a busy unit: %d %s", r.status, r.body)
	}
	var auto dispatch.AssignResult
	r = a.do("POST", base+"/assignments", `{"auto":true}`)
	r.decode(t, &auto)
	if r.status != 201 || len(auto.Assigned) != 2 || len(auto.Incident.Assignments) != 3 {
		t.Fatalf("auto after one manual fire unit should add 1 fire + 1 police: %d %s", r.status, r.body)
	}
	if r := a.do("POST", base+"/close", `{}`); r.status != 400 {
		t.Fatalf("close without disposition: %d", r.status)
	}
	var closed cc112.Incident
	r = a.do("POST", base+"/close", `{"disposition":"Api padam"}`)
	r.decode(t, &closed)
	if r.status != 200 || closed.Status != "closed" || closed.ClosedAt == nil {
		t.Fatalf("close: %d %s", r.status, r.body)
	}
	if r := a.do("POST", base+"/close", `{"disposition":"again"}`); r.status != 409 {
		t.Fatalf("second close: %d", r.status)
	}
	// The incident as read alone carries its timeline (README, DESIGN.md):
	// its own milestones and each unit's, oldest first.
	var read struct {
		cc112.Incident
		Timeline []cc112.TimelineEntry `json:"timeline"`
	}
	a.do("GET", base, "").decode(t, &read)
	var steps []string
	for i, e := range read.Timeline {
		steps = append(steps, e.Event+"/"+e.UnitID)
		if i > 0 && e.At.Before(read.Timeline[i-1].At) {
			t.Fatalf("timeline out of order: %+v", read.Timeline)
		}
	}
	all := " " + strings.Join(steps, " ") + " "
	if len(steps) != 9 || steps[0] != "received/" || !strings.Contains(all, " dispatched/ ") || !strings.Contains(all, " closed/ ") ||
		!strings.Contains(all, " dispatched/"+recs[0].UnitID+" ") || !strings.Contains(all, " cleared/"+recs[0].UnitID+" ") {
		t.Fatalf("timeline: %v", steps)
	}
	var u cc112.Unit
	a.do("GET", "/api/v1/units/"+recs[0].UnitID, "").decode(t, &u)
	if u.Status != "available" || u.IncidentID != "" {
		t.Fatalf("unit after close: %+v", u)
	}
}

func TestUnitStatusAndPosition(t *testing.T) {
	a := newAPI(t)
	var units []cc112.Unit
	a.do("GET", "/api/v1/units", "").decode(t, &units)
	if len(units) < 60 {
		t.Fatalf("%d units", len(units))
	}
	id := units[0].ID
	for _, tt := range []struct {
		path, body string
		status     int
	}{
		{"/status", `{"status":"flying"}`, 400},
		{"/status", `{}`, 400},
		{"/status", `{"status":"enroute"}`, 409},
		{"/status", `{"status":"offduty"}`, 200},
		{"/position", `{"lat":-7.25}`, 400},
		{"/position", `{"lat":-7.25,"lon":112.74,"heading":720}`, 400},
		{"/position", `{"lat":-7.25,"lon":112.74,"heading":90,"speed":12.5,"accuracy":5}`, 200},
	} {
		if r := a.do("POST", "/api/v1/units/"+id+tt.path, tt.body); r.status != tt.status {
			t.Errorf("%s %s: %d %s, want %d", tt.path, tt.body, r.status, r.body, tt.status)
		}
	}
	var u cc112.Unit
	a.do("GET", "/api/v1/units/"+id, "").decode(t, &u)
	if u.Status != "offduty" || u.Location.Lat != -7.25 || u.Heading == nil || *u.Heading != 90 || u.PositionAt.IsZero() {
		t.Fatalf("unit after updates: %+v", u)
	}
	if r := a.do("POST", "/api/v1/units/u-nope/status", `{"status":"available"}`); r.status != 404 {
		t.Fatalf("unknown unit: %d", r.status)
	}
}

func TestCamerasAndDistricts(t *testing.T) {
	a := newAPI(t)
	if err := a.eng.RegisterCameras(context.Background(), []cc112.Camera{{ID: "cam-secret", Name: "Secret", Location: city.Demo().Cameras[0].Location, RTSPURL: "rtsp://admin:hunter2@127.0.0.1/stream"}}); err != nil {
		t.Fatal(err)
	}
	r := a.do("GET", "/api/v1/cameras", "")
	var cams []cc112.Camera
	r.decode(t, &cams)
	if len(cams) < 250 || bytes.Contains(r.body, []byte("hunter2")) || bytes.Contains(r.body, []byte("rtsp://")) {
		t.Fatalf("cameras: %d, leaks URL: %v", len(cams), bytes.Contains(r.body, []byte("rtsp")))
	}
	if r := a.do("GET", "/api/v1/cameras/cam-secret", ""); r.status != 200 || bytes.Contains(r.body, []byte("hunter2")) {
		t.Fatalf("camera: %d %s", r.status, r.body)
	}
	var near []dispatch.NearCamera
	r = a.do("GET", "/api/v1/cameras/nearest?lat=-7.2458&lon=112.7378&limit=5", "")
	r.decode(t, &near)
	if r.status != 200 || len(near) != 5 {
		t.Fatalf("nearest: %d %s", r.status, r.body)
	}
	for k := 1; k < len(near); k++ {
		if near[k].DistanceM < near[k-1].DistanceM {
			t.Fatalf("nearest not sorted: %s", r.body)
		}
	}
	for _, q := range []string{"", "?lat=-7.2", "?lat=x&lon=112", "?lat=-7.2&lon=112.7&limit=500", "?lat=-7.2&lon=112.7&status=broken"} {
		if r := a.do("GET", "/api/v1/cameras/nearest"+q, ""); r.status != 400 {
			t.Errorf("nearest%s: %d", q, r.status)
		}
	}
	// A mistyped location 650 km away (Jakarta) has no nearest camera; a
	// narrower max_m cuts the list; a max_m above the server's cap is refused.
	if r := a.do("GET", "/api/v1/cameras/nearest?lat=-6.2&lon=106.8", ""); r.status != 200 || string(bytes.TrimSpace(r.body)) != "[]" {
		t.Errorf("nearest to Jakarta: %d %s, want []", r.status, r.body)
	}
	r = a.do("GET", fmt.Sprintf("/api/v1/cameras/nearest?lat=-7.2458&lon=112.7378&limit=5&max_m=%g", near[2].DistanceM), "")
	var capped []dispatch.NearCamera
	r.decode(t, &capped)
	if len(capped) < 3 || len(capped) == 5 && near[4].DistanceM > near[2].DistanceM {
		t.Errorf("nearest within %g m: %s", near[2].DistanceM, r.body)
	}
	for _, c := range capped {
		if c.DistanceM > near[2].DistanceM {
			t.Errorf("nearest within %g m holds %s at %g m", near[2].DistanceM, c.ID, c.DistanceM)
		}
	}
	for _, q := range []string{"max_m=0", "max_m=x", "max_m=2001", "max_m=NaN"} {
		if r := a.do("GET", "/api/v1/cameras/nearest?lat=-7.2&lon=112.7&"+q, ""); r.status != 400 {
			t.Errorf("nearest?%s: %d", q, r.status)
		}
	}
	r = a.do("GET", "/api/v1/districts", "")
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	r.decode(t, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 31 {
		t.Fatalf("districts: %s with %d features", fc.Type, len(fc.Features))
	}
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	a := newAPI(t)
	for _, tt := range []struct{ method, path string }{
		{"GET", "/api/v1/nothing"}, {"DELETE", "/api/v1/units"}, {"PUT", "/api/v1/incidents"},
	} {
		r := a.do(tt.method, tt.path, "")
		if r.status != 404 || r.errCode(t) != "not_found" {
			t.Errorf("%s %s: %d %s", tt.method, tt.path, r.status, r.body)
		}
	}
}
