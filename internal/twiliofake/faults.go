package twiliofake

import (
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

type fault int

const (
	noFault fault = iota
	fail500
	force429
	hang
	reset
	resetAfter
)

// faults holds the fault switches; the Fake's mutex guards it.
type faults struct {
	failRate   float64
	failNext   int
	tooMany    int
	retryAfter time.Duration
	hangNext   int
	resetNext  int
	resetAfter int
}

// take picks the fault for one request, consuming one-shot switches.
func (fs *faults) take() fault {
	switch {
	case fs.resetNext > 0:
		fs.resetNext--
		return reset
	case fs.resetAfter > 0:
		fs.resetAfter--
		return resetAfter
	case fs.hangNext > 0:
		fs.hangNext--
		return hang
	case fs.tooMany > 0:
		fs.tooMany--
		return force429
	case fs.failNext > 0:
		fs.failNext--
		return fail500
	case fs.failRate > 0 && rand.Float64() < fs.failRate:
		return fail500
	}
	return noFault
}

// SetFailureRate makes each request fail with 500 and code 20500 with
// probability p (0 turns it off).
func (f *Fake) SetFailureRate(p float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.failRate = p
}

// FailNext makes the next n requests fail with 500 and code 20500.
func (f *Fake) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.failNext = n
}

// Force429 makes the next n requests fail with 429, code 20429 and a
// Retry-After header of retryAfter rounded up to whole seconds.
func (f *Fake) Force429(n int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.tooMany, f.faults.retryAfter = n, retryAfter
}

// HangNext makes the next n requests hang without an answer until the client
// gives up, ReleaseHung is called, or the test ends.
func (f *Fake) HangNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.hangNext = n
}

// ReleaseHung lets every request held by HangNext go on to be served normally.
func (f *Fake) ReleaseHung() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.release)
	f.release = make(chan struct{})
}

// ResetNext makes the next n requests end in a TCP reset before any answer,
// so the client cannot tell whether the message was created.
func (f *Fake) ResetNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.resetNext = n
}

// ResetAfterNext makes the next n requests be served in full — a create
// records its message — and then end in a TCP reset instead of the answer:
// the request Twilio acted on whose answer was lost, which only a lookup can
// settle (limits.md §2.6).
func (f *Fake) ResetAfterNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults.resetAfter = n
}

// inject applies a fault and reports whether the request was answered.
func (f *Fake) inject(w http.ResponseWriter, r *http.Request, ft fault, retryAfter time.Duration, release <-chan struct{}) bool {
	switch ft {
	case fail500:
		writeError(w, newError(http.StatusInternalServerError, 20500, "Internal Server Error"))
		return true
	case force429:
		f.mu.Lock()
		f.throttled++
		f.mu.Unlock()
		writeTooMany(w, retryAfter)
		return true
	case hang:
		select {
		case <-release:
			return false
		case <-r.Context().Done():
		case <-f.done:
		}
		return true
	case reset:
		resetConn(f, w)
		return true
	}
	return false
}

func resetConn(f *Fake, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		f.tb.Errorf("twiliofake: cannot hijack %T to reset it", w)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		f.tb.Errorf("twiliofake: hijack: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST, not FIN
	}
	_ = conn.Close()
}
