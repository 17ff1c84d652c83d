package ui

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/kpi"
)

func withMetrics(idx *kpi.Index) func(*dispatch.Config, *Config) {
	return func(e *dispatch.Config, s *Config) {
		e.OnIncident = func(inc *cc112.Incident) { idx.Put(kpi.FromIncident(inc)) }
		s.Metrics = idx
	}
}

func (a *apiFixture) importNDJSON(body string) (resp, ImportResult) {
	a.t.Helper()
	r := a.do("POST", "/api/v1/import/incidents", body, "Content-Type", "application/x-ndjson")
	var res ImportResult
	if r.status == http.StatusOK {
		r.decode(a.t, &res)
	}
	return r, res
}

const sfLoc = `"location":{"lat":37.77,"lon":-122.42}`

func TestImportNDJSON(t *testing.T) {
	idx := kpi.NewIndex(cc112.WIB)
	a := newAPI(t, withMetrics(idx))
	lines := []string{
		/* 1 */ `{"external_id":"A-1","category":"fire","priority":1,` + sfLoc + `,"received_at":"2017-01-01T08:00:00Z","closed_at":"2017-01-01T09:00:00Z","units":[{"callsign":"E1","type":"fire","dispatched_at":"2017-01-01T08:01:00Z","enroute_at":"2017-01-01T08:02:00Z","onscene_at":"2017-01-01T08:07:00Z"}]}`,
		/* 2 */ ``,
		/* 3 */ `{"external_id":"A-2","category":"volcano",` + sfLoc + `,"received_at":"2017-01-01T08:00:00Z","units":[]}`,
		/* 4 */ `{"external_id":"A-3","category":"medical",` + sfLoc + `,"received_at":"2017-01-01T08:00:00Z","units":[],"colour":"red"}`,
		/* 5 */ `{"external_id":"A-4",`,
		/* 6 */ `{"external_id":"A-5","category":"medical","location":{"lat":-7.2458,"lon":112.7378},"received_at":"2017-01-01T10:00:00Z","units":[{"callsign":"M1","type":"ambulance","dispatched_at":"2017-01-01T10:01:00Z","onscene_at":"2017-01-01T10:05:00Z"}]}`,
		/* 7 */ `{"external_id":"A-1","category":"fire",` + sfLoc + `,"received_at":"2017-01-01T08:00:00Z","units":[]}`,
		/* 8 */ `{"external_id":"A-6","category":"fire",` + sfLoc + `,"units":[]}`,
		/* 9 */ `   `,
	}
	r, res := a.importNDJSON(strings.Join(lines, "\n"))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if res.Imported != 2 || res.Skipped != 1 || res.Rejected != 4 {
		t.Fatalf("result %+v, want 2 imported, 1 skipped, 4 rejected", res)
	}
	wantLines := []int{3, 4, 5, 8}
	for k, e := range res.Errors {
		if e.Line != wantLines[k] || e.Message == "" {
			t.Errorf("error %d = %+v, want line %d", k, e, wantLines[k])
		}
	}
	for _, frag := range []string{"volcano", "colour", "received_at"} {
		if !strings.Contains(string(r.body), frag) {
			t.Errorf("errors do not mention %q: %s", frag, r.body)
		}
	}

	// Same file again: nothing new.
	_, res = a.importNDJSON(strings.Join(lines, "\n"))
	if res.Imported != 0 || res.Skipped != 3 {
		t.Errorf("re-import %+v, want 0 imported, 3 skipped", res)
	}
	if n := a.eng.ImportedCount(); n != 2 {
		t.Errorf("%d imported incidents in the engine, want 2", n)
	}

	// The metrics see them: A-1 responds in 420 s, A-5 in 300 s; the
	// district of A-5 (in Surabaya) is known, A-1's (San Francisco) is not.
	var rep kpi.Report
	a.do("GET", "/api/v1/metrics/response?group_by=district", "").decode(t, &rep)
	if rep.Overall.Count != 2 || rep.Overall.P90 != 420 || rep.Overall.P50 != 300 || rep.Overall.WithinTarget != 1 {
		t.Errorf("overall %+v", rep.Overall.Figures)
	}
	if rep.Overall.Turnout.WithResponse != 1 || rep.Overall.Turnout.Missing != 1 {
		t.Errorf("turnout %+v: A-5 has no en route", rep.Overall.Turnout)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Key != "" || rep.Groups[1].Key == "" {
		t.Errorf("district groups %+v", rep.Groups)
	}

	// Refused requests.
	if r := a.do("POST", "/api/v1/import/incidents", lines[0]); r.status != 400 {
		t.Errorf("JSON content type: status %d", r.status)
	}
	r, res = a.importNDJSON(`{"external_id":"L","category":"fire",` + sfLoc + `,"received_at":"2017-01-01T08:00:00Z","address":"` +
		strings.Repeat("x", maxImportLine) + `"}` + "\n" + strings.Replace(lines[0], "A-1", "A-9", 1))
	if res.Imported != 1 || res.Rejected != 1 || res.Errors[0].Line != 1 {
		t.Errorf("long line: %d %+v", r.status, res)
	}
}

func TestMetricsBadParameters(t *testing.T) {
	a := newAPI(t, withMetrics(kpi.NewIndex(cc112.WIB)))
	for _, q := range []string{
		"group_by=weekday", "from=yesterday", "to=2026-13-01", "from=2026-11-03&to=2026-11-01",
		"category=volcano", "groupby=hour", "group_by=hour&group_by=day", "agency=" + strings.Repeat("a", 201),
	} {
		for _, path := range []string{"/api/v1/metrics/response?", "/api/v1/metrics/incidents.csv?"} {
			if path != "/api/v1/metrics/response?" && strings.Contains(q, "group_by") {
				continue
			}
			r := a.do("GET", path+q, "")
			if r.status != 400 || r.errCode(t) != cc112.EInvalid {
				t.Errorf("%s%s: status %d %s", path, q, r.status, r.body)
			}
		}
	}
	// An empty window is zeros, not an error.
	var rep kpi.Report
	r := a.do("GET", "/api/v1/metrics/response?from=2020-01-01&to=2020-01-31&group_by=hour", "")
	if r.status != 200 {
		t.Fatalf("empty window: %d %s", r.status, r.body)
	}
	r.decode(t, &rep)
	if rep.TargetS != 444 || rep.Overall.Count != 0 || rep.Overall.P90 != 0 || len(rep.Groups) != 24 {
		t.Errorf("empty window report %+v", rep)
	}
	// Without an index the endpoints say so.
	b := newAPI(t)
	if r := b.do("GET", "/api/v1/metrics/response", ""); r.status != 503 {
		t.Errorf("no index: %d", r.status)
	}
}

// brokenArchive is a store that cannot be read.
type brokenArchive struct{}

func (brokenArchive) EachArchivedRecord(context.Context, time.Time, time.Time, func([]byte) bool) error {
	return errors.New("connection refused")
}

func (brokenArchive) ArchivedRecordsAfter(context.Context, time.Time, time.Time, *cc112.HistoryKey, int, func([]byte) bool) error {
	return errors.New("connection refused")
}

// brokenLaterArchive gives a full first page of records and then cannot be
// read.
type brokenLaterArchive struct{ brokenArchive }

func (brokenLaterArchive) ArchivedRecordsAfter(_ context.Context, _, _ time.Time, after *cc112.HistoryKey, limit int, fn func([]byte) bool) error {
	if after != nil {
		return errors.New("connection refused")
	}
	for k := range limit {
		r := kpi.Record{ID: fmt.Sprintf("old-%d", k), Number: fmt.Sprintf("SBY-%d", k), Category: "fire",
			ReceivedAt: time.Date(2020, 1, 1, 0, 0, k, 0, time.UTC)}
		if !fn(kpi.AppendRecord(nil, r)) {
			break
		}
	}
	return nil
}

// An archive that fails after the table began (the export streams it)
// breaks the download: a client never takes a part for the whole.
func TestMetricsCSVArchiveFailsLater(t *testing.T) {
	idx := kpi.NewIndex(cc112.WIB)
	idx.UseArchive(brokenLaterArchive{})
	a := newAPI(t, withMetrics(idx))
	res, err := http.Get(a.srv.URL + "/api/v1/metrics/incidents.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if res.StatusCode != 200 || err == nil {
		t.Fatalf("status %d, %d bytes, read error %v: want 200 and a broken body", res.StatusCode, len(body), err)
	}
	if !strings.Contains(string(body), "SBY-1,") {
		t.Fatalf("the first page never arrived: %.200s", body)
	}
}

// An archive that cannot be read: both endpoints answer 503 unavailable,
// never figures without the archived incidents.
func TestMetricsArchiveUnavailable(t *testing.T) {
	idx := kpi.NewIndex(cc112.WIB)
	idx.UseArchive(brokenArchive{})
	a := newAPI(t, withMetrics(idx))
	a.createIncident(`{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`)
	for _, path := range []string{"/api/v1/metrics/response", "/api/v1/metrics/incidents.csv"} {
		r := a.do("GET", path, "")
		if r.status != 503 || r.errCode(t) != cc112.EUnavailable {
			t.Errorf("%s: status %d %s", path, r.status, r.body)
		}
	}
}

func TestLiveIncidentMetricsAndCSV(t *testing.T) {
	idx := kpi.NewIndex(cc112.WIB)
	a := newAPI(t, withMetrics(idx))
	inc := a.createIncident(`{"category":"fire","priority":1,"location":{"lat":-7.2458,"lon":112.7378}}`)
	var rep kpi.Report
	a.do("GET", "/api/v1/metrics/response", "").decode(t, &rep)
	if rep.OpenNow != 1 || rep.Overall.Pending != 1 || rep.Overall.Processing.Pending != 1 {
		t.Fatalf("new incident: %+v", rep.Overall)
	}
	var ar dispatch.AssignResult
	a.do("POST", "/api/v1/incidents/"+inc.ID+"/assignments", `{"auto":true}`).decode(t, &ar)
	unit := ar.Assigned[0]
	for _, st := range []string{"enroute", "onscene"} {
		if r := a.do("POST", "/api/v1/units/"+unit+"/status", `{"status":"`+st+`"}`); r.status != 200 {
			t.Fatalf("%s: %d %s", st, r.status, r.body)
		}
	}
	a.do("GET", "/api/v1/metrics/response?group_by=agency", "").decode(t, &rep)
	if rep.Overall.WithResponse != 1 || rep.Overall.Processing.WithResponse != 1 || rep.Overall.Travel.WithResponse != 1 {
		t.Errorf("after on scene: %+v", rep.Overall)
	}
	if len(rep.Groups) == 0 {
		t.Error("no agency groups")
	}
	// The other assigned units never reported: once closed, the incident
	// is complete (its first unit arrived) and no longer open.
	if r := a.do("POST", "/api/v1/incidents/"+inc.ID+"/close", `{"disposition":"padam"}`); r.status != 200 {
		t.Fatal(r.status)
	}
	r := a.do("GET", "/api/v1/metrics/incidents.csv?category=fire", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", r.status, r.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv rows %v (%v)", rows, err)
	}
	if strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("header %v", rows[0])
	}
	row := map[string]string{}
	for k, h := range rows[0] {
		row[h] = rows[1][k]
	}
	if row["number"] != inc.Number || row["response_s"] == "" || row["within_target"] != "true" || strings.Contains(row["flags"], "open") {
		t.Errorf("csv row %v", row)
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "SBY-1": "SBY-1", "": ""} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSupervisorPage(t *testing.T) {
	a := newAPI(t)
	r := a.do("GET", "/supervisor", "")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /supervisor: %d %q", r.status, r.header.Get("Content-Type"))
	}
	body := string(r.body)
	if strings.Contains(body, staticPlaceholder) || !strings.Contains(body, "/static/"+a.srv.Config.Handler.(*Server).assets.version+"/js/supervisor.js") {
		t.Errorf("page does not load the versioned supervisor.js:\n%s", body)
	}
	if r.header.Get("Content-Security-Policy") == "" || r.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("headers %v", r.header)
	}
}
