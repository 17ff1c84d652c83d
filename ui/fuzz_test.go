package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzPostIncident sends arbitrary bodies to the incident intake: the
// server must never fail with a 500 and must change nothing unless it
// answers 201.
func FuzzPostIncident(f *testing.F) {
	a := newAPI(f)
	for _, seed := range []string{
		fireAtTugu, `{}`, `{"category":"fire"}`, `{"category":"fire","location":{"lat":1e308,"lon":-1e308}}`,
		`{"category":"medical","location":{"lat":-7.2,"lon":112.7},"caller":null}`, `null`, `"x"`, `{"priority":1.5}`,
	} {
		f.Add([]byte(seed))
	}
	h := a.srv.Config.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		before := a.eng.LastSeq()
		req := httptest.NewRequest("POST", "/api/v1/incidents", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusCreated:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			if a.eng.LastSeq() != before {
				t.Fatalf("refused body %q changed state", body)
			}
		default:
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
	})
}

// FuzzImportNDJSON sends arbitrary NDJSON to the historical import: never a
// 500, and the counts always add up to the non-blank lines sent.
func FuzzImportNDJSON(f *testing.F) {
	a := newAPI(f)
	for _, seed := range []string{
		`{"external_id":"F-1","category":"fire","location":{"lat":-7.2,"lon":112.7},"received_at":"2024-01-01T00:00:00Z","units":[]}`,
		"{}\n\n{\"external_id\":\"x\"}", `{"external_id":"F-2","category":"fire","location":{"lat":-7.2,"lon":112.7},"received_at":"0001-01-01T00:00:00Z"}`,
		`{"external_id":"F-3","category":"fire","location":{"lat":-7.2,"lon":112.7},"received_at":"2024-01-01T00:00:00Z","units":[{"callsign":"A","type":"tank"}]}`,
		"\r\n\r\n", `[1,2]`,
	} {
		f.Add([]byte(seed))
	}
	h := a.srv.Config.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/import/incidents", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-ndjson")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
		var res ImportResult
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, l := range bytes.Split(body, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines++
			}
		}
		if res.Imported+res.Skipped+res.Rejected != lines {
			t.Fatalf("body %q: %+v does not add up to %d lines", body, res, lines)
		}
	})
}
