package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/auth"
)

// Personal data is planted as unique markers, one per field, and looked for
// in every answer and frame each role gets (docs/security.md has the table
// this test holds the server to).
const (
	incAName, incAPhone, incANIK  = "NAMA-A-7f3a", "+6281170000011", "3578700000000011" // an incident the unit works
	incBName, incBPhone, incBNIK  = "NAMA-B-7f3a", "+6281170000022", "3578700000000022" // an incident nobody works
	callName, callPhone, callNIK  = "NAMA-C-7f3a", "+6281170000033", "3578700000000033" // a call
	cmpDName, cmpDPhone, cmpDText = "NAMA-D-7f3a", "+6281170000044", "TEKS-D-7f3a"      // a complaint forwarded to dkp
	cmpEName, cmpEPhone, cmpEText = "NAMA-E-7f3a", "+6281170000055", "TEKS-E-7f3a"      // a complaint forwarded to damkar
	// The complaints' e-mail addresses (a citizen recognised across channels).
	cmpDEmail, cmpEEmail = "email-d-7f3a@example.id", "email-e-7f3a@example.id"
	// Notes on the incident the unit works: an internal one, for the
	// command center's staff only, and one everyone who sees the incident
	// reads (its unit and the police included).
	noteInternal, notePublic = "CATATAN-INTERNAL-7f3a", "CATATAN-UMUM-7f3a"
	// The reason a dispatcher gave for moving the unit's incident outside
	// the service area: the center's own words, like an internal note.
	areaReason = "ALASAN-LUAR-7f3a"
	// Messages: the center's to the unit and the unit's to the center are
	// theirs; another unit's message reaches nobody else.
	msgToUnit, msgFromUnit, msgOther = "PESAN-KE-UNIT-7f3a", "PESAN-DARI-UNIT-7f3a", "PESAN-LAIN-7f3a"
)

var (
	incidentMarkers   = []string{incAName, incAPhone, incANIK, incBName, incBPhone, incBNIK}
	callMarkers       = []string{callName, callPhone, callNIK}
	complaintMarkers  = []string{cmpDName, cmpDPhone, cmpDText, cmpDEmail, cmpEName, cmpEPhone, cmpEText, cmpEEmail}
	noteMarkers       = []string{noteInternal, notePublic, areaReason}
	messageMarkers    = []string{msgToUnit, msgFromUnit, msgOther}
	allMarkers        = concat(incidentMarkers, callMarkers, complaintMarkers, noteMarkers, messageMarkers)
	anonymous         = auth.Role("anonymous") // no token
	markersVisibleFor = map[auth.Role][]string{
		auth.Dispatcher: allMarkers,
		auth.Supervisor: allMarkers,
		auth.CallTaker:  concat(incidentMarkers, callMarkers, noteMarkers),
		auth.UnitRole:   {incAPhone, notePublic, msgToUnit, msgFromUnit}, // its own assignment's callback number and public notes
		auth.Agency:     {cmpDName, cmpDPhone, cmpDText, cmpDEmail},
		auth.Police:     {notePublic},
		auth.Admin:      {notePublic}, // the live feed's incidents
		auth.Wall:       {notePublic}, // a wall is read by the room: the operational picture only
		anonymous:       nil,
	}
)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// callerKeys are JSON keys that name a caller or reporter. They do not
// decide anything at run time (the resources' views do); the test uses
// them to find personal data that has no marker because a new field holds
// it, in what a role that sees none gets.
var callerKeys = []string{"caller", "caller_name", "caller_phone", "caller_nik", "phone", "nik", "msisdn",
	"device_number", "reporter", "reporter_name", "reporter_phone", "contact", "imei", "imsi", "name", "text"}

// privacyScenario builds, through the API, a state that holds every kind of
// personal data and emits every live event. It returns the ids the route
// samples need.
type scenario struct {
	incA, incB, call, cmpD, cmpE, camera string
	alert                                string // acknowledged and cleared
	cmpDNumber, cmpDToken                string // public tracking
	cmpMail                              string // an e-mailed complaint with a photo
}

func (s *secured) privacyScenario(t *testing.T) scenario {
	t.Helper()
	var sc scenario
	id := func(r resp, want int, what string) string {
		t.Helper()
		var v struct {
			ID     string `json:"id"`
			Number string `json:"number"`
			Token  string `json:"token"`
		}
		if r.status != want {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
		r.decode(t, &v)
		if what == "complaint D" {
			sc.cmpDNumber, sc.cmpDToken = v.Number, v.Token
		}
		return v.ID
	}
	sc.call = id(s.as(auth.CallTaker, "POST", "/api/v1/calls",
		fmt.Sprintf(`{"phone":%q,"name":%q,"nik":%q,"channel":"phone"}`, callPhone, callName, callNIK)), 201, "call")
	incident := func(name, phone, nik string) string {
		return id(s.as(auth.CallTaker, "POST", "/api/v1/incidents", fmt.Sprintf(
			`{"category":"fire","location":{"lat":-7.2458,"lon":112.7378},"caller":{"name":%q,"phone":%q,"nik":%q}}`, name, phone, nik)), 201, "incident "+name)
	}
	sc.incA, sc.incB = incident(incAName, incAPhone, incANIK), incident(incBName, incBPhone, incBNIK)
	s.want(s.as(auth.CallTaker, "POST", "/api/v1/incidents/"+sc.incB+"/calls", `{"call_id":"`+sc.call+`"}`), 200, "link the call")
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+sc.incA+"/assignments", `{"unit_id":"`+s.unitID+`"}`), 201, "assign the unit")
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+sc.incA+"/notes", `{"text":"`+noteInternal+` pelapor panik","internal":true}`), 201, "internal note")
	s.want(s.as(auth.CallTaker, "POST", "/api/v1/incidents/"+sc.incA+"/notes", `{"text":"`+notePublic+` akses lewat gang"}`), 201, "public note")
	s.want(s.as(auth.Dispatcher, "PATCH", "/api/v1/incidents/"+sc.incA, `{"location":{"lat":-7.05,"lon":113.45},"confirm_out_of_area":"`+areaReason+` jembatan Suramadu"}`), 200, "move out of the area")
	s.want(s.as(auth.UnitRole, "POST", "/api/v1/units/"+s.unitID+"/position", `{"lat":-7.2601,"lon":112.7502}`), 200, "unit position")
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/messages", `{"to_unit":"`+s.unitID+`","text":"`+msgToUnit+`"}`), 201, "message to the unit")
	s.want(s.as(auth.UnitRole, "POST", "/api/v1/messages", `{"text":"`+msgFromUnit+`"}`), 201, "message from the unit")
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/messages", `{"to_agency":"dinkes","text":"`+msgOther+`"}`), 201, "message to an agency")
	// A unit added and retired by the admin (unit.updated, unit.retired).
	s.want(s.as(auth.Admin, "POST", "/api/v1/admin/units", `{"callsign":"SAR-99","type":"rescue","agency":"bpbd","station":"st-bpbd"}`), 201, "add a unit")
	s.want(s.as(auth.Admin, "DELETE", "/api/v1/admin/units/sar-99", `{"reason":"dijual"}`), 200, "retire a unit")
	if n, err := s.pager.CheckAcks(t.Context()); err != nil || n == 0 {
		t.Fatalf("acknowledgement alert: %d raised, %v", n, err)
	}
	complaint := func(name, phone, email, text string) string {
		return id(s.do("POST", "/api/v1/complaints", fmt.Sprintf(
			`{"name":%q,"phone":%q,"email":%q,"text":%q,"category":"road","location":{"lat":-7.25,"lon":112.75}}`, name, phone, email, text+" jalan berlubang")), 201, "complaint "+name[5:6])
	}
	sc.cmpD, sc.cmpE = complaint(cmpDName, cmpDPhone, cmpDEmail, cmpDText), complaint(cmpEName, cmpEPhone, cmpEEmail, cmpEText)
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+sc.cmpD+"/forward", `{"agency":"dkp"}`), 200, "forward D")
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+sc.cmpE+"/forward", `{"agency":"damkar"}`), 200, "forward E")
	s.want(s.as(auth.Agency, "POST", "/api/v1/complaints/"+sc.cmpD+"/respond", `{"text":"ditangani"}`), 200, "respond D")
	// Complaint D's citizen again, by e-mail with a photo, forwarded to dkp too.
	mail := "From: " + cmpDName + " <" + cmpDEmail + ">\r\nSubject: foto\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\n" + cmpDText + " foto lubang\r\n--b\r\nContent-Type: image/png\r\n" +
		"Content-Disposition: attachment; filename=lubang.png\r\n\r\nPNG-BYTES\r\n--b--\r\n"
	sc.cmpMail = id(s.do("POST", "/api/v1/inbound/email", mail, append(signed(testWebhookSecret, time.Now().Unix(), mail), "Content-Type", "message/rfc822")...), 201, "e-mailed complaint")
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+sc.cmpMail+"/forward", `{"agencies":["dkp"]}`), 200, "forward the e-mailed one")
	sc.alert = s.alertScenario(t, sc.incB)
	sc.camera = id(s.as(auth.Admin, "POST", "/api/v1/cameras", `{"id":"cam-priv","name":"Kamera Privasi","location":{"lat":-7.25,"lon":112.75},"rtsp_url":"rtsp://cam.invalid/priv"}`), 201, "camera")
	return sc
}

// alertScenario raises the alerts of the scenario's incidents (the
// fixture's timers are a nanosecond), acknowledges the one of inc, which
// nobody works, and clears it by sending a unit (not the unit user's).
func (s *secured) alertScenario(t *testing.T, inc string) string {
	t.Helper()
	if r, _, err := s.alerts.Check(context.Background()); err != nil || r == 0 {
		t.Fatalf("alert check: raised %d, %v", r, err)
	}
	page, err := s.alerts.List("open", cc112.PageRequest{Cursor: "", Limit: cc112.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, a := range page.Items {
		if a.Kind == cc112.AlertUnassigned && a.IncidentID == inc {
			id = a.ID
		}
	}
	if id == "" {
		t.Fatalf("no unassigned alert for %s in %+v", inc, page.Items)
	}
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/alerts/"+id+"/ack", ""), 200, "acknowledge the alert")
	for _, u := range s.eng.Units() {
		if u.ID != s.unitID && u.Status == cc112.UnitAvailable {
			s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+inc+"/assignments", `{"unit_id":"`+u.ID+`"}`), 201, "send a unit")
			break
		}
	}
	if _, c, err := s.alerts.Check(context.Background()); err != nil || c == 0 {
		t.Fatalf("alert check: cleared %d, %v", c, err)
	}
	return id
}

func (s *secured) want(r resp, status int, what string) {
	s.t.Helper()
	if r.status != status {
		s.t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
}

// routeSamples gives each GET route the requests that reach its handler:
// its wildcards filled and the query it needs. A route missing here that
// has wildcards, or that a role it allows cannot get a 2xx from, fails the
// test until it is given a sample.
func (s *secured) routeSamples(sc scenario) map[string][]string {
	now := time.Now().UTC() // the clock of the fixture is the wall clock; only ranges are built from it
	from, to := now.Add(-24*time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)
	return map[string][]string{
		"/api/v1/units/{id}":                      {"/api/v1/units/" + s.unitID},
		"/api/v1/units/{id}/track":                {"/api/v1/units/" + s.unitID + "/track?from=" + from + "&to=" + to},
		"/api/v1/incidents":                       {"/api/v1/incidents?status=all"},
		"/api/v1/alerts":                          {"/api/v1/alerts?state=all"},
		"/api/v1/incidents/{id}":                  {"/api/v1/incidents/" + sc.incA, "/api/v1/incidents/" + sc.incB},
		"/api/v1/incidents/{id}/recommendations":  {"/api/v1/incidents/" + sc.incB + "/recommendations", "/api/v1/incidents/" + sc.incB + "/recommendations?route=1"},
		"/api/v1/incidents/{id}/plan":             {"/api/v1/incidents/" + sc.incB + "/plan", "/api/v1/incidents/" + sc.incB + "/plan?route=1"},
		"/api/v1/units/{id}/roster":               {"/api/v1/units/" + s.unitID + "/roster", "/api/v1/units/" + s.unitID + "/roster?from=" + from},
		"/api/v1/roster":                          {"/api/v1/roster", "/api/v1/roster?at=" + to},
		"/api/v1/incidents/duplicates":            {"/api/v1/incidents/duplicates?lat=-7.2458&lon=112.7378"},
		"/api/v1/cameras/nearest":                 {"/api/v1/cameras/nearest?lat=-7.25&lon=112.75"},
		"/api/v1/geocode":                         {"/api/v1/geocode?q=darmo", "/api/v1/geocode?q=kamera+privasi&limit=3"},
		"/api/v1/cameras/{id}":                    {"/api/v1/cameras/" + sc.camera},
		"/api/v1/calls":                           {"/api/v1/calls?status=all"},
		"/api/v1/calls/{id}":                      {"/api/v1/calls/" + sc.call},
		"/api/v1/complaints/{id}/attachments/{n}": {"/api/v1/complaints/" + sc.cmpMail + "/attachments/0"},
		"/api/v1/complaints/{ref}":                {"/api/v1/complaints/" + sc.cmpD, "/api/v1/complaints/" + sc.cmpE, "/api/v1/complaints/" + sc.cmpDNumber + "?token=" + sc.cmpDToken},
		"/api/v1/complaints/report":               {"/api/v1/complaints/report?from=" + from + "&to=" + to},
		"/api/v1/metrics/response":                {"/api/v1/metrics/response?from=" + from + "&to=" + to},
		"/api/v1/metrics/incidents.csv":           {"/api/v1/metrics/incidents.csv?from=" + from + "&to=" + to},
		"/api/v1/metrics/eta":                     {"/api/v1/metrics/eta?from=" + from + "&to=" + to},
		"/api/v1/route":                           {"/api/v1/route?from=-7.2458,112.7378&to=-7.25,112.75&type=fire"},
		"/static/{version}/{path...}":             {"/static/v/js/live.js"},
		"/osmand":                                 {"/osmand?id=" + s.unitID + "&lat=-7.25&lon=112.75"},
		"/api/v1/messages":                        {"/api/v1/messages", "/api/v1/messages?unit=" + s.unitID + "&limit=2"},
		"/api/v1/live":                            nil, // a websocket: its frames are scanned below
		"/api/v1/cameras/{id}/live":               nil, // live video (binary), and the fixture runs no relay
		"/api/v1/cameras/{id}/replay":             nil, // recorded video (binary), and the fixture records nothing (TestReplay covers it)
		"/api/v1/evidence/{id}/file":              nil, // recorded video (binary), and the fixture exports nothing (TestEvidenceExport covers it)
		"/api/v1/cameras/{id}/ptz/presets":        nil, // a camera's preset tokens and names; the fixture has no ONVIF camera (TestPTZPresets covers it)
		"/api/v1/evidence/{id}/manifest":          nil, // camera, times, the exporting user and reason; the fixture exports nothing (TestEvidenceExportHonoursIdempotencyKey downloads one)
		"/api/v1/cameras/{id}/recordings":         nil, // segments' times and sizes only; the fixture records nothing (TestRecordingAPI covers it)
		"/api/v1/incidents/{id}/evidence":         nil, // camera ids and times only; the fixture runs no recorder (TestRecordingAPI covers it)
	}
}

// TestPersonalDataPerRole plants markers in every personal field and reads
// every GET route of the route table and the live feed (snapshot, every
// event, resume) as every role, a unit user and an agency user: each role
// gets exactly the markers it may see, and a role that sees none gets no
// caller keys either.
func TestPersonalDataPerRole(t *testing.T) {
	s := newSecured(t)
	roles := append(auth.Roles(), anonymous)
	feeds := map[auth.Role]*liveCapture{}
	for _, r := range roles {
		if r != anonymous {
			feeds[r] = s.dialLive(t, r, "") // before the scenario: every change comes as an event
		}
	}
	sc := s.privacyScenario(t)
	last := s.hub.Stats().Seq
	samples := s.routeSamples(sc)

	seen := map[auth.Role][]byte{} // everything each role got, for the markers it must see
	for _, rt := range s.server.routes {
		if rt.Method != "GET" {
			continue
		}
		paths, ok := samples[rt.Pattern]
		switch {
		case ok && paths == nil:
			continue
		case !ok && strings.Contains(rt.Pattern, "{") && rt.Pattern != "/{$}":
			t.Errorf("GET %s: no sample request: add one to routeSamples", rt.Pattern)
			continue
		case !ok:
			paths = []string{strings.ReplaceAll(rt.Pattern, "{$}", "")}
		}
		for _, role := range roles {
			allowed := rt.Roles.public || rt.Roles.allows(role)
			if rt.Roles.page && role != anonymous {
				allowed = rt.Roles.allows(role) // another role is sent to its own page
			}
			ok2xx := false
			for _, path := range paths {
				var r resp
				if role == anonymous {
					r = s.do("GET", path, "")
				} else {
					r = s.as(role, "GET", path, "")
				}
				ok2xx = ok2xx || r.status/100 == 2
				seen[role] = append(seen[role], r.body...)
				checkMarkers(t, fmt.Sprintf("%s GET %s", role, path), role, r.body)
			}
			if allowed && !ok2xx && !(role == anonymous && rt.Roles.machine) {
				t.Errorf("%s GET %s: no sample answers 2xx, so nothing was scanned: fix the sample", role, rt.Pattern)
			}
		}
	}

	vocabulary := map[string]bool{}
	payloads := LivePayloads()
	for _, name := range cc112.LiveEvents() {
		vocabulary[name] = true
		if payloads[name] == nil {
			t.Errorf("live event %s has no payload type in LivePayloads: a standby could not give its viewers their views", name)
		}
	}
	for role, feed := range feeds {
		events := feed.readTo(t, last)
		checkMarkers(t, string(role)+" live events", role, events)
		seen[role] = append(seen[role], events...)
		if role == auth.Dispatcher {
			for name := range vocabulary {
				if !feed.events[name] {
					t.Errorf("live event %s: the scenario never emits it; add a step for it to privacyScenario", name)
				}
			}
		}
		for name := range feed.events {
			if !vocabulary[name] && name != "hidden" {
				t.Errorf("live event %s is not in the vocabulary (cc112.LiveEvents): declare it and decide its views", name)
			}
		}
		// After the scenario: a snapshot, and a resume of every event.
		snap := s.dialLive(t, role, "")
		checkMarkers(t, string(role)+" live snapshot", role, snap.readTo(t, last))
		resumed := s.dialLive(t, role, "epoch="+s.hub.Epoch()+"&since=0")
		checkMarkers(t, string(role)+" live resume", role, resumed.readTo(t, last))
	}

	for _, role := range roles {
		for _, m := range markersVisibleFor[role] {
			if !bytes.Contains(seen[role], []byte(m)) {
				t.Errorf("%s never gets %s, which it may see", role, m)
			}
		}
	}
}

// checkMarkers fails for every marker in got that role may not see, and,
// for a role that sees no personal data, for every caller key.
func checkMarkers(t *testing.T, where string, role auth.Role, got []byte) {
	t.Helper()
	may := map[string]bool{}
	for _, m := range markersVisibleFor[role] {
		may[m] = true
	}
	for _, m := range allMarkers {
		if !may[m] && bytes.Contains(got, []byte(m)) {
			t.Errorf("%s: holds %s, which %s may not see", where, m, role)
		}
	}
	if len(may) == 0 {
		for _, k := range callerKeys {
			if k != "name" && k != "text" && bytes.Contains(got, []byte(`"`+k+`":`)) {
				t.Errorf("%s: holds the key %q", where, k)
			}
		}
	}
}

// liveCapture is one websocket of the live feed, read frame by frame. A
// goroutine reads it all the time, as a wall does: a client that stops
// reading answers no ping and the hub cuts it after PongWait (8 s), which a
// long scan of the routes under load used to reach.
type liveCapture struct {
	frames <-chan []byte
	failed <-chan error // the read's error, once frames is closed
	seq    uint64
	events map[string]bool
}

func (s *secured) dialLive(t *testing.T, role auth.Role, query string) *liveCapture {
	t.Helper()
	u := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/api/v1/live?" + query
	ws, res, err := websocket.DefaultDialer.Dial(u, http.Header{"Authorization": {"Bearer " + s.tokens[role]}})
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("%s: live feed: %v (%d)", role, err, status)
	}
	t.Cleanup(func() { _ = ws.Close() })
	frames, failed := make(chan []byte, 1<<16), make(chan error, 1)
	go func() {
		defer close(frames)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				failed <- err
				return
			}
			frames <- b
		}
	}()
	return &liveCapture{frames: frames, failed: failed, events: map[string]bool{}}
}

// readTo reads frames until seq last and returns them all; seqs must be
// consecutive (a view that hides an event still numbers it).
func (c *liveCapture) readTo(t *testing.T, last uint64) []byte {
	t.Helper()
	var all []byte
	started := false
	for !started || c.seq < last {
		var b []byte
		select {
		case f, ok := <-c.frames:
			if !ok {
				t.Fatalf("live feed at seq %d: %v", c.seq, <-c.failed)
			}
			b = f
		case <-time.After(20 * time.Second): // a hung test, not a timing check
			t.Fatalf("live feed at seq %d: no frame for 20 s", c.seq)
		}
		all = append(all, b...)
		var m struct {
			Type  string `json:"type"`
			Seq   uint64 `json:"seq"`
			Event string `json:"event"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		switch {
		case m.Type == "snapshot":
			c.seq, started = m.Seq, true
		case m.Type == "event" && m.Seq != c.seq+1:
			t.Fatalf("seq %d after %d", m.Seq, c.seq)
		case m.Type == "event":
			c.seq, started = m.Seq, true
			c.events[m.Event] = true
		}
	}
	return all
}

// TestPersonalDataTableIsComplete: every role is decided in the table of
// what it may see.
func TestPersonalDataTableIsComplete(t *testing.T) {
	var missing []string
	for _, r := range auth.Roles() {
		if _, ok := markersVisibleFor[r]; !ok {
			missing = append(missing, string(r))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("roles without a row in markersVisibleFor: %v", missing)
	}
}

// TestIncidentSearchMatchesOnlyWhatTheRoleSees: a text search matches the
// caller's phone only for roles that see callers; police, who get
// incidents without them, cannot find an incident by its caller's number
// (which would tell them whose it is).
func TestIncidentSearchMatchesOnlyWhatTheRoleSees(t *testing.T) {
	s := newSecured(t)
	sc := s.privacyScenario(t)
	for _, tt := range []struct {
		role auth.Role
		q    string
		want []string
	}{
		{auth.Dispatcher, incAPhone, []string{sc.incA}},
		{auth.CallTaker, "0" + incBPhone[3:], []string{sc.incB}}, // as dialled at home
		{auth.Supervisor, incBPhone, []string{sc.incB}},
		{auth.Police, incAPhone, nil},
		{auth.Police, "0" + incBPhone[3:], nil},
	} {
		r := s.as(tt.role, "GET", "/api/v1/incidents?status=all&q="+url.QueryEscape(tt.q), "")
		var page struct {
			Items []cc112.Incident `json:"items"`
		}
		s.want(r, 200, "search")
		r.decode(t, &page)
		var ids []string
		for _, inc := range page.Items {
			ids = append(ids, inc.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s searching %s: %v, want %v", tt.role, tt.q, ids, tt.want)
		}
	}
}
