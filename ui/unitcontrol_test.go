package ui

import (
	"context"
	"encoding/json"
	"testing"

	"cc112"
	"cc112/auth"
)

// TestUnitControlAPI drives each unit command over HTTP as the console
// does, with each refusal: an unknown unit 404, a busy or out-of-service
// unit 409, a unit of another agency for an agency-bound desk 403, the last
// unit's release without a reason 400. A refusal journals no unit event.
func TestUnitControlAPI(t *testing.T) {
	s := newSecured(t)
	ctx := context.Background()
	if _, err := s.store.AddUser(ctx, auth.NewUser{Username: "meja-damkar", Password: "pw-meja-damkar-112", Role: auth.Dispatcher, Agency: "damkar"},
		"", "", auth.Principal{}, ""); err != nil {
		t.Fatal(err)
	}
	s.tokens["damkar-desk"] = s.login(t, "meja-damkar", "pw-meja-damkar-112")
	byType := map[cc112.UnitType][]string{}
	for _, u := range s.eng.Units() {
		if u.ID != s.unitID && u.Status == cc112.UnitAvailable {
			byType[u.Type] = append(byType[u.Type], u.ID)
		}
	}
	amb, fire, police := byType[cc112.UnitAmbulance], byType[cc112.UnitFire], byType[cc112.UnitPolice]
	newIncident := func(body string) string {
		var inc cc112.Incident
		r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents", body)
		r.decode(t, &inc)
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		return inc.ID
	}
	fireInc := newIncident(`{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`)
	medInc := newIncident(`{"category":"medical","priority":2,"location":{"lat":-7.2600,"lon":112.7500}}`)
	unitEvents := func() int {
		n := 0
		_ = s.journal.Replay(ctx, 0, func(ev cc112.Event) error {
			switch ev.Type {
			case cc112.EvUnitAssigned, cc112.EvUnitReleased, cc112.EvUnitStatus, cc112.EvUnitService:
				n++
			}
			return nil
		})
		return n
	}
	type step struct {
		name         string
		who          auth.Role
		method, path string
		body         string
		want         int
		code         string
	}
	assign := "/api/v1/incidents/" + fireInc + "/assignments"
	run := func(steps []step) {
		t.Helper()
		for _, st := range steps {
			before := unitEvents()
			r := s.as(st.who, st.method, st.path, st.body)
			if r.status != st.want {
				t.Fatalf("%s: %d %s, want %d", st.name, r.status, r.body, st.want)
			}
			if st.want >= 400 {
				if got := r.errCode(t); got != st.code {
					t.Fatalf("%s: code %q, want %q", st.name, got, st.code)
				}
				if unitEvents() != before {
					t.Fatalf("%s: refused, yet a unit event was journaled", st.name)
				}
			}
		}
	}
	run([]step{
		{"unknown unit", auth.Dispatcher, "POST", assign, `{"unit_id":"u-none"}`, 404, cc112.ENotFound},
		{"other agency's unit for the damkar desk", "damkar-desk", "POST", assign, `{"unit_id":"` + amb[0] + `"}`, 403, cc112.EForbidden},
		// Any available unit: the last ambulance of the list, which the
		// recommendations for a fire never name.
		{"any unit", auth.Dispatcher, "POST", assign, `{"unit_id":"` + amb[len(amb)-1] + `"}`, 201, ""},
		{"own agency's unit for the damkar desk", "damkar-desk", "POST", assign, `{"unit_id":"` + fire[0] + `"}`, 201, ""},
		{"busy unit", auth.Dispatcher, "POST", "/api/v1/incidents/" + medInc + "/assignments", `{"unit_id":"` + fire[0] + `"}`, 409, cc112.EConflict},
		{"release, not the last", auth.Dispatcher, "DELETE", assign + "/" + amb[len(amb)-1], ``, 200, ""},
		{"release a unit not on it", auth.Dispatcher, "DELETE", assign + "/" + police[0], `{"reason":"x"}`, 409, cc112.EConflict},
		{"release an unknown unit", auth.Dispatcher, "DELETE", assign + "/u-none", `{"reason":"x"}`, 404, cc112.ENotFound},
		{"release the last without reason", auth.Dispatcher, "DELETE", assign + "/" + fire[0], `{}`, 400, cc112.EInvalid},
		{"divert the last without reason", auth.Dispatcher, "POST", "/api/v1/incidents/" + medInc + "/assignments", `{"unit_id":"` + fire[0] + `","divert":true}`, 400, cc112.EInvalid},
		{"divert with reason", auth.Dispatcher, "POST", "/api/v1/incidents/" + medInc + "/assignments", `{"unit_id":"` + fire[0] + `","divert":true,"reason":"lebih dekat"}`, 201, ""},
		{"status on behalf", auth.Dispatcher, "POST", "/api/v1/units/" + fire[0] + "/status", `{"status":"enroute"}`, 200, ""},
		{"status on behalf, other agency", "damkar-desk", "POST", "/api/v1/units/" + police[0] + "/status", `{"status":"offduty"}`, 403, cc112.EForbidden},
		{"status of an unknown unit", auth.Dispatcher, "POST", "/api/v1/units/u-none/status", `{"status":"enroute"}`, 404, cc112.ENotFound},
		{"out of service while assigned", auth.Dispatcher, "POST", "/api/v1/units/" + fire[0] + "/service", `{"in_service":false,"reason":"mesin"}`, 409, cc112.EConflict},
		{"out of service without reason", auth.Dispatcher, "POST", "/api/v1/units/" + police[0] + "/service", `{"in_service":false}`, 400, cc112.EInvalid},
		{"service without in_service", auth.Dispatcher, "POST", "/api/v1/units/" + police[0] + "/service", `{"reason":"x"}`, 400, cc112.EInvalid},
		{"service of another agency's unit", "damkar-desk", "POST", "/api/v1/units/" + police[0] + "/service", `{"in_service":false,"reason":"x"}`, 403, cc112.EForbidden},
		{"out of service", auth.Dispatcher, "POST", "/api/v1/units/" + police[0] + "/service", `{"in_service":false,"reason":"ban bocor"}`, 200, ""},
		{"assign an out-of-service unit", auth.Dispatcher, "POST", assign, `{"unit_id":"` + police[0] + `"}`, 409, cc112.EConflict},
		{"back in service", auth.Dispatcher, "POST", "/api/v1/units/" + police[0] + "/service", `{"in_service":true}`, 200, ""},
		{"a crew's own status", auth.UnitRole, "POST", "/api/v1/units/" + s.unitID + "/status", `{"status":"offduty"}`, 200, ""},
	})

	// The fire waits for a unit again; the divert and the release are in its log.
	var inc struct {
		cc112.Incident
		Log []cc112.LogEntry `json:"log"`
	}
	s.as(auth.Dispatcher, "GET", "/api/v1/incidents/"+fireInc, "").decode(t, &inc)
	events := map[string]cc112.LogEntry{}
	for _, e := range inc.Log {
		events[e.Event] = e
	}
	if inc.Status != cc112.IncidentNew || events["diverted"].Text != "lebih dekat" || events["diverted"].By != "dispatcher" ||
		events["released"].Callsign == "" {
		t.Fatalf("fire after release and divert: %s %+v", inc.Status, inc.Log)
	}
	// The dispatcher's status is journaled as theirs, on the crew's behalf;
	// the crew's own report is not.
	var got []cc112.UnitStatusPayload
	_ = s.journal.Replay(ctx, 0, func(ev cc112.Event) error {
		if ev.Type == cc112.EvUnitStatus {
			var p cc112.UnitStatusPayload
			_ = json.Unmarshal(ev.Data, &p)
			got = append(got, p)
		}
		return nil
	})
	if len(got) != 2 || !got[0].OnBehalf || got[0].By != "dispatcher" || got[0].Role != "dispatcher" || got[1].OnBehalf || got[1].By != "" {
		t.Fatalf("unit.status events: %+v", got)
	}
	var u cc112.Unit
	s.as(auth.Dispatcher, "GET", "/api/v1/units/"+fire[0], "").decode(t, &u)
	if u.Status != cc112.UnitEnroute || u.StatusBy != "dispatcher" {
		t.Fatalf("unit after a status on behalf: %+v", u)
	}
}
