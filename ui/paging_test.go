package ui

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/geo"
	"cc112/geocode"
)

// testSubscription is a browser's push subscription made in the test: its
// private key and auth secret stay here (a test that reads pushes decrypts
// with them).
type testSubscription struct {
	Endpoint string
	Private  *ecdh.PrivateKey
	Auth     []byte
}

func newTestSubscription(t testing.TB, endpoint string) testSubscription {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return testSubscription{Endpoint: endpoint, Private: k, Auth: auth}
}

// JSON is the subscription as PushSubscription.toJSON() gives it.
func (s testSubscription) JSON() string {
	b, _ := json.Marshal(map[string]any{"endpoint": s.Endpoint, "expirationTime": nil, "keys": map[string]string{
		"p256dh": base64.RawURLEncoding.EncodeToString(s.Private.PublicKey().Bytes()),
		"auth":   base64.RawURLEncoding.EncodeToString(s.Auth)}})
	return string(b)
}

func testSubscriptionJSON(t testing.TB, endpoint string) string {
	return newTestSubscription(t, endpoint).JSON()
}

// crewOnIncident makes a unit user for a unit other than skip, sends the
// unit to the incident and answers the user's token.
func (s *secured) crewOnIncident(t testing.TB, incident string, skip ...string) string {
	t.Helper()
	unit := ""
	for _, u := range s.eng.Units() {
		if !slices.Contains(skip, u.ID) && u.Status == cc112.UnitAvailable {
			unit = u.ID
			break
		}
	}
	user := "crew-" + strings.ToLower(strings.ReplaceAll(unit, "_", "-"))
	if r := s.as(auth.Admin, "POST", "/api/v1/users", fmt.Sprintf(`{"username":%q,"password":"pw-crew-112-x","role":"unit","unit_id":%q}`, user, unit)); r.status != 201 {
		t.Fatalf("crew user: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+incident+"/assignments", `{"unit_id":"`+unit+`"}`); r.status != 201 {
		t.Fatalf("assign the crew: %d %s", r.status, r.body)
	}
	return s.login(t, user, "pw-crew-112-x")
}

// aheadClock is the wall clock moved on: the fixture's engine runs on the
// wall clock, paging's timers see it later.
type aheadClock struct{ d time.Duration }

func (c aheadClock) Now() time.Time { return time.Now().Add(c.d) }

// TestTransportToACityHospital: the hospitals are the city's points of
// interest that are hospitals; a transporting unit names one of them (any
// other name is 400 and changes nothing), and the unit carries it.
func TestTransportToACityHospital(t *testing.T) {
	s := newSecured(t)
	soetomo := geo.Point{Lat: -7.2683, Lon: 112.7580}
	s.server.places = geocode.NewGazetteer([]geocode.Place{
		{Name: "RSUD Dr. Soetomo", Kind: geocode.POI, Location: soetomo, Hospital: true},
		{Name: "Pasar Atom", Kind: geocode.POI, Location: geo.Point{Lat: -7.24, Lon: 112.74}},
	}, nil)
	var hs []cc112.Hospital
	s.as(auth.UnitRole, "GET", "/api/v1/hospitals", "").decode(t, &hs)
	if len(hs) != 1 || hs[0].Name != "RSUD Dr. Soetomo" || hs[0].Location != soetomo {
		t.Fatalf("hospitals %+v", hs)
	}
	r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"medical","location":{"lat":-7.26,"lon":112.75}}`)
	var inc cc112.Incident
	r.decode(t, &inc)
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+inc.ID+"/assignments", `{"unit_id":"`+s.unitID+`"}`), 201, "assign")
	status := "/api/v1/units/" + s.unitID + "/status"
	s.want(s.as(auth.UnitRole, "POST", status, `{"status":"onscene"}`), 200, "on scene")
	seq := s.eng.LastSeq()
	for _, body := range []string{`{"status":"transporting","hospital":"Pasar Atom"}`, `{"status":"onscene","hospital":"RSUD Dr. Soetomo"}`} {
		if r := s.as(auth.UnitRole, "POST", status, body); r.status != 400 || r.errCode(t) != cc112.EInvalid {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	if ch := s.changesSince(t, seq); len(ch) > 0 {
		t.Fatalf("a refused hospital was journaled: %v", ch)
	}
	var u cc112.Unit
	r = s.as(auth.UnitRole, "POST", status, `{"status":"transporting","hospital":"RSUD Dr. Soetomo"}`)
	r.decode(t, &u)
	if r.status != 200 || u.Status != cc112.UnitTransporting || u.Hospital == nil || u.Hospital.Location != soetomo {
		t.Fatalf("transporting: %d %s", r.status, r.body)
	}
	if got, _ := s.eng.Unit(s.unitID); got.Hospital == nil || got.Hospital.Name != "RSUD Dr. Soetomo" {
		t.Fatalf("the unit goes to %+v", got.Hospital)
	}
}

// TestMessagesAPI: a dispatcher names exactly one addressee, a unit none;
// an incident's message reaches the units working it, an agency's its
// units; a unit reads its own messages only, newest first, a page at a
// time; bad input is refused with nothing journaled.
func TestMessagesAPI(t *testing.T) {
	s := newSecured(t)
	r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":-7.26,"lon":112.75}}`)
	var inc cc112.Incident
	r.decode(t, &inc)
	seq := s.eng.LastSeq()
	for _, tt := range []struct {
		role auth.Role
		body string
		want int
	}{
		{auth.Dispatcher, `{"text":"halo"}`, 400},
		{auth.Dispatcher, `{"to_unit":"` + s.unitID + `","to_agency":"damkar","text":"halo"}`, 400},
		{auth.Dispatcher, `{"to_unit":"nope","text":"halo"}`, 404},
		{auth.Dispatcher, `{"to_agency":"nope","text":"halo"}`, 404},
		{auth.Dispatcher, `{"to_incident":"` + inc.ID + `","text":"halo"}`, 409}, // nobody works it yet
		{auth.Dispatcher, `{"to_unit":"` + s.unitID + `","text":"   "}`, 400},
		{auth.Dispatcher, `{"to_unit":"` + s.unitID + `","canned":"need_help","text":"x"}`, 400},
		{auth.Dispatcher, `{"to_unit":"` + s.unitID + `","canned":"pizza"}`, 400},
		{auth.UnitRole, `{"to_unit":"` + s.unitID + `","text":"halo"}`, 400},
		{auth.Police, `{"to_unit":"` + s.unitID + `","text":"halo"}`, 403},
	} {
		if r := s.as(tt.role, "POST", "/api/v1/messages", tt.body); r.status != tt.want {
			t.Errorf("%s %s: %d %s, want %d", tt.role, tt.body, r.status, r.body, tt.want)
		}
	}
	if ch := s.changesSince(t, seq); len(ch) > 0 {
		t.Fatalf("refused messages were journaled: %v", ch)
	}
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+inc.ID+"/assignments", `{"unit_id":"`+s.unitID+`"}`), 201, "assign")
	var m cc112.Message
	r = s.as(auth.Dispatcher, "POST", "/api/v1/messages", `{"to_incident":"`+inc.ID+`","text":"pesan 1"}`)
	r.decode(t, &m)
	if r.status != 201 || len(m.Units) != 1 || m.Units[0] != s.unitID || m.From != "dispatcher" {
		t.Fatalf("to the incident: %d %s", r.status, r.body)
	}
	for i := 2; i <= 4; i++ {
		s.want(s.as(auth.Dispatcher, "POST", "/api/v1/messages", fmt.Sprintf(`{"to_unit":%q,"text":"pesan %d"}`, s.unitID, i)), 201, "message")
	}
	r = s.as(auth.UnitRole, "POST", "/api/v1/messages", `{"canned":"traffic_jam"}`)
	r.decode(t, &m)
	if r.status != 201 || m.FromUnit != s.unitID || m.Text != "Jalan macet" || m.ToIncident != inc.ID {
		t.Fatalf("the unit's canned message: %d %s", r.status, r.body)
	}
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/messages", `{"to_agency":"dinkes","text":"bukan untuk damkar"}`), 201, "agency")
	var texts []string
	cursor := ""
	for pages := 0; ; pages++ {
		var page struct {
			Items      []cc112.Message `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		r := s.as(auth.UnitRole, "GET", "/api/v1/messages?limit=2&cursor="+cursor, "")
		r.decode(t, &page)
		if r.status != 200 || len(page.Items) > 2 || pages > 5 {
			t.Fatalf("page: %d %s", r.status, r.body)
		}
		for _, x := range page.Items {
			texts = append(texts, x.Text)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{"Jalan macet", "pesan 4", "pesan 3", "pesan 2", "pesan 1"}; !slices.Equal(texts, want) {
		t.Fatalf("the unit's messages %q, want %q", texts, want)
	}
	for _, tt := range []struct {
		role  auth.Role
		query string
		want  int
	}{
		{auth.UnitRole, "?unit=someone-else", 403},
		{auth.UnitRole, "?cursor=x", 400},
		{auth.Dispatcher, "?limit=0", 400},
		{auth.Dispatcher, "?since=1", 400},
		{auth.Supervisor, "?unit=" + s.unitID, 200},
		{auth.Police, "", 403},
	} {
		if r := s.as(tt.role, "GET", "/api/v1/messages"+tt.query, ""); r.status != tt.want {
			t.Errorf("%s %s: %d %s, want %d", tt.role, tt.query, r.status, r.body, tt.want)
		}
	}
}
