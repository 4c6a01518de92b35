package channels

import (
	"errors"
	"fmt"
	"time"
)

// Class says what a failed send means for the delivery (limits.md §2.4, §8.4).
type Class int

// The three classes of failure.
const (
	// Retryable failures were certainly not processed by the provider (a 429,
	// Twilio 20429, an SMTP 4xx, a refused connection): the row is sent again
	// after a backoff or the provider's Retry-After.
	Retryable Class = iota + 1
	// Ambiguous failures may or may not have been processed (a timeout, a
	// 5xx, a connection reset after the request went out): the row becomes
	// unknown and is reconciled before any resend.
	Ambiguous
	// Permanent failures will fail again (an invalid number, an archived
	// channel): the row becomes failed_perm and its author sees Message.
	Permanent
)

// String returns the class name used in logs.
func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Ambiguous:
		return "ambiguous"
	case Permanent:
		return "permanent"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Error is a classified send failure. Senders return it so the dispatcher
// knows whether to retry, reconcile or give up.
type Error struct {
	// Class says what the failure means for the delivery.
	Class Class
	// RetryAfter is the wait the provider asked for (a Retry-After header).
	// A Retryable error with RetryAfter set is a rate limit: it pauses the
	// whole lane and does not count as an attempt, since the provider did not
	// process the request.
	RetryAfter time.Duration
	// Err is the underlying error, for logs.
	Err error
	// Message says what went wrong in words fit for the comm's author, such
	// as "#ops is private and Herald is not in it: invite @Herald to #ops".
	// It is stored as the delivery's LastError.
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return fmt.Sprintf("channels: %s: %s (%v)", e.Class, e.Message, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("channels: %s: %v", e.Class, e.Err)
	}
	return fmt.Sprintf("channels: %s: %s", e.Class, e.Message)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// UserMessage returns what the comm's author should read about the failure:
// Message when set, the underlying error otherwise.
func (e *Error) UserMessage() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Class.String() + " failure"
}

// RateLimited reports whether the error is a rate-limit answer that pauses
// the lane.
func (e *Error) RateLimited() bool { return e.Class == Retryable && e.RetryAfter > 0 }

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
