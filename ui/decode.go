package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"cc112"
)

// maxBody bounds every JSON request body.
const maxBody = 64 << 10

// readBody reads a bounded JSON body. An empty body is allowed (the caller's
// validation decides); any other content type is refused.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, cc112.Errorf(cc112.EInvalid, "Content-Type must be application/json, not %q", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, cc112.Errorf(cc112.EInvalid, "could not read the request body: %v", err)
	}
	return body, nil
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown
// fields and trailing data, so that typos do not pass silently.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return cc112.Errorf(cc112.EInvalid, "request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return cc112.Errorf(cc112.EInvalid, "invalid JSON body: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return cc112.Errorf(cc112.EInvalid, "invalid JSON body: unexpected data after the object")
	}
	return nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
		}
		return fmt.Sprintf("expected %s, not %s", typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// readJSON reads a bounded body and decodes it strictly into v; on failure
// it answers with the error and returns false.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readBody(w, r)
	if err == nil {
		err = decodeStrict(body, v)
	}
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

// idempotency returns the request's Idempotency-Key and a fingerprint of
// what it asks, so that a key reused for another request is caught.
func idempotency(r *http.Request, body []byte) (key, fingerprint string, err error) {
	key = r.Header.Get("Idempotency-Key")
	if key == "" {
		return "", "", nil
	}
	if len(key) > 200 {
		return "", "", cc112.Errorf(cc112.EInvalid, "Idempotency-Key is longer than 200 characters")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(body)
	return key, hex.EncodeToString(h.Sum(nil)), nil
}
