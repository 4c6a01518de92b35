package statuspagefake

import (
	"net/http"
	"time"

	"github.com/herald-comms/herald/internal/httpfault"
)

// SetFailureRate makes each request fail with 500 with probability p (0 turns
// it off).
func (f *Fake) SetFailureRate(p float64) { f.faults.SetFailureRate(p) }

// FailNext makes the next n requests fail with 500.
func (f *Fake) FailNext(n int) { f.faults.FailNext(n) }

// Force429 makes the next n requests fail with 429 and a Retry-After header of
// retryAfter rounded up to whole seconds.
func (f *Fake) Force429(n int, retryAfter time.Duration) { f.faults.Force429(n, retryAfter) }

// HangNext makes the next n requests hang without an answer until the client
// gives up, ReleaseHung is called, or the test ends.
func (f *Fake) HangNext(n int) { f.faults.HangNext(n) }

// ReleaseHung lets every request held by HangNext go on to be served normally.
func (f *Fake) ReleaseHung() { f.faults.ReleaseHung() }

// ResetNext makes the next n requests end in a TCP reset before any answer,
// so the client cannot tell whether its change was made.
func (f *Fake) ResetNext(n int) { f.faults.ResetNext(n) }

// faultProvider answers injected faults the way Statuspage words its errors,
// and passes what no fault stopped on to authenticated serving.
func (f *Fake) faultProvider() httpfault.Provider {
	return httpfault.Provider{
		Fail: func(w http.ResponseWriter) {
			writeError(w, http.StatusInternalServerError, "Internal Server Error")
		},
		TooMany: func(w http.ResponseWriter, retryAfter time.Duration) {
			f.mu.Lock()
			f.throttled++
			f.mu.Unlock()
			writeTooMany(w, retryAfter)
		},
		Next:   http.HandlerFunc(f.serveAuthenticated),
		Report: func(err error) { f.tb.Errorf("statuspagefake: %v", err) },
		Stop:   f.done,
	}
}
