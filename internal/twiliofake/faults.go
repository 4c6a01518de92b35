package twiliofake

import (
	"net/http"
	"time"

	"github.com/herald-comms/herald/internal/httpfault"
)

// SetFailureRate makes each request fail with 500 and code 20500 with
// probability p (0 turns it off).
func (f *Fake) SetFailureRate(p float64) { f.faults.SetFailureRate(p) }

// FailNext makes the next n requests fail with 500 and code 20500.
func (f *Fake) FailNext(n int) { f.faults.FailNext(n) }

// Force429 makes the next n requests fail with 429, code 20429 and a
// Retry-After header of retryAfter rounded up to whole seconds.
func (f *Fake) Force429(n int, retryAfter time.Duration) { f.faults.Force429(n, retryAfter) }

// HangNext makes the next n requests hang without an answer until the client
// gives up, ReleaseHung is called, or the test ends.
func (f *Fake) HangNext(n int) { f.faults.HangNext(n) }

// ReleaseHung lets every request held by HangNext go on to be served normally.
func (f *Fake) ReleaseHung() { f.faults.ReleaseHung() }

// ResetNext makes the next n requests end in a TCP reset before any answer,
// so the client cannot tell whether the message was created.
func (f *Fake) ResetNext(n int) { f.faults.ResetNext(n) }

// ResetAfterNext makes the next n requests be served in full — a create
// records its message — and then end in a TCP reset instead of the answer:
// the request Twilio acted on whose answer was lost, which only a lookup can
// settle (limits.md §2.6).
func (f *Fake) ResetAfterNext(n int) { f.faults.ResetAfterNext(n) }

// faultProvider answers injected faults with Twilio's error codes, and
// passes what no fault stopped on to serve.
func (f *Fake) faultProvider() httpfault.Provider {
	return httpfault.Provider{
		Fail: func(w http.ResponseWriter) {
			writeError(w, newError(http.StatusInternalServerError, 20500, "Internal Server Error"))
		},
		TooMany: func(w http.ResponseWriter, retryAfter time.Duration) {
			f.mu.Lock()
			f.throttled++
			f.mu.Unlock()
			writeTooMany(w, retryAfter)
		},
		Next:   http.HandlerFunc(f.serve),
		Report: func(err error) { f.tb.Errorf("twiliofake: %v", err) },
		Stop:   f.done,
	}
}
