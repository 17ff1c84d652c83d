package ui

import (
	"context"
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
)

// incidentWithNotes is an incident as GET /api/v1/incidents/{id} answers.
type incidentWithNotes struct {
	cc112.Incident
	Notes []cc112.Note `json:"notes"`
}

func (s *secured) newIncident(t *testing.T) string {
	t.Helper()
	var inc cc112.Incident
	r := s.as(auth.CallTaker, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":-7.2458,"lon":112.7378}}`)
	r.decode(t, &inc)
	s.want(r, 201, "incident")
	return inc.ID
}

func TestNotesAPI(t *testing.T) {
	s := newSecured(t)
	id := s.newIncident(t)
	base := "/api/v1/incidents/" + id

	var fresh struct {
		Notes *[]cc112.Note `json:"notes"`
	}
	s.as(auth.Dispatcher, "GET", base, "").decode(t, &fresh)
	if fresh.Notes == nil || len(*fresh.Notes) != 0 {
		t.Fatalf("a new incident's notes: %v, want []", fresh.Notes)
	}

	seq := s.eng.LastSeq()
	for _, c := range []struct {
		role   auth.Role
		path   string
		body   string
		status int
		msg    string
	}{
		{auth.Dispatcher, base + "/notes", `{"text":""}`, 400, "text is required"},
		{auth.Dispatcher, base + "/notes", `{"text":"  \n "}`, 400, "text is required"},
		{auth.Dispatcher, base + "/notes", `{"text":"` + strings.Repeat("x", cc112.MaxNote+1) + `"}`, 400, "text"},
		{auth.Dispatcher, base + "/notes", `{}`, 400, "text is required"},
		{auth.Dispatcher, "/api/v1/incidents/inc_none/notes", `{"text":"x"}`, 404, "not found"},
		{auth.Police, base + "/notes", `{"text":"x"}`, 403, "police"},
		{auth.UnitRole, base + "/notes", `{"text":"x"}`, 403, "unit"},
		{auth.Supervisor, base + "/notes", `{"text":"x"}`, 403, "supervisor"},
	} {
		r := s.as(c.role, "POST", c.path, c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.msg) {
			t.Errorf("%s %s: %d %s, want %d with %q", c.role, c.body[:min(len(c.body), 30)], r.status, r.body, c.status, c.msg)
		}
	}
	if ch := len(s.changesSince(t, seq)); ch != 0 {
		t.Fatalf("refused notes journaled: %d", ch)
	}

	s.want(s.as(auth.CallTaker, "POST", base+"/notes", `{"text":"Asap hitam dari gudang"}`), 201, "call-taker note")
	var after incidentWithNotes
	r := s.as(auth.Dispatcher, "POST", base+"/notes", `{"text":"Pelapor: pemilik gudang curiga dibakar","internal":true}`)
	r.decode(t, &after)
	s.want(r, 201, "dispatcher note")
	if len(after.Notes) != 2 || after.Notes[0].Author != "calltaker" || after.Notes[0].Role != string(auth.CallTaker) ||
		after.Notes[1].Author != "dispatcher" || !after.Notes[1].Internal || after.Notes[1].At.IsZero() {
		t.Fatalf("notes: %+v", after.Notes)
	}

	var police incidentWithNotes
	s.as(auth.Police, "GET", base, "").decode(t, &police)
	if len(police.Notes) != 1 || police.Notes[0].Text != "Asap hitam dari gudang" {
		t.Fatalf("police read notes %+v, want the public one only", police.Notes)
	}

	s.want(s.as(auth.Dispatcher, "POST", base+"/close", `{"disposition":"padam"}`), 200, "close")
	seq = s.eng.LastSeq()
	if r := s.as(auth.Dispatcher, "POST", base+"/notes", `{"text":"late"}`); r.status != 409 || !strings.Contains(string(r.body), "closed") {
		t.Fatalf("note on a closed incident: %d %s", r.status, r.body)
	}
	if ch := len(s.changesSince(t, seq)); ch != 0 {
		t.Fatalf("refused note journaled")
	}
}

// changesSince lists the events after seq other than audit entries: what a
// refused request must not have journaled.
func (s *secured) changesSince(t *testing.T, seq uint64) []string {
	t.Helper()
	var out []string
	if err := s.journal.Replay(context.Background(), seq, func(ev cc112.Event) error {
		if ev.Type != cc112.EvAuditRecorded {
			out = append(out, ev.Type)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCancelAndReopenAPI(t *testing.T) {
	s := newSecured(t)
	id := s.newIncident(t)
	base := "/api/v1/incidents/" + id
	s.want(s.as(auth.Dispatcher, "POST", base+"/assignments", `{"unit_id":"`+s.unitID+`"}`), 201, "assign")
	s.want(s.as(auth.Dispatcher, "POST", base+"/notes", `{"text":"RAHASIA-7f3a","internal":true}`), 201, "internal note")

	seq := s.eng.LastSeq()
	for _, c := range []struct {
		role       auth.Role
		path, body string
		status     int
		msg        string
	}{
		{auth.Dispatcher, base + "/cancel", `{}`, 400, "reason is required"},
		{auth.Dispatcher, base + "/cancel", `{"reason":"   "}`, 400, "reason is required"},
		{auth.Dispatcher, base + "/reopen", `{"reason":"x"}`, 409, "not closed"},
		{auth.Dispatcher, "/api/v1/incidents/inc_none/cancel", `{"reason":"x"}`, 404, "not found"},
		{auth.CallTaker, base + "/cancel", `{"reason":"x"}`, 403, "calltaker"},
		{auth.Police, base + "/cancel", `{"reason":"x"}`, 403, "police"},
		{auth.Supervisor, base + "/reopen", `{"reason":"x"}`, 403, "supervisor"},
	} {
		r := s.as(c.role, "POST", c.path, c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.msg) {
			t.Errorf("%s %s %s: %d %s, want %d with %q", c.role, c.path, c.body, r.status, r.body, c.status, c.msg)
		}
	}
	if ch := s.changesSince(t, seq); len(ch) != 0 {
		t.Fatalf("refused commands journaled %v", ch)
	}

	var inc cc112.Incident
	r := s.as(auth.Dispatcher, "POST", base+"/cancel", `{"reason":"Laporan palsu"}`)
	r.decode(t, &inc)
	if r.status != 200 || !inc.Cancelled || inc.Status != cc112.IncidentClosed || inc.Disposition != "cancelled: Laporan palsu" {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	var u cc112.Unit
	s.as(auth.Dispatcher, "GET", "/api/v1/units/"+s.unitID, "").decode(t, &u)
	if u.Status != cc112.UnitAvailable || u.IncidentID != "" {
		t.Fatalf("unit after cancel: %+v", u)
	}
	// A cancelled incident is no response: the metrics do not count it.
	var rep struct {
		Overall struct {
			Count int `json:"count"`
		} `json:"overall"`
	}
	s.as(auth.Supervisor, "GET", "/api/v1/metrics/response", "").decode(t, &rep)
	if rep.Overall.Count != 0 {
		t.Fatalf("metrics count a cancelled incident: %d", rep.Overall.Count)
	}
	if r := s.as(auth.Dispatcher, "POST", base+"/notes", `{"text":"x"}`); r.status != 409 {
		t.Fatalf("note on a cancelled incident: %d %s", r.status, r.body)
	}

	inc = cc112.Incident{}
	r = s.as(auth.Dispatcher, "POST", base+"/reopen", `{"reason":"Api menyala lagi"}`)
	r.decode(t, &inc)
	if r.status != 200 || inc.Status != cc112.IncidentNew || inc.Cancelled || inc.ClosedAt != nil || inc.DispatchedAt == nil {
		t.Fatalf("reopen: %d %s", r.status, r.body)
	}
	s.as(auth.Supervisor, "GET", "/api/v1/metrics/response", "").decode(t, &rep)
	if rep.Overall.Count != 1 {
		t.Fatalf("metrics after reopening: %d, want 1", rep.Overall.Count)
	}

	type logged struct {
		Log []cc112.LogEntry `json:"log"`
	}
	events := func(role auth.Role) (string, string) {
		var l logged
		r := s.as(role, "GET", base, "")
		r.decode(t, &l)
		var ev []string
		for _, e := range l.Log {
			ev = append(ev, e.Event+"/"+e.By)
		}
		return strings.Join(ev, " "), string(r.body)
	}
	got, _ := events(auth.Dispatcher)
	if want := "received/ dispatched/ dispatched/ note/dispatcher cleared/ cancelled/dispatcher reopened/dispatcher"; got != want {
		t.Fatalf("dispatcher's log:\n%s\nwant\n%s", got, want)
	}
	got, body := events(auth.Police)
	if strings.Contains(got, "note") || strings.Contains(body, "RAHASIA-7f3a") {
		t.Fatalf("police read an internal note: %s", body)
	}
}

func TestEditIncidentAPI(t *testing.T) {
	s := newSecured(t)
	id := s.newIncident(t)
	base := "/api/v1/incidents/" + id

	s.wantRefused(t, "PATCH", base, []refusal{
		{auth.Dispatcher, `{}`, 400, "nothing to change"},
		{auth.Dispatcher, `{"priority":9}`, 400, "priority must be"},
		{auth.Dispatcher, `{"category":"volcano"}`, 400, "unknown category"},
		{auth.Dispatcher, `{"location":{"lat":-7.25}}`, 400, "lon"},
		{auth.Dispatcher, `{"status":"closed"}`, 400, "status"},
		{auth.CallTaker, `{"priority":1}`, 403, "calltaker"},
		{auth.Police, `{"priority":1}`, 403, "police"},
	})

	var inc cc112.Incident
	r := s.as(auth.Dispatcher, "PATCH", base, `{"category":"gas_leak","priority":1,"location":{"lat":-7.2575,"lon":112.7521},"caller":{"name":"UBAH-NAMA-7f3a","phone":"0812"}}`)
	r.decode(t, &inc)
	if r.status != 200 || inc.Category != cc112.CatGasLeak || inc.Priority != 1 || inc.Location.Lat != -7.2575 || inc.District == "" {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	// The new category's plan is offered: a gas leak needs fire and police.
	var offer struct {
		PlanMissing []cc112.Need `json:"plan_missing"`
	}
	r.decode(t, &offer)
	if len(offer.PlanMissing) != 2 || offer.PlanMissing[0].Type != cc112.UnitFire || offer.PlanMissing[1].Type != cc112.UnitPolice {
		t.Fatalf("plan_missing: %s", r.body)
	}
	var read struct {
		Log []cc112.LogEntry `json:"log"`
	}
	s.as(auth.Dispatcher, "GET", base, "").decode(t, &read)
	last := read.Log[len(read.Log)-1]
	if last.Event != "edited" || last.By != "dispatcher" || len(last.Fields) < 4 {
		t.Fatalf("log: %+v", read.Log)
	}
	// Police read the edit, never the caller's data.
	r = s.as(auth.Police, "GET", base, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"edited"`) || strings.Contains(string(r.body), "UBAH-NAMA-7f3a") {
		t.Fatalf("police view: %d %s", r.status, r.body)
	}

	s.want(s.as(auth.Dispatcher, "POST", base+"/close", `{"disposition":"aman"}`), 200, "close")
	s.wantRefused(t, "PATCH", base, []refusal{{auth.Dispatcher, `{"priority":3}`, 409, "closed"}})
}

func TestMergeIncidentAPI(t *testing.T) {
	s := newSecured(t)
	target, dup := s.newIncident(t), s.newIncident(t)
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+dup+"/assignments", `{"unit_id":"`+s.unitID+`"}`), 201, "assign")
	done := s.newIncident(t)
	s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+done+"/close", `{"disposition":"selesai"}`), 200, "close")
	base := "/api/v1/incidents/" + dup

	s.wantRefused(t, "POST", base+"/merge", []refusal{
		{auth.Dispatcher, `{}`, 400, "into is required"},
		{auth.Dispatcher, `{"into":"` + dup + `"}`, 400, "into itself"},
		{auth.Dispatcher, `{"into":"` + done + `"}`, 409, "closed"},
		{auth.CallTaker, `{"into":"` + target + `"}`, 403, "calltaker"},
		{auth.Police, `{"into":"` + target + `"}`, 403, "police"},
	})
	var inc cc112.Incident
	r := s.as(auth.Dispatcher, "POST", base+"/merge", `{"into":"`+target+`"}`)
	r.decode(t, &inc)
	if r.status != 200 || inc.ID != target || len(inc.Assignments) != 1 || inc.Assignments[0].UnitID != s.unitID {
		t.Fatalf("merge: %d %s", r.status, r.body)
	}
	var d cc112.Incident
	s.as(auth.Dispatcher, "GET", base, "").decode(t, &d)
	if d.MergedInto != target || d.Status != cc112.IncidentClosed || !d.Cancelled {
		t.Fatalf("the duplicate: %+v", d)
	}
	var u cc112.Unit
	s.as(auth.Dispatcher, "GET", "/api/v1/units/"+s.unitID, "").decode(t, &u)
	if u.IncidentID != target {
		t.Fatalf("unit on %q, want %s", u.IncidentID, target)
	}
}

// refusal is a request that must be refused with status and a message
// holding msg.
type refusal struct {
	role   auth.Role
	body   string
	status int
	msg    string
}

// wantRefused sends each refusal to path and checks its answer, and that
// none of them journaled anything.
func (s *secured) wantRefused(t *testing.T, method, path string, cases []refusal) {
	t.Helper()
	seq := s.eng.LastSeq()
	for _, c := range cases {
		r := s.as(c.role, method, path, c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.msg) {
			t.Errorf("%s %s: %d %s, want %d with %q", c.role, c.body, r.status, r.body, c.status, c.msg)
		}
	}
	if ch := s.changesSince(t, seq); len(ch) != 0 {
		t.Fatalf("refused requests journaled %v", ch)
	}
}
