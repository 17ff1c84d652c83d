package ui

import (
	"net/http"
	"time"

	"cc112/httperr"
)

// observed wraps a mutating route so that fn learns of each command: the
// route as its type, the outcome from the status answered, the duration.
// Reads (GET, the websocket) are not wrapped: they are not commands, and a
// hijacked connection must keep its own ResponseWriter.
func observed(rt route, fn func(command, outcome string, took time.Duration)) http.HandlerFunc {
	if fn == nil || rt.Method == http.MethodGet {
		return rt.Handler
	}
	name := rt.Method + " " + rt.Pattern
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() { fn(name, outcomeOf(sw.code()), time.Since(start)) }()
		rt.Handler(sw, r)
	}
}

// outcomeOf names an answer's status by the API's error codes.
func outcomeOf(status int) string {
	switch {
	case status < 400:
		return "ok"
	case status == http.StatusRequestEntityTooLarge:
		return "too_large"
	}
	return httperr.Code(status)
}
