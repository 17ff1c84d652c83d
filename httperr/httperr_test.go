package httperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"cc112"
)

func TestWrite(t *testing.T) {
	tooBig := &http.MaxBytesError{Limit: 10}
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
		msg    string
	}{
		{"domain", cc112.Errorf(cc112.EConflict, "unit busy"), 409, cc112.EConflict, "unit busy"},
		{"wrapped", fmt.Errorf("assign: %w", cc112.Errorf(cc112.ENotFound, "no unit")), 404, cc112.ENotFound, "no unit"},
		{"rate", cc112.Errorf(cc112.ERateLimited, "wait"), 429, cc112.ERateLimited, "wait"},
		{"reason", fmt.Errorf("call: %w", cc112.Errorf(cc112.EInvalid, "phone number %q: unexpected %q", "abc", 'a').Because(cc112.RPhoneInvalid)), 400, cc112.EInvalid, `phone number "abc": unexpected 'a'`},
		{"internal hides details", errors.New("pq: secret detail"), 500, cc112.EInternal, "internal error"},
		{"too large", fmt.Errorf("read: %w", tooBig), 413, cc112.EInvalid, "request body is larger than 10 bytes"},
		{"too large, own message", fmt.Errorf("%w (%w)", cc112.Errorf(cc112.EInvalid, "stopped at line 3"), tooBig), 413, cc112.EInvalid, "stopped at line 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Write(rec, c.err)
			var b Body
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.status || b.Error.Code != c.code || b.Error.Message != c.msg || b.Error.Reason != cc112.ErrorReason(c.err) {
				t.Errorf("got %d %+v, want %d %s %q", rec.Code, b.Error, c.status, c.code, c.msg)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// Every code maps to a status that maps back to it.
func TestCodeStatusRoundTrip(t *testing.T) {
	for _, code := range []string{cc112.EOutOfArea, cc112.EInvalid, cc112.ENotFound, cc112.EConflict, cc112.EUnauthenticated,
		cc112.EForbidden, cc112.ERateLimited, cc112.EUnavailable, cc112.EInternal} {
		if got := Code(Status(code)); got != code {
			t.Errorf("Code(Status(%s)) = %s", code, got)
		}
	}
}
