// Package cc112 holds the domain types of the 112 command-center dispatch
// system: units, incidents, cameras, events and the interfaces the adapters
// implement. It has no dependencies on HTTP, SQL or any other technology.
package cc112

import (
	"errors"
	"fmt"
)

// Error codes, shared by every layer and mapped to HTTP statuses by ui.
const (
	EInvalid         = "invalid_argument"
	ENotFound        = "not_found"
	EConflict        = "conflict"
	EUnauthenticated = "unauthenticated"
	EForbidden       = "forbidden"
	EUnavailable     = "unavailable"
	EInternal        = "internal"
	ERateLimited     = "rate_limited" // too many requests: wait (Retry-After) and retry
	EOutOfArea       = "out_of_area"  // a location outside the service area, not confirmed with a reason
)

// Error is a domain error with a stable code and a message fit for a user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that details do not leak to clients.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
