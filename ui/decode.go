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
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/geo"
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
// fields and trailing data, so that typos do not pass silently. Every
// string in the body, keys included, must pass the project's character
// rule (cc112.CheckChars): whatever field a route forgets to check, no NUL
// or direction override gets into the journal through it.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return cc112.Errorf(cc112.EInvalid, "request body must be a JSON object")
	}
	if err := checkStrings(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return cc112.Errorf(cc112.EInvalid, "invalid JSON body: %s", jsonProblem(err, body, reflect.TypeOf(v)))
	}
	if _, err := dec.Token(); err != io.EOF {
		return cc112.Errorf(cc112.EInvalid, "invalid JSON body: unexpected data after the object")
	}
	return nil
}

// checkStrings walks the JSON body and applies the character rule to every
// string, naming it by its path (e.g. caller.name, units[2].callsign).
// Lines are allowed here; a one-line field is refused a newline by its own
// check in the domain. Syntax errors are left to the decoder.
func checkStrings(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type level struct {
		array bool
		key   string // the current key of an object
		index int    // the next index of an array
		isKey bool   // an object's next string is a key
	}
	bad := -1 // the first byte of invalid UTF-8: the decoder would replace it silently
	if !utf8.Valid(body) {
		for i := 0; i < len(body); {
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size <= 1 {
				bad = i
				break
			}
			i += size
		}
	}
	var stack []level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.array {
				fmt.Fprintf(&b, "[%d]", l.index-1)
			} else if l.key != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			}
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF or a syntax error: the decoder reports it
		}
		// A value (not a key, not a closing delimiter) moves an array on.
		if n := len(stack); n > 0 && stack[n-1].array {
			if d, ok := tok.(json.Delim); !ok || d == '[' || d == '{' {
				stack[n-1].index++
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, level{isKey: true})
				continue
			case '[':
				stack = append(stack, level{array: true})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if bad >= 0 && int64(bad) < dec.InputOffset() {
				return cc112.Errorf(cc112.EInvalid, "%s is not valid UTF-8 (at byte %d)", path(), bad)
			}
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].isKey {
				stack[n-1].key, stack[n-1].isKey = t, false
				if err := cc112.CheckChars("a field name", t, false); err != nil {
					return err
				}
				continue
			}
			if err := cc112.CheckChars(path(), t, true); err != nil {
				return err
			}
		}
		if n := len(stack); n > 0 && !stack[n-1].array {
			stack[n-1].isKey = true
		}
	}
}

// jsonProblem says what is wrong with a body in the API's own terms: the
// JSON field and the JSON type expected, never a Go type or struct name.
// body and t (the type decoded into) let it find the field of an error
// that encoding/json reports without one (a time, a location).
func jsonProblem(err error, body []byte, t reflect.Type) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var coord *geo.MissingCoordinateError
	var tm *time.ParseError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if strings.Contains(string(body), "[") {
			// encoding/json leaves array indexes out ("units.agency").
			if at := locate(body, t, ""); at != "" {
				field = at
			}
		}
		if field != "" {
			return fmt.Sprintf("%s must be %s, not %s", field, jsonType(typ.Type), jsonValue(typ.Value))
		}
		return fmt.Sprintf("the body must be %s, not %s", jsonType(typ.Type), jsonValue(typ.Value))
	case errors.As(err, &coord):
		if at := locate(body, t, ""); at != "" {
			return at + "." + coord.Error()
		}
		return coord.Error()
	case errors.As(err, &tm):
		return fmt.Sprintf("%s%q is not an RFC 3339 time (e.g. 2026-11-22T08:30:00+07:00)", fieldPrefix(locate(body, t, "")), tm.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input"
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + msg
	}
	var ce *cc112.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	// Anything else comes from a type's own decoder (time.Time's says
	// "Time.UnmarshalJSON: input is not a JSON string"): name the field and
	// what it takes instead.
	if at := locate(body, t, ""); at != "" {
		return fmt.Sprintf("%s must be %s", at, jsonType(fieldType(t, at)))
	}
	return "a value has the wrong JSON type"
}

func fieldPrefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

// locate returns the JSON path of the innermost value of raw that does not
// decode into its field of t, "" when it cannot tell.
func locate(raw []byte, t reflect.Type, at string) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return at
	}
	fails := func(sub []byte, ft reflect.Type) bool {
		return json.Unmarshal(sub, reflect.New(ft).Interface()) != nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return at
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := jsonName(f)
			if sub, ok := obj[name]; ok && name != "" && fails(sub, f.Type) {
				return locate(sub, f.Type, joinPath(at, name))
			}
		}
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil {
			return at
		}
		for i, sub := range arr {
			if fails(sub, t.Elem()) {
				return locate(sub, t.Elem(), fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
	return at
}

// fieldType is the type of the field at a JSON path of locate's.
func fieldType(t reflect.Type, path string) reflect.Type {
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' }) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if strings.HasSuffix(part, "]") {
			t = t.Elem()
			continue
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if jsonName(t.Field(i)) == part {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return t
}

// jsonName is a struct field's key in JSON ("" when it has none).
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

func joinPath(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// jsonType names what JSON value a Go type is decoded from.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another kind of value"
}

// jsonValue names the JSON value that was given: encoding/json says
// "number", "number 1.5", "string", "bool", "array", "object".
func jsonValue(v string) string {
	switch {
	case v == "bool":
		return "true or false"
	case v == "string":
		return "a string"
	case v == "array", v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case v == "number":
		return "a number"
	}
	return v
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
