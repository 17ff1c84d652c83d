package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/callcenter"
	"cc112/internal/clocktest"
	"cc112/kpi"
)

// The center's day is the WIB day, which turns at 17:00 UTC. One second
// before and at that instant, the server's day-sensitive answers must name
// the WIB day: incident and complaint numbers, response metrics by hour
// and for "today" (the dashboard's from=to=today), the complaint report by
// day.
func TestDayTurnsAtWIBMidnight(t *testing.T) {
	for _, tc := range []struct {
		at               time.Time
		day, date, other string // the WIB day as in numbers and as a date; the other side of midnight
		hour             string
	}{
		{time.Date(2026, 11, 22, 16, 59, 59, 0, time.UTC), "20261122", "2026-11-22", "2026-11-23", "23"},
		{time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC), "20261123", "2026-11-23", "2026-11-22", "00"},
	} {
		t.Run(tc.at.Format(time.TimeOnly)+"Z", func(t *testing.T) {
			if got := cc112.WIBMidnight(tc.at).Format(time.DateOnly); got != tc.date {
				t.Fatalf("WIBMidnight(%v) is on %s, want %s", tc.at, got, tc.date)
			}
			m := NewMain()
			m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
			m.Clock = clocktest.New(tc.at)
			m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = m.Close(context.Background()) })
			base := m.URL()

			status, b, err := postJSON(base+"/api/v1/incidents", login(t, base, "calltaker"), `{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`)
			var inc cc112.Incident
			if err != nil || status != 201 || json.Unmarshal(b, &inc) != nil {
				t.Fatalf("create incident: %d %s %v", status, b, err)
			}
			if want := "SBY-" + tc.day + "-0001"; inc.Number != want {
				t.Errorf("incident number %s, want %s", inc.Number, want)
			}
			status, b, err = postJSON(base+"/api/v1/complaints", "", `{"channel":"web","name":"Sari","phone":"081234567890","text":"Lampu jalan mati","category":"streetlight","location":{"lat":-7.2458,"lon":112.7378}}`)
			var cmp cc112.Complaint
			if err != nil || status != 201 || json.Unmarshal(b, &cmp) != nil {
				t.Fatalf("file complaint: %d %s %v", status, b, err)
			}
			if !strings.HasPrefix(cmp.Number, "ADU-"+tc.day+"-") {
				t.Errorf("complaint number %s, want ADU-%s-…", cmp.Number, tc.day)
			}

			sup := login(t, base, "supervisor")
			report := func(query string) kpi.Report {
				t.Helper()
				var rep kpi.Report
				getJSONAs(t, base+"/api/v1/metrics/response?"+query, sup, &rep)
				return rep
			}
			if rep := report("from=" + tc.date + "&to=" + tc.date); rep.Overall.Count != 1 {
				t.Errorf("today (%s): %d incidents, want 1", tc.date, rep.Overall.Count)
			}
			if rep := report("from=" + tc.other + "&to=" + tc.other); rep.Overall.Count != 0 {
				t.Errorf("%s: %d incidents, want 0", tc.other, rep.Overall.Count)
			}
			for _, g := range report("from=" + tc.date + "&to=" + tc.date + "&group_by=hour").Groups {
				if want := map[bool]int{true: 1}[g.Key == tc.hour]; g.Count != want {
					t.Errorf("hour %s: %d incidents, want %d", g.Key, g.Count, want)
				}
			}

			next := cc112.WIBMidnight(tc.at).AddDate(0, 0, 1).UTC().Format(time.RFC3339)
			var cr callcenter.Report
			getJSONAs(t, base+"/api/v1/complaints/report?from="+tc.date+"&to="+next, sup, &cr)
			if len(cr.Buckets) != 1 || cr.Buckets[0] != tc.date || cr.Total != 1 {
				t.Errorf("complaint report by day: buckets %v total %d, want [%s] 1", cr.Buckets, cr.Total, tc.date)
			}
		})
	}
}
