package store

import (
	"errors"
	"fmt"
)

// Errors that Open wraps, so callers can tell the cases apart with errors.Is.
// The wrapping error's text is the one to show an operator.
var (
	// ErrInUse means another process holds the database file's lock.
	ErrInUse = errors.New("store: database in use")
	// ErrCorrupt means the file is not a bbolt database written by Herald,
	// or it is damaged.
	ErrCorrupt = errors.New("store: not a Herald database or corrupt")
	// ErrSchema means the file's schema version is one this Herald does not
	// understand.
	ErrSchema = errors.New("store: unsupported schema version")
)

// openError is an error whose text is written for an operator and which
// wraps both a sentinel above and the underlying cause.
type openError struct {
	msg   string
	kind  error
	cause error
}

func (e *openError) Error() string { return e.msg }

func (e *openError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func inUseError(path string, cause error) error {
	return &openError{
		msg:  fmt.Sprintf("store: the database %s is in use by another herald process", path),
		kind: ErrInUse, cause: cause,
	}
}

func corruptError(path string, cause error) error {
	msg := fmt.Sprintf("store: %s is not a Herald database or is corrupt", path)
	if cause != nil {
		msg += " (" + cause.Error() + ")"
	}
	return &openError{msg: msg, kind: ErrCorrupt, cause: cause}
}

func newerSchemaError(path string, v uint64) error {
	return &openError{
		msg: fmt.Sprintf("store: the database %s was written by a newer Herald (schema %d); this Herald understands schema %d",
			path, v, SchemaVersion),
		kind: ErrSchema,
	}
}

func unknownSchemaError(path string, v []byte) error {
	return &openError{
		msg: fmt.Sprintf("store: the database %s has an unknown schema version %q; this Herald understands schema %d",
			path, v, SchemaVersion),
		kind: ErrSchema,
	}
}
