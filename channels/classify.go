package channels

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Classify turns any error from a provider call into an *Error. An *Error in
// err's chain is returned as it is. Otherwise a refused or unresolvable
// connection is Retryable (the request never left), and everything else — a
// timeout, a reset, a cancelled call, an unexpected failure — is Ambiguous,
// because the provider may have acted on the request (limits.md §8.4).
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	if e := AsError(err); e != nil {
		return e
	}
	if NotSent(err) {
		return &Error{Class: Retryable, Err: err}
	}
	return &Error{Class: Ambiguous, Err: err}
}

// NotSent reports whether err shows that a request never reached the
// provider: the connection was refused, the host did not resolve, or the
// dial itself timed out.
func NotSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && !dns.IsTemporary {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// Timeout reports whether err is a timeout or a cancelled call.
func Timeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		(errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, io.ErrUnexpectedEOF)
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// It returns 0 when the header is missing or unreadable.
func ParseRetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(n)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
