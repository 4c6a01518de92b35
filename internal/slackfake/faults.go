package slackfake

import (
	"net"
	"net/http"
	"time"
)

// rateLimit is a fixed window of n calls per period for one method.
type rateLimit struct {
	n      int
	per    time.Duration
	start  time.Time
	inWind int
}

// RateLimit limits method to n calls per period; further calls in the same
// window get HTTP 429 with Retry-After (whole seconds, at least 1) and
// {"ok":false,"error":"ratelimited"}, which slack-go returns as
// *slack.RateLimitedError. n <= 0 removes the limit.
func (w *Workspace) RateLimit(method string, n int, per time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n <= 0 {
		delete(w.limits, method)
		return
	}
	w.limits[method] = &rateLimit{n: n, per: per}
}

// rateLimited counts a call against its method's limit.
func (w *Workspace) rateLimited(method string) (retryAfter int, limited bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := w.limits[method]
	if l == nil {
		return 0, false
	}
	now := w.now()
	if l.start.IsZero() || now.Sub(l.start) >= l.per {
		l.start, l.inWind = now, 0
	}
	l.inWind++
	if l.inWind <= l.n {
		return 0, false
	}
	left := l.per - now.Sub(l.start)
	secs := int((left + time.Second - 1) / time.Second)
	return max(secs, 1), true
}

// Fault describes how calls to one method fail.
type Fault struct {
	// Status is the HTTP status to answer (default 503) when neither Hang
	// nor Reset is set. Slack sends an HTML body with 5xx, so slack-go
	// returns slack.StatusCodeError.
	Status int
	// Hang holds the request open until the client gives up (its timeout or
	// context) or the test ends.
	Hang bool
	// Reset closes the TCP connection without answering (an RST).
	Reset bool
	// Rate is the fraction of calls that fail, in (0,1]; 0 means every call.
	// The fake's random source is seeded, so runs repeat.
	Rate float64
	// Times limits how many calls fail; 0 means no limit.
	Times int
}

type faultState struct {
	Fault
	hits int
}

func (f *faultState) status() int {
	switch {
	case f.Hang, f.Reset:
		return 0
	case f.Status == 0:
		return http.StatusServiceUnavailable
	}
	return f.Status
}

// SetFault makes calls to method fail as f describes, until ClearFault.
func (w *Workspace) SetFault(method string, f Fault) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.faults[method] = &faultState{Fault: f}
}

// ClearFault removes the fault on method.
func (w *Workspace) ClearFault(method string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.faults, method)
}

// fault decides whether this call to method fails.
func (w *Workspace) fault(method string) *faultState {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.faults[method]
	if f == nil || (f.Times > 0 && f.hits >= f.Times) {
		return nil
	}
	if f.Rate > 0 && f.Rate < 1 && w.rng.Float64() >= f.Rate {
		return nil
	}
	f.hits++
	return f
}

// applyFault answers a faulted call.
func (w *Workspace) applyFault(rw http.ResponseWriter, r *http.Request, f *faultState) {
	switch {
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-w.done:
		}
	case f.Reset:
		hj, ok := rw.(http.Hijacker)
		if !ok {
			w.errorf("slackfake: cannot reset a connection that is not hijackable")
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	default:
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(f.status())
		_, _ = rw.Write([]byte("<html><body>Slack is having trouble</body></html>"))
	}
}
