package httpfault

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Action is what a fault does to one request.
type Action int

const (
	// None lets the request be served normally.
	None Action = iota
	// Fail answers 500 with the provider's error body.
	Fail
	// TooMany answers 429 with a Retry-After header and the provider's body.
	TooMany
	// Hang holds the request without an answer.
	Hang
	// Reset ends the connection with a TCP reset before any answer.
	Reset
	// ResetAfter serves the request in full, then ends the connection with a
	// TCP reset instead of the answer.
	ResetAfter
)

// Faults is one fake server's set of fault switches. The zero value injects
// nothing; its methods are safe for concurrent use.
type Faults struct {
	mu         sync.Mutex
	failRate   float64
	failNext   int
	tooMany    int
	retryAfter time.Duration
	hangNext   int
	resetNext  int
	resetAfter int
	release    chan struct{} // closed by ReleaseHung; nil until first needed
}

// Fault is the fault Take picked for one request.
type Fault struct {
	Action Action
	// RetryAfter is the wait Force429 was given, for TooMany.
	RetryAfter time.Duration

	// release is the ReleaseHung channel current when the request came in,
	// so a release lets go of the requests hanging then and no later ones.
	release <-chan struct{}
}

// SetFailureRate makes each request Fail with probability p (0 turns it off).
func (fs *Faults) SetFailureRate(p float64) { fs.set(func() { fs.failRate = p }) }

// FailNext makes the next n requests Fail.
func (fs *Faults) FailNext(n int) { fs.set(func() { fs.failNext = n }) }

// Force429 makes the next n requests TooMany, with a Retry-After of
// retryAfter.
func (fs *Faults) Force429(n int, retryAfter time.Duration) {
	fs.set(func() { fs.tooMany, fs.retryAfter = n, retryAfter })
}

// HangNext makes the next n requests Hang.
func (fs *Faults) HangNext(n int) { fs.set(func() { fs.hangNext = n }) }

// ReleaseHung lets every request now held by HangNext go on to be served
// normally.
func (fs *Faults) ReleaseHung() {
	fs.set(func() {
		if fs.release != nil {
			close(fs.release)
		}
		fs.release = make(chan struct{})
	})
}

// ResetNext makes the next n requests Reset.
func (fs *Faults) ResetNext(n int) { fs.set(func() { fs.resetNext = n }) }

// ResetAfterNext makes the next n requests ResetAfter.
func (fs *Faults) ResetAfterNext(n int) { fs.set(func() { fs.resetAfter = n }) }

// set changes switches under the lock.
func (fs *Faults) set(change func()) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	change()
}

// Take picks the fault for one request, consuming one-shot switches. When
// several are set, resets come first, then hangs, 429s and 500s.
func (fs *Faults) Take() Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.release == nil {
		fs.release = make(chan struct{})
	}
	return Fault{Action: fs.pick(), RetryAfter: fs.retryAfter, release: fs.release}
}

// pick is Take's choice; fs.mu must be held.
func (fs *Faults) pick() Action {
	switch {
	case consume(&fs.resetNext):
		return Reset
	case consume(&fs.resetAfter):
		return ResetAfter
	case consume(&fs.hangNext):
		return Hang
	case consume(&fs.tooMany):
		return TooMany
	case consume(&fs.failNext):
		return Fail
	case fs.failRate > 0 && rand.Float64() < fs.failRate:
		return Fail
	}
	return None
}

// consume spends one of the n requests a one-shot switch still applies to,
// and reports whether there was one.
func consume(n *int) bool {
	if *n <= 0 {
		return false
	}
	*n--
	return true
}
