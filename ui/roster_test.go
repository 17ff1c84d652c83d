package ui

import (
	"fmt"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/dispatch"
)

// TestAlarmAPI raises an incident's alarm through the API: dispatcher and
// supervisor may, a lowering or the same level again is refused, bad input
// changes nothing.
func TestAlarmAPI(t *testing.T) {
	s := newSecured(t)
	var inc cc112.Incident
	s.as(auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":-7.26,"lon":112.75}}`).decode(t, &inc)
	path := "/api/v1/incidents/" + inc.ID + "/alarm"
	for _, c := range []struct {
		role   auth.Role
		body   string
		status int
	}{
		{auth.Dispatcher, `{"level":1}`, 400},
		{auth.Dispatcher, `{"level":"2"}`, 400},
		{auth.Dispatcher, `{"level":2,"extra":1}`, 400},
		{auth.CallTaker, `{"level":2}`, 403},
		{auth.Dispatcher, `{"level":2}`, 200},
		{auth.Dispatcher, `{"level":2}`, 409},
		{auth.Supervisor, `{"level":3}`, 200},
		{auth.Supervisor, `{"level":2}`, 409},
	} {
		if r := s.as(c.role, "POST", path, c.body); r.status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.role, c.body, r.status, r.body, c.status)
		}
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents/inc_nope/alarm", `{"level":2}`); r.status != 404 {
		t.Errorf("unknown incident: %d", r.status)
	}
	var plan dispatch.PlanAnswer
	s.as(auth.Dispatcher, "GET", "/api/v1/incidents/"+inc.ID+"/plan", "").decode(t, &plan)
	if plan.AlarmLevel != 3 || len(plan.Needs) == 0 {
		t.Errorf("plan %+v", plan)
	}
	var got cc112.Incident
	s.as(auth.Police, "GET", "/api/v1/incidents/"+inc.ID, "").decode(t, &got)
	if got.AlarmLevel != 3 {
		t.Errorf("police see alarm level %d, want 3", got.AlarmLevel)
	}
}

// TestRosterAPI sets a unit's roster as a supervisor, answers who is on it
// now and not before, and logs a crew account in bound to the unit.
func TestRosterAPI(t *testing.T) {
	s := newSecured(t)
	now := time.Now().UTC().Truncate(time.Second)
	rfc := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	path := "/api/v1/units/" + s.unitID + "/roster"
	for _, c := range []struct {
		name, body string
		status     int
	}{
		{"no shifts", `{}`, 400},
		{"to before from", `{"shifts":[{"crew":["x"],"from":"` + rfc(time.Hour) + `","to":"` + rfc(-time.Hour) + `"}]}`, 400},
		{"bad time", `{"shifts":[{"crew":["x"],"from":"yesterday","to":"` + rfc(time.Hour) + `"}]}`, 400},
		{"beyond the storable years", `{"shifts":[{"crew":["x"],"from":"2261-12-31T20:00:00Z","to":"2262-01-01T04:00:00Z"}]}`, 400},
	} {
		if r := s.as(auth.Supervisor, "PUT", path, c.body); r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
		}
	}
	body := fmt.Sprintf(`{"shifts":[{"crew":["rina","budi"],"from":%q,"to":%q}]}`, rfc(-time.Hour), rfc(time.Hour))
	if r := s.as(auth.Supervisor, "PUT", path, body); r.status != 200 {
		t.Fatalf("put roster: %d %s", r.status, r.body)
	}
	var mine struct {
		UnitID     string        `json:"unit_id"`
		Items      []cc112.Shift `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
	s.as(auth.Dispatcher, "GET", path+"?limit=1", "").decode(t, &mine)
	if mine.UnitID != s.unitID || len(mine.Items) != 1 || mine.NextCursor != "" {
		t.Fatalf("the unit's roster: %+v, want its one shift", mine)
	}
	other := cc112.PageKey{At: now, ID: "another-unit"}.Cursor()
	if r := s.as(auth.Dispatcher, "GET", path+"?cursor="+other, ""); r.status != 400 {
		t.Errorf("a cursor of another unit's roster: %d %s, want 400", r.status, r.body)
	}
	var at struct {
		Units []dispatch.OnDuty `json:"units"`
	}
	s.as(auth.Dispatcher, "GET", "/api/v1/roster?at="+rfc(30*time.Minute), "").decode(t, &at)
	if len(at.Units) != 1 || at.Units[0].UnitID != s.unitID || len(at.Units[0].Crew) != 2 {
		t.Fatalf("roster now: %+v", at.Units)
	}
	s.as(auth.Dispatcher, "GET", "/api/v1/roster?at="+rfc(-2*time.Hour), "").decode(t, &at)
	if len(at.Units) != 0 {
		t.Errorf("roster before the shift: %+v", at.Units)
	}
	// Times beyond what the journals key (cc112.CheckInstant): refused by
	// the engine and by every query parameter read as a time.
	for _, bad := range []string{"/api/v1/roster?at=kemarin", "/api/v1/roster?at=1600-01-01T00:00:00Z", path + "?from=2262-06-01",
		"/api/v1/metrics/response?from=1600-01-01"} {
		if r := s.as(auth.Supervisor, "GET", bad, ""); r.status != 400 {
			t.Errorf("GET %s: %d, want 400", bad, r.status)
		}
	}

	// rina's account has no fixed unit: she logs in for her shift.
	if r := s.as(auth.Admin, "POST", "/api/v1/users", `{"username":"rina","password":"rahasia-rina","role":"unit"}`); r.status != 201 {
		t.Fatalf("add crew account: %d %s", r.status, r.body)
	}
	tok := s.login(t, "rina", "rahasia-rina")
	var me auth.Principal
	s.do("GET", "/api/v1/me", "", "Authorization", "Bearer "+tok).decode(t, &me)
	if me.UnitID != s.unitID {
		t.Fatalf("crew bound to %q, want %s", me.UnitID, s.unitID)
	}
	if r := s.do("POST", "/api/v1/units/"+s.unitID+"/status", `{"status":"enroute"}`, "Authorization", "Bearer "+tok); r.status == 403 {
		t.Errorf("crew may not report for its shift's unit: %s", r.body)
	}
}
