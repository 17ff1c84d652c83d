package ui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"cc112"
)

// statusOf maps a domain error code to its HTTP status (DESIGN.md §4).
func statusOf(code string) int {
	switch code {
	case cc112.EInvalid:
		return http.StatusBadRequest
	case cc112.ENotFound:
		return http.StatusNotFound
	case cc112.EConflict:
		return http.StatusConflict
	case cc112.EUnauthenticated:
		return http.StatusUnauthorized
	case cc112.EForbidden:
		return http.StatusForbidden
	case cc112.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers with the error envelope. Internal errors are logged
// and shown to the client without details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := cc112.ErrorCode(err)
	status := statusOf(code)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		code, status = cc112.EInvalid, http.StatusRequestEntityTooLarge
		err = cc112.Errorf(code, "request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, r.Context().Err()) && r.Context().Err() != nil:
		code, status = cc112.EUnavailable, http.StatusServiceUnavailable
		err = cc112.Errorf(code, "request cancelled before it completed; retry with the same Idempotency-Key")
	}
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: cc112.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}

func writeRaw(w http.ResponseWriter, status int, raw []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
	_, _ = w.Write([]byte("\n"))
}
