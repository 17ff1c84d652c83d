package auth

import (
	"bytes"
	"encoding/json"
)

// callerKeys are JSON keys that identify a caller or reporter: a police
// viewer never sees them. "caller" objects are removed whole.
var callerKeys = map[string]bool{
	"caller": true, "caller_name": true, "caller_phone": true, "caller_nik": true,
	"phone": true, "nik": true, "msisdn": true, "device_number": true,
	"reporter": true, "reporter_name": true, "reporter_phone": true, "contact": true,
	"imei": true, "imsi": true,
}

// callerNeedles are the caller keys as they appear quoted in JSON, made
// once: the feed checks every message for them under the engine's lock.
var callerNeedles = func() [][]byte {
	out := make([][]byte, 0, len(callerKeys))
	for k := range callerKeys {
		out = append(out, []byte(`"`+k+`"`))
	}
	return out
}()

// SeesCallers reports whether a role may see callers' names, phone numbers
// and ID numbers.
func SeesCallers(r Role) bool { return r != Police }

// RedactFor returns the live feed's data for one event as a viewer of role
// may see it: unchanged for most roles, with callers' identities removed
// for police. The live hub calls it per connection (or once per role and
// event); data is the resource the feed would send. It returns data itself
// when nothing needs removing.
func RedactFor(role Role, event string, data any) any {
	if SeesCallers(role) {
		return data
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil // fail closed: nothing rather than something unredacted
	}
	return json.RawMessage(RedactJSON(raw))
}

// RedactJSON removes caller-identifying keys at any depth of a JSON
// document. Invalid JSON becomes null (fail closed).
func RedactJSON(raw []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []byte("null")
	}
	v = redactValue(v)
	out, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return out
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if callerKeys[k] {
				delete(t, k)
				continue
			}
			t[k] = redactValue(x)
		}
	case []any:
		for i, x := range t {
			t[i] = redactValue(x)
		}
	}
	return v
}

// RedactFeed is RedactJSON for the live feed: a message that names none of
// the caller keys is returned as is (the same slice), so that the feed
// keeps one shared encoding of it, and only messages with callers pay for
// the rewrite.
func RedactFeed(msg []byte) []byte {
	for _, needle := range callerNeedles {
		if bytes.Contains(msg, needle) {
			return RedactJSON(msg)
		}
	}
	return msg
}
