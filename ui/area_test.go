package ui

import (
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
)

// TestOutOfAreaAPI: Jakarta and a missing minus sign are refused with 422
// out_of_area (nothing saved) on every way in (POST, from a call, PATCH);
// a reason confirms them and the incident's log names who gave it.
func TestOutOfAreaAPI(t *testing.T) {
	s := newSecured(t)
	jakarta := `"location":{"lat":-6.2,"lon":106.8}`
	noMinus := `"location":{"lat":7.25,"lon":112.75}`
	wantOut := func(r resp) {
		t.Helper()
		if r.status != 422 || !strings.Contains(string(r.body), `"code":"out_of_area"`) || !strings.Contains(string(r.body), " km outside") {
			t.Fatalf("want 422 out_of_area with the distance: %d %s", r.status, r.body)
		}
	}
	wantOut(s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire",`+jakarta+`}`))
	wantOut(s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire",`+noMinus+`}`))
	wantOut(s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire",`+noMinus+`,"confirm_out_of_area":"  "}`))
	if r := s.as(auth.Dispatcher, "GET", "/api/v1/incidents?status=all", ""); strings.Contains(string(r.body), `"id"`) {
		t.Fatalf("a refused incident was saved: %s", r.body)
	}

	// From a call: the call stays open, unlinked.
	var call struct{ ID string }
	s.as(auth.CallTaker, "POST", "/api/v1/calls", `{"phone":"081234567890","channel":"phone"}`).decode(t, &call)
	wantOut(s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire","call_id":"`+call.ID+`",`+jakarta+`}`))
	r := s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire","call_id":"`+call.ID+`",`+jakarta+`,"confirm_out_of_area":"bantuan ke Jakarta"}`)
	if r.status != 201 {
		t.Fatalf("confirmed: %d %s", r.status, r.body)
	}
	var inc cc112.Incident
	r.decode(t, &inc)
	if o := inc.OutOfArea; o == nil || o.Reason != "bantuan ke Jakarta" || o.By != string(auth.CallTaker) || o.DistanceM < 600e3 {
		t.Fatalf("confirmation: %+v", o)
	}
	var got struct {
		Log []cc112.LogEntry `json:"log"`
	}
	s.as(auth.Dispatcher, "GET", "/api/v1/incidents/"+inc.ID, "").decode(t, &got)
	found := false
	for _, e := range got.Log {
		found = found || e.Event == "out_of_area_confirmed" && e.By == string(auth.CallTaker) && e.Text == "bantuan ke Jakarta"
	}
	if !found {
		t.Fatalf("log: %+v", got.Log)
	}

	// An edit that moves an incident out asks the same.
	s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":-7.2458,"lon":112.7378}}`).decode(t, &inc)
	wantOut(s.as(auth.Dispatcher, "PATCH", "/api/v1/incidents/"+inc.ID, `{`+noMinus+`}`))
	if r := s.as(auth.Dispatcher, "PATCH", "/api/v1/incidents/"+inc.ID, `{`+noMinus+`,"confirm_out_of_area":"kapal di selat"}`); r.status != 200 || !strings.Contains(string(r.body), "kapal di selat") {
		t.Fatalf("confirmed move: %d %s", r.status, r.body)
	}
}
