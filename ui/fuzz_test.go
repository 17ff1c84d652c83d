package ui

import (
	"bytes"
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
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if a.eng.LastSeq() != before {
				t.Fatalf("refused body %q changed state", body)
			}
		default:
			t.Fatalf("body %q: status %d %s", body, rec.Code, rec.Body)
		}
	})
}
