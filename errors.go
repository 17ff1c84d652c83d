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

// Reasons refine a code where a page has something specific to tell its
// user in the user's language (the code keeps its HTTP status; the English
// message stays for the API). docs/errors.md describes every code and
// reason; the pages translate them as "err.<reason>" or "err.<code>".
const (
	RPhoneInvalid     = "phone_invalid"      // a phone number that is not one (invalid_argument)
	RLocationInvalid  = "location_invalid"   // a position that is not one (invalid_argument)
	RTextTooLong      = "text_too_long"      // a text over its field's limit (invalid_argument)
	RTextInvalid      = "text_invalid"       // control or direction characters, bad UTF-8 (invalid_argument)
	RLoginFailed      = "login_failed"       // wrong user name or password (unauthenticated)
	RSessionEnded     = "session_ended"      // token unknown, expired or revoked (unauthenticated)
	RRoleForbidden    = "role_forbidden"     // the user's role may not do this (forbidden)
	ROwnUnitOnly      = "own_unit_only"      // a unit reports only for itself (forbidden)
	RUnitNotAvailable = "unit_not_available" // the unit is busy or out of service (conflict)
	RIncidentClosed   = "incident_closed"    // the incident is closed (conflict)
	RNoUnitsAvailable = "no_units_available" // nothing free for the response plan (conflict)
	RReasonRequired   = "reason_required"    // a reason or case number is required (invalid_argument)
	RKeyReused        = "key_reused"         // an Idempotency-Key sent again with another request (conflict)
	RExportTooLong    = "export_too_long"    // an evidence export over its longest range (invalid_argument)
	RRecordingOff     = "recording_off"      // the center records no camera (unavailable)
)

// ErrorCodes are every code and reason an error may carry, the page
// catalogue's "err.*" keys.
func ErrorCodes() []string {
	return []string{EInvalid, ENotFound, EConflict, EUnauthenticated, EForbidden, EUnavailable, EInternal,
		ERateLimited, EOutOfArea,
		RPhoneInvalid, RLocationInvalid, RTextTooLong, RTextInvalid, RLoginFailed, RSessionEnded,
		RRoleForbidden, ROwnUnitOnly, RUnitNotAvailable, RIncidentClosed, RNoUnitsAvailable, RReasonRequired, RKeyReused,
		RExportTooLong, RRecordingOff}
}

// Error is a domain error with a stable code and a message fit for a user;
// Reason, when set, says more precisely what went wrong.
type Error struct {
	Code    string
	Reason  string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Because sets the error's reason (one of the R constants).
func (e *Error) Because(reason string) *Error { e.Reason = reason; return e }

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

// ErrorReason returns the reason of the first *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
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
