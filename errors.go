package gqlbase

import (
	"errors"
	"fmt"
)

// Code classifies an error for every edge of the system: GraphQL puts it in
// extensions.code, each REST dialect maps it to its own status and envelope.
type Code string

const (
	CodeUnauthenticated Code = "UNAUTHENTICATED"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotFound        Code = "NOT_FOUND"
	CodeBadUserInput    Code = "BAD_USER_INPUT"
	CodeConflict        Code = "CONFLICT"
	CodeRateLimited     Code = "RATE_LIMITED"
	CodePayloadTooLarge Code = "PAYLOAD_TOO_LARGE"
	CodeNotImplemented  Code = "NOT_IMPLEMENTED"
	CodeInternal        Code = "INTERNAL"
)

// Error is an error meant for the caller: its Message is safe to show. Anything that is not an
// *Error (or does not wrap one) is internal and is shown only as "internal error".
type Error struct {
	Code    Code
	Message string
	// Field names the input that was wrong (a column, an argument), when there is one.
	Field string
	// Details carries structured context for the caller (for example the dependents that block
	// a delete). Values must be JSON-encodable.
	Details map[string]any
	// Reason names the specific cause within Code, for edges that distinguish causes a code
	// groups together (Botpress's ResourceLockedConflict and ReferenceConstraint are both
	// CONFLICT). Empty when the code says all there is.
	Reason Reason
	// Err is the underlying cause, kept for logs; it is never shown to the caller.
	Err error
}

// Reason is a stable, machine-readable name for an error's specific cause.
type Reason string

const (
	// ReasonFrozen: the table is frozen, so its schema cannot change.
	ReasonFrozen Reason = "FROZEN"
	// ReasonHasDependents: the object is still referred to (tables of a database, LINK
	// columns pointing at a table) and the operation was not forced.
	ReasonHasDependents Reason = "HAS_DEPENDENTS"
	// ReasonFunctionFailed: a server function a dialect route ran threw, timed out or hit a
	// limit (the message says which).
	ReasonFunctionFailed Reason = "FUNCTION_FAILED"
)

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a caller-facing error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithField returns a copy of e that names the input at fault.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// WithReason returns a copy of e that names its specific cause.
func (e *Error) WithReason(r Reason) *Error {
	c := *e
	c.Reason = r
	return &c
}

// WithDetail returns a copy of e with one more detail.
func (e *Error) WithDetail(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// Shorthands for the common codes.
func Unauthenticated(format string, args ...any) *Error {
	return Errorf(CodeUnauthenticated, format, args...)
}
func Forbidden(format string, args ...any) *Error { return Errorf(CodeForbidden, format, args...) }
func NotFound(format string, args ...any) *Error  { return Errorf(CodeNotFound, format, args...) }
func BadInput(format string, args ...any) *Error  { return Errorf(CodeBadUserInput, format, args...) }
func Conflict(format string, args ...any) *Error  { return Errorf(CodeConflict, format, args...) }

// AsError returns the caller-facing error inside err, if there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// ErrorCode returns the code of err: the code of the *Error it wraps, or INTERNAL.
func ErrorCode(err error) Code {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return CodeInternal
}
