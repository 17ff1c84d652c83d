package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// BenchmarkImportNDJSONHTTP: POST /api/v1/import/incidents with b.N
// incidents (two units each, full timelines) in one streamed request, into
// the embedded journal. Reports incidents/s end to end (parse, validate,
// journal, fsync); goal ≥ 50,000.
func BenchmarkImportNDJSONHTTP(b *testing.B) {
	a := newAPI(b)
	var body bytes.Buffer
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := func(t time.Time, s int) string { return t.Add(time.Duration(s) * time.Second).Format(time.RFC3339) }
	for i := range b.N {
		recv := base.Add(time.Duration(i) * time.Minute)
		fmt.Fprintf(&body, `{"external_id":"B-%d","category":"fire","priority":1,"location":{"lat":-7.25,"lon":112.75},"received_at":"%s","closed_at":"%s","units":[`+
			`{"callsign":"E1","type":"fire","dispatched_at":"%s","enroute_at":"%s","onscene_at":"%s","cleared_at":"%s"},`+
			`{"callsign":"P7","type":"police","dispatched_at":"%s","enroute_at":"%s","onscene_at":"%s","cleared_at":"%s"}]}`+"\n",
			i, ts(recv, 0), ts(recv, 3600), ts(recv, 60), ts(recv, 120), ts(recv, 400), ts(recv, 3000),
			ts(recv, 70), ts(recv, 90), ts(recv, 500), ts(recv, 3600))
	}
	b.ResetTimer()
	res, err := http.Post(a.srv.URL+"/api/v1/import/incidents", "application/x-ndjson", &body)
	if err != nil {
		b.Fatal(err)
	}
	var out ImportResult
	err = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	b.StopTimer()
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("status %d: %v", res.StatusCode, err)
	}
	if out.Imported != b.N {
		b.Fatalf("imported %d of %d: %+v", out.Imported, b.N, out.Errors)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
}
