package ui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"cc112"
	"cc112/httperr"
)

// writeError answers with the error envelope. Internal errors are logged
// and shown to the client without details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if ctxErr := r.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		err = cc112.Errorf(cc112.EUnavailable, "request cancelled before it completed; retry with the same Idempotency-Key")
	}
	if cc112.ErrorCode(err) == cc112.EInternal {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	httperr.Write(w, err)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}
