package ui

import (
	"bytes"
	"context"
	"testing"

	"cc112"
	"cc112/auth"
)

// TestAlertsAPI: list open and all with paging, acknowledge by whom, and
// the refusals: unknown 404, twice 409, a role without the right 403,
// bad parameters 400, none of which journals anything.
func TestAlertsAPI(t *testing.T) {
	s := newSecured(t)
	police := s.dialLive(t, auth.Police, "")
	dispatcher := s.dialLive(t, auth.Dispatcher, "")
	for range 3 {
		s.want(s.as(auth.CallTaker, "POST", "/api/v1/incidents", fireAtTugu), 201, "incident")
	}
	if r, _, err := s.alerts.Check(context.Background()); err != nil || r != 3 {
		t.Fatalf("check: raised %d, %v; want 3", r, err)
	}
	var page cc112.Page[*cc112.Alert]
	r := s.as(auth.CallTaker, "GET", "/api/v1/alerts?state=open&limit=2", "")
	s.want(r, 200, "open alerts")
	r.decode(t, &page)
	if len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].Kind != cc112.AlertUnassigned || page.Items[0].Severity != cc112.SeverityCritical {
		t.Fatalf("page 1: %s", r.body)
	}
	first := page.Items[0].ID
	r = s.as(auth.Supervisor, "GET", "/api/v1/alerts?state=open&limit=2&cursor="+page.NextCursor, "")
	s.want(r, 200, "page 2")
	page = cc112.Page[*cc112.Alert]{}
	r.decode(t, &page)
	if len(page.Items) != 1 || page.NextCursor != "" {
		t.Fatalf("page 2: %s", r.body)
	}

	seq := s.eng.LastSeq()
	refusals := []struct {
		role         auth.Role
		method, path string
		status       int
		code         string
	}{
		{auth.Dispatcher, "POST", "/api/v1/alerts/al-999999/ack", 404, cc112.ENotFound},
		{auth.CallTaker, "POST", "/api/v1/alerts/" + first + "/ack", 403, cc112.EForbidden},
		{auth.Police, "POST", "/api/v1/alerts/" + first + "/ack", 403, cc112.EForbidden},
		{auth.UnitRole, "POST", "/api/v1/alerts/" + first + "/ack", 403, cc112.EForbidden},
		{auth.Police, "GET", "/api/v1/alerts", 403, cc112.EForbidden},
		{auth.Agency, "GET", "/api/v1/coverage", 403, cc112.EForbidden},
		{auth.Dispatcher, "GET", "/api/v1/alerts?state=closed", 400, cc112.EInvalid},
		{auth.Dispatcher, "GET", "/api/v1/alerts?cursor=nope", 400, cc112.EInvalid},
		{auth.Dispatcher, "GET", "/api/v1/alerts?limit=0", 400, cc112.EInvalid},
		{auth.Dispatcher, "GET", "/api/v1/alerts?sort=x", 400, cc112.EInvalid},
	}
	for _, tt := range refusals {
		r := s.as(tt.role, tt.method, tt.path, "")
		if r.status != tt.status || r.errCode(t) != tt.code {
			t.Errorf("%s %s %s: %d %s, want %d %s", tt.role, tt.method, tt.path, r.status, r.body, tt.status, tt.code)
		}
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/alerts/"+first+"/ack", `{"by":"someone else"}`); r.status != 400 {
		t.Errorf("ack with a field: %d %s, want 400", r.status, r.body)
	}
	if n := changedSince(t, s, seq); n != 0 {
		t.Fatalf("refused requests journaled %d events", n)
	}

	r = s.as(auth.Supervisor, "POST", "/api/v1/alerts/"+first+"/ack", "")
	s.want(r, 200, "ack")
	var acked cc112.Alert
	r.decode(t, &acked)
	if acked.AcknowledgedBy != string(auth.Supervisor) || acked.AcknowledgedAt == nil {
		t.Fatalf("ack answer: %s", r.body)
	}
	r = s.as(auth.Dispatcher, "POST", "/api/v1/alerts/"+first+"/ack", "")
	if r.status != 409 || r.errCode(t) != cc112.EConflict || !bytes.Contains(r.body, []byte("supervisor")) {
		t.Fatalf("second ack: %d %s, want 409 naming who was first", r.status, r.body)
	}

	// The live feed: dispatchers get the alerts, police a placeholder.
	last := s.hub.Stats().Seq
	police.readTo(t, last)
	dispatcher.readTo(t, last)
	for _, name := range []string{cc112.LiveAlertRaised, cc112.LiveAlertAcknowledged} {
		if !dispatcher.events[name] {
			t.Errorf("the dispatcher's feed has no %s", name)
		}
		if police.events[name] {
			t.Errorf("the police feed has %s: alerts are the command center's", name)
		}
	}

	r = s.as(auth.Dispatcher, "GET", "/api/v1/coverage", "")
	s.want(r, 200, "coverage")
}

// changedSince counts the events after seq other than the audit.
func changedSince(t *testing.T, s *secured, seq uint64) int {
	t.Helper()
	n := 0
	if err := s.journal.Replay(context.Background(), seq, func(ev cc112.Event) error {
		if ev.Type != cc112.EvAuditRecorded {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
