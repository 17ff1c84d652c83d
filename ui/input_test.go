package ui

import (
	"bytes"
	"cc112/cctv/onvif"
	"cc112/geo"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/auth"
	"cc112/cctv"
	"cc112/city"
	"cc112/httperr"
	"cc112/inbound"
	"cc112/internal/testjournal"
)

// sample is one valid request to a mutating route. The input tests derive
// bad requests from it: a control character in each text field, a wrong
// JSON type in each field, a missing coordinate in each location.
type sample struct {
	role    auth.Role // "" sends no token (public, or a machine secret in headers)
	path    string
	ctype   string // default application/json
	body    string
	headers []string
	// params are the text fields of a form or query sample (ctype form or
	// GET): each is mutated in turn; text is for a text/plain body.
	params []string
	ok     int    // the valid request's status
	method string // default POST
	// signed: each request (each mutation too) carries the inbound
	// webhook's signature of its own body, so that the body is what fails.
	signed bool
}

// inputFixture is a secured server with one of everything a mutating
// route needs (incidents, calls, complaints, a device, a user).
type inputFixture struct {
	*secured
	samples map[string][]sample
}

// mutating says whether a route changes state: every POST, PUT, PATCH and
// DELETE, and the trackers' GET (the OsmAnd protocol moves units with GET).
func mutating(rt route) bool {
	return rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH" || rt.Method == "DELETE" || rt.Pattern == "/osmand"
}

func newInputFixture(t *testing.T, s *secured) *inputFixture {
	t.Helper()
	s.server.complaintLimit = newRateLimiter(100_000, 100_000, 10) // the tests file many
	s.server.publicLimit = newRateLimiter(100_000, 100_000, 10)
	f := &inputFixture{secured: s}
	id := func(r resp, what string) string {
		t.Helper()
		var v struct {
			ID string `json:"id"`
		}
		r.decode(t, &v)
		if r.status >= 300 || v.ID == "" {
			t.Fatalf("fixture %s: %d %s", what, r.status, r.body)
		}
		return v.ID
	}
	incident := func() string {
		return id(s.as(auth.Dispatcher, "POST", "/api/v1/incidents", fireAtTugu), "incident")
	}
	closedIncident := func() string {
		inc := incident()
		id(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+inc+"/close", `{"disposition":"Selesai"}`), "close")
		return inc
	}
	call := func() string {
		return id(s.as(auth.CallTaker, "POST", "/api/v1/calls", `{"phone":"081234567890","name":"Budi"}`), "call")
	}
	closedComplaint := func() (number, token string) {
		var c struct {
			ID, Number, Token string
		}
		s.do("POST", "/api/v1/complaints", `{"text":"Sampah menumpuk","category":"waste","phone":"081298765432"}`).decode(t, &c)
		id(s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c.ID+"/feedback", `{"text":"Sudah diangkut"}`), "close")
		return c.Number, c.Token
	}
	ratedNumber, ratedToken := closedComplaint()
	complaint := func(forward bool) string {
		c := id(s.do("POST", "/api/v1/complaints", `{"text":"Lampu jalan mati","category":"streetlight"}`), "complaint")
		if forward {
			id(s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c+"/forward", `{"agency":"dkp"}`), "forward")
		}
		return c
	}
	var free []string // units to assign, release and take out of service, not the unit user's own
	for _, u := range s.eng.Units() {
		if u.ID != s.unitID && u.Status == cc112.UnitAvailable {
			free = append(free, u.ID)
		}
	}
	other := free[0]
	spare, err := s.eng.Unit(free[len(free)-1]) // to relocate, to a station of its agency
	if err != nil {
		t.Fatal(err)
	}
	working := incident() // with free[1] on it, to release
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+working+"/assignments", `{"unit_id":"`+free[1]+`"}`); r.status != 201 {
		t.Fatalf("fixture assign: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Admin, "POST", "/api/v1/users", `{"username":"spare","password":"pw-spare-112-x","role":"`+string(auth.CallTaker)+`"}`); r.status != 201 {
		t.Fatalf("fixture user: %d %s", r.status, r.body)
	}
	// The city: a station and an agency nothing uses (to remove), no plan
	// for animals (to add one), and the city as a pack (to diff and apply).
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/admin/agencies", `{"code":"kosong","name":"Instansi Kosong"}`},
		{"POST", "/api/v1/admin/stations", `{"id":"st-kosong","name":"Pos Kosong","agency":"kosong","location":{"lat":-7.27,"lon":112.75}}`},
		{"DELETE", "/api/v1/admin/plans/animal", ""},
	} {
		if r := s.as(auth.Admin, c.method, c.path, c.body); r.status >= 300 {
			t.Fatalf("fixture %s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	pack := packJSON(t, s.eng.City())
	var dev struct {
		Secret string `json:"secret"`
	}
	s.as(auth.Admin, "POST", "/api/v1/devices", `{"device_id":"trk-1","unit_id":"`+s.unitID+`"}`).decode(t, &dev)
	if dev.Secret == "" {
		t.Fatal("fixture device: no secret")
	}
	now := time.Now().UTC() // the server's clock: AML and OsmAnd fixes must be fresh
	sms := fmt.Sprintf(`A"ML=1;lt=-7.24580;lg=+112.73780;rd=18;top=%s;lc=68;pm=G;si=510101234567890;ei=356938035643809;mcc=510;mnc=10;`,
		now.Format("20060102150405"))
	sms = withMLength(sms)
	form := url.Values{"v": {"1"}, "device_number": {"+6281234567891"}, "location_latitude": {"-7.2458"},
		"location_longitude": {"112.7378"}, "location_accuracy": {"20"}, "location_source": {"gps"},
		"location_time": {strconv.FormatInt(now.UnixMilli(), 10)}, "location_confidence": {"68"}}.Encode()
	osm := "id=trk-1:" + dev.Secret + "&lat=-7.2601&lon=112.7501&timestamp=" + strconv.FormatInt(now.Unix(), 10) + "&speed=10&bearing=90&accuracy=5"
	importLine := `{"external_id":"H-1","category":"fire","priority":2,"location":{"lat":-7.2,"lon":112.7},"district":"Genteng","address":"Jl. Tunjungan","description":"lama","received_at":"2024-01-01T00:00:00Z","closed_at":"2024-01-01T01:00:00Z","units":[{"callsign":"PMK-1","type":"fire","agency":"damkar","dispatched_at":"2024-01-01T00:01:00Z"}]}`
	alert := func() string { // an alert to acknowledge: a P1 nobody works (the fixture's timers are a nanosecond)
		inc := incident()
		if _, _, err := s.alerts.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		page, err := s.alerts.List("open", cc112.PageRequest{Cursor: "", Limit: cc112.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Items {
			if a.IncidentID == inc && a.Kind == cc112.AlertUnassigned {
				return a.ID
			}
		}
		t.Fatalf("fixture alert: none for %s", inc)
		return ""
	}
	unit := "/api/v1/units/" + s.unitID
	aml := []string{"X-API-Key", testAMLAPIKey}
	crew := s.crewOnIncident(t, incident(), s.unitID, free[0], free[1], free[2]) // a unit user whose unit has a dispatch to acknowledge
	sub := testSubscriptionJSON(t, "https://push.example.invalid/send/abc")
	locked := func() string { // an incident whose recordings are under an evidence lock, to release
		inc := incident()
		if err := s.recordings.Lock(context.Background(), cctv.EvidenceLock{IncidentID: inc, Cameras: []string{s.eng.Cameras()[0].ID}}); err != nil {
			t.Fatal(err)
		}
		return inc
	}
	recorded := func() string { // a camera with three seconds recorded, to export
		cam := s.eng.Cameras()[1].ID
		recordClip(t, s.recorded, cam, time.Date(2026, 12, 5, 16, 59, 58, 0, time.UTC), 3)
		return cam
	}
	ptzCamera := func() string { // a PTZ camera whose ONVIF service is the test double
		d := &onvif.Double{User: "op", Password: "pw", Now: time.Now()}
		srv := httptest.NewServer(d)
		t.Cleanup(srv.Close)
		h := 90.0
		cam := cc112.Camera{ID: "ptz-input", Name: "PTZ Tugu", Location: geo.Point{Lat: -7.2458, Lon: 112.7378}, Heading: &h,
			ONVIFURL: "http://op:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/onvif/ptz_service", ONVIFProfile: "Profile_1"}
		if err := s.eng.RegisterCameras(context.Background(), []cc112.Camera{cam}); err != nil {
			t.Fatal(err)
		}
		return cam.ID
	}
	f.samples = map[string][]sample{
		"POST /api/v1/cameras/{id}/ptz": {{role: auth.Dispatcher, path: "/api/v1/cameras/" + ptzCamera() + "/ptz", body: `{"point_at":{"lat":-7.25,"lon":112.74}}`, ok: 200}},
		"POST /api/v1/incidents/{id}/evidence": {{role: auth.Police, path: "/api/v1/incidents/" + incident() + "/evidence", ok: 201,
			body: `{"camera":"` + recorded() + `","from":"2026-12-05T16:59:59Z","to":"2026-12-05T17:00:00Z","reason":"LP/B/123/XII/2026 Polsek Genteng"}`}},
		"POST /api/v1/cameras/{id}/record":             {{role: auth.Supervisor, path: "/api/v1/cameras/" + s.eng.Cameras()[0].ID + "/record", body: `{"always":true}`, ok: 200}},
		"POST /api/v1/incidents/{id}/evidence/release": {{role: auth.Supervisor, path: "/api/v1/incidents/" + locked() + "/evidence/release", body: `{"reason":"Tidak ada permintaan polisi, kasus selesai"}`, ok: 200}},
		"POST /api/v1/units/{id}/position":             {{role: auth.UnitRole, path: unit + "/position", body: `{"lat":-7.25,"lon":112.75,"heading":90,"speed":3,"accuracy":5}`, ok: 200}},
		"POST /api/v1/units/{id}/status":               {{role: auth.UnitRole, path: unit + "/status", body: `{"status":"available"}`, ok: 200}},
		"POST /api/v1/incidents": {{role: auth.CallTaker, path: "/api/v1/incidents", ok: 201,
			body: `{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378},"address":"Jl. Pahlawan","description":"Asap tebal\nlantai 2","source":"phone","caller":{"name":"Budi","phone":"081234567890","nik":"3578010101010001"}}`}},
		"POST /api/v1/incidents/{id}/assignments":          {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident() + "/assignments", body: `{"unit_id":"` + other + `"}`, ok: 201}},
		"DELETE /api/v1/incidents/{id}/assignments/{unit}": {{role: auth.Dispatcher, path: "/api/v1/incidents/" + working + "/assignments/" + free[1], body: `{"reason":"Salah kirim\nunit lain lebih dekat"}`, ok: 200, method: "DELETE"}},
		"POST /api/v1/units/{id}/service":                  {{role: auth.Dispatcher, path: "/api/v1/units/" + free[2] + "/service", body: `{"in_service":false,"reason":"Ban bocor"}`, ok: 200}},
		"POST /api/v1/units/{id}/relocate":                 {{role: auth.Dispatcher, path: "/api/v1/units/" + spare.ID + "/relocate", body: `{"post_id":"` + spare.Station + `"}`, ok: 200}},
		"POST /api/v1/incidents/{id}/close":                {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident() + "/close", body: `{"disposition":"Api padam"}`, ok: 200}},
		"PATCH /api/v1/incidents/{id}":                     {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident(), body: `{"category":"gas_leak","priority":1,"location":{"lat":-7.26,"lon":112.74},"address":"Jl. Tunjungan 5","description":"Bau gas","caller":{"name":"Budi","phone":"081234567890","nik":"3578000000000001"}}`, ok: 200, method: "PATCH"}},
		"POST /api/v1/incidents/{id}/cancel":               {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident() + "/cancel", body: `{"reason":"Laporan palsu"}`, ok: 200}},
		"POST /api/v1/incidents/{id}/reopen":               {{role: auth.Dispatcher, path: "/api/v1/incidents/" + closedIncident() + "/reopen", body: `{"reason":"Api menyala lagi"}`, ok: 200}},
		"POST /api/v1/incidents/{id}/merge":                {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident() + "/merge", body: `{"into":"` + incident() + `"}`, ok: 200}},
		"POST /api/v1/incidents/{id}/alarm":                {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident() + "/alarm", body: `{"level":2}`, ok: 200}},
		"PUT /api/v1/units/{id}/roster": {{role: auth.Supervisor, path: "/api/v1/units/" + free[2] + "/roster", ok: 200, method: "PUT",
			body: `{"shifts":[{"crew":["rina","budi"],"from":"` + now.Format(time.RFC3339) + `","to":"` + now.Add(8*time.Hour).Format(time.RFC3339) + `"}]}`}},
		"POST /api/v1/incidents/{id}/notes": {{role: auth.Dispatcher, path: "/api/v1/incidents/" + incident() + "/notes", body: `{"text":"Pemadam tiba, api membesar","internal":true}`, ok: 201}},
		"POST /api/v1/cameras": {{role: auth.Admin, path: "/api/v1/cameras", ok: 201,
			body: `{"id":"cam-test","name":"Simpang Tugu","area":"Genteng","location":{"lat":-7.2458,"lon":112.7378},"rtsp_url":"rtsp://10.0.0.9/main","sub_rtsp_url":"rtsp://10.0.0.9/sub"}`}},
		"POST /api/v1/calls":               {{role: auth.CallTaker, path: "/api/v1/calls", body: `{"phone":"081234567890","name":"Budi","channel":"phone"}`, ok: 201}},
		"POST /api/v1/calls/{id}/location": {{role: auth.CallTaker, path: "/api/v1/calls/" + call() + "/location", body: `{"lat":-7.25,"lon":112.75,"radius_m":30,"source":"address","address":"Jl. Darmo 5"}`, ok: 200}},
		"POST /api/v1/calls/{id}/close":    {{role: auth.CallTaker, path: "/api/v1/calls/" + call() + "/close", body: `{"reason":"salah sambung"}`, ok: 200}},
		"POST /api/v1/aml": {
			{path: "/api/v1/aml?from=%2B6281111111111", ctype: "text/plain", body: sms, headers: aml, params: []string{"AML message"}, ok: 202},
			{path: "/api/v1/aml", ctype: "application/x-www-form-urlencoded", body: form, headers: aml,
				params: []string{"device_number", "location_latitude", "location_longitude", "location_accuracy", "location_source", "location_time"}, ok: 202},
		},
		"POST /api/v1/incidents/{id}/calls": {{role: auth.CallTaker, path: "/api/v1/incidents/" + incident() + "/calls", body: `{"call_id":"` + call() + `"}`, ok: 200}},
		"POST /api/v1/complaints": {{path: "/api/v1/complaints", ok: 201,
			body: `{"channel":"web","name":"Siti","phone":"081298765432","text":"Lampu jalan mati\nsejak kemarin","category":"streetlight","location":{"lat":-7.26,"lon":112.74}}`}},
		"POST /api/v1/complaints/{id}/forward":  {{role: auth.Dispatcher, path: "/api/v1/complaints/" + complaint(false) + "/forward", body: `{"agency":"dkp"}`, ok: 200}},
		"POST /api/v1/complaints/{id}/respond":  {{role: auth.Agency, path: "/api/v1/complaints/" + complaint(true) + "/respond", body: `{"text":"Sudah diperbaiki"}`, ok: 200}},
		"POST /api/v1/complaints/{id}/feedback": {{role: auth.Dispatcher, path: "/api/v1/complaints/" + complaint(true) + "/feedback", body: `{"text":"Terima kasih"}`, ok: 200}},
		"POST /api/v1/inbound/sms": {{path: "/api/v1/inbound/sms", headers: aml, ok: 201,
			body: `{"from":"081234567890","text":"Jalan berlubang di Jl. Darmo","received_at":"` + now.Format(time.RFC3339) + `"}`}},
		"POST /api/v1/inbound/webhook": {{path: "/api/v1/inbound/webhook", signed: true, ok: 201,
			body: `{"source":"whatsapp","message_id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA","from":{"phone":"081234567890","email":"budi@example.id","name":"Budi"},"text":"Lampu jalan mati\ndi Jl. Darmo","category":"streetlight","location":{"lat":-7.2875,"lon":112.7377}}`}},
		"POST /api/v1/inbound/email": {{path: "/api/v1/inbound/email", signed: true, ctype: "message/rfc822", ok: 201,
			body: "From: Warga <warga@example.id>\r\nSubject: Saluran tersumbat\r\nMessage-ID: <input-test@example.id>\r\n\r\nSaluran di Jl. Kenjeran tersumbat.\r\n"}},
		"POST /api/v1/complaints/entry": {{role: auth.Dispatcher, path: "/api/v1/complaints/entry", ok: 201,
			body: `{"channel":"letter","name":"Siti","phone":"081298765432","email":"siti@example.id","text":"Surat: trotoar rusak\ndi depan pasar","category":"road","location":{"lat":-7.26,"lon":112.74}}`}},
		"POST /api/v1/complaints/{ref}/rating": {{path: "/api/v1/complaints/" + ratedNumber + "/rating", ok: 200,
			body: `{"token":"` + ratedToken + `","rating":"tidak_puas","text":"Masih menumpuk"}`}},
		"POST /api/v1/import/incidents":          {{role: auth.Admin, path: "/api/v1/import/incidents", ctype: "application/x-ndjson", body: importLine, ok: 200}},
		"POST /api/v1/alerts/{id}/ack":           {{role: auth.Dispatcher, path: "/api/v1/alerts/" + alert() + "/ack", body: `{}`, ok: 200}},
		"POST /api/v1/me/assignment/ack":         {{path: "/api/v1/me/assignment/ack", headers: []string{"Authorization", "Bearer " + crew}, ok: 200}},
		"POST /api/v1/me/push":                   {{role: auth.UnitRole, path: "/api/v1/me/push", body: sub, ok: 200}},
		"POST /api/v1/messages":                  {{role: auth.Dispatcher, path: "/api/v1/messages", body: `{"to_unit":"` + s.unitID + `","text":"Jalan Tunjungan ditutup\nlewat Embong Malang"}`, ok: 201}},
		"POST /api/v1/login":                     {{path: "/api/v1/login", body: `{"username":"police","password":"` + password(auth.Police) + `"}`, ok: 200}},
		"POST /api/v1/logout":                    {{role: auth.Police, path: "/api/v1/logout", ok: 204}},
		"POST /api/v1/users":                     {{role: auth.Admin, path: "/api/v1/users", body: `{"username":"agency2","password":"pw-agency2-112","role":"agency","agency":"pupr"}`, ok: 201}},
		"POST /api/v1/users/{username}/password": {{role: auth.Admin, path: "/api/v1/users/spare/password", body: `{"password":"pw-spare-112-y"}`, ok: 204}},
		"POST /api/v1/users/{username}/revoke":   {{role: auth.Admin, path: "/api/v1/users/spare/revoke", ok: 204}},
		"POST /api/v1/devices":                   {{role: auth.Admin, path: "/api/v1/devices", body: `{"device_id":"trk-2","unit_id":"` + s.unitID + `"}`, ok: 201}},
		"POST /api/v1/admin/units": {{role: auth.Admin, path: "/api/v1/admin/units", ok: 201,
			body: `{"callsign":"DMK-90","type":"fire","agency":"damkar","station":"st-damkar-pasarturi","capabilities":["pump","ladder"]}`}},
		"PATCH /api/v1/admin/units/{id}":     {{role: auth.Admin, path: "/api/v1/admin/units/" + free[len(free)-2], method: "PATCH", body: `{"callsign":"CS-44","capabilities":["pump"]}`, ok: 200}},
		"DELETE /api/v1/admin/units/{id}":    {{role: auth.Admin, path: "/api/v1/admin/units/" + free[len(free)-1], method: "DELETE", body: `{"reason":"Dijual lewat lelang"}`, ok: 200}},
		"POST /api/v1/admin/stations":        {{role: auth.Admin, path: "/api/v1/admin/stations", body: `{"id":"st-baru","name":"Pos Baru","agency":"damkar","location":{"lat":-7.26,"lon":112.74}}`, ok: 201}},
		"PATCH /api/v1/admin/stations/{id}":  {{role: auth.Admin, path: "/api/v1/admin/stations/st-damkar-rungkut", method: "PATCH", body: `{"name":"Pos Damkar Rungkut Baru","location":{"lat":-7.3226,"lon":112.7791}}`, ok: 200}},
		"DELETE /api/v1/admin/stations/{id}": {{role: auth.Admin, path: "/api/v1/admin/stations/st-kosong", method: "DELETE", ok: 200}},
		"POST /api/v1/admin/agencies":        {{role: auth.Admin, path: "/api/v1/admin/agencies", body: `{"code":"pmi","name":"Palang Merah Indonesia","phone":"(031) 123","complaint_team":"Humas PMI"}`, ok: 201}},
		"PATCH /api/v1/admin/agencies/{id}":  {{role: auth.Admin, path: "/api/v1/admin/agencies/pupr", method: "PATCH", body: `{"name":"Dinas PU","phone":"031-555"}`, ok: 200}},
		"DELETE /api/v1/admin/agencies/{id}": {{role: auth.Admin, path: "/api/v1/admin/agencies/kosong", method: "DELETE", ok: 200}},
		"POST /api/v1/admin/plans":           {{role: auth.Admin, path: "/api/v1/admin/plans", body: `{"category":"animal","levels":[[{"type":"fire","count":1}],[{"capability":"ladder","count":1}]]}`, ok: 201}},
		"PATCH /api/v1/admin/plans/{id}":     {{role: auth.Admin, path: "/api/v1/admin/plans/fire", method: "PATCH", body: `{"levels":[[{"type":"fire","count":2},{"type":"police","count":1}],[{"capability":"ladder","count":1}],[{"capability":"tanker","count":1}]]}`, ok: 200}},
		"DELETE /api/v1/admin/plans/{id}":    {{role: auth.Admin, path: "/api/v1/admin/plans/other", method: "DELETE", ok: 200}},
		"POST /api/v1/admin/city/diff":       {{role: auth.Admin, path: "/api/v1/admin/city/diff", body: pack, ok: 200}},
		"POST /api/v1/admin/city/apply":      {{role: auth.Admin, path: "/api/v1/admin/city/apply", body: pack, ok: 200}},
		"GET /osmand":                        {{path: "/osmand?" + osm, ctype: "-", params: []string{"id", "lat", "lon", "timestamp", "speed", "bearing", "accuracy"}, ok: 200}},
		"POST /osmand": {
			{path: "/osmand", ctype: "application/x-www-form-urlencoded", body: osm, params: []string{"id", "lat", "lon", "timestamp"}, ok: 200},
			{path: "/osmand", ok: 200, body: `{"device_id":"trk-1:` + dev.Secret + `","location":{"timestamp":"` + now.Format(time.RFC3339) + `","coords":{"latitude":-7.2605,"longitude":112.7505,"accuracy":5,"speed":3.5,"heading":10}}}`},
		},
	}
	for _, rt := range s.server.routes {
		if mutating(rt) && len(f.samples[rt.Method+" "+rt.Pattern]) == 0 {
			t.Errorf("%s %s changes state but has no sample in ui/input_test.go: add one, so that its input is tested", rt.Method, rt.Pattern)
		}
	}
	return f
}

// withMLength sets an AML SMS's ml= to its own length.
func withMLength(sms string) string {
	for n := len(sms) + 4; ; n++ {
		m := sms + "ml=" + strconv.Itoa(n)
		if utf8.RuneCountInString(m) == n {
			return m
		}
	}
}

// send makes the sample's request with body (and path) replaced.
func (f *inputFixture) send(sm sample, path, body string) resp {
	f.t.Helper()
	var headers []string
	if sm.role != "" {
		headers = append(headers, "Authorization", "Bearer "+f.tokens[sm.role])
	}
	headers = append(headers, sm.headers...)
	if sm.signed {
		ts := time.Now().Unix()
		headers = append(headers, inbound.TimestampHeader, strconv.FormatInt(ts, 10),
			inbound.SignatureHeader, inbound.Sign([]byte(testWebhookSecret), ts, []byte(body)))
	}
	method := "POST"
	switch sm.ctype {
	case "-":
		method = "GET"
	case "":
		headers = append(headers, "Content-Type", "application/json")
	default:
		headers = append(headers, "Content-Type", sm.ctype)
	}
	if sm.method != "" {
		method = sm.method
	}
	return f.do(method, path, body, headers...)
}

// each runs fn for every sample of every mutating route.
func (f *inputFixture) each(t *testing.T, fn func(t *testing.T, sm sample)) {
	for _, rt := range f.server.routes {
		if !mutating(rt) {
			continue
		}
		for i, sm := range f.samples[rt.Method+" "+rt.Pattern] {
			t.Run(fmt.Sprintf("%s %s #%d", rt.Method, rt.Pattern, i), func(t *testing.T) { fn(t, sm) })
		}
	}
}

// refused checks a 400 invalid_argument that names field and changed
// nothing (label says what was sent). An import answers 200 per file and
// refuses the line instead.
func (f *inputFixture) refused(t *testing.T, sm sample, r resp, label, field string, seq uint64) {
	t.Helper()
	msg := ""
	if sm.ctype == "application/x-ndjson" && r.status == 200 {
		var res ImportResult
		r.decode(t, &res)
		if res.Imported != 0 || res.Rejected != 1 {
			t.Errorf("%s: import took the line: %s", label, r.body)
		}
		if len(res.Errors) > 0 {
			msg = res.Errors[0].Message
		}
	} else {
		if r.status != 400 || r.errCode(t) != cc112.EInvalid {
			t.Errorf("%s: %d %s, want 400 invalid_argument", label, r.status, r.body)
			return
		}
		var e httperr.Body
		r.decode(t, &e)
		msg = e.Error.Message
	}
	if !strings.Contains(msg, field) {
		t.Errorf("%s: the message %q does not name the field %s", label, msg, field)
	}
	if ch := f.changes(t, seq); len(ch) > 0 {
		t.Errorf("%s: refused input was journaled: %v", label, ch)
	}
}

// changes lists the events journaled after seq other than the audit of
// requests (every request is audited, refused ones too).
func (f *inputFixture) changes(t *testing.T, seq uint64) []string {
	t.Helper()
	var out []string
	if err := f.journal.Replay(context.Background(), seq, func(ev cc112.Event) error {
		if ev.Type != cc112.EvAuditRecorded {
			out = append(out, ev.Type+" "+string(ev.Data))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// ok sends the sample unchanged: it must be accepted, so that every
// refusal above was the mutation's doing.
func (f *inputFixture) ok(t *testing.T, sm sample) {
	t.Helper()
	if r := f.send(sm, sm.path, sm.body); r.status != sm.ok {
		t.Errorf("the valid sample: %d %s, want %d", r.status, r.body, sm.ok)
	}
}

// A JSON path step is a key (string) or an index (int).
type jsonPath []any

func (p jsonPath) String() string {
	var b strings.Builder
	for _, s := range p {
		switch s := s.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return b.String()
}

// jsonLeaves lists the paths of every value in v (objects and arrays
// included, the root excepted), parents before children.
func jsonLeaves(v any, at jsonPath) []jsonPath {
	var out []jsonPath
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := append(slices.Clone(at), k)
			out = append(out, p)
			out = append(out, jsonLeaves(v[k], p)...)
		}
	case []any:
		for i, x := range v {
			p := append(slices.Clone(at), i)
			out = append(out, p)
			out = append(out, jsonLeaves(x, p)...)
		}
	}
	return out
}

func jsonGet(v any, p jsonPath) any {
	for _, s := range p {
		switch s := s.(type) {
		case string:
			v = v.(map[string]any)[s]
		case int:
			v = v.([]any)[s]
		}
	}
	return v
}

// jsonWith returns body with the value at p replaced by x (deleted when
// del), as JSON.
func jsonWith(t *testing.T, body string, p jsonPath, x any, del bool) string {
	t.Helper()
	v := decodeAny(t, body)
	parent := jsonGet(v, p[:len(p)-1])
	switch s := p[len(p)-1].(type) {
	case string:
		if del {
			delete(parent.(map[string]any), s)
		} else {
			parent.(map[string]any)[s] = x
		}
	case int:
		parent.([]any)[s] = x
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(b.String())
}

func decodeAny(t *testing.T, body string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("sample body %s: %v", body, err)
	}
	return v
}

// isJSON says whether a sample's body is JSON (plain or one NDJSON line).
func (sm sample) isJSON() bool {
	return sm.body != "" && (sm.ctype == "" || sm.ctype == "application/x-ndjson")
}

// spoofers are what a text field must refuse: NUL (PostgreSQL cannot
// store it), a C0 and a C1 control, the right-to-left override and an
// isolate (both reorder what a dispatcher reads), and invalid UTF-8.
var spoofers = []struct{ name, s string }{
	{"NUL", "\x00"}, {"escape", "\x1b[2J"}, {"C1", "\u0085"}, {"U+202E", "\u202e"}, {"U+2066", "\u2066"}, {"invalid UTF-8", "\xff"},
}

// runTextFields: every text field of every mutating route refuses a
// control or direction-override character with 400 naming the field, and
// nothing is journaled; afterwards the server still takes writes.
func runTextFields(t *testing.T, f *inputFixture) {
	f.each(t, func(t *testing.T, sm sample) {
		for _, sp := range spoofers {
			switch {
			case sm.isJSON():
				v := decodeAny(t, sm.body)
				for _, p := range jsonLeaves(v, nil) {
					str, ok := jsonGet(v, p).(string)
					if !ok {
						continue
					}
					body := jsonWith(t, sm.body, p, "a"+sp.s+str, false)
					if sp.name == "invalid UTF-8" {
						// json.Marshal would repair it: splice it in raw.
						body = strings.Replace(jsonWith(t, sm.body, p, "a@@"+str, false), "@@", sp.s, 1)
					}
					seq := f.eng.LastSeq()
					f.refused(t, sm, f.send(sm, sm.path, body), sp.name+" in "+p.String(), p.String(), seq)
				}
			case sm.ctype == "text/plain":
				body := strings.Replace(sm.body, "pm=G", "pm=G"+sp.s, 1)
				seq := f.eng.LastSeq()
				f.refused(t, sm, f.send(sm, sm.path, body), sp.name+" in the message", sm.params[0], seq)
			default: // a form body or a query
				raw := sm.body
				if sm.ctype == "-" {
					raw = sm.path[strings.Index(sm.path, "?")+1:]
				}
				for _, name := range sm.params {
					q, err := url.ParseQuery(raw)
					if err != nil {
						t.Fatal(err)
					}
					q.Set(name, q.Get(name)+sp.s)
					path, body := sm.path, q.Encode()
					if sm.ctype == "-" {
						path, body = sm.path[:strings.Index(sm.path, "?")+1]+body, ""
					}
					seq := f.eng.LastSeq()
					f.refused(t, sm, f.send(sm, path, body), sp.name+" in "+name, name, seq)
				}
			}
		}
		f.ok(t, sm)
	})
}

func TestTextFieldsRefuseControlCharacters(t *testing.T) {
	runTextFields(t, newInputFixture(t, newSecured(t)))
}

// goTypeNames are what a message written for API clients must not hold
// ("int" as a word: a field may be named "internal").
var goTypeNames = regexp.MustCompile(`Go |struct|main\.|ui\.|cc112|dispatch\.|callcenter\.|auth\.|geo\.|time\.Time|\b(u?int(8|16|32|64)?\b|float(32|64)|interface|map\[|\[\])`)

// TestWrongJSONTypesNameFieldsNotGoTypes posts a value of the wrong JSON
// type in every field of every JSON route: the answer is 400 and names the
// field in JSON terms, never a Go type.
func TestWrongJSONTypesNameFieldsNotGoTypes(t *testing.T) {
	f := newInputFixture(t, newSecured(t))
	f.each(t, func(t *testing.T, sm sample) {
		if !sm.isJSON() {
			return
		}
		seq := f.eng.LastSeq()
		check := func(what string, r resp) string {
			t.Helper()
			msg := string(r.body)
			if sm.ctype == "application/x-ndjson" && r.status == 200 {
				var res ImportResult
				r.decode(t, &res)
				if res.Rejected != 1 || len(res.Errors) != 1 {
					t.Errorf("%s: import took the line: %s", what, r.body)
					return ""
				}
				msg = res.Errors[0].Message
			} else if r.status != 400 {
				t.Errorf("%s: %d %s, want 400", what, r.status, r.body)
			}
			if m := goTypeNames.FindString(msg); m != "" {
				t.Errorf("%s: the message names Go (%q): %s", what, m, msg)
			}
			if ch := f.changes(t, seq); len(ch) > 0 {
				t.Errorf("%s: refused input was journaled: %v", what, ch)
			}
			return msg
		}
		v := decodeAny(t, sm.body)
		for _, p := range jsonLeaves(v, nil) {
			var wrong any = "x"
			if _, ok := jsonGet(v, p).(string); ok {
				wrong = 7
			}
			msg := check(p.String(), f.send(sm, sm.path, jsonWith(t, sm.body, p, wrong, false)))
			if !strings.Contains(msg, p.String()) {
				t.Errorf("%s: the message does not name the field: %s", p, msg)
			}
		}
		for _, body := range []string{`[]`, `"x"`, `7`, `true`} {
			check("body "+body, f.send(sm, sm.path, body))
		}
		f.ok(t, sm)
	})
}

// TestHalfGivenLocationIsRefused: every location (an object with lat and
// lon, or lat and lon beside other fields) of every JSON route needs both
// coordinates; the one left out is named, and nothing is stored. Before,
// {"lat":-7.25} was a point at longitude 0.
func TestHalfGivenLocationIsRefused(t *testing.T) {
	f := newInputFixture(t, newSecured(t))
	covered := 0
	f.each(t, func(t *testing.T, sm sample) {
		var cases []struct {
			what, path, body string
		}
		switch {
		case sm.isJSON():
			v := decodeAny(t, sm.body)
			for _, p := range jsonLeaves(v, nil) {
				if k, _ := p[len(p)-1].(string); k == "lat" || k == "lon" || k == "latitude" || k == "longitude" {
					cases = append(cases, struct{ what, path, body string }{k, sm.path, jsonWith(t, sm.body, p, nil, true)})
				}
			}
		case sm.ctype == "-" || sm.ctype == "application/x-www-form-urlencoded":
			raw := sm.body
			if sm.ctype == "-" {
				raw = sm.path[strings.Index(sm.path, "?")+1:]
			}
			for _, k := range []string{"lat", "lon", "location_latitude", "location_longitude"} {
				q, _ := url.ParseQuery(raw)
				if !q.Has(k) {
					continue
				}
				q.Del(k)
				path, body := sm.path, q.Encode()
				if sm.ctype == "-" {
					path, body = sm.path[:strings.Index(sm.path, "?")+1]+body, ""
				}
				// The AML form's messages say "latitude", "longitude".
				cases = append(cases, struct{ what, path, body string }{strings.TrimPrefix(k, "location_"), path, body})
			}
		}
		for _, c := range cases {
			covered++
			f.refused(t, sm, f.send(sm, c.path, c.body), "without "+c.what, c.what, f.eng.LastSeq())
		}
		f.ok(t, sm)
	})
	if covered < 10 {
		t.Fatalf("only %d coordinates found in the samples", covered)
	}
	// Query points (nearest cameras, duplicates) and OsmAnd's location=lat,lon.
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/cameras/nearest?lat=-7.25", "lon"},
		{"/api/v1/cameras/nearest?lon=112.7", "lat"},
		{"/api/v1/incidents/duplicates?lat=-7.25&category=fire", "lon"},
	} {
		r := f.as(auth.Dispatcher, "GET", tc.path, "")
		if r.status != 400 || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("GET %s: %d %s, want 400 naming %s", tc.path, r.status, r.body, tc.want)
		}
	}
}

// TestTextFieldsRefuseControlCharactersOnPostgres is the same walk on the
// PostgreSQL journal, which cannot store a NUL at all: before, one NUL
// made every later write fail.
func TestTextFieldsRefuseControlCharactersOnPostgres(t *testing.T) {
	j := testjournal.Postgres(t)
	s := newSecuredOn(t, j)
	runTextFields(t, newInputFixture(t, s))
	// The writer still serves.
	if err := s.eng.Ready(context.Background()); err != nil {
		t.Fatalf("not ready after the walk: %v", err)
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents", fireAtTugu); r.status != 201 {
		t.Fatalf("write after the walk: %d %s", r.status, r.body)
	}
}

// packJSON is a city as the body of POST /api/v1/admin/city/diff: its
// fleet files as city.Write writes them.
func packJSON(t *testing.T, c cc112.City) string {
	t.Helper()
	dir := t.TempDir()
	if err := city.Write(dir, c, nil); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, name := range city.FleetFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	b, err := json.Marshal(map[string]any{"files": files})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
