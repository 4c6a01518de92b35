package comms

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Error codes. Their meaning follows the standard package layout: a code says
// what kind of failure happened, the message says what to do about it.
const (
	EINVALID   = "invalid"   // the input is wrong; the message names the field
	EFORBIDDEN = "forbidden" // the actor may not do this
	ECONFLICT  = "conflict"  // the action does not fit the current state
	ENOTFOUND  = "not_found" // the thing does not exist
	EINTERNAL  = "internal"  // a bug or an unavailable dependency
)

// Error is the one error type whose Message is fit to show a Slack user.
// Fields, when set, maps a field name (see the Field constants) to a message
// about that field, so a modal can show each one beside its input.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("comms: %s: %s", e.Code, e.Message)
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return fmt.Sprintf("comms: %s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors returns an EINVALID error carrying one message per field, or
// nil when fields is empty.
func FieldErrors(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
}

// ErrorCode returns the code of an *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns a message safe to show a user: the Message of an
// *Error, or a generic apology for anything else (whose text may carry
// details a user should not see).
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "Something went wrong inside Herald. The operator can find the details in its log."
}

// ErrorFields returns the per-field messages of an *Error in err's chain.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
