package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
	"cc112/httperr"
)

// TestErrorsCarryTheirReason: the errors a page shows its user carry the
// stable reason the page translates (docs/errors.md), beside the code
// that sets the status and the English message for the API.
func TestErrorsCarryTheirReason(t *testing.T) {
	s := newSecured(t)
	for _, c := range []struct {
		name         string
		role         auth.Role
		method, path string
		body         string
		code, reason string
	}{
		{"a phone number that is none", auth.CallTaker, "POST", "/api/v1/calls", `{"phone":"abc","channel":"phone"}`, cc112.EInvalid, cc112.RPhoneInvalid},
		{"a role that may not", auth.Police, "POST", "/api/v1/incidents/x/close", `{"disposition":"resolved"}`, cc112.EForbidden, cc112.RRoleForbidden},
		{"a unit for another", auth.UnitRole, "POST", "/api/v1/units/not-mine/status", `{"status":"enroute"}`, cc112.EForbidden, cc112.ROwnUnitOnly},
		{"a position that is none", auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":0,"lon":0}}`, cc112.EInvalid, cc112.RLocationInvalid},
		{"a text too long", auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"fire","location":{"lat":-7.2575,"lon":112.7521},"description":"` + strings.Repeat("x", 20000) + `"}`, cc112.EInvalid, cc112.RTextTooLong},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.as(c.role, c.method, c.path, c.body)
			var b httperr.Body
			if err := json.Unmarshal([]byte(r.body), &b); err != nil {
				t.Fatalf("%d %s: %v", r.status, r.body, err)
			}
			if b.Error.Code != c.code || b.Error.Reason != c.reason || b.Error.Message == "" {
				t.Errorf("%s %s as %s: %d %+v, want code %s reason %s and a message", c.method, c.path, c.role, r.status, b.Error, c.code, c.reason)
			}
		})
	}
	var b httperr.Body
	r := s.do("POST", "/api/v1/login", `{"username":"dispatcher","password":"wrong password"}`, "Content-Type", "application/json")
	if err := json.Unmarshal([]byte(r.body), &b); err != nil || b.Error.Reason != cc112.RLoginFailed {
		t.Errorf("a wrong password: %d %s, want reason %s", r.status, r.body, cc112.RLoginFailed)
	}
}

// TestErrorCodesAreDocumented: docs/errors.md, the one description of the
// codes, names every code and reason the API sends, and no other.
func TestErrorCodesAreDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| `") {
			documented[strings.Trim(strings.Fields(line)[1], "`")] = true
		}
	}
	for _, c := range cc112.ErrorCodes() {
		if !documented[c] {
			t.Errorf("docs/errors.md does not describe %s", c)
		}
		delete(documented, c)
	}
	for c := range documented {
		t.Errorf("docs/errors.md describes %s, which no error carries", c)
	}
}
