// Package httperr writes the API's one error envelope (DESIGN.md §4),
//
//	{"error": {"code": "invalid_argument", "message": "..."}}
//
// with the status of its code. Every HTTP answer that is an error, the
// websocket handshakes' and the standby's included, goes through Write.
package httperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"cc112"
)

// Body is the envelope.
type Body struct {
	Error Detail `json:"error"`
}

// Detail is the envelope's content. Leader names the leader's address on a
// standby's 503, for clients that can reach it themselves.
type Detail struct {
	Code string `json:"code"`
	// Reason refines Code where a page says something specific (cc112's
	// R constants, docs/errors.md).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
	Leader  string `json:"leader,omitempty"`
}

// statuses pairs each domain error code with its HTTP status.
var statuses = []struct {
	code   string
	status int
}{
	{cc112.EInvalid, http.StatusBadRequest},
	{cc112.ENotFound, http.StatusNotFound},
	{cc112.EConflict, http.StatusConflict},
	{cc112.EUnauthenticated, http.StatusUnauthorized},
	{cc112.EForbidden, http.StatusForbidden},
	{cc112.ERateLimited, http.StatusTooManyRequests},
	{cc112.EOutOfArea, http.StatusUnprocessableEntity},
	{cc112.EUnavailable, http.StatusServiceUnavailable},
	{cc112.EInternal, http.StatusInternalServerError},
}

// Status maps a domain error code to its HTTP status.
func Status(code string) int {
	for _, s := range statuses {
		if s.code == code {
			return s.status
		}
	}
	return http.StatusInternalServerError
}

// Code is the domain code of an HTTP status, for errors that come as a
// status (a refused websocket handshake).
func Code(status int) string {
	for _, s := range statuses {
		if s.status == status {
			return s.code
		}
	}
	switch {
	case status == http.StatusMethodNotAllowed:
		return cc112.ENotFound
	case status >= 400 && status < 500:
		return cc112.EInvalid
	}
	return cc112.EInternal
}

// Of is the envelope of err and its status: the code and user-facing
// message of its *cc112.Error (internal errors say no more than "internal
// error"). A body over http.MaxBytesReader's limit is 413, invalid_argument.
func Of(err error) (Detail, int) {
	d := Detail{Code: cc112.ErrorCode(err), Reason: cc112.ErrorReason(err), Message: cc112.ErrorMessage(err)}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		if d.Code == cc112.EInternal {
			d = Detail{Code: cc112.EInvalid, Message: fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit)}
		}
		return d, http.StatusRequestEntityTooLarge
	}
	return d, Status(d.Code)
}

// Write answers with err's envelope and status.
func Write(w http.ResponseWriter, err error) {
	d, status := Of(err)
	WriteDetail(w, status, d)
}

// WriteDetail answers with d and status.
func WriteDetail(w http.ResponseWriter, status int, d Detail) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Body{Error: d})
}
