package ui

import (
	"context"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/callcenter"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/clocktest"
)

type callAPI struct {
	*apiFixture
	calls *callcenter.Service
}

const amlTestKey = "k3y"

func newCallAPI(t *testing.T) *callAPI { t.Helper(); return newCallAPIWith(t, nil) }

// newCallAPIWith runs the engine on clock (nil: the real one).
func newCallAPIWith(t *testing.T, clock cc112.Clock) *callAPI {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	city := city.Demo()
	calls := callcenter.New(callcenter.Config{Districts: city.Districts})
	eng, err := dispatch.New(context.Background(), dispatch.Config{Journal: j, Districts: city.Districts, Area: city.Districts, AreaMargin: 2000, Clock: clock}, calls)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Config{Engine: eng, Calls: calls, Settings: Settings{AMLKey: []byte(amlTestKey), ComplaintsPerMinute: 3}}))
	t.Cleanup(srv.Close)
	return &callAPI{apiFixture: &apiFixture{t: t, srv: srv, eng: eng}, calls: calls}
}

func (a *callAPI) want(r resp, status int) resp {
	a.t.Helper()
	if r.status != status {
		a.t.Fatalf("got %d %s, want %d", r.status, r.body, status)
	}
	return r
}

// A phone's two-hour-old fix is attached, not refused, and the call as the
// API returns it says how old it was.
func TestOldAMLReachesTheCallTaker(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	a := newCallAPIWith(t, clocktest.New(now))
	var call callcenter.Call
	a.want(a.do("POST", "/api/v1/calls", `{"phone":"081234567890","channel":"phone"}`), 201).decode(t, &call)
	a.want(a.do("POST", "/api/v1/aml?from=081234567890", amlText(now.Add(-2*time.Hour)), "Content-Type", "text/plain"), 200)
	var got struct {
		Location map[string]any `json:"location"`
	}
	a.want(a.do("GET", "/api/v1/calls/"+call.ID, ""), 200).decode(t, &got)
	if got.Location["old"] != true || got.Location["age_s"] != float64(7200) || got.Location["source"] != "aml" {
		t.Fatalf("location %v", got.Location)
	}
}

func amlText(at time.Time) string {
	return callcenter.FormatAMLSMS(callcenter.AML{Version: 1, Location: tuguPoint, RadiusM: 22, Method: "gnss", At: at, Confidence: 68})
}

func TestCallWithAMLBecomesIncident(t *testing.T) {
	a := newCallAPI(t)
	var call callcenter.Call
	a.want(a.do("POST", "/api/v1/calls", `{"phone":"0812-3456-7890","name":"Budi","nik":"3578010101900001","channel":"phone"}`), 201).decode(t, &call)
	if call.Phone != "+6281234567890" || call.Status != "active" {
		t.Fatalf("call %+v", call)
	}
	a.want(a.do("POST", "/api/v1/calls", `{"phone":"12ab"}`), 400)
	a.want(a.do("POST", "/api/v1/calls", `{"phone":"081234567890","nik":"12"}`), 400)

	// AML SMS: bad ones change nothing, a good one attaches.
	now := time.Now().UTC().Truncate(time.Second)
	good := amlText(now)
	for _, bad := range []string{strings.Replace(good, "ml=", "ml=9", 1), strings.Replace(good, "pm=G", "pm=Q", 1)} {
		r := a.want(a.do("POST", "/api/v1/aml?from=081234567890", bad, "Content-Type", "text/plain"), 400)
		if r.errCode(t) != "invalid_argument" {
			t.Fatal(string(r.body))
		}
	}
	a.want(a.do("POST", "/api/v1/aml?from=081234567890", good, "Content-Type", "application/json"), 400)
	var res callcenter.AMLResult
	a.want(a.do("POST", "/api/v1/aml?from=%2B6281234567890", good, "Content-Type", "text/plain; charset=utf-8"), 200).decode(t, &res)
	if res.Status != "attached" || res.Call.ID != call.ID || res.Call.Location.RadiusM != 22 {
		t.Fatalf("aml %s", a.do("GET", "/api/v1/calls/"+call.ID, "").body)
	}
	// An AML from a number with no call yet is kept (202).
	a.want(a.do("POST", "/api/v1/aml?from=081300000000", good, "Content-Type", "text/plain"), 202)

	// The HTTPS form must be signed.
	form := "v=1&device_number=%2B6281234567890&location_latitude=-7.2459&location_longitude=112.7378&location_accuracy=9&location_source=wifi&location_time=" +
		itoa(now.UnixMilli())
	a.want(a.do("POST", "/api/v1/aml", form, "Content-Type", "application/x-www-form-urlencoded"), 401)
	a.want(a.do("POST", "/api/v1/aml", callcenter.SignAMLForm(form, []byte(amlTestKey)), "Content-Type", "application/x-www-form-urlencoded"), 200)

	// The incident takes the caller and location from the call.
	var inc cc112.Incident
	a.want(a.do("POST", "/api/v1/incidents", `{"category":"fire","priority":1,"call_id":"`+call.ID+`"}`), 201).decode(t, &inc)
	if inc.Caller == nil || inc.Caller.NIK != "3578010101900001" || inc.Location.Lat != -7.2459 || inc.Callers != 1 {
		t.Fatalf("incident %+v", inc)
	}
	a.want(a.do("POST", "/api/v1/incidents", `{"category":"fire","call_id":"`+call.ID+`"}`), 409)
	a.want(a.do("POST", "/api/v1/incidents", `{"category":"fire","call_id":"call_nope"}`), 404)

	// A second caller: the fire is suggested and the call linked to it.
	var dups []callcenter.Duplicate
	a.want(a.do("GET", "/api/v1/incidents/duplicates?lat=-7.2462&lon=112.7381&category=gas_leak", ""), 200).decode(t, &dups)
	if len(dups) != 1 || dups[0].ID != inc.ID {
		t.Fatalf("duplicates %+v", dups)
	}
	a.want(a.do("GET", "/api/v1/incidents/duplicates?lat=x&lon=1", ""), 400)
	var c2 callcenter.Call
	a.want(a.do("POST", "/api/v1/calls", `{"phone":"081300000001"}`), 201).decode(t, &c2)
	a.want(a.do("POST", "/api/v1/incidents/"+inc.ID+"/calls", `{"call_id":"`+c2.ID+`"}`), 200).decode(t, &inc)
	if inc.Callers != 2 {
		t.Fatalf("callers %d", inc.Callers)
	}
	var active cc112.Page[callcenter.Call]
	a.want(a.do("GET", "/api/v1/calls?status=active", ""), 200).decode(t, &active)
	if len(active.Items) != 0 {
		t.Fatalf("linked calls still active: %+v", active)
	}
	// A manual pin on a new call.
	var c3 callcenter.Call
	a.want(a.do("POST", "/api/v1/calls", `{"phone":"081300000002","channel":"walkin"}`), 201).decode(t, &c3)
	a.want(a.do("POST", "/api/v1/calls/"+c3.ID+"/location", `{"lat":-7.26,"lon":112.75,"source":"manual"}`), 200).decode(t, &c3)
	if c3.Location == nil || c3.Location.Source != "manual" {
		t.Fatalf("pin %+v", c3.Location)
	}
	a.want(a.do("POST", "/api/v1/calls/"+c3.ID+"/location", `{"lat":-7.26,"lon":112.75,"source":"gps"}`), 400)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var tuguPoint = geo.Point{Lat: -7.2458, Lon: 112.7378}

func TestComplaintOverHTTP(t *testing.T) {
	a := newCallAPI(t)
	var filed struct {
		ID, Number, Token string
	}
	a.want(a.do("POST", "/api/v1/complaints", `{"channel":"web","name":"Sari","phone":"081234567890","text":"Lampu jalan mati","category":"streetlight","location":{"lat":-7.2458,"lon":112.7378}}`), 201).decode(t, &filed)
	if filed.Token == "" || !strings.HasPrefix(filed.Number, "ADU-") {
		t.Fatalf("filed %+v", filed)
	}
	// The citizen sees the state, not the personal data.
	r := a.want(a.do("GET", "/api/v1/complaints/"+filed.Number+"?token="+filed.Token, ""), 200)
	if strings.Contains(string(r.body), "Sari") || strings.Contains(string(r.body), "0812") || !strings.Contains(string(r.body), `"status":"received"`) {
		t.Fatalf("public view %s", r.body)
	}
	a.want(a.do("GET", "/api/v1/complaints/"+filed.Number+"?token=nope", ""), 404)
	r = a.want(a.do("GET", "/api/v1/complaints/"+filed.ID, ""), 200)
	if strings.Contains(string(r.body), "token") || !strings.Contains(string(r.body), `"district":"Bubutan"`) {
		t.Fatalf("desk view %s", r.body)
	}
	a.want(a.do("POST", "/api/v1/complaints/"+filed.ID+"/forward", `{"agency":"pln"}`), 200)
	a.want(a.do("POST", "/api/v1/complaints/"+filed.ID+"/forward", `{"agency":"pln"}`), 409)
	a.want(a.do("POST", "/api/v1/complaints/"+filed.ID+"/respond", `{"text":"Diperbaiki malam ini"}`), 200)
	a.want(a.do("POST", "/api/v1/complaints/"+filed.ID+"/feedback", `{"text":"Lampu diperbaiki malam ini"}`), 200)
	var page cc112.Page[cc112.Complaint]
	a.want(a.do("GET", "/api/v1/complaints?agency=pln&status=closed&q=lampu&district=bubutan&from=2000-01-01", ""), 200).decode(t, &page)
	list := page.Items
	if len(list) != 1 {
		t.Fatalf("list %+v", list)
	}
	a.want(a.do("GET", "/api/v1/complaints?from=yesterday", ""), 400)
	a.want(a.do("GET", "/api/v1/complaints/report?bucket=week", ""), 200)
	// The public form's part of the catalog, from the same Go lists.
	var meta struct{ Categories, Channels, Statuses []string }
	a.want(a.do("GET", "/api/v1/complaints/meta", ""), 200).decode(t, &meta)
	if !slices.Equal(meta.Categories, cc112.ComplaintCategories) || !slices.Equal(meta.Channels, cc112.ComplaintChannels) ||
		!slices.Equal(meta.Statuses, cc112.ComplaintStatuses) {
		t.Errorf("complaints/meta: %+v", meta)
	}

	// Size limit, then the rate limit (3 a minute in this fixture).
	a.want(a.do("POST", "/api/v1/complaints", `{"text":"`+strings.Repeat("a", 4001)+`"}`), 400)
	a.want(a.do("POST", "/api/v1/complaints", `{"text":"ok"}`), 201)
	r = a.do("POST", "/api/v1/complaints", `{"text":"ok"}`)
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("rate limit: %d %v %s", r.status, r.header, r.body)
	}
}

func TestRateLimiterBoundedMemory(t *testing.T) {
	now := time.Unix(0, 0)
	l := newRateLimiter(5, 5, 100)
	l.now = func() time.Time { return now }
	for i := 0; i < 5; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 12*time.Second {
		t.Fatalf("6th: %v %v", ok, wait)
	}
	now = now.Add(12 * time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("not refilled")
	}
	for i := 0; i < 1000; i++ {
		l.allow(strings.Repeat("x", i%50) + itoa(int64(i)))
	}
	if len(l.buckets) > 100 {
		t.Fatalf("%d buckets", len(l.buckets))
	}
}
